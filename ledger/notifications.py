"""E-mails about SLA clocks: to the request's assignee and the facility managers."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.models import Membership, Role
from shared_platform.tenancy import address_url

from .models import SlaClock

SUBJECTS = {
    "warning1": "SLA warning: {reference} has used {percent}% of its {metric} target",
    "warning2": "SLA warning: {reference} has used {percent}% of its {metric} target",
    "breach": "SLA breached: {reference} {metric} target ran out",
}


def sla_alert_recipients(clock: SlaClock) -> list[str]:
    managers = Membership.objects.filter(role=Role.FACILITY_MANAGER, agency__isnull=True, user__is_active=True)
    recipients = {membership.user.email for membership in managers.select_related("user")}
    if clock.entry.assignee is not None and clock.entry.assignee.is_active:
        recipients.add(clock.entry.assignee.email)
    return sorted(recipients)


def sla_alert_send(*, clock_id: int, kind: str) -> int:
    """Send one alert; returns how many people it went to (0 if the clock is gone)."""
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
    subject = SUBJECTS[kind].format(
        reference=clock.entry.reference, percent=percent, metric=clock.get_metric_display().lower()
    )
    recipients = sla_alert_recipients(clock)
    if recipients:
        send_mail(subject, render_to_string("ledger/sla_alert.txt", context), None, recipients)
    return len(recipients)
