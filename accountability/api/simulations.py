"""The API of fair-cost simulations under /api/accountability/ on the facility portal, as the pages.

`simulations/` lists the saved ones (GET) and saves one (POST: months as
YYYY-MM-01 dates, a note); `simulations/preview/?month_from=&month_to=`
computes without saving; `simulations/<reference>/` is one, frozen;
`simulations/<reference>/attach/` attaches it to a motion in draft or open.
Read by the board, the facility manager, facility finance and the auditor;
written by the manager and facility finance (accountability.services.simulations).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import Http404
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import FacilityPortalOnly, MayUseThisAddress
from governance.models import Motion
from shared_platform import limits
from shared_platform.api import PersonField
from shared_platform.errors import form_errors_as_error

from ..forms.simulations import MonthsForm
from ..models import CostSimulation
from ..selectors import simulations as selectors
from ..services import simulations as services
from ..views.simulations import may_read_simulations

KEYS_HELP = "Keyed by sharing key: equal, headcount, usage."


class WouldSerializer(serializers.Serializer[Any]):
    equal = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)
    headcount = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)
    usage = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)


class SimulationLineSerializer(serializers.Serializer[Any]):
    agency = serializers.CharField(read_only=True)
    headcount = serializers.IntegerField(read_only=True)
    usage = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)
    usage_share = serializers.DecimalField(
        max_digits=5, decimal_places=2, read_only=True, help_text="Percent of every agency's usage."
    )
    credits = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)
    paid = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)
    would = WouldSerializer(read_only=True, help_text=KEYS_HELP)


class SimulationTotalsSerializer(serializers.Serializer[Any]):
    usage = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)
    credits = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)
    paid = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)
    fixed = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)
    would = WouldSerializer(read_only=True, help_text=KEYS_HELP)


class SimulationSerializer(serializers.Serializer[Any]):
    reference = serializers.CharField(read_only=True)
    month_from = serializers.DateField(read_only=True)
    month_to = serializers.DateField(read_only=True)
    motion = serializers.IntegerField(source="motion_id", read_only=True, allow_null=True)
    note = serializers.CharField(read_only=True)
    created_by = PersonField()
    created_at = serializers.DateTimeField(read_only=True)


class SimulationDetailSerializer(SimulationSerializer):
    lines = SimulationLineSerializer(many=True, read_only=True)
    totals = SimulationTotalsSerializer(read_only=True)


class PreviewSerializer(serializers.Serializer[Any]):
    month_from = serializers.DateField(read_only=True)
    month_to = serializers.DateField(read_only=True)
    lines = SimulationLineSerializer(many=True, read_only=True)
    totals = SimulationTotalsSerializer(read_only=True)


class SimulationInputSerializer(serializers.Serializer[Any]):
    month_from = serializers.DateField(help_text="The first month (its first day, e.g. 2026-08-01).")
    month_to = serializers.DateField(help_text="The last month (its first day).")
    note = serializers.CharField(max_length=limits.SHORT_TEXT, required=False, allow_blank=True, default="")


class AttachInputSerializer(serializers.Serializer[Any]):
    motion = serializers.IntegerField(min_value=1, max_value=2_147_483_647, help_text="A motion in draft or open.")


def _frozen(simulation: CostSimulation) -> dict[str, Any]:
    return {
        "reference": simulation.reference,
        "month_from": simulation.month_from,
        "month_to": simulation.month_to,
        "motion_id": simulation.motion_id,
        "note": simulation.note,
        "created_by": simulation.created_by,
        "created_at": simulation.created_at,
        "lines": selectors.frozen_lines(simulation),
        "totals": selectors.frozen_totals(simulation),
    }


class ReadsSimulations(FacilityPortalOnly, BasePermission):
    message = gettext_lazy("The board, the facility manager, facility finance and the auditor read simulations.")

    def has_permission(self, request, view) -> bool:  # type: ignore[no-untyped-def]
        return bool(request.tenant.is_facility and may_read_simulations(request))


class MakesSimulationsToWrite(FacilityPortalOnly, BasePermission):
    message = gettext_lazy("Only the facility manager and facility finance make and attach simulations.")

    def has_permission(self, request, view) -> bool:  # type: ignore[no-untyped-def]
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return True
        return services.may_make_simulations(user=request.user)


class _Simulations(APIView):
    permission_classes = [MayUseThisAddress, ReadsSimulations, MakesSimulationsToWrite]

    def simulation(self, reference: str) -> CostSimulation:
        simulation = selectors.simulation_get(reference=reference)
        if simulation is None:
            raise Http404("No such simulation.")
        return simulation


@extend_schema(tags=["accountability"])
class SimulationListApi(_Simulations, ListAPIView):  # type: ignore[type-arg]
    """The saved simulations, newest first; the facility manager or facility finance saves one (POST)."""

    serializer_class = SimulationSerializer

    def get_queryset(self) -> Any:
        return selectors.simulation_list().order_by("-created_at", "-pk")

    @extend_schema(request=SimulationInputSerializer, responses={201: SimulationDetailSerializer})
    def post(self, request: Request) -> Response:
        serializer = SimulationInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        simulation = services.simulation_save(
            month_from=data["month_from"],
            month_to=data["month_to"],
            note=data["note"],
            by=request.user,  # type: ignore[arg-type]
        )
        return Response(SimulationDetailSerializer(_frozen(simulation)).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["accountability"])
class SimulationPreviewApi(_Simulations):
    """What each agency paid and would have paid over the months, computed now and not saved."""

    @extend_schema(
        parameters=[
            OpenApiParameter("month_from", str, required=True, description="The first month, YYYY-MM."),
            OpenApiParameter("month_to", str, required=True, description="The last month, YYYY-MM."),
        ],
        responses=PreviewSerializer,
    )
    def get(self, request: Request) -> Response:
        form = MonthsForm(request.query_params)
        if not form.is_valid():
            raise form_errors_as_error(form, code="accountability.simulation_month")
        month_from: date = form.cleaned_data["month_from"]
        month_to: date = form.cleaned_data["month_to"]
        result = selectors.simulation_compute(month_from=month_from, month_to=month_to)
        lines = [
            {
                "agency": line.agency_code,
                "headcount": line.headcount,
                "usage": line.usage,
                "usage_share": line.usage_share,
                "credits": line.credits,
                "paid": line.paid,
                "would": line.would,
            }
            for line in result.lines
        ]
        data = {"month_from": result.month_from, "month_to": result.month_to, "lines": lines, "totals": result.totals}
        return Response(PreviewSerializer(data).data)


@extend_schema(tags=["accountability"])
class SimulationDetailApi(_Simulations):
    """One saved simulation, its figures frozen when it was made."""

    @extend_schema(responses=SimulationDetailSerializer)
    def get(self, request: Request, reference: str) -> Response:
        return Response(SimulationDetailSerializer(_frozen(self.simulation(reference))).data)


@extend_schema(tags=["accountability"])
class SimulationAttachApi(_Simulations):
    """Attach a simulation to a board motion in draft or open for votes."""

    @extend_schema(request=AttachInputSerializer, responses=SimulationDetailSerializer)
    def post(self, request: Request, reference: str) -> Response:
        simulation = self.simulation(reference)
        serializer = AttachInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        motion = Motion.objects.filter(pk=serializer.validated_data["motion"]).first()
        if motion is None:
            raise Http404("No such motion.")
        simulation = services.simulation_attach(simulation=simulation, motion=motion, by=request.user)  # type: ignore[arg-type]
        return Response(SimulationDetailSerializer(_frozen(simulation)).data)


_REF = "simulations/<str:reference>/"

facility_api_urlpatterns: list[URLPattern] = [
    path("simulations/", SimulationListApi.as_view(), name="accountability-simulations"),
    path("simulations/preview/", SimulationPreviewApi.as_view(), name="accountability-simulation-preview"),
    path(_REF, SimulationDetailApi.as_view(), name="accountability-simulation"),
    path(f"{_REF}attach/", SimulationAttachApi.as_view(), name="accountability-simulation-attach"),
]
