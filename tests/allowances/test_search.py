"""Finding a place in the DSA table as travel officers type it: without accents, by country code, by a name's start."""

from __future__ import annotations

from datetime import date

from allowances.models import RateImport
from allowances.selectors import location_list, rate_table


def test_a_search_without_accents_finds_the_accented_place(sample_import: RateImport) -> None:
    names = {row.location.name for row in rate_table(on=date(2026, 8, 1), text="Brasilia")}
    assert names == {"Brasília"}
    assert [place.name for place in location_list(text="sao paulo")] == ["São Paulo"]


def test_two_letters_are_a_country_code_or_the_start_of_a_name(sample_import: RateImport) -> None:
    found = [row.location for row in rate_table(on=date(2026, 8, 1), text="br")]
    assert any(place.country == "BR" and place.name == "Manaus" for place in found)  # Brazil's places, by its code
    assert all(place.country == "BR" or place.name.lower().startswith("br") for place in found)  # and Brussels
    starting = {place.name for place in location_list(text="Ma")}
    assert "Manaus" in starting
    assert all(
        name.lower().startswith("ma") or place_country == "MA"
        for name, place_country in ((place.name, place.country) for place in location_list(text="Ma"))
    )
    assert "Panama City" not in starting
