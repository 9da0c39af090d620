from django.conf import settings
from django.core.management.base import BaseCommand

from demo import data
from demo.services import demo_load
from shared_platform.tenancy import address_url, agency_host


class Command(BaseCommand):
    help = "Load the demo facility (idempotent) and print its addresses and sign-ins."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument(
            "--history-months", type=int, default=3, help="months of past requests on the ledger (0: none)"
        )

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        summary = demo_load(history_months=options["history_months"])
        created = ", ".join(summary.agencies_created) or "none (already there)"
        self.stdout.write(
            f"Demo loaded: agencies created: {created}; people created: {summary.users_created}; "
            f"requests added to the ledger: {summary.requests_added}; "
            f"board motions created: {len(summary.motions_created)}; "
            f"quality records added: {summary.quality_records_added}."
        )
        self.stdout.write(f"Every demo sign-in uses the password: {data.DEMO_PASSWORD}")
        self.stdout.write(
            f"  Facility portal  {address_url(settings.BASE_DOMAIN)}  e.g. manager@facility.demo, admin@facility.demo"
        )
        for code, *_ in data.AGENCIES:
            self.stdout.write(
                f"  {code:<8}         {address_url(agency_host(code))}  e.g. requester@{code.lower()}.demo"
            )
