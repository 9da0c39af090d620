"""E-mails about a trip: to its people at each step, each in the reader's language.

- submitted: the agency's approvers (never the requester or the traveller themselves);
- approved: the requester, the traveller and the facility's travel officers (the ticketing queue);
- rejected, cancelled: the requester and the traveller (and the travel officer working it);
- ticketed: the requester and the traveller, with the booking;
- claimed: the travel officer working the trip (or all of them when none has taken it);
- settled: the traveller and the requester, with the amount owed or to recover.

The person who did the step is not told of it. One task sends a step's e-mails
(travel.tasks.trip_notify); notifications.mail keeps each address written once.
No e-mail carries the traveller's personal data.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, Role, User
from notifications.mail import StepMail
from shared_platform.language import in_language_of
from shared_platform.plain_text import single_line
from shared_platform.tenancy import address_url, agency_url
from tenants.models import Agency

from .models import Claim, TravelRequest

SUBJECTS = {
    "submitted": _("%(reference)s waits for your approval: travel of %(traveller)s"),
    "approved": _("%(reference)s approved: travel of %(traveller)s"),
    "rejected": _("%(reference)s rejected: travel of %(traveller)s"),
    "cancelled": _("%(reference)s cancelled: travel of %(traveller)s"),
    "ticketed": _("%(reference)s: ticket issued for %(traveller)s"),
    "claimed": _("%(reference)s: expense claim to settle"),
    "settled": _("%(reference)s: claim settled"),
}


def _agency() -> Agency:
    return Agency.objects.get(schema_name=connection.schema_name)  # type: ignore[attr-defined]


def _user(pk: int | None) -> User | None:
    return User.objects.filter(pk=pk).first() if pk else None


def _active(users: Iterable[User | None]) -> list[User]:
    seen: dict[int, User] = {}
    for user in users:
        if user is not None and user.is_active and user.email and user.pk not in seen:
            seen[user.pk] = user
    return list(seen.values())


def _role_holders(role: str, agency: Agency | None) -> list[User]:
    members = Membership.objects.filter(role=role, agency=agency).values("user_id")
    return list(User.objects.filter(pk__in=members, is_active=True).order_by("pk"))


def _officer_of(trip: TravelRequest) -> User | None:
    from ledger.models import LedgerEntry

    if trip.entry_id is None:
        return None
    assignee = LedgerEntry.objects.filter(pk=trip.entry_id).values_list("assignee_id", flat=True).first()
    return _user(assignee)


def recipients(trip: TravelRequest, step: str, agency: Agency) -> list[tuple[User, bool]]:
    """Who hears of a step: (person, reads it on the agency's address rather than the facility portal)."""
    requester, traveller = _user(trip.requester_id), _user(trip.traveller_id)
    agency_side: list[User | None] = []
    facility_side: list[User | None] = []
    if step == "submitted":
        agency_side = [
            person
            for person in _role_holders(Role.APPROVER, agency)
            if person.pk not in (trip.requester_id, trip.traveller_id)
        ]
    elif step == "approved":
        agency_side, facility_side = [requester, traveller], list(_role_holders(Role.TRAVEL_AGENT, None))
    elif step in ("rejected", "ticketed", "settled"):
        agency_side = [requester, traveller]
    elif step == "cancelled":
        agency_side, facility_side = [requester, traveller], [_officer_of(trip)]
    elif step == "claimed":
        officer = _officer_of(trip)
        facility_side = [officer] if officer is not None else list(_role_holders(Role.TRAVEL_AGENT, None))
    agency_people = _active(agency_side)
    return [(person, True) for person in agency_people] + [
        (person, False) for person in _active(facility_side) if person.pk not in {p.pk for p in agency_people}
    ]


def _link(agency: Agency, trip: TravelRequest, on_agency_address: bool) -> str:
    if on_agency_address:
        return agency_url(agency, reverse("travel:trip", args=[trip.reference], urlconf=settings.ROOT_URLCONF))
    return address_url(
        settings.BASE_DOMAIN, reverse("travel:case", args=[trip.reference], urlconf=settings.PUBLIC_SCHEMA_URLCONF)
    )


def trip_mails(*, trip_id: int, step: str, actor_id: int | None, detail: str) -> list[StepMail]:
    """The e-mails of one step of a trip, one per recipient, each in their language (none if it is gone)."""
    trip = TravelRequest.objects.filter(pk=trip_id).first()
    if trip is None or step not in SUBJECTS:
        return []
    agency = _agency()
    actor = _user(actor_id)
    claim = Claim.objects.filter(travel_request=trip).first()
    ticket = getattr(trip, "ticket", None) if step == "ticketed" else None
    mails = []
    for person, on_agency_address in recipients(trip, step, agency):
        if person.pk == actor_id:
            continue
        with in_language_of(person):
            subject = single_line(SUBJECTS[step] % {"reference": trip.reference, "traveller": trip.traveller_name})
            body = render_to_string(
                "travel/mail/trip.txt",
                {
                    "trip": trip,
                    "step": step,
                    "actor": actor,
                    "detail": detail,
                    "claim": claim,
                    "ticket": ticket,
                    "link": _link(agency, trip, on_agency_address),
                },
            )
            mails.append(StepMail(to=person.email, subject=subject, body=body))
    return mails


def trip_reference(trip_id: int) -> str:
    return TravelRequest.objects.filter(pk=trip_id).values_list("reference", flat=True).first() or ""
