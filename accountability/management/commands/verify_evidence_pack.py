"""manage.py verify_evidence_pack <zip> [--agency CODE]: check an evidence pack against its manifest and the platform.

Exits 0 when the archive is a pack the platform issued, every file as issued;
1 otherwise, with one line per problem (a changed, missing or extra file, a
document that is not the platform's copy, a manifest the platform did not
issue, or an archive refused outright: not a ZIP, a possible zip bomb, a path
leaving its folder, no manifest). `--agency` checks it as that agency's
address would: another agency's pack is "not issued for this agency".
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext
from django_tenants.utils import get_public_schema_name, schema_context

from shared_platform.errors import ApplicationError
from tenants.models import Agency

from ...services.evidence import evidence_pack_verify


class Command(BaseCommand):
    help = "Verify an evidence pack (ZIP) against its manifest and the platform; exit status 1 lists the problems."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", help="Path of the pack's ZIP.")
        parser.add_argument("--agency", default="", help="Check as this agency's address would (its code).")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["archive"])
        if not path.is_file():
            raise CommandError(gettext("No such file: %(path)s") % {"path": path})
        with schema_context(get_public_schema_name()):
            scope = None
            if options["agency"]:
                scope = Agency.objects.agencies().filter(code=options["agency"].upper()).first()
                if scope is None:
                    raise CommandError(gettext("No agency has the code %(code)s.") % {"code": repr(options["agency"])})
            try:
                with path.open("rb") as handle:
                    report = evidence_pack_verify(archive=handle, scope=scope)
            except ApplicationError as error:
                raise CommandError(f"{error.code}: {error.message}") from None
        if not report.ok:
            for line in report.lines():
                self.stderr.write(line)
            raise CommandError(f"{report.reference or path.name} does not verify: {len(report.lines())} problem(s).")
        self.stdout.write(
            self.style.SUCCESS(
                gettext("%(reference)s verifies: %(count)d files as issued; manifest SHA-256 %(digest)s.")
                % {"reference": report.reference, "count": len(report.files), "digest": report.manifest_sha256}
            )
        )
