"""manage.py travel_personal_data_remove [--days N] [--agency CODE]: data minimisation for closed trips.

Blanks the passport number and expiry, the date of birth and the contacts of
every trip settled, rejected or cancelled more than N days ago (default
TRAVEL_PERSONAL_DATA_RETENTION_DAYS, 365), in every agency's schema or one.
The trip, its amounts and its history stay for audit; its history records the
removal. Safe to run again: a trip is cleaned once.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_tenants.utils import schema_context

from tenants.models import Agency
from travel.services import personal_data_remove, retention_cutoff


class Command(BaseCommand):
    help = "Remove the personal data of trips closed for longer than the retention period."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=getattr(settings, "TRAVEL_PERSONAL_DATA_RETENTION_DAYS", 365),
            help="Retention period after a trip closes, in days (default %(default)s).",
        )
        parser.add_argument("--agency", default="", help="Only this agency's code (default: every agency).")

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"]
        if days < 0:
            raise CommandError("The retention period is a number of days, 0 or more.")
        agencies = Agency.objects.agencies().order_by("code")
        if options["agency"]:
            agencies = agencies.filter(code=options["agency"].upper())
            if not agencies.exists():
                raise CommandError(f"No agency {options['agency']!r}.")
        cutoff = retention_cutoff(days=days)
        total = 0
        for agency in agencies:
            with schema_context(agency.schema_name):
                removed = personal_data_remove(closed_before=cutoff)
            total += removed
            if removed:
                self.stdout.write(f"{agency.code}: personal data removed from {removed} trip(s).")
        self.stdout.write(
            self.style.SUCCESS(f"{total} trip(s) cleaned; trips closed since {cutoff:%Y-%m-%d} keep their data.")
        )
