"""CSV import: a report line per row (added, updated, unchanged, refused and why); a bad file is refused whole."""

from __future__ import annotations

import io

import pytest

from shared_platform.errors import ApplicationError
from vendors import roster_csv, services
from vendors.import_report import RowOutcome
from vendors.models import Vendor, VendorStatus

HEADER = "legal_name,country,registration_number,email,language,categories\n"


def _import(text: str | bytes, officer, **kwargs):
    data = text.encode() if isinstance(text, str) else text
    return services.vendors_import(file=io.BytesIO(data), imported_by=officer, **kwargs)


def test_good_rows_are_added_and_a_known_registration_updates(vendor, officer):
    report = _import(
        HEADER
        + 'Papelaria Esplanada Ltda.,BR,56.789.012/0001-34,pedidos@esplanada.example,pt-br,"OFFICE;PRINT"\n'
        + "Tecnologia Planalto S.A.,BR,12345678000190,licitacoes@planalto.example,,\n"
        + "Imprimerie Lumière SARL,fr,SIRET 532 178 904,devis@lumiere.example,FR,print\n",
        officer,
    )
    assert [row.outcome for row in report.rows] == [RowOutcome.CREATED, RowOutcome.UPDATED, RowOutcome.CREATED]
    assert (report.created, report.updated, report.refused) == (2, 1, 0)
    papelaria = Vendor.objects.get(registration_key="56789012000134")
    assert sorted(papelaria.categories.values_list("code", flat=True)) == ["OFFICE", "PRINT"]
    vendor.refresh_from_db()
    # updated by its registration number without punctuation; blank cells left its language and categories
    assert vendor.legal_name == "Tecnologia Planalto S.A." and vendor.language == "pt-br"
    assert list(vendor.categories.values_list("code", flat=True)) == ["IT-EQUIP"]
    assert Vendor.objects.get(country="FR").language == "fr"


def test_importing_the_same_file_twice_changes_nothing_the_second_time(officer, categories):
    text = HEADER + "Papelaria Esplanada Ltda.,BR,56.789.012/0001-34,pedidos@esplanada.example,pt-br,OFFICE\n"
    _import(text, officer)
    report = _import(text, officer)
    assert [row.outcome for row in report.rows] == [RowOutcome.UNCHANGED]


def test_each_kind_of_bad_row_is_refused_with_its_reasons_and_the_good_rows_saved(officer, categories):
    report = _import(
        HEADER
        + "Good One Ltda.,BR,11.111.111/0001-11,a@good.example,en,OFFICE\n"  # 2: added
        + "Unknown Category Ltda.,BR,22.222.222/0001-22,b@x.example,en,OFFICE;FOOD\n"  # 3
        + "Bad Country Ltda.,XX,33.333.333/0001-33,c@x.example,en,\n"  # 4
        + "No Mail Ltda.,BR,44.444.444/0001-44,,en,\n"  # 5
        + "Same Again Ltda.,BR,11111111000111,d@x.example,en,\n"  # 6: the same registration as line 2
        + ",BR,,not-mail,klingon,\n"  # 7: several reasons at once
        + "Too Many Cells,BR,55.555.555/0001-55,e@x.example,en,OFFICE,surplus\n",  # 8
        officer,
    )
    outcomes = {row.line: row for row in report.rows}
    assert outcomes[2].outcome == RowOutcome.CREATED
    assert [line for line, row in outcomes.items() if row.outcome == RowOutcome.REFUSED] == [3, 4, 5, 6, 7, 8]
    assert "FOOD" in outcomes[3].reasons[0]
    assert "XX" in outcomes[4].reasons[0]
    assert "e-mail" in outcomes[5].reasons[0]
    assert "line 2" in outcomes[6].reasons[0]
    assert len(outcomes[7].reasons) == 4  # name, registration number, e-mail, language
    assert "cells" in outcomes[8].reasons[0]
    # refused rows changed nothing
    assert list(Vendor.objects.values_list("legal_name", flat=True)) == ["Good One Ltda."]


def test_an_inactive_category_is_refused_on_import(officer, categories):
    services.category_update(category=categories["PRINT"], name="Printing", is_active=False, updated_by=officer)
    report = _import(HEADER + "Gráfica Ltda.,BR,66.666.666/0001-66,g@x.example,pt-br,PRINT\n", officer)
    assert report.rows[0].outcome == RowOutcome.REFUSED and "PRINT" in report.rows[0].reasons[0]


def test_an_import_never_changes_a_status(vendor, officer):
    services.vendor_status_set(vendor=vendor, status=VendorStatus.INELIGIBLE, reason="UN list", changed_by=officer)
    exported = roster_csv.roster_csv(Vendor.objects.all()).replace("ineligible", "active")
    report = _import(exported, officer)
    assert report.rows[0].outcome == RowOutcome.UNCHANGED
    vendor.refresh_from_db()
    assert vendor.status == VendorStatus.INELIGIBLE


def test_the_export_and_the_template_import_back(vendor, officer, categories):
    assert _import(roster_csv.roster_csv(Vendor.objects.all()), officer).rows[0].outcome == RowOutcome.UNCHANGED
    template = _import(roster_csv.roster_template_csv(), officer)
    assert template.rows[0].outcome == RowOutcome.CREATED
    assert Vendor.objects.get(pk=template.rows[0].vendor_id).phone == "+55 61 3333-4444"


def test_a_dry_run_reports_and_saves_nothing(officer, categories):
    report = _import(HEADER + "Good One Ltda.,BR,11.111.111/0001-11,a@good.example,en,OFFICE\n", officer, dry_run=True)
    assert report.dry_run and report.created == 1
    assert not Vendor.objects.exists()


def test_semicolon_separated_files_with_a_bom_and_any_header_case_are_read(officer, categories):
    text = "\ufeffLegal Name;Country;Registration-Number;E-mail\nCerrado Ltda.;BR;23.456.789/0001-01;v@c.example\n"
    text = text.replace("E-mail", "email")
    report = _import(text.encode("utf-8"), officer)
    assert report.rows[0].outcome == RowOutcome.CREATED


def test_a_formula_in_a_cell_is_exported_as_text(make_vendor, officer):
    make_vendor(legal_name='=HYPERLINK("http://evil")')
    exported = roster_csv.roster_csv(Vendor.objects.all())
    assert "'=HYPERLINK" in exported


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "vendors.import_empty"),
        (b"   \n\n", "vendors.import_empty"),
        (b"\xef\xbb\xbf", "vendors.import_empty"),
        (b",,,\n,,\n", "vendors.import_empty"),
        ("legal_name,country\nCaf\u00e9,BR\n".encode("latin-1"), "vendors.import_encoding"),
        ("legal_name,country\n".encode("utf-16"), "vendors.import_encoding"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "vendors.import_encoding"),
        (b"name,country,number,mail\nA,BR,1,a@b.example\n", "vendors.import_columns"),
        (b"legal_name,country,registration_number,email,emial\nA,BR,1,a@b.example,x\n", "vendors.import_columns"),
        (b"legal_name,country,registration_number,email,email\nA,BR,1,a@b.example,x\n", "vendors.import_columns"),
        (HEADER.encode(), "vendors.import_no_rows"),
        (
            b'legal_name,country,registration_number,email\n"' + b"x" * 200_000 + b'",BR,1,a@b.example\n',
            "vendors.import_unreadable",
        ),
        (HEADER.encode() + b"A,BR,1,a@b.example,en,\n" * (roster_csv.MAX_ROWS + 1), "vendors.import_too_many_rows"),
        (b"x" * (roster_csv.MAX_BYTES + 1), "vendors.import_too_large"),
    ],
    ids=[
        "empty",
        "blank",
        "bom-only",
        "only-separators",
        "latin-1",
        "utf-16",
        "binary",
        "wrong-columns",
        "unknown-column",
        "repeated-column",
        "header-only",
        "huge-cell",
        "too-many-rows",
        "too-large",
    ],
)
def test_a_file_that_cannot_be_read_is_refused_whole_with_a_reason(officer, data, code):
    with pytest.raises(ApplicationError) as refused:
        _import(data, officer)
    assert refused.value.code == code
    assert refused.value.fields["file"]
    assert not Vendor.objects.exists()


def test_rows_already_read_can_be_imported(officer, categories):
    report = services.vendors_import(
        rows=[{"legal_name": "A Ltda.", "country": "BR", "registration_number": "1", "email": "a@a.example"}],
        imported_by=officer,
    )
    assert report.created == 1 and report.rows[0].line == 2
