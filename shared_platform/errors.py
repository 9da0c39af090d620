"""One error shape for the whole platform (STYLE.md rule 4).

Services raise `ApplicationError` with a stable machine code
(`tenants.code_taken`, `accounts.locked_out`); the API turns every error,
ours or DRF's, into

    {"error": {"code": "...", "message": "...", "fields": {...}}}

and pages show the same message. Bad input never becomes a 500.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousMultipartForm,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class ApplicationError(Exception):
    """A business rule refused the request. `code` is stable; `message` is for people."""

    status_code: int = status.HTTP_400_BAD_REQUEST

    def __init__(
        self,
        message: str,
        *,
        code: str,
        status_code: int | None = None,
        fields: dict[str, list[str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.fields = fields or {}
        if status_code is not None:
            self.status_code = status_code


def error_body(code: str, message: str, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    return {"error": body}


def _flatten_detail(detail: Any, prefix: str = "") -> Any:
    """DRF details are nested ErrorDetail objects; make them plain lists of strings.

    Nested fields get dotted names, so a bad target reads
    `targets.0.target_minutes: Ensure this value is greater than or equal to 1.`
    """
    if isinstance(detail, dict):
        fields: dict[str, list[str]] = {}
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            flat = _flatten_detail(value, name)
            if isinstance(flat, dict):
                fields.update(flat)
            else:
                fields[name] = flat
        return fields
    if isinstance(detail, list):
        if any(isinstance(item, dict) for item in detail):
            nested: dict[str, list[str]] = {}
            for index, item in enumerate(detail):
                if item:
                    flat = _flatten_detail(item, f"{prefix}.{index}" if prefix else str(index))
                    nested.update(flat if isinstance(flat, dict) else {f"{prefix}.{index}": flat})
            return nested
        return [str(item) for item in detail]
    return [str(detail)]


_DRF_CODES = {
    exceptions.NotAuthenticated: "auth.not_authenticated",
    exceptions.AuthenticationFailed: "auth.failed",
    exceptions.PermissionDenied: "auth.permission_denied",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "throttled",
    exceptions.ParseError: "parse_error",
}


# Django refuses to read these bodies; the request is at fault, not the server.
UNREADABLE_REQUEST = (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent, SuspiciousMultipartForm)


def request_refused_error(exc: SuspiciousOperation) -> tuple[int, dict[str, Any]]:
    """The status and body for a request Django refused to read: too large, too many fields or files."""
    if isinstance(exc, RequestDataTooBig):
        message = _("The request body is larger than the limit of %(limit)s bytes.") % {
            "limit": f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,}"
        }
        return status.HTTP_413_REQUEST_ENTITY_TOO_LARGE, error_body("request_too_large", message)
    if isinstance(exc, TooManyFieldsSent):
        message = _("The request sends more than %(limit)s fields.") % {
            "limit": f"{settings.DATA_UPLOAD_MAX_NUMBER_FIELDS:,}"
        }
    elif isinstance(exc, TooManyFilesSent):
        message = _("The request sends more than %(limit)s files.") % {
            "limit": f"{settings.DATA_UPLOAD_MAX_NUMBER_FILES:,}"
        }
    else:
        message = _("The multipart body could not be read.")
    return status.HTTP_400_BAD_REQUEST, error_body("bad_request", message)


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's EXCEPTION_HANDLER: every API error leaves in one shape."""
    if isinstance(exc, ApplicationError):
        return Response(error_body(exc.code, exc.message, exc.fields), status=exc.status_code)
    if isinstance(exc, UNREADABLE_REQUEST):
        status_code, body = request_refused_error(exc)
        return Response(body, status=status_code)
    if isinstance(exc, DjangoValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else {}
        message = "; ".join(exc.messages) or _("The request is not valid.")
        return Response(error_body("invalid", message, fields), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)

    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a real bug: Django's 500 handler takes it from here
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten_detail(exc.detail)
        if not isinstance(fields, dict):
            fields = {"non_field_errors": fields}
        messages = [f"{name}: {' '.join(errors)}" for name, errors in fields.items()]
        response.data = error_body("invalid", "; ".join(messages), fields)
    else:
        code = next((c for cls, c in _DRF_CODES.items() if isinstance(exc, cls)), "error")
        detail = getattr(exc, "detail", str(exc))
        response.data = error_body(code, str(detail))
    return response


def json_error_response(code: str, message: str, status_code: int) -> JsonResponse:
    return JsonResponse(error_body(code, message), status=status_code)


def form_error_apply(form: Any, error: ApplicationError) -> None:
    """Show a refused service call on the form that asked for it: on its fields where named, else on top."""
    placed = False
    for name, messages in error.fields.items():
        if name in form.fields:
            for message in messages:
                form.add_error(name, message)
            placed = True
    # The generic "correct the fields" message adds nothing above the fields it names, in any language.
    generic = {"Please correct the highlighted fields.", _("Please correct the highlighted fields.")}
    if not placed or error.message not in generic:
        form.add_error(None, error.message)


def form_errors_as_error(form: Any, *, code: str) -> ApplicationError:
    """An invalid form (e.g. an API's query filters read by a page's form) as one error naming each field."""
    fields = {name: [str(error) for error in errors] for name, errors in form.errors.items()}
    message = "; ".join(f"{name}: {' '.join(errors)}" for name, errors in fields.items())
    return ApplicationError(message, code=code, fields=fields)
