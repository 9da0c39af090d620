# An issued invoice never changes, and neither do its lines nor a credit note:
# guarded by the database, so a bug, a second code path, the admin, a shell or
# raw SQL are refused alike (issue 5). What may still change on an issued
# invoice is exactly what its workflow allows:
#   - status issued -> paid (with paid_at, paid_by_id, payment_reference, only in that move),
#     issued or paid -> cancelled (with cancelled_at, only in that move);
#   - pdf_file, once, from empty to the stored file (the worker renders it after the issue commits).
# Every other column, present or added later, is compared whole (to_jsonb(row) minus those).
# A draft may change or be deleted freely (a re-run redrafts it), and so may its lines.
# TRUNCATE is not refused: the test suite empties tables that way.

from django.db import migrations

INVOICE_GUARD = """
CREATE OR REPLACE FUNCTION billing_invoice_guard() RETURNS trigger AS $$
DECLARE
    workflow text[] := ARRAY['status', 'paid_at', 'paid_by_id', 'payment_reference', 'cancelled_at', 'pdf_file'];
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status <> 'draft' THEN
            RAISE EXCEPTION 'invoice % is issued and cannot be deleted; credit it with a credit note', OLD.number
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.status = 'draft' THEN
        RETURN NEW;
    END IF;
    IF (to_jsonb(NEW) - workflow) IS DISTINCT FROM (to_jsonb(OLD) - workflow) THEN
        RAISE EXCEPTION 'invoice % is issued and cannot change; credit it with a credit note', OLD.number
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF NEW.status <> OLD.status AND (OLD.status, NEW.status) NOT IN
            (('issued', 'paid'), ('issued', 'cancelled'), ('paid', 'cancelled')) THEN
        RAISE EXCEPTION 'invoice %: % -> % is not allowed', OLD.number, OLD.status, NEW.status
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF (NEW.paid_at, NEW.paid_by_id, NEW.payment_reference) IS DISTINCT FROM
            (OLD.paid_at, OLD.paid_by_id, OLD.payment_reference)
            AND NOT (OLD.status = 'issued' AND NEW.status = 'paid') THEN
        RAISE EXCEPTION 'invoice %: the payment is recorded only when it is paid', OLD.number
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF NEW.cancelled_at IS DISTINCT FROM OLD.cancelled_at
            AND NOT (OLD.status <> 'cancelled' AND NEW.status = 'cancelled') THEN
        RAISE EXCEPTION 'invoice %: the cancellation is recorded only when it is cancelled', OLD.number
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF NEW.pdf_file IS DISTINCT FROM OLD.pdf_file AND OLD.pdf_file <> '' THEN
        RAISE EXCEPTION 'invoice %: its PDF is stored once', OLD.number
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""

LINE_GUARD = """
CREATE OR REPLACE FUNCTION billing_invoice_line_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND
            EXISTS (SELECT 1 FROM billing_invoice WHERE id = OLD.invoice_id AND status <> 'draft') THEN
        RAISE EXCEPTION 'the lines of an issued invoice cannot change (% refused)', TG_OP
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND
            EXISTS (SELECT 1 FROM billing_invoice WHERE id = NEW.invoice_id AND status <> 'draft') THEN
        RAISE EXCEPTION 'lines cannot be added to an issued invoice'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""

CREDIT_NOTE_GUARD = """
CREATE OR REPLACE FUNCTION billing_credit_note_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'credit note % cannot be deleted', OLD.number USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF (to_jsonb(NEW) - 'pdf_file') IS DISTINCT FROM (to_jsonb(OLD) - 'pdf_file')
            OR (NEW.pdf_file IS DISTINCT FROM OLD.pdf_file AND OLD.pdf_file <> '') THEN
        RAISE EXCEPTION 'credit note % cannot change', OLD.number USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""

TRIGGERS = [
    ("billing_invoice", "billing_invoice_immutable", "BEFORE UPDATE OR DELETE", "billing_invoice_guard"),
    (
        "billing_invoiceline",
        "billing_invoiceline_immutable",
        "BEFORE INSERT OR UPDATE OR DELETE",
        "billing_invoice_line_guard",
    ),
    ("billing_creditnote", "billing_creditnote_immutable", "BEFORE UPDATE OR DELETE", "billing_credit_note_guard"),
]


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]

    operations = [
        migrations.RunSQL(INVOICE_GUARD, reverse_sql="DROP FUNCTION IF EXISTS billing_invoice_guard() CASCADE;"),
        migrations.RunSQL(LINE_GUARD, reverse_sql="DROP FUNCTION IF EXISTS billing_invoice_line_guard() CASCADE;"),
        migrations.RunSQL(
            CREDIT_NOTE_GUARD, reverse_sql="DROP FUNCTION IF EXISTS billing_credit_note_guard() CASCADE;"
        ),
        *[
            migrations.RunSQL(
                f"CREATE TRIGGER {name} {when} ON {table} FOR EACH ROW EXECUTE FUNCTION {function}();",
                reverse_sql=f"DROP TRIGGER IF EXISTS {name} ON {table};",
            )
            for table, name, when, function in TRIGGERS
        ],
    ]
