"""E-mails about SLA clocks: to the request's assignee and the facility managers, each in their own language."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy

from accounts.models import Membership, Role, User
from shared_platform.language import in_language_of, language_of
from shared_platform.tenancy import address_url

from .models import SlaClock

SUBJECTS = {
    "warning1": gettext_lazy("SLA warning: %(request)s has used %(percent)s%% of its %(metric)s target"),
    "warning2": gettext_lazy("SLA warning: %(request)s has used %(percent)s%% of its %(metric)s target"),
    "breach": gettext_lazy("SLA breached: %(request)s %(metric)s target ran out"),
}


def sla_alert_people(clock: SlaClock) -> list[User]:
    """The facility managers and the request's assignee (active ones), each once, by e-mail."""
    managers = Membership.objects.filter(role=Role.FACILITY_MANAGER, agency__isnull=True, user__is_active=True)
    people = {membership.user.email: membership.user for membership in managers.select_related("user")}
    if clock.entry.assignee is not None and clock.entry.assignee.is_active:
        people[clock.entry.assignee.email] = clock.entry.assignee
    return [people[email] for email in sorted(people)]


def sla_alert_recipients(clock: SlaClock) -> list[str]:
    return [person.email for person in sla_alert_people(clock)]


def sla_alert_send(*, clock_id: int, kind: str) -> int:
    """Send one alert, one e-mail per language its recipients read; returns how many people it went to.

    0 if the clock is gone. Each recipient reads it in their own language (User.language), dates included.
    """
    clock = (
        SlaClock.objects.select_related("entry__agency", "entry__service", "entry__assignee", "entry__agreement")
        .filter(pk=clock_id)
        .first()
    )
    if clock is None or kind not in SUBJECTS:
        return 0
    agreement = clock.entry.agreement
    percent = {"warning1": agreement.warn_first_percent, "warning2": agreement.warn_second_percent, "breach": 100}[kind]
    context = {
        "clock": clock,
        "entry": clock.entry,
        "kind": kind,
        "percent": percent,
        "dashboard_url": address_url(
            settings.BASE_DOMAIN, reverse("sla-dashboard", urlconf=settings.PUBLIC_SCHEMA_URLCONF)
        ),
        "request_url": address_url(
            settings.BASE_DOMAIN,
            reverse("ledger-request", args=[clock.entry.reference], urlconf=settings.PUBLIC_SCHEMA_URLCONF),
        ),
    }
    people = sla_alert_people(clock)
    by_language: dict[str, list[User]] = {}
    for person in people:
        by_language.setdefault(language_of(person), []).append(person)
    for readers in by_language.values():
        with in_language_of(readers[0]):
            subject = str(SUBJECTS[kind]) % {
                "request": clock.entry.reference,
                "percent": percent,
                "metric": str(clock.get_metric_display()).lower(),
            }
            body = render_to_string("ledger/sla_alert.txt", {**context, "held_by": _held_by(clock)})
        send_mail(subject, body, None, [person.email for person in readers])
    return len(people)


def _held_by(clock: SlaClock) -> str:
    """Who held the clock, as a whole sentence in the reader's language (articles differ by language)."""
    return {
        "requester": gettext("The clock was held by the requester."),
        "supplier": gettext("The clock was held by the supplier."),
    }.get(clock.held_by, gettext("The clock was held by the facility."))
