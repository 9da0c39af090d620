"""Cross-cutting API pieces: pagination, the JSON parser and date-time field every view reads with, money as
decimal strings and people by name (procurement and travel answer alike)."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ParseError
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import JSONParser

if TYPE_CHECKING:
    from accounts.models import User


class StandardPagination(PageNumberPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 200


# Far deeper than any body this API reads (a price list's items, a calendar's hours are 2 or 3 levels).
MAX_JSON_DEPTH = 32


def _depth_exceeds(document: Any, limit: int) -> bool:
    """True if arrays and objects nest more than `limit` levels (walked without recursion)."""
    pending = [(document, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict | list):
            if depth > limit:
                return True
            children = value.values() if isinstance(value, dict) else value
            pending.extend((child, depth + 1) for child in children)
    return False


class BoundedJSONParser(JSONParser):
    """DRF's JSON parser, within the upload limit and refusing deep nesting with a 400, never a server error.

    Python's decoder recurses once per `[` or `{`: a thousand of them, sent
    without signing in, exhausted the recursion limit and answered 500. DRF
    reads a JSON body straight from the request, past Django's
    DATA_UPLOAD_MAX_MEMORY_SIZE, which form bodies keep: JSON keeps it too
    (RequestDataTooBig, answered 413 by shared_platform.errors).
    """

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        body = stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(body) > limit:
            raise RequestDataTooBig("Request body exceeded settings.DATA_UPLOAD_MAX_MEMORY_SIZE.")
        too_deep = _("The JSON body nests arrays or objects more than %(limit)d levels deep.") % {
            "limit": MAX_JSON_DEPTH
        }
        try:
            document = super().parse(io.BytesIO(body), media_type, parser_context)
        except RecursionError:
            raise ParseError(too_deep) from None
        if _depth_exceeds(document, MAX_JSON_DEPTH):
            raise ParseError(too_deep)
        return document


# Nothing the platform records happened before it: a year 72 is a typo (and, in a
# zone's local mean time, has an offset with seconds that RFC 3339 cannot write).
EARLIEST_DATETIME = datetime(2000, 1, 1, tzinfo=UTC)


class AwareDateTimeField(serializers.DateTimeField):
    """Every date and time the API reads: with its time zone (STYLE.md: time is aware), from 2000 on.

    A naive time would be read in the server's zone, which the caller cannot
    see; the schema's `date-time` (RFC 3339) asks for the offset anyway.
    Used by every ModelSerializer (shared_platform.apps) and by input serializers.
    """

    default_error_messages = {
        "naive": gettext_lazy("Give the time zone too: an offset such as 2026-11-30T17:00:00-03:00, or Z for UTC."),
        "too_early": gettext_lazy("Give a date and time from the year 2000 on."),
    }

    def enforce_timezone(self, value: datetime) -> datetime:
        if timezone.is_naive(value):
            self.fail("naive")
        aware: datetime = super().enforce_timezone(value)
        if aware < EARLIEST_DATETIME:
            self.fail("too_early")
        return aware


class DecimalStringField(serializers.DecimalField):
    """A money or quantity figure, read only from a string such as "1500.00" (STYLE.md: money is Decimal).

    A JSON number goes through a binary float in most clients and loses cents;
    a string is read exactly. Answers write figures as strings too.
    """

    default_error_messages = {
        "not_a_string": gettext_lazy('Give the figure as a string of digits, such as "1500.00", not a number.'),
    }

    def to_internal_value(self, data: Any) -> Decimal:
        if not isinstance(data, str):
            self.fail("not_a_string")
        value: Decimal = super().to_internal_value(data)
        return value


def person_name(user: User | None) -> str | None:
    """A person as an answer names them: their full name, else their e-mail address."""
    return (user.get_full_name() or user.email) if user is not None else None


@extend_schema_field(serializers.CharField(allow_null=True))
class PersonField(serializers.Field):  # type: ignore[type-arg]
    """A person (stored as a link to the public schema) by name, or null."""

    def __init__(self, **options: Any) -> None:
        options.setdefault("read_only", True)
        super().__init__(**options)

    def to_representation(self, value: Any) -> str | None:
        return person_name(value)


# Downloads as the OpenAPI schema describes them (a module's PDFs, an uploaded file).
PDF_RESPONSE = {(200, "application/pdf"): OpenApiTypes.BINARY}
FILE_RESPONSE = {(200, "application/octet-stream"): OpenApiTypes.BINARY}
# The largest row id PostgreSQL stores (bigint): a larger one is nothing here, never an overflow.
LARGEST_ID = 9_223_372_036_854_775_807


def id_check(pk: int) -> None:
    """A row id from a URL: one larger than any PostgreSQL stores is not found (404), never an overflow (500)."""
    if pk > LARGEST_ID:
        raise Http404("Nothing with that id.")
