"""Uploaded files, for every module: the kinds allowed and checked against their content, the size limit,
safe names, each agency's own folder, and downloads that are never shown inline."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from django_tenants.utils import schema_context

from shared_platform import limits
from shared_platform.attachments import (
    ATTACHMENT_KINDS,
    FILE_NAME_MAX_BYTES,
    agency_file_path,
    attachment_name,
    file_download_response,
    upload_check,
    uploads_check,
)
from shared_platform.errors import ApplicationError

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
GIF = b"GIF89a" + b"\x00" * 64
ZIP = b"PK\x03\x04" + b"\x00" * 64  # docx, xlsx and pptx are zip files too
TEXT = "Ano,Montante\n2025,“1 000”\n".encode()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


# -- kinds ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("quotation.pdf", PDF, "application/pdf"),
        ("screenshot.png", PNG, "image/png"),
        ("photo.jpg", JPEG, "image/jpeg"),
        ("photo.JPEG", JPEG, "image/jpeg"),
        ("diagram.gif", GIF, "image/gif"),
        ("terms.docx", ZIP, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("prices.xlsx", ZIP, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("briefing.pptx", ZIP, "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
        ("drawings.zip", ZIP, "application/zip"),
        ("notes.txt", TEXT, "text/plain"),
        ("server.log", b"", "text/plain"),
        ("bids.csv", TEXT, "text/csv"),
    ],
)
def test_every_allowed_kind_is_accepted_with_its_content_type(name, content, content_type):
    # given a file of an allowed kind whose content is what its name says
    file = upload(name, content)
    # when it is checked
    checked = upload_check(file, code_prefix="procurement")
    # then it is kept under its name with the kind's content type, and can still be read from its start
    assert checked.name == name and checked.content_type == content_type
    assert file.read() == content


def test_the_kinds_allowed_are_the_documented_ones():
    assert sorted(kind.lstrip(".") for kind in ATTACHMENT_KINDS) == sorted(
        ["pdf", "png", "jpg", "jpeg", "gif", "docx", "xlsx", "pptx", "zip", "txt", "log", "csv"]
    )


@pytest.mark.parametrize("name", ["setup.exe", "invoice.pdf.exe", "macro.docm", "README", ".bashrc", "page.html"])
def test_a_kind_not_allowed_is_refused_naming_the_kinds_that_are(name):
    with pytest.raises(ApplicationError) as refused:
        upload_check(upload(name, b"MZ\x90\x00"), code_prefix="procurement", field="documents")
    error = refused.value
    assert error.code == "procurement.attachment_type" and error.status_code == 400
    assert "allowed: csv, docx" in error.message
    assert list(error.fields) == ["documents"]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("quotation.pdf", b"MZ\x90\x00 a renamed program"),
        ("photo.png", PDF),
        ("photo.jpg", PNG),
        ("terms.docx", PDF),
        ("notes.txt", b"text\x00binary"),
        ("bids.csv", PNG),
        ("empty.pdf", b""),
    ],
)
def test_content_that_does_not_match_the_extension_is_refused(name, content):
    with pytest.raises(ApplicationError) as refused:
        upload_check(upload(name, content), code_prefix="travel")
    error = refused.value
    assert error.code == "travel.attachment_content" and error.status_code == 400
    kind = name.rsplit(".", 1)[-1]
    assert error.fields == {"attachments": [f"{name} is not a real {kind} file."]}


# -- size -------------------------------------------------------------------------------------


def test_a_file_over_the_platform_limit_is_refused_with_413(settings):
    # given the platform's limit of 1 MB
    settings.ATTACHMENT_MAX_BYTES = 1_048_576
    # when a 2 MB PDF is checked
    big = upload("tender dossier.pdf", PDF + b"0" * 2_000_000)
    with pytest.raises(ApplicationError) as refused:
        upload_check(big, code_prefix="procurement")
    # then it is refused as too large, naming the file, its size and the limit
    error = refused.value
    assert error.code == "procurement.attachment_too_large" and error.status_code == 413
    assert error.message == "tender_dossier.pdf is 1.9 MB; attachments are at most 1 MB."
    assert error.fields == {"attachments": ["tender_dossier.pdf is larger than 1 MB."]}


def test_a_file_exactly_at_the_limit_is_accepted_and_a_module_may_set_its_own(settings):
    settings.ATTACHMENT_MAX_BYTES = 1_048_576
    exactly = upload("bid.pdf", PDF + b"0" * (1_048_576 - len(PDF)))
    assert upload_check(exactly, code_prefix="procurement").name == "bid.pdf"
    with pytest.raises(ApplicationError) as refused:
        upload_check(exactly, code_prefix="travel", max_bytes=1_048_575)
    assert refused.value.code == "travel.attachment_too_large"


def test_more_files_than_allowed_at_once_are_refused_before_any_is_read():
    files = [upload(f"page-{number}.png", PNG) for number in range(4)]
    with pytest.raises(ApplicationError) as refused:
        uploads_check(files, code_prefix="procurement", max_count=3)
    assert refused.value.code == "procurement.too_many_attachments"
    assert refused.value.fields == {"attachments": ["At most 3 files at a time."]}
    checked = uploads_check(files[:3], code_prefix="procurement", max_count=3)
    assert [(file.name, result.name) for file, result in checked] == [(f"page-{n}.png",) * 2 for n in range(3)]


def test_a_refusal_reads_in_the_person_s_language():
    with translation.override("fr"), pytest.raises(ApplicationError) as refused:
        upload_check(upload("photo.png", PDF), code_prefix="procurement")
    assert refused.value.message == "photo.png ne contient pas ce qu'annonce son nom (png)."


# -- names ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("original", "expected"),
    [
        ("quotation.pdf", "quotation.pdf"),
        ("Cotação final (v2).pdf", "Cotação_final_v2.pdf"),
        ("C:\\Users\\ana\\Desktop\\delivery note.pdf", "delivery_note.pdf"),
        ("../../etc/passwd", "passwd"),
        ("/var/www/../../report.csv", "report.csv"),
        ("", "file"),
        ("..", "file"),
        ("???", "file"),
        ("a" * 300 + ".xlsx", "a" * (limits.FILE_NAME - 5) + ".xlsx"),
        ("ç" * 300 + ".pdf", "ç" * 98 + ".pdf"),
        ("report." + "x" * 40, "report." + "x" * 19),
    ],
)
def test_a_name_is_made_safe_and_short_keeping_its_extension(original, expected):
    name = attachment_name(original)
    assert name == expected
    assert "/" not in name and "\\" not in name
    assert len(name) <= limits.FILE_NAME and len(name.encode()) <= FILE_NAME_MAX_BYTES


def test_the_checked_name_is_the_safe_one():
    checked = upload_check(upload("..\\..\\Minutes of 3 May.txt", TEXT), code_prefix="governance")
    assert checked.name == "Minutes_of_3_May.txt"


# -- where files are kept ---------------------------------------------------------------------


@pytest.mark.django_db
def test_a_file_goes_to_its_agency_s_own_folder(undp, unfpa, settings):
    # given UNDP's requisition document
    with schema_context(undp.schema_name):
        path = agency_file_path(module="procurement", folder="UNDP-REQ-000001", name="quotation.pdf")
        # when it is stored
        stored = default_storage.save(path, ContentFile(PDF))
    # then it is under UNDP's folder, in the module's and the record's, under a random part and its name
    module, folder, random_part, name = stored.split("/")
    assert (module, folder, name) == ("procurement", "UNDP-REQ-000001", "quotation.pdf") and len(random_part) == 32
    assert (Path(settings.MEDIA_ROOT) / undp.schema_name / stored).read_bytes() == PDF
    # and UNFPA's storage does not have it
    with schema_context(unfpa.schema_name):
        assert not default_storage.exists(stored)


@pytest.mark.django_db
def test_two_files_of_one_name_never_collide(undp):
    with schema_context(undp.schema_name):
        first = agency_file_path(module="travel", folder="UNDP-TRV-000007", name="ticket.pdf")
        second = agency_file_path(module="travel", folder="UNDP-TRV-000007", name="ticket.pdf")
    assert first != second


@pytest.mark.django_db
def test_no_agency_file_is_placed_in_the_public_schema(undp):
    # the tests start each test in the public schema
    with pytest.raises(RuntimeError):
        agency_file_path(module="procurement", folder="UNDP-REQ-000001", name="quotation.pdf")


@pytest.mark.django_db
@pytest.mark.parametrize(("module", "folder"), [("procurement", "../unfpa"), ("procurement", "a//b"), ("", "x")])
def test_a_folder_that_could_leave_the_agency_s_storage_is_refused(undp, module, folder):
    with schema_context(undp.schema_name), pytest.raises(ValueError):
        agency_file_path(module=module, folder=folder, name="quotation.pdf")


# -- downloads --------------------------------------------------------------------------------


def test_a_download_is_an_attachment_of_its_stored_type_never_sniffed():
    response = file_download_response(file=io.BytesIO(PDF), name="quotation.pdf", content_type="application/pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="quotation.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF


def test_a_download_keeps_a_name_in_any_language():
    response = file_download_response(file=io.BytesIO(TEXT), name="Cotação.csv", content_type="text/csv")
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''Cota%C3%A7%C3%A3o.csv"
