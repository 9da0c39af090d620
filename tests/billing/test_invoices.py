"""Issuing, paying and crediting invoices; an issued invoice never changes, guarded by the database."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from billing import services
from billing.models import CreditNote, Invoice, InvoiceLine, InvoiceStatus
from shared_platform.errors import ApplicationError
from tests.billing.conftest import OCTOBER
from tests.sla_fixtures import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(undp, undp_agreement, price_list, deliver, run_month) -> Invoice:
    deliver(undp, "ICT-REQ", at(2026, 10, 5, 10, 0))
    deliver(undp, "ICT-INC", at(2026, 10, 6, 10, 0))
    run_month()
    return Invoice.objects.get(agency=undp, month=OCTOBER)


@pytest.fixture
def issued(draft, issue) -> Invoice:
    return issue(draft)


def test_issuing_numbers_the_invoice_and_stores_its_pdf(issued):
    year = timezone.localdate().year
    assert issued.status == InvoiceStatus.ISSUED
    assert issued.number == f"JOF-{year}-000001"
    assert issued.pdf_file == f"billing/invoices/{issued.number}.pdf"
    assert list(issued.events.values_list("kind", flat=True)) == ["drafted", "issued", "pdf_stored"]


def test_an_invoice_is_paid_once_and_then_only_credited(issued, finance):
    today = timezone.localdate()
    services.invoice_pay(invoice=issued, paid_by=finance, reference="UNDP transfer 4711", paid_on=today)
    with pytest.raises(ApplicationError) as refused:
        services.invoice_pay(invoice=issued, paid_by=finance, reference="again", paid_on=today)
    assert refused.value.code == "billing.illegal_transition" and refused.value.status_code == 409
    with pytest.raises(ApplicationError):
        services.invoice_issue(invoice=issued, issued_by=finance)


def test_a_refused_step_says_what_happened_in_plain_words(draft, finance, issue):
    # a draft cannot be paid: the refusal says it must be issued first
    with pytest.raises(ApplicationError) as refused:
        services.invoice_pay(invoice=draft, paid_by=finance, reference="T-1", paid_on=timezone.localdate())
    assert refused.value.message == "This draft has not been issued yet; issue it before recording a payment."

    # an issued invoice is not issued twice: the refusal names it
    issued = issue(draft)
    with pytest.raises(ApplicationError) as refused:
        services.invoice_issue(invoice=issued, issued_by=finance)
    assert refused.value.message == f"{issued.number} has already been issued."


def test_a_credit_note_cancels_the_invoice_with_its_own_series(issued, finance, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        note = services.credit_note_issue(invoice=issued, reason="ICT-INC billed twice", issued_by=finance)
    note.refresh_from_db()
    year = timezone.localdate().year
    assert note.number == f"JOF-CN-{year}-000001" and note.amount == issued.total
    assert note.pdf_file == f"billing/credit-notes/{note.number}.pdf"
    issued.refresh_from_db()
    assert issued.status == InvoiceStatus.CANCELLED
    with pytest.raises(ApplicationError):
        services.credit_note_issue(invoice=issued, reason="again", issued_by=finance)


def test_a_cancelled_month_can_be_billed_again_under_a_new_number(issued, finance, run_month, issue, undp):
    services.credit_note_issue(invoice=issued, reason="Wrong prices", issued_by=finance)
    run_month()
    corrected = issue(Invoice.objects.get(agency=undp, month=OCTOBER, status=InvoiceStatus.DRAFT))
    assert corrected.number.endswith("-000002")


# -- immutability, whatever the path ----------------------------------------------------------


def _refused(change) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(IntegrityError), transaction.atomic():
        change()


def test_the_orm_cannot_change_or_delete_an_issued_invoice_or_its_lines(issued):
    def change_total() -> None:
        issued.total = Decimal("1.00")
        issued.save()

    _refused(change_total)
    _refused(lambda: Invoice.objects.filter(pk=issued.pk).update(number="JOF-2026-999999"))
    _refused(lambda: Invoice.objects.filter(pk=issued.pk).update(status=InvoiceStatus.DRAFT, number=None))
    _refused(lambda: Invoice.objects.filter(pk=issued.pk).delete())
    _refused(lambda: InvoiceLine.objects.filter(invoice=issued).update(amount=Decimal("0")))
    _refused(lambda: InvoiceLine.objects.filter(invoice=issued).delete())
    _refused(lambda: InvoiceLine.objects.create(invoice=issued, position=99, kind="usage", description="x", amount=1))
    _refused(lambda: Invoice.objects.filter(pk=issued.pk).update(pdf_file="other.pdf"))  # stored once
    # a payment recorded without the move to paid is refused too
    _refused(lambda: Invoice.objects.filter(pk=issued.pk).update(payment_reference="sneaky"))
    issued.refresh_from_db()
    assert issued.total == Decimal("65.00") and issued.lines.count() == 2


def test_raw_sql_cannot_change_an_issued_invoice_but_the_allowed_moves_pass(issued, finance):
    for statement in (
        "UPDATE billing_invoice SET total = 0 WHERE id = %s",
        "UPDATE billing_invoice SET month = '2026-09-01' WHERE id = %s",
        "DELETE FROM billing_invoice WHERE id = %s",
        "UPDATE billing_invoiceline SET unit_price = 1 WHERE invoice_id = %s",
        "DELETE FROM billing_invoiceline WHERE invoice_id = %s",
        "UPDATE billing_invoice SET status = 'draft' WHERE id = %s",
    ):
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [issued.pk])
    # the workflow's own moves are allowed: issued -> paid -> cancelled
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE billing_invoice SET status = 'paid', paid_at = now(), payment_reference = 'T1' WHERE id = %s",
            [issued.pk],
        )
        with pytest.raises(IntegrityError), transaction.atomic():
            cursor.execute("UPDATE billing_invoice SET status = 'issued' WHERE id = %s", [issued.pk])


def test_a_credit_note_never_changes(issued, finance):
    note = services.credit_note_issue(invoice=issued, reason="Wrong prices", issued_by=finance)
    _refused(lambda: CreditNote.objects.filter(pk=note.pk).update(amount=Decimal("1")))
    _refused(lambda: CreditNote.objects.filter(pk=note.pk).delete())


def test_a_draft_can_still_be_redrafted(draft):
    Invoice.objects.filter(pk=draft.pk).update(total=Decimal("1.00"))
    InvoiceLine.objects.filter(invoice=draft).delete()
