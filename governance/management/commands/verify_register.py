"""manage.py verify_register: check the decision register's hash chain from the first entry.

Exits 0 when the chain holds, 1 (with the first broken entry) when it does not.
"""

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import get_public_schema_name, schema_context

from governance.register import register_verify


class Command(BaseCommand):
    help = "Verify the decision register's hash chain; exit status 1 names the first broken entry."

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        with schema_context(get_public_schema_name()):
            result = register_verify()
        if not result.is_intact:
            raise CommandError(
                f"The decision register is broken at entry {result.first_broken_number}: {result.problem} "
                f"({result.entries_checked} entries before it hold.)"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"The decision register holds: {result.entries_checked} entries verified; "
                f"latest hash {result.head_hash}."
            )
        )
