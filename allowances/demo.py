"""The demo's DSA table: the sample ICSC file imported once, as a travel officer would (the travel demo calls it)."""

from __future__ import annotations

from pathlib import Path

from accounts.models import User

from . import services
from .models import DsaRate, RateImport

SAMPLE = Path(__file__).resolve().parent / "data" / "icsc_dsa_sample.csv"


def dsa_table_load(by: User) -> RateImport | None:
    """Import `data/icsc_dsa_sample.csv` (two tables, January and July 2026) unless the table has rates already.

    `by` is a travel officer or the facility manager: the import is recorded in their name.
    """
    if DsaRate.objects.exists():
        return None
    return services.dsa_table_import(file=SAMPLE.read_bytes(), file_name=SAMPLE.name, by=by)
