"""Every text a person types has a limit: too long is a field error (form or 400 with `fields`), never stored.

Two halves: a walk over every app's forms, input serializers and text columns
that fails when a new text input has no limit; and oversized values posted to
the main write pages and endpoints, each refused on its field with nothing
written.
"""

from __future__ import annotations

import importlib
import inspect
from typing import Any

import pytest
from django import forms
from django.apps import apps
from django.db import models
from rest_framework import serializers

from service_levels.models import Agreement, Calendar, Service
from shared_platform import limits

pytestmark = pytest.mark.django_db

APPS = ["accounts", "tenants", "service_levels", "ledger", "ict_helpdesk", "billing", "governance"]

# Serializers that only ever write answers: nothing a person sends goes through them.
OUTPUT_ONLY = {
    "accounts.api.UserSerializer",
    "accounts.api.TokenOutputSerializer",
    "ledger.api.ComplianceRowSerializer",
    "ledger.api.AtRiskSerializer",
    "ledger.api.BreachSerializer",
    "ict_helpdesk.api.MessageSerializer",
    "ict_helpdesk.api.TicketDetailSerializer",
    "billing.api.UsageEventSerializer",
    "billing.api.RunSerializer",
    "governance.api.MeetingSerializer",
    "governance.api.SeatBallotSerializer",
    "governance.api.MotionSerializer",
    "governance.api.BallotSerializer",
    "governance.api.RegisterVerificationSerializer",
}

# Text columns the platform writes itself, never a person: a billing run's progress message.
WRITTEN_BY_THE_PLATFORM = {"billing.BillingRun.message"}


def _classes(module_name: str, base: type) -> list[tuple[str, type]]:
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError:
        return []
    return [
        (f"{module_name}.{name}", cls)
        for name, cls in vars(module).items()
        if inspect.isclass(cls) and cls.__module__ == module_name and issubclass(cls, base)
    ]


def _text_fields(field: Any) -> list[Any]:
    if isinstance(field, serializers.ListField):
        return _text_fields(field.child)
    if isinstance(field, serializers.ListSerializer):
        return _text_fields(field.child)
    if isinstance(field, serializers.Serializer):
        return [f for child in field.fields.values() if not child.read_only for f in _text_fields(child)]
    return [field] if isinstance(field, serializers.CharField) else []


def test_every_text_field_of_every_page_form_has_a_limit() -> None:
    # given every form class of every app
    unlimited = [
        f"{path}.{name}"
        for app in APPS
        for path, form in _classes(f"{app}.forms", forms.BaseForm)
        for name, field in form.base_fields.items()
        if isinstance(field, forms.CharField) and field.max_length is None
    ]
    # then none of their text fields is without a limit
    assert unlimited == []


def test_every_text_field_of_every_api_input_has_a_limit() -> None:
    # given every serializer that reads what a person sends
    unlimited = []
    for app in APPS:
        for path, serializer_class in _classes(f"{app}.api", serializers.BaseSerializer):
            if path in OUTPUT_ONLY:
                continue
            for name, field in serializer_class().get_fields().items():
                if field.read_only:
                    continue
                unlimited += [f"{path}.{name}" for text in _text_fields(field) if text.max_length is None]
    # then none of their writable text fields is without a limit
    assert unlimited == []


def test_every_text_column_a_person_writes_has_a_limit() -> None:
    unlimited = [
        f"{model._meta.app_label}.{model.__name__}.{field.name}"
        for app in APPS
        for model in apps.get_app_config(app).get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.TextField) and field.max_length is None
    ]
    assert sorted(set(unlimited) - WRITTEN_BY_THE_PLATFORM) == []


def refused_on(response: Any, field: str) -> dict[str, Any]:
    """A 400 in the one error shape that names the field."""
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid" and field in error["fields"], error
    return error


# -- the catalogue, calendars, agreements and billing ---------------------------------------------


def test_a_catalogue_service_description_has_a_limit(facility, facility_manager, catalogue, api_at, client_at):
    payload = {
        "code": "ICT-NEW",
        "name": "Phones",
        "module": "ict",
        "billing_unit": "ticket",
        "description": "d" * (limits.SHORT_TEXT + 1),
        "targets": [{"metric": "resolution", "priority": "", "target_minutes": 480}],
    }
    refused_on(
        api_at(facility, facility_manager).post("/api/catalogue/services/", payload, format="json"), "description"
    )
    page = client_at(facility, facility_manager).post(
        "/catalogue/new/",
        {
            "code": "ICT-NEW",
            "name": "Phones",
            "module": "ict",
            "billing_unit": "ticket",
            "description": payload["description"],
            "targets-TOTAL_FORMS": "1",
            "targets-INITIAL_FORMS": "0",
            "targets-0-metric": "resolution",
            "targets-0-priority": "",
            "targets-0-target": "8h",
        },
    )
    assert page.status_code == 400 and "description" in page.context["form"].errors
    assert not Service.objects.filter(code="ICT-NEW").exists()


def test_a_calendar_name_has_a_limit(facility, facility_manager, catalogue, api_at, client_at):
    name = "n" * 81
    hours = [{"weekday": 0, "starts": "08:00", "ends": "17:00"}]
    response = api_at(facility, facility_manager).post(
        "/api/catalogue/calendars/",
        {"name": name, "time_zone": "Europe/Zurich", "country": "CH", "working_hours": hours, "closures": []},
        format="json",
    )
    refused_on(response, "name")
    page = client_at(facility, facility_manager).post(
        "/calendars/new/",
        {
            "name": name,
            "time_zone": "Europe/Zurich",
            "country": "CH",
            "spans-TOTAL_FORMS": "1",
            "spans-INITIAL_FORMS": "0",
            "spans-0-weekday": "0",
            "spans-0-starts": "08:00",
            "spans-0-ends": "17:00",
            "closures-TOTAL_FORMS": "0",
            "closures-INITIAL_FORMS": "0",
        },
    )
    assert page.status_code == 400 and "name" in page.context["form"].errors
    assert not Calendar.objects.filter(time_zone="Europe/Zurich").exists()


def test_an_agreement_s_notes_have_a_limit(facility, facility_manager, undp, office_calendar, api_at):
    payload = {
        "agency": "UNDP",
        "reference": "SLA-UNDP-LONG",
        "valid_from": "2026-01-01",
        "calendar": office_calendar.pk,
        "services": ["ICT-INC"],
        "notes": "n" * (limits.SHORT_TEXT + 1),
    }
    refused_on(api_at(facility, facility_manager).post("/api/agreements/", payload, format="json"), "notes")
    assert not Agreement.objects.filter(reference="SLA-UNDP-LONG").exists()


# -- signing in -------------------------------------------------------------------------------------


def test_an_absurdly_long_password_is_refused_before_it_is_hashed(undp, undp_requester, api_at, client_at):
    password = "p" * (limits.PASSWORD + 1)
    refused_on(
        api_at(undp).post("/api/auth/token/", {"email": undp_requester.email, "password": password}, format="json"),
        "password",
    )
    page = client_at(undp).post("/accounts/login/", {"email": undp_requester.email, "password": password})
    assert page.status_code in (200, 400) and "password" in page.context["form"].errors
