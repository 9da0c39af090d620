"""Cross-cutting API pieces: the pagination every list uses, and the JSON parser every view reads with."""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import JSONParser


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
