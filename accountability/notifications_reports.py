"""The monthly service report by e-mail to the agency's focal points, in the agency's language, the PDF attached.

`services.reports.service_report_send` records the addresses (the agency's
approvers and finance officers) and queues `service_report_mail_task` after
its commit. The task lives here; a worker registers it when
accountability.tasks imports this module (Celery discovers tasks.py modules
only). It sends each address once per task (notifications.mail), retries on
mail-server failures and records a FailedNotification when it gives up.
"""

from __future__ import annotations

from typing import Any

from celery import Task, shared_task
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from billing.services import document_read
from notifications import mail
from notifications.mail import RETRYING, StepMail, sent_or_given_up
from shared_platform.language import in_language_of
from shared_platform.plain_text import single_line
from shared_platform.tenancy import agency_url

from .models import ServiceReport
from .pdf_report import service_report_pdf


def report_link(report: ServiceReport) -> str:
    """The report's page on the agency's own address."""
    path = reverse("accountability:report", args=[report.pk], urlconf=settings.ROOT_URLCONF)
    return agency_url(report.agency, path)


def report_mails(*, report_id: int) -> list[StepMail]:
    """One e-mail per address the report was sent to, written in the agency's language, with the PDF."""
    report = ServiceReport.objects.select_related("agency").filter(pk=report_id).first()
    if report is None or report.sent_at is None or not report.pdf_file:
        return []
    content = document_read(
        agency=report.agency, name=report.pdf_file, render=lambda: service_report_pdf(report=report)
    )
    filename = f"service-report-{report.agency.code}-{report.month:%Y-%m}.pdf"
    with in_language_of(report.agency):
        month = date_format(report.month, "YEAR_MONTH_FORMAT")
        subject = single_line(
            _("Service report for %(month)s: %(agency)s") % {"month": month, "agency": report.agency.code}
        )
        body = render_to_string(
            "accountability/mail/service_report.txt",
            {"report": report, "month": month, "link": report_link(report), "facility_name": settings.FACILITY_NAME},
        )
    return [
        StepMail(to=address, subject=subject, body=body, attachments=((filename, content, "application/pdf"),))
        for address in report.sent_to
    ]


def report_reference(report_id: int) -> str:
    report = ServiceReport.objects.select_related("agency").filter(pk=report_id).first()
    return f"{report.agency.code} {report.month:%Y-%m}" if report else ""


@shared_task(**RETRYING)
def service_report_mail_task(self: Task[Any, Any], report_id: int, delivery_key: str | None = None) -> list[str]:
    """E-mail a sent service report to the addresses recorded on it (public schema)."""
    key = delivery_key or self.request.id or ""

    def mails() -> list[StepMail]:
        return report_mails(report_id=report_id)

    return sent_or_given_up(
        self,
        key=key,
        send=lambda: mail.send(mails(), delivery_key=key),
        mails=mails,
        task_args=[report_id],
        reference=lambda: report_reference(report_id),
        step="service_report",
    )
