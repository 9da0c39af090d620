# The decision register and the ballot history are append-only, enforced by
# the database: whatever code runs (a bug, the admin, a shell, raw SQL), an
# UPDATE or DELETE of a row is refused. TRUNCATE is not refused, because the
# test suite empties tables that way between tests; the register's hash chain
# still shows a removed or changed entry (governance/register.py).

from django.db import migrations

TABLES = ["governance_registerentry", "governance_ballotrecord"]

FUNCTION = """
CREATE OR REPLACE FUNCTION governance_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
"""


def trigger_sql(table: str) -> str:
    return (
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION governance_refuse_change();"
    )


class Migration(migrations.Migration):
    dependencies = [("governance", "0001_initial")]

    operations = [
        migrations.RunSQL(FUNCTION, reverse_sql="DROP FUNCTION IF EXISTS governance_refuse_change();"),
        *[
            migrations.RunSQL(trigger_sql(table), reverse_sql=f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
            for table in TABLES
        ],
    ]
