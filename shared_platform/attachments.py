"""Uploaded files, alike in every module: what may be uploaded, under which name, where it is kept, how it is served.

The helpdesk's tickets, procurement's requisitions, solicitations, bids and
delivery notes, and travel's requests all take files from people outside the
facility's control. One set of rules keeps them safe:

- `upload_check(upload, *, code_prefix, field="attachments", max_bytes=None) -> CheckedUpload`
  refuses a file that is larger than `max_bytes` (default
  `settings.ATTACHMENT_MAX_BYTES`), whose extension is not in `ATTACHMENT_KINDS`,
  or whose first bytes do not match its extension (a renamed `.exe` is not a
  PDF; "text" must hold no NUL byte). It returns the safe name and the content
  type to store. A refusal is an `ApplicationError` with the code
  `<code_prefix>.attachment_too_large` (413), `<code_prefix>.attachment_type` or
  `<code_prefix>.attachment_content` (400), a translated message naming the
  file, and `fields={field: [...]}` so a form shows it under its file input.
- `uploads_check(uploads, *, code_prefix, max_count, field="attachments", max_bytes=None)
  -> list[tuple[UploadedFile, CheckedUpload]]` does the same for several files
  sent together, refusing more than `max_count` first
  (`<code_prefix>.too_many_attachments`).
- `attachment_name(original) -> str`: the name a file is stored and shown
  under: the last path component, safe characters only, at most
  `limits.FILE_NAME` characters and FILE_NAME_MAX_BYTES bytes, its extension
  kept; `file` when nothing usable is left.
- `agency_file_path(*, module, folder, name) -> str`: where a file goes in the
  agency's storage, `<module>/<folder>/<random>/<name>`. The default storage
  (django-tenants' `TenantFileSystemStorage`) puts it under
  `MEDIA_ROOT/<agency schema>/`, so dropping an agency's folder removes its
  files and nothing else; the random part means two files of one name never
  collide. Use it from a FileField's `upload_to`. It refuses to run in the
  public schema, where an agency's private file would land in no agency's folder.
- `content_download_response(content, *, filename, content_type) -> HttpResponse`: bytes the
  platform made (a PDF, a CSV) as a download, with the same headers.
- `file_download_response(*, file, name, content_type) -> FileResponse`: the
  file as a download (`Content-Disposition: attachment`, the name encoded for
  any language), with its stored content type and `X-Content-Type-Options:
  nosniff`, so a browser never renders an uploaded file as a page of ours.
  Whether the person may have the file is the module's check, made before.

Codes take the module's prefix so each module's API keeps its own vocabulary
(`helpdesk.attachment_type`, `procurement.attachment_type`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO, NamedTuple
from uuid import uuid4

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import connection
from django.http import FileResponse, HttpResponse
from django.utils.text import get_valid_filename
from django.utils.translation import gettext, ngettext
from django_tenants.utils import get_public_schema_name

from . import limits
from .errors import ApplicationError

# What may be uploaded, by extension: its content type, and the first bytes a file
# of that kind starts with (None: any text). A file whose content does not match
# its name is refused.
ATTACHMENT_KINDS: dict[str, tuple[str, tuple[bytes, ...] | None]] = {
    ".pdf": ("application/pdf", (b"%PDF",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", (b"PK\x03\x04",)),
    ".zip": ("application/zip", (b"PK\x03\x04",)),
    ".txt": ("text/plain", None),
    ".log": ("text/plain", None),
    ".csv": ("text/csv", None),
}

# A file name is stored as one path component: at most this many bytes of UTF-8
# (file systems allow 255; the rest of the path is the module's folder).
FILE_NAME_MAX_BYTES = 200

# How much of a file is read to recognise its kind (signatures are a few bytes;
# a NUL byte in a text file's first 2 KB is enough to call it binary).
_HEAD_BYTES = 2048


class CheckedUpload(NamedTuple):
    """An upload that passed `upload_check`: the name to store it under and the content type to serve it with."""

    name: str
    content_type: str


def attachment_name(original: str) -> str:
    """The name a file is stored and shown under: safe characters only, shortened keeping its extension.

    A Windows or Unix path keeps its last component. A very long name is cut to
    `limits.FILE_NAME` characters (and FILE_NAME_MAX_BYTES bytes) before its
    extension, so `report...pdf` stays a PDF; a name with nothing usable in it
    becomes `file`.
    """
    base = original.replace("\\", "/").rsplit("/", 1)[-1]
    try:
        name = get_valid_filename(base)
    except SuspiciousFileOperation:
        name = "file"
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem:
        stem, dot, extension = name, "", ""
    suffix = (dot + extension)[:20]  # no allowed kind has a longer extension
    room = limits.FILE_NAME - len(suffix)
    stem = stem[:room]
    while len((stem + suffix).encode()) > FILE_NAME_MAX_BYTES:
        stem = stem[:-1]
    return (stem or "file") + suffix


def _extension(name: str) -> str:
    return "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""


def upload_check(
    upload: UploadedFile,
    *,
    code_prefix: str,
    field: str = "attachments",
    max_bytes: int | None = None,
) -> CheckedUpload:
    """Refuse a file that is too big, of a kind not allowed, or whose content does not match its name.

    `max_bytes` defaults to `settings.ATTACHMENT_MAX_BYTES`; a module with its own
    setting passes it. The file is read from its start and left at its start.
    """
    name = attachment_name(upload.name or "")
    limit = settings.ATTACHMENT_MAX_BYTES if max_bytes is None else max_bytes
    if upload.size is None or upload.size > limit:
        figures = {"name": name, "size": f"{(upload.size or 0) / 1_048_576:.1f}", "limit": limit // 1_048_576}
        raise ApplicationError(
            gettext("%(name)s is %(size)s MB; attachments are at most %(limit)d MB.") % figures,
            code=f"{code_prefix}.attachment_too_large",
            status_code=413,
            fields={field: [gettext("%(name)s is larger than %(limit)d MB.") % figures]},
        )
    extension = _extension(name)
    if extension not in ATTACHMENT_KINDS:
        allowed = ", ".join(sorted(kind.lstrip(".") for kind in ATTACHMENT_KINDS))
        figures = {"name": name, "allowed": allowed}
        raise ApplicationError(
            gettext("%(name)s: files of this kind cannot be attached (allowed: %(allowed)s).") % figures,
            code=f"{code_prefix}.attachment_type",
            fields={field: [gettext("%(name)s is not an allowed kind of file (%(allowed)s).") % figures]},
        )
    content_type, signatures = ATTACHMENT_KINDS[extension]
    upload.seek(0)
    head = upload.read(_HEAD_BYTES)
    upload.seek(0)
    # Text has no signature: it only must not be binary.
    matches = b"\x00" not in head if signatures is None else any(head.startswith(sig) for sig in signatures)
    if not matches:
        figures = {"name": name, "kind": extension.lstrip(".")}
        raise ApplicationError(
            gettext("%(name)s does not contain what its name says (%(kind)s).") % figures,
            code=f"{code_prefix}.attachment_content",
            fields={field: [gettext("%(name)s is not a real %(kind)s file.") % figures]},
        )
    return CheckedUpload(name, content_type)


def uploads_check(
    uploads: Sequence[UploadedFile],
    *,
    code_prefix: str,
    max_count: int,
    field: str = "attachments",
    max_bytes: int | None = None,
) -> list[tuple[UploadedFile, CheckedUpload]]:
    """Files sent together: at most `max_count`, each passing `upload_check`; all are checked before any is kept."""
    if len(uploads) > max_count:
        message = ngettext(
            "At most %(count)d file at a time.",
            "At most %(count)d files at a time.",
            max_count,
        ) % {"count": max_count}
        raise ApplicationError(message, code=f"{code_prefix}.too_many_attachments", fields={field: [message]})
    return [
        (upload, upload_check(upload, code_prefix=code_prefix, field=field, max_bytes=max_bytes)) for upload in uploads
    ]


def agency_file_path(*, module: str, folder: str, name: str) -> str:
    """Where a file goes in the current agency's storage: `<module>/<folder>/<random>/<name>`.

    The tenant storage adds `MEDIA_ROOT/<agency schema>/` in front, so the path
    holds no schema itself. `module` and `folder` are the code's own (an app's
    name, a reference), each one or more safe path components; `name` is the
    stored name (`attachment_name`). Refused in the public schema: an agency's
    private file must land in that agency's folder.
    """
    schema = getattr(connection, "schema_name", None)
    if schema is None or schema == get_public_schema_name():
        raise RuntimeError(f"An agency's file is stored in the agency's schema, not in {schema!r}.")
    for part in f"{module}/{folder}".split("/"):
        if not part or part in (".", "..") or part != get_valid_filename(part):
            raise ValueError(f"{module}/{folder} is not a safe folder for files.")
    return f"{module}/{folder}/{uuid4().hex}/{name}"


def file_download_response(*, file: IO[bytes] | File, name: str, content_type: str) -> FileResponse:
    """An open stored file as a download under `name`, never shown inline and never sniffed into another type.

    The caller has checked that the person may have it, and opened it (e.g.
    `attachment.file.open("rb")`) while the connection is in its agency's schema.
    """
    response = FileResponse(file, as_attachment=True, filename=name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def content_download_response(content: bytes, *, filename: str, content_type: str) -> HttpResponse:
    """Bytes the platform made (a purchase order, a travel authorization) as a download, never shown inline
    nor sniffed into another type."""
    response = HttpResponse(content, content_type=content_type)
    safe = filename.replace('"', "").replace("\r", "").replace("\n", "")
    response["Content-Disposition"] = f'attachment; filename="{safe}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
