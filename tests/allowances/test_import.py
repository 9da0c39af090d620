"""The CSV import of the ICSC table: good rows in, each bad row refused with its line and reason, bad files whole."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from allowances import rates_csv, selectors
from allowances.demo import SAMPLE, dsa_table_load
from allowances.models import DsaRate, Location, RateImport, RefusedRow
from shared_platform.errors import ApplicationError

from .conftest import HEADER


def _rate(country: str, name: str, day: str) -> DsaRate:
    return DsaRate.objects.get(location__country=country, location__name=name, effective_from=date.fromisoformat(day))


def test_the_sample_file_imports_whole_with_two_tables(sample_import, travel_officer):
    # given the sample file as the demo imports it
    lines = len(SAMPLE.read_text(encoding="utf-8").splitlines()) - 1

    # then every row is imported, and the past table is kept beside the new one
    assert (sample_import.rows_read, sample_import.rows_imported, sample_import.rows_refused) == (lines, lines, 0)
    assert DsaRate.objects.count() == lines
    manaus = _rate("BR", "Manaus", "2026-01-01")
    assert (manaus.rate, manaus.room_percent, manaus.reduced_rate) == (Decimal("300"), Decimal("50"), Decimal("210"))
    assert _rate("BR", "Brasília", "2026-07-01").rate > _rate("BR", "Brasília", "2026-01-01").rate
    # and the demo loads it once only
    assert dsa_table_load(travel_officer) is None
    assert RateImport.objects.count() == 1


def test_rates_in_force_on_a_day_are_each_locations_latest(sample_import):
    march = {row.location.name: row for row in selectors.rate_table(on=date(2026, 3, 1), text="brazil")}
    august = {row.location.name: row for row in selectors.rate_table(on=date(2026, 8, 1), text="Brazil")}
    assert march["Brasília"].effective_from == date(2026, 1, 1)
    assert august["Brasília"].effective_from == date(2026, 7, 1)
    assert len(march) == len(august) == 8
    assert not selectors.rate_table(on=date(2025, 12, 31)).exists()


def test_bad_rows_are_refused_with_line_and_reason_and_the_good_ones_imported(import_text):
    done = import_text(
        "BR,Brazil,Manaus,2026-01-01,300,50,210\n"  # 2: good
        "XX,Nowhere,Somewhere,2026-01-01,100,50,70\n"  # 3: unknown country
        "BR,Brazil,Recife,01/01/2026,228,48,160\n"  # 4: date not YYYY-MM-DD
        "BR,Brazil,Salvador,2026-02-30,215,47,150\n"  # 5: no such day
        "BR,Brazil,Belém,2026-01-01,abc,49,165\n"  # 6: not a number
        "BR,Brazil,Natal,2026-01-01,-10,49,165\n"  # 7: negative
        "BR,Brazil,Fortaleza,2026-01-01,200,120,140\n"  # 8: room share above 100
        "BR,Brazil,Curitiba,2026-01-01,200,45,250\n"  # 9: reduced rate above the rate
        "br,Brazil,MANAUS,2026-01-01,301,50,211\n"  # 10: the same location and day as line 2
        "BR,Brazil,Goiânia,2026-01-01,190,45,133,surplus\n"  # 11: too many cells
        'BR,Brazil,Porto Alegre,2026-01-01,"232,50",48,162\n'  # 12: good, a decimal comma
    )
    refused = {row.line: row.reason for row in RefusedRow.objects.filter(rate_import=done)}
    assert (done.rows_read, done.rows_imported, done.rows_refused) == (11, 2, 9)
    assert sorted(refused) == [3, 4, 5, 6, 7, 8, 9, 10, 11]
    assert "XX" in refused[3] and "country" in refused[3]
    assert "YYYY-MM-DD" in refused[4]
    assert "does not exist" in refused[5]
    assert "not a number" in refused[6]
    assert "above zero" in refused[7]
    assert "between 0 and 100" in refused[8]
    assert "after 60 days" in refused[9] and "above the DSA" in refused[9]
    assert "line 2" in refused[10]
    assert "cells" in refused[11]
    assert (
        RefusedRow.objects.get(rate_import=done, line=11).content == "BR,Brazil,Goiânia,2026-01-01,190,45,133,surplus"
    )
    assert sorted(Location.objects.values_list("name", flat=True)) == ["Manaus", "Porto Alegre"]
    assert _rate("BR", "Porto Alegre", "2026-01-01").rate == Decimal("232.50")


def test_a_row_may_give_several_reasons_at_once(import_text):
    done = import_text("QQ,,,someday,x,y,z\n")
    reason = RefusedRow.objects.get(rate_import=done).reason
    for words in ("QQ", "country name", "location", "someday", "not a number", "room share"):
        assert words in reason, words


def test_a_file_missing_a_column_is_refused_and_nothing_imported(import_text):
    with pytest.raises(ApplicationError) as refused:
        import_text(
            "BR,Brazil,Manaus,2026-01-01,300,50\n",
            header="country,country_name,location,effective_from,dsa,room_percent\n",
        )
    assert refused.value.code == "allowances.csv_columns"
    assert "dsa_after_60_days" in refused.value.message
    assert not RateImport.objects.exists() and not DsaRate.objects.exists() and not Location.objects.exists()


def test_bytes_that_are_not_utf8_are_refused_and_nothing_imported(import_text):
    latin1 = (HEADER + "BR,Brazil,Belém,2026-01-01,236,49,165\n").encode("latin-1")
    with pytest.raises(ApplicationError) as refused:
        import_text(latin1)
    assert refused.value.code == "allowances.csv_encoding" and "UTF-8" in refused.value.message
    assert not RateImport.objects.exists() and not DsaRate.objects.exists()


def test_a_spreadsheets_semicolons_and_byte_order_mark_are_read(import_text):
    text = "\ufeff" + HEADER.replace(",", ";").upper() + "BR;Brazil;Belém;2026-01-01;236,50;49%;165\n"
    done = import_text(text.encode("utf-8"))
    assert done.rows_imported == 1
    assert _rate("BR", "Belém", "2026-01-01").rate == Decimal("236.50")


def test_a_second_import_for_the_same_day_replaces_the_figures(import_text):
    first = import_text("BR,Brazil,Manaus,2026-01-01,300,50,210\n")
    again = import_text("BR,Brazil,manaus,2026-01-01,305,51,214\nBR,Brazil,Manaus,2026-07-01,310,51,217\n")
    assert (again.rows_imported, again.rows_refused) == (2, 0)
    corrected = _rate("BR", "Manaus", "2026-01-01")
    assert (corrected.rate, corrected.room_percent, corrected.reduced_rate) == (
        Decimal("305"),
        Decimal("51"),
        Decimal("214"),
    )
    assert corrected.rate_import == again and first.pk != again.pk
    assert Location.objects.count() == 1 and DsaRate.objects.count() == 2


def test_an_empty_file_a_header_alone_and_too_many_rows_are_refused(import_text, monkeypatch):
    for data, code in ((b"", "allowances.csv_empty"), (HEADER.encode(), "allowances.csv_no_rows")):
        with pytest.raises(ApplicationError) as refused:
            import_text(data)
        assert refused.value.code == code
    monkeypatch.setattr(rates_csv, "MAX_ROWS", 2)
    with pytest.raises(ApplicationError) as refused:
        import_text("BR,Brazil,A,2026-01-01,1,1,1\nBR,Brazil,B,2026-01-01,1,1,1\nBR,Brazil,C,2026-01-01,1,1,1\n")
    assert refused.value.code == "allowances.csv_too_many_rows"
    monkeypatch.setattr(rates_csv, "MAX_BYTES", 100)
    with pytest.raises(ApplicationError) as refused:
        import_text("BR,Brazil,A,2026-01-01,1,1,1\n" * 5)
    assert refused.value.code == "allowances.csv_too_large"
    assert not DsaRate.objects.exists()


def test_only_travel_officers_and_the_manager_import(import_text, ict_agent, manager):
    with pytest.raises(ApplicationError) as refused:
        import_text("BR,Brazil,Manaus,2026-01-01,300,50,210\n", by=ict_agent)
    assert refused.value.status_code == 403 and refused.value.code == "allowances.not_allowed"
    assert import_text("BR,Brazil,Manaus,2026-01-01,300,50,210\n", by=manager).rows_imported == 1
