"""Background work for billing: the monthly run and the PDFs. Each task takes ids and calls one service."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task
def run_execute_task(run_id: int) -> str:
    """Draft the month's invoices; the run row counts progress for the page. Queued by services.run_start."""
    return services.run_execute(run_id=run_id).status


@shared_task
def invoice_pdf_task(invoice_id: int) -> str:
    """Render an issued invoice's PDF into its agency's storage. Safe to run twice."""
    return services.invoice_pdf_store(invoice_id=invoice_id).pdf_file


@shared_task
def credit_note_pdf_task(credit_note_id: int) -> str:
    return services.credit_note_pdf_store(credit_note_id=credit_note_id).pdf_file
