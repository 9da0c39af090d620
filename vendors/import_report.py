"""What a roster import did, row by row: the report shown on the import page and returned by the API."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext_lazy as _


class RowOutcome(models.TextChoices):
    CREATED = "created", _("Added")
    UPDATED = "updated", _("Updated")
    UNCHANGED = "unchanged", _("Unchanged")
    REFUSED = "refused", _("Refused")


@dataclass
class ImportRow:
    line: int  # the row's line in the file, the header being line 1
    legal_name: str
    country: str
    registration_number: str
    outcome: str = RowOutcome.REFUSED
    reasons: list[str] = field(default_factory=list)
    vendor_id: int | None = None

    @property
    def outcome_label(self) -> str:
        return str(RowOutcome(self.outcome).label)


@dataclass
class ImportReport:
    dry_run: bool = False
    rows: list[ImportRow] = field(default_factory=list)

    def _count(self, outcome: str) -> int:
        return sum(1 for row in self.rows if row.outcome == outcome)

    @property
    def created(self) -> int:
        return self._count(RowOutcome.CREATED)

    @property
    def updated(self) -> int:
        return self._count(RowOutcome.UPDATED)

    @property
    def unchanged(self) -> int:
        return self._count(RowOutcome.UNCHANGED)

    @property
    def refused(self) -> int:
        return self._count(RowOutcome.REFUSED)

    @property
    def refused_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if row.outcome == RowOutcome.REFUSED]
