from django.core.management.base import BaseCommand, CommandError

from shared_platform.errors import ApplicationError
from shared_platform.tenancy import agency_url
from tenants.models import AgencyKind
from tenants.services import agency_create


class Command(BaseCommand):
    help = "Register an agency: create its schema (a copy of the template) and its address."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--code", required=True, help="Short code, e.g. UNDP; the address is <code>.BASE_DOMAIN")
        parser.add_argument("--name", required=True, help='Full name, e.g. "United Nations Development Programme"')
        parser.add_argument("--kind", choices=[AgencyKind.MEMBER, AgencyKind.PARTNER], default=AgencyKind.MEMBER)
        parser.add_argument("--headcount", type=int, default=0)

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        try:
            agency = agency_create(
                code=options["code"], name=options["name"], kind=options["kind"], headcount=options["headcount"]
            )
        except ApplicationError as error:
            raise CommandError(error.message) from error
        self.stdout.write(
            self.style.SUCCESS(f"Created {agency.code} ({agency.get_kind_display()}) at {agency_url(agency)}")
        )
