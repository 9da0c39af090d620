"""The monthly service report to each agency: written, stored in the agency's storage, e-mailed to its focal points.

Issue 17 and PRODUCT.md ("an agency reads its invoices, reports and minutes
in its language"): on the facility's first working day of a month each agency
with an agreement in force gets last month's report, a PDF in
`Agency.language` with its volumes, SLA results, satisfaction, what it was
billed and credited, its open issues and the changes coming, e-mailed to its
approvers and finance officers and kept on its pages (ISO 9001:2015 clause
8.2.1: communicating with customers about the services and their feedback).

Rules this module keeps:

- One report per agency and month (a unique constraint). Writing it again
  before it is sent replaces its figures and PDF (the scorecards of a month
  can still move: a late breach, a credit); once sent it is kept exactly as
  sent, so what the agency received stays what the platform shows.
- Only a month that is over can be reported (never the current or a future month).
- Sending is once: a report sent is not sent again, so the daily task run
  twice on the first working day sends one e-mail.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import date, datetime

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django_tenants.utils import tenant_context

from accounts.models import Membership, Role
from billing.selectors import month_start
from shared_platform.errors import ApplicationError
from shared_platform.language import language_of
from shared_platform.queue import enqueue_after_commit
from tenants.models import Agency

from ..models import ServiceReport
from ..pdf_report import service_report_pdf
from ..selectors.reports import (
    agencies_under_agreement,
    facility_today,
    first_working_day,
    previous_month,
    report_figures,
)
from .scorecards import scorecards_refresh

logger = logging.getLogger(__name__)

# The roles of an agency's focal points for the facility: they receive its monthly report.
FOCAL_POINT_ROLES = (Role.APPROVER, Role.AGENCY_FINANCE)
EARLIEST_MONTH = date(2000, 1, 1)


def report_storage_name(*, agency: Agency, month: date) -> str:
    return f"accountability/service-reports/{agency.code}-{month:%Y-%m}.pdf"


def _store(agency: Agency, name: str, content: bytes) -> str:
    """Save in the agency's own storage (MEDIA_ROOT/<schema>/...), replacing an earlier version of the file."""
    with tenant_context(agency):
        if default_storage.exists(name):
            default_storage.delete(name)
        return default_storage.save(name, ContentFile(content))


def _month_check(*, agency: Agency, month: date, now: datetime) -> date:
    if agency.is_facility:
        raise ApplicationError(
            gettext("Service reports are written to an agency, not to the facility."),
            code="accountability.report_not_an_agency",
            fields={"agency": [gettext("Choose an agency.")]},
        )
    month = month_start(month)
    if month < EARLIEST_MONTH:
        raise ApplicationError(
            gettext("Give a month from January 2000 on."),
            code="accountability.report_month_too_early",
            fields={"month": [gettext("Give a month from January 2000 on.")]},
        )
    if month >= month_start(facility_today(now)):
        raise ApplicationError(
            gettext("A service report covers a month that is over; %(month)s is not over yet.")
            % {"month": f"{month:%Y-%m}"},
            code="accountability.report_month_not_over",
            fields={"month": [gettext("Choose a past month.")]},
        )
    return month


def focal_point_addresses(*, agency: Agency) -> list[str]:
    """The e-mail addresses of the agency's approvers and finance officers (active people), sorted, once each."""
    emails = (
        Membership.objects.filter(agency=agency, role__in=FOCAL_POINT_ROLES, user__is_active=True)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    return sorted(set(emails))


@transaction.atomic
def service_report_write(
    *, agency: Agency, month: date, now: datetime, scorecards_fresh: bool = False
) -> ServiceReport:
    """Write (or, before it is sent, rewrite) the agency's report for a month that is over.

    Refreshes the month's scorecards first (unless the caller just did, `scorecards_fresh`), freezes the
    figures, renders the PDF in the agency's language and stores it in the agency's storage with its
    SHA-256. A report already sent is returned unchanged (it stays what the agency received).
    """
    month = _month_check(agency=agency, month=month, now=now)
    with connection.cursor() as cursor:  # two writers of one agency's month queue behind each other
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"service-report:{agency.pk}:{month:%Y-%m}"])
    report = ServiceReport.objects.select_for_update().filter(agency=agency, month=month).first()
    if report is not None and report.sent_at is not None:
        return report
    if not scorecards_fresh:
        scorecards_refresh(months=[month], now=now)
    if report is None:
        report = ServiceReport(agency=agency, month=month)
    report.language = language_of(agency)
    report.figures = report_figures(agency=agency, month=month, now=now)
    report.created_at = now
    content = service_report_pdf(report=report)
    report.pdf_file = _store(agency, report_storage_name(agency=agency, month=month), content)
    report.pdf_sha256 = hashlib.sha256(content).hexdigest()
    report.save()
    return report


@transaction.atomic
def service_report_send(*, report: ServiceReport, now: datetime | None = None) -> ServiceReport:
    """E-mail the report (PDF attached) to the agency's focal points, in the agency's language, once.

    Records when and to whom; the e-mails leave after the commit (notifications_reports). A report already
    sent is returned unchanged. While the demo writes its history (`ledger.services.alerts_muted`) it is
    marked sent without an e-mail, as every module's step e-mails are muted then.
    """
    from ledger.services import alerts_are_muted

    from ..notifications_reports import service_report_mail_task

    locked = ServiceReport.objects.select_for_update().select_related("agency").get(pk=report.pk)
    if locked.sent_at is not None:
        return locked
    if not locked.pdf_file:
        raise ApplicationError(
            gettext("This report has no PDF yet; write it first."), code="accountability.report_not_written"
        )
    locked.sent_at = now or timezone.now()
    locked.sent_to = focal_point_addresses(agency=locked.agency)
    locked.save(update_fields=["sent_at", "sent_to"])
    if locked.sent_to and not alerts_are_muted():
        enqueue_after_commit(service_report_mail_task, locked.pk)
    return locked


def service_reports_monthly_run(*, now: datetime) -> int:
    """On the facility's first working day of a month, write and send last month's report to every agency
    with an agreement in force that month; on any other day, nothing. Safe to run twice: a report sent is
    neither rewritten nor sent again. Returns how many reports were sent by this run.

    Each agency is its own transaction, so one agency's failure (logged) does not hold back the others.
    """
    today = facility_today(now)
    if today != first_working_day(month=today):
        return 0
    month = previous_month(today)
    agencies = list(agencies_under_agreement(month=month))
    if not agencies:
        return 0
    scorecards_refresh(months=[month], now=now)
    sent = 0
    for agency in agencies:
        try:
            with transaction.atomic():
                report = service_report_write(agency=agency, month=month, now=now, scorecards_fresh=True)
                if report.sent_at is None:
                    service_report_send(report=report, now=now)
                    sent += 1
        except Exception:
            logger.exception("accountability: the service report of %s for %s failed", agency.code, f"{month:%Y-%m}")
    return sent
