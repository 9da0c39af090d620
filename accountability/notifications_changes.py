"""E-mails of agreement change requests, each in its reader's language (notifications.mail.StepMail).

- submitted: the facility's assessors (its manager and finance officers);
- assessed: the agency's approvers and the facility manager, who both approve next;
- approved or rejected: the person who proposed it and the agency's approvers;
- withdrawn: the facility's assessors.

The person who did the step is not told of it. The agency's people read the
link on their agency's address, the facility's on the portal. The task lives
here (queued by accountability.services.changes after commit); a worker
registers it when accountability.tasks imports this module.
"""

from __future__ import annotations

from typing import Any

from celery import Task, shared_task
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, User
from notifications import mail
from notifications.mail import RETRYING, StepMail, sent_or_given_up
from shared_platform.language import in_language_of
from shared_platform.plain_text import single_line
from shared_platform.tenancy import address_url, agency_url

from .access import AGENCY_CHANGE_APPROVER_ROLES, CHANGE_ASSESSOR_ROLES, CHANGE_FACILITY_APPROVER_ROLES
from .models import AgreementChangeRequest

SUBJECTS: dict[str, Any] = {
    "submitted": _("%(reference)s: %(agency)s proposes a change to its agreement"),
    "assessed": _("%(reference)s assessed: your approval is awaited"),
    "approved": _("%(reference)s approved: the new agreement version applies from %(day)s"),
    "rejected": _("%(reference)s rejected"),
    "withdrawn": _("%(reference)s withdrawn by %(agency)s"),
}
STEPS = tuple(SUBJECTS)


def _facility_people(roles: frozenset[str]) -> list[User]:
    ids = Membership.objects.filter(agency__isnull=True, role__in=roles).values("user_id")
    return list(User.objects.filter(pk__in=ids, is_active=True))


def _agency_approvers(request: AgreementChangeRequest) -> list[User]:
    ids = Membership.objects.filter(agency=request.agency, role__in=AGENCY_CHANGE_APPROVER_ROLES).values("user_id")
    return list(User.objects.filter(pk__in=ids, is_active=True))


def recipients(request: AgreementChangeRequest, step: str) -> list[tuple[User, bool]]:
    """(person, reads it on the facility portal) for each reader of a step."""
    readers: list[tuple[User, bool]] = []
    if step in ("submitted", "withdrawn"):
        readers = [(user, True) for user in _facility_people(CHANGE_ASSESSOR_ROLES)]
    elif step == "assessed":
        readers = [(user, False) for user in _agency_approvers(request)]
        readers += [(user, True) for user in _facility_people(CHANGE_FACILITY_APPROVER_ROLES)]
    elif step in ("approved", "rejected"):
        readers = [(request.requested_by, False)] + [(user, False) for user in _agency_approvers(request)]
    seen: set[int] = set()
    unique = []
    for user, on_facility in readers:
        if user.pk not in seen:
            seen.add(user.pk)
            unique.append((user, on_facility))
    return unique


def change_link(request: AgreementChangeRequest, *, on_facility: bool) -> str:
    if on_facility:
        path = reverse("accountability:change", args=[request.reference], urlconf=settings.PUBLIC_SCHEMA_URLCONF)
        return address_url(settings.BASE_DOMAIN, path)
    path = reverse("accountability:change", args=[request.reference], urlconf=settings.ROOT_URLCONF)
    return agency_url(request.agency, path)


def change_request_mails(*, request_id: int, step: str, actor_id: int | None) -> list[StepMail]:
    """One e-mail per reader of the step, each in the reader's language (none if the request is gone)."""
    request = (
        AgreementChangeRequest.objects.select_related(
            "agency", "agreement", "requested_by", "new_agreement", "closed_by"
        )
        .filter(pk=request_id)
        .first()
    )
    if request is None or step not in STEPS:
        return []
    mails = []
    for user, on_facility in recipients(request, step):
        if user.pk == actor_id or not user.is_active or not user.email:
            continue
        with in_language_of(user):
            subject = single_line(
                str(SUBJECTS[step])
                % {
                    "reference": request.reference,
                    "agency": request.agency.code,
                    "day": date_format(request.effective_from, "DATE_FORMAT"),
                }
            )
            body = render_to_string(
                f"accountability/mail/changes_{step}.txt",
                {
                    "request": request,
                    "link": change_link(request, on_facility=on_facility),
                },
            )
        mails.append(StepMail(to=user.email, subject=subject, body=body))
    return mails


def change_request_reference(request_id: int) -> str:
    return AgreementChangeRequest.objects.filter(pk=request_id).values_list("reference", flat=True).first() or ""


@shared_task(**RETRYING)
def change_request_notify(
    self: Task[Any, Any], request_id: int, step: str, actor_id: int | None, delivery_key: str | None = None
) -> list[str]:
    """E-mail the readers of one step of a change request (public schema)."""
    key = delivery_key or self.request.id or ""

    def mails() -> list[StepMail]:
        return change_request_mails(request_id=request_id, step=step, actor_id=actor_id)

    return sent_or_given_up(
        self,
        key=key,
        send=lambda: mail.send(mails(), delivery_key=key),
        mails=mails,
        task_args=[request_id, step, actor_id],
        reference=lambda: change_request_reference(request_id),
        step=step,
    )
