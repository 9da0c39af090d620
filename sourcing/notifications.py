"""E-mails about long-term agreements: the 80 % ceiling warning, and piggyback requests and decisions.

Each e-mail is written in its reader's language (User.language, blank: the
platform's) and sent by one Celery task (sourcing.tasks), once per address per
task. Who reads what:

- the ceiling warning (overall, or one agency's own ceiling): the owner
  agency's approvers, on the agency's address, and the facility's procurement
  officers, on the facility portal; an agency's own ceiling also warns that
  agency's approvers;
- a piggyback request: the owner agency's approvers, who decide it;
- the decision: the asking agency's approvers.

Nothing in them names another agency's consumption beyond what its reader
may see on the agreement's page.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, Role, User
from notifications.mail import StepMail
from shared_platform.language import in_language_of
from shared_platform.plain_text import single_line
from shared_platform.tenancy import address_url, agency_url
from tenants.models import Agency

from .models import LongTermAgreement, Participation, PiggybackRequest, PiggybackStatus
from .selectors.agreements import agreement_figures

SUBJECTS = {
    "ceiling": _("%(reference)s: 80 %% of the ceiling is consumed"),
    "agency_ceiling": _("%(reference)s: 80 %% of %(agency)s's ceiling is consumed"),
    "piggyback_requested": _("%(reference)s: %(agency)s asks to join your long-term agreement"),
    "piggyback_accepted": _("%(reference)s: your agency may now call off this long-term agreement"),
    "piggyback_refused": _("%(reference)s: the owner refused your request to join"),
}


def _role_holders(role: str, agency: Agency | None) -> list[User]:
    members = Membership.objects.filter(role=role, agency=agency).values("user_id")
    return list(User.objects.filter(pk__in=members, is_active=True).exclude(email="").order_by("pk"))


def _agency_link(agency: Agency, name: str, *args: object) -> str:
    return agency_url(agency, reverse(name, args=args, urlconf=settings.ROOT_URLCONF))


def _facility_link(name: str, *args: object) -> str:
    return address_url(settings.BASE_DOMAIN, reverse(name, args=args, urlconf=settings.PUBLIC_SCHEMA_URLCONF))


def _mail(person: User, step: str, values: dict[str, object], context: dict[str, object]) -> StepMail:
    with in_language_of(person):
        subject = single_line(str(SUBJECTS[step]) % values)
        body = render_to_string("sourcing/mail/agreement.txt", {**context, "step": step, "reader": person})
    return StepMail(to=person.email, subject=subject, body=body)


def _unique(people: Iterable[tuple[User, str]]) -> list[tuple[User, str]]:
    seen: set[int] = set()
    kept = []
    for person, link in people:
        if person.pk not in seen:
            seen.add(person.pk)
            kept.append((person, link))
    return kept


def ceiling_mails(*, agreement_id: int, agency_id: int | None) -> list[StepMail]:
    """The 80 % warning: overall (agency_id None) or of one agency's own ceiling, one e-mail per reader."""
    agreement = LongTermAgreement.objects.select_related("owner", "vendor").filter(pk=agreement_id).first()
    if agreement is None:
        return []
    figures = agreement_figures(agreement=agreement)
    participation = None
    if agency_id is not None:
        participation = (
            Participation.objects.select_related("agency").filter(agreement=agreement, agency_id=agency_id).first()
        )
        if participation is None or participation.ceiling_usd is None:
            return []
    owner_link = _agency_link(agreement.owner, "sourcing:agreement", agreement.reference)
    readers = [(person, owner_link) for person in _role_holders(Role.APPROVER, agreement.owner)]
    if participation is not None and participation.agency_id != agreement.owner_id:
        link = _agency_link(participation.agency, "sourcing:agreement", agreement.reference)
        readers += [(person, link) for person in _role_holders(Role.APPROVER, participation.agency)]
    facility_link = _facility_link("sourcing:agreement", agreement.reference)
    readers += [(person, facility_link) for person in _role_holders(Role.PROCUREMENT_AGENT, None)]
    line = None
    if participation is not None:
        line = next((row for row in figures.agencies if row.agency.pk == participation.agency_id), None)
    step = "ceiling" if participation is None else "agency_ceiling"
    values: dict[str, object] = {
        "reference": agreement.reference,
        "agency": participation.agency.code if participation is not None else "",
    }
    return [
        _mail(person, step, values, {"agreement": agreement, "figures": figures, "line": line, "link": link})
        for person, link in _unique(readers)
    ]


def piggyback_mails(*, piggyback_id: int) -> list[StepMail]:
    """A request to the owner's approvers; a decision to the asking agency's approvers (not to who decided)."""
    piggyback = (
        PiggybackRequest.objects.select_related("agreement__owner", "agreement__vendor", "agency", "requested_by")
        .filter(pk=piggyback_id)
        .first()
    )
    if piggyback is None:
        return []
    agreement = piggyback.agreement
    if piggyback.status == PiggybackStatus.REQUESTED:
        step = "piggyback_requested"
        link = _agency_link(agreement.owner, "sourcing:agreement", agreement.reference)
        readers = [(person, link) for person in _role_holders(Role.APPROVER, agreement.owner)]
    else:
        step = "piggyback_accepted" if piggyback.status == PiggybackStatus.ACCEPTED else "piggyback_refused"
        link = _agency_link(piggyback.agency, "sourcing:agreement", agreement.reference)
        readers = [
            (person, link)
            for person in _role_holders(Role.APPROVER, piggyback.agency)
            if person.pk != piggyback.decided_by_id
        ]
    values: dict[str, object] = {"reference": agreement.reference, "agency": piggyback.agency.code}
    return [
        _mail(person, step, values, {"agreement": agreement, "piggyback": piggyback, "link": link})
        for person, link in _unique(readers)
    ]


def agreement_reference(agreement_id: int) -> str:
    return LongTermAgreement.objects.filter(pk=agreement_id).values_list("reference", flat=True).first() or ""


def piggyback_reference(piggyback_id: int) -> str:
    return PiggybackRequest.objects.filter(pk=piggyback_id).values_list("agreement__reference", flat=True).first() or ""
