"""The OpenAPI schema each address serves: its own operations, and the errors they really give.

Two things drf-spectacular does not know by itself:

- Every API error leaves in one shape (`shared_platform.errors`), with the
  status codes of the table in `ERROR_STATUSES`. `AddressAutoSchema` adds them
  to each operation where they can happen, so a client (and the API fuzzer,
  tests/test_api_fuzz.py) knows every answer it may get.
- An agency's address serves only what can be done there. Permissions that
  never grant an operation on an agency's address say so
  (`accounts.permissions.FacilityPortalOnly`), and `AddressSchemaGenerator`
  leaves those operations out of the agency's schema. The address refuses
  them all the same (the permission answers 403).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import get_urlconf
from django.utils.translation import gettext_lazy as _
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import build_mock_request
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny

TIME_OF_DAY_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$"
BODY_METHODS = {"POST", "PUT", "PATCH"}
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class ErrorDetailSerializer(serializers.Serializer):  # type: ignore[type-arg]
    code = serializers.CharField(help_text=_("Stable, for programs: e.g. `billing.illegal_transition`."))
    message = serializers.CharField(help_text=_("For people."))
    fields = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text=_("On validation errors: the messages for each field, nested fields with dotted names."),
    )


class ErrorSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """The one shape of every API error."""

    error = ErrorDetailSerializer()


ERROR_STATUSES = {
    400: _("The request is not valid: unreadable JSON, a field or parameter refused, or a business rule."),
    401: _("Not signed in, or the token is not valid."),
    403: _("Signed in, but not allowed to do this here."),
    404: _("Nothing of that kind here (or not for you), or a page past the last."),
    409: _("The thing is not in a state that allows this now (e.g. already issued, already taken)."),
    413: _("The request body is larger than the upload limit."),
    415: _("The request body is not in a media type this operation reads."),
    429: _("Too many attempts; try again later."),
}


class AddressAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema plus the error responses each operation can give, in the one error shape."""

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        for status_code in self._error_statuses():
            if str(status_code) not in responses:
                error = OpenApiResponse(ErrorSerializer, description=str(ERROR_STATUSES[status_code]))
                responses[str(status_code)] = self._get_response_for_code(error, str(status_code), direction=direction)
        return responses

    def _map_serializer_field(self, field: Any, direction: Any, bypass_extensions: bool = False) -> Any:
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(field, serializers.TimeField) and schema.get("format") == "time":
            # A time of day on a calendar's clock, in the calendar's own zone: "08:00" or "17:30:00".
            # JSON Schema's "time" is RFC 3339's full-time, which needs an offset these never have.
            del schema["format"]
            schema["pattern"] = TIME_OF_DAY_PATTERN
        return schema

    def _error_statuses(self) -> list[int]:
        has_body = self.method in BODY_METHODS and self.get_request_serializer() is not None
        has_parameters = "{" in self.path or bool(self._get_parameters())
        permissions = _permissions_of(self.view)
        statuses = [404]
        if has_body or has_parameters:
            statuses.append(400)
        if self.view.authentication_classes:
            statuses.append(401)  # a token that is not valid is refused even where anyone may call
        if not all(isinstance(permission, AllowAny) for permission in permissions):
            statuses.append(403)
        if self.method in WRITE_METHODS:
            statuses.append(409)
        if has_body:
            statuses += [413, 415]
        if _throttles_of(self.view):
            statuses.append(429)
        return sorted(statuses)


def _permissions_of(view: Any) -> list[Any]:
    try:
        return list(view.get_permissions())
    except Exception:  # a view whose permissions depend on a real request: assume it checks some
        return [object()]


def _throttles_of(view: Any) -> list[Any]:
    try:
        return list(view.get_throttles())
    except Exception:
        return []


def paginated(serializer: type[serializers.Serializer], name: str) -> serializers.Serializer:  # type: ignore[type-arg]
    """The schema of a page of `serializer` rows (StandardPagination), for views that page by hand."""
    return inline_serializer(
        name,
        {
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": serializer(many=True),
        },
    )


class _AgencyAddress:
    """Stands in for an agency while the schema of an agency's address is generated (no database needed)."""

    is_facility = False
    schema_name = "agency"


class AddressSchemaGenerator(SchemaGenerator):
    """Leaves out of an agency's schema the operations only the facility portal grants."""

    def _get_paths_and_endpoints(self) -> list[tuple[str, str, str, Any]]:
        endpoints: list[tuple[str, str, str, Any]] = super()._get_paths_and_endpoints()
        if self._describes_facility_portal():
            return endpoints
        return [endpoint for endpoint in endpoints if not _facility_portal_only(*endpoint)]

    def _describes_facility_portal(self) -> bool:
        urlconf = self.urlconf or get_urlconf() or settings.ROOT_URLCONF
        name = urlconf if isinstance(urlconf, str) else getattr(urlconf, "__name__", "")
        return bool(name == settings.PUBLIC_SCHEMA_URLCONF)


def _facility_portal_only(path: str, path_regex: str, method: str, view: Any) -> bool:
    request = build_mock_request(method, path, view, None)
    request.tenant = _AgencyAddress()
    view.request = request
    try:
        return any(
            getattr(permission, "only_on_facility_portal", lambda _method: False)(method)
            for permission in _permissions_of(view)
        )
    finally:
        del view.request
