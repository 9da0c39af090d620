"""The API of the management review (ISO 9001:2015 clause 9.3) and of a request's chain.

The same rules as the pages, checked by the same services: on the facility
portal every facility role reads the reviews and their packs; the keepers
(quality focal point, facility manager) plan, compile, hold, record outputs
and close; an action's owner completes it; the read-only auditor is refused
(403) any change. A request's chain is read on the portal (any agency's) and
on an agency's address (its own requests, another's id is 404).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.urls import path
from django.utils.translation import gettext, gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from accounts.permissions import FacilityPortalOnly
from ledger.selectors import request_scope
from shared_platform import limits
from shared_platform.api import PersonField, id_check
from shared_platform.errors import ApplicationError

from .. import access
from ..models import ManagementReview, OutputKind, OutputStatus, ReviewOutput, ReviewStatus
from ..selectors import reviews as selectors
from ..selectors.chain import chain_entry_get, request_chain
from ..services import reviews as services

LARGEST_INTEGER = 2_147_483_647


class IsReviewReader(FacilityPortalOnly, BasePermission):
    """Management reviews are the facility's: its staff read them on the portal, nobody else anywhere."""

    message = gettext_lazy("Only the facility's staff read the management reviews.")

    def has_permission(self, request, view) -> bool:  # type: ignore[no-untyped-def]
        return bool(request.tenant.is_facility and access.may_read(user=request.user, address=request.tenant))


class IsAccountabilityReader(BasePermission):
    """The facility's staff on the portal; an agency's approvers, finance officers and board members at its address."""

    message = gettext_lazy(
        "Only the facility's staff, or the agency's approvers, finance officers and board members, read these records."
    )

    def has_permission(self, request, view) -> bool:  # type: ignore[no-untyped-def]
        return access.may_read(user=request.user, address=request.tenant)


# --- Serializers ---------------------------------------------------------------


class ManagementReviewOutputSerializer(serializers.ModelSerializer[ReviewOutput]):
    kind = serializers.CharField(read_only=True, help_text=f"One of: {', '.join(OutputKind.values)}.")
    status = serializers.CharField(read_only=True, help_text=f"One of: {', '.join(OutputStatus.values)}.")
    owner = PersonField()

    class Meta:
        model = ReviewOutput
        fields = ["id", "kind", "text", "owner", "due_on", "status", "outcome", "done_at", "created_at"]


class ManagementReviewSerializer(serializers.ModelSerializer[ManagementReview]):
    status = serializers.CharField(read_only=True, help_text=f"One of: {', '.join(ReviewStatus.values)}.")
    chair = PersonField()

    class Meta:
        model = ManagementReview
        fields = [
            "reference",
            "title",
            "period_from",
            "period_to",
            "meeting_on",
            "status",
            "chair",
            "compiled_at",
            "held_at",
            "closed_at",
        ]


class ManagementReviewDetailSerializer(ManagementReviewSerializer):
    pack = serializers.JSONField(
        read_only=True,
        help_text="The compiled pack: `sections` keyed by clause 9.3.2 input (previous_actions, changes, "
        "satisfaction, objectives, process_performance, nonconformities, monitoring, audits, external_providers, "
        "resources, risks, improvement), each with `figures` and `tables`; and `history`.",
    )
    outputs = serializers.SerializerMethodField()
    nonconformities = serializers.SerializerMethodField()

    class Meta(ManagementReviewSerializer.Meta):
        fields = [*ManagementReviewSerializer.Meta.fields, "attendees", "minutes", "pack", "outputs", "nonconformities"]

    @extend_schema_field(ManagementReviewOutputSerializer(many=True))
    def get_outputs(self, review: ManagementReview) -> Any:
        return ManagementReviewOutputSerializer(selectors.review_outputs(review=review), many=True).data

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_nonconformities(self, review: ManagementReview) -> list[str]:
        return [nc.reference for nc in selectors.review_nonconformities(review=review)]


class ManagementReviewFilterSerializer(serializers.Serializer):  # type: ignore[type-arg]
    status = serializers.ChoiceField(choices=ReviewStatus.values, required=False)


class ManagementReviewPlanSerializer(serializers.Serializer):  # type: ignore[type-arg]
    title = serializers.CharField(max_length=limits.NAME)
    period_from = serializers.DateField()
    period_to = serializers.DateField()
    meeting_on = serializers.DateField()
    chair = serializers.IntegerField(min_value=1, max_value=LARGEST_INTEGER, help_text="A user id.")


class ManagementReviewHoldSerializer(serializers.Serializer):  # type: ignore[type-arg]
    attendees = serializers.CharField(max_length=limits.SHORT_TEXT)
    minutes = serializers.CharField(max_length=limits.LONG_TEXT)


class ManagementReviewOutputInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    kind = serializers.ChoiceField(choices=OutputKind.values)
    text = serializers.CharField(max_length=limits.SHORT_TEXT)
    owner = serializers.IntegerField(
        min_value=1, max_value=LARGEST_INTEGER, required=False, allow_null=True, default=None, help_text="A user id."
    )
    due_on = serializers.DateField(required=False, allow_null=True, default=None)


class ManagementReviewOutcomeSerializer(serializers.Serializer):  # type: ignore[type-arg]
    outcome = serializers.CharField(max_length=limits.SHORT_TEXT)


class RequestChainBreachSerializer(serializers.Serializer):  # type: ignore[type-arg]
    metric = serializers.CharField()
    due_at = serializers.DateTimeField()
    held_by = serializers.CharField()


class RequestChainCreditSerializer(serializers.Serializer):  # type: ignore[type-arg]
    invoice_id = serializers.IntegerField(source="invoice.pk")
    invoice = serializers.CharField(source="invoice.number", allow_null=True)
    month = serializers.DateField(source="invoice.month")
    invoice_status = serializers.CharField(source="invoice.status")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)


class RequestChainCellSerializer(serializers.Serializer):  # type: ignore[type-arg]
    agency = serializers.CharField()
    service = serializers.CharField()
    month = serializers.CharField(help_text="YYYY-MM")


class RequestChainSerializer(serializers.Serializer):  # type: ignore[type-arg]
    entry_id = serializers.IntegerField()
    request = serializers.CharField()
    agency = serializers.CharField()
    service = serializers.CharField()
    breaches = RequestChainBreachSerializer(many=True)
    credits = RequestChainCreditSerializer(many=True)
    nonconformities = serializers.ListField(child=serializers.CharField())
    scorecard_cell = RequestChainCellSerializer(allow_null=True)
    reviews = serializers.ListField(child=serializers.CharField())


# --- Lookups -------------------------------------------------------------------


def _valid(serializer_class: type[serializers.Serializer], data: Any) -> dict[str, Any]:  # type: ignore[type-arg]
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _person(pk: int | None, field: str) -> User | None:
    if pk is None:
        return None
    person = User.objects.filter(pk=pk).first()
    if person is None:
        raise ApplicationError(
            gettext("Unknown %(field)s.") % {"field": field},
            code="accountability.review_invalid",
            fields={field: [gettext("Unknown.")]},
        )
    return person


def _review(reference: str) -> ManagementReview:
    review = selectors.review_get(reference=reference)
    if review is None:
        raise Http404("No such management review.")
    return review


def _output(review: ManagementReview, pk: int) -> ReviewOutput:
    id_check(pk)
    output = selectors.output_get(review=review, pk=pk)
    if output is None:
        raise Http404("No such decision or action.")
    return output


class _ReviewApi(APIView):
    permission_classes = [IsReviewReader]

    def detail(self, reference: str, code: int = status.HTTP_200_OK) -> Response:
        return Response(ManagementReviewDetailSerializer(_review(reference)).data, status=code)


# --- Views ---------------------------------------------------------------------


@extend_schema(tags=["accountability"], parameters=[OpenApiParameter("status", str, enum=ReviewStatus.values)])
class ReviewListApi(_ReviewApi, ListAPIView):  # type: ignore[type-arg]
    """Management reviews, latest period first; POST plans one (keepers)."""

    serializer_class = ManagementReviewSerializer

    def get_queryset(self) -> Any:
        filters = ManagementReviewFilterSerializer(data=self.request.query_params)
        if not filters.is_valid():
            fields = {name: [str(error) for error in errors] for name, errors in filters.errors.items()}
            raise ApplicationError(
                gettext("A filter is not valid."), code="accountability.invalid_filter", fields=fields
            )
        return selectors.review_list(status=filters.validated_data.get("status")).order_by("-period_to", "-pk")

    @extend_schema(request=ManagementReviewPlanSerializer, responses={201: ManagementReviewDetailSerializer})
    def post(self, request: Request) -> Response:
        data = _valid(ManagementReviewPlanSerializer, request.data)
        review = services.review_plan(
            title=data["title"],
            period_from=data["period_from"],
            period_to=data["period_to"],
            meeting_on=data["meeting_on"],
            chair=_person(data["chair"], "chair"),
            by=request.user,  # type: ignore[arg-type]
        )
        return self.detail(review.reference, status.HTTP_201_CREATED)


@extend_schema(tags=["accountability"])
class ReviewDetailApi(_ReviewApi):
    """A review with its pack (every clause 9.3.2 input), minutes, decisions, actions and the NCs it discussed."""

    @extend_schema(responses=ManagementReviewDetailSerializer)
    def get(self, request: Request, reference: str) -> Response:
        return self.detail(reference)


@extend_schema(tags=["accountability"])
class ReviewCompileApi(_ReviewApi):
    """Compile (again) the pack from the platform, while the review is planned."""

    @extend_schema(request=None, responses=ManagementReviewDetailSerializer)
    def post(self, request: Request, reference: str) -> Response:
        services.review_pack_compile(review=_review(reference), by=request.user)  # type: ignore[arg-type]
        return self.detail(reference)


@extend_schema(tags=["accountability"])
class ReviewHoldApi(_ReviewApi):
    """Record the meeting (minutes, attendees): the pack is frozen from then on."""

    @extend_schema(request=ManagementReviewHoldSerializer, responses=ManagementReviewDetailSerializer)
    def post(self, request: Request, reference: str) -> Response:
        review = _review(reference)
        data = _valid(ManagementReviewHoldSerializer, request.data)
        services.review_hold(review=review, minutes=data["minutes"], attendees=data["attendees"], by=request.user)  # type: ignore[arg-type]
        return self.detail(reference)


@extend_schema(tags=["accountability"])
class ReviewOutputAddApi(_ReviewApi):
    """A decision, or an action with its owner and due date, of the held review."""

    @extend_schema(request=ManagementReviewOutputInputSerializer, responses={201: ManagementReviewDetailSerializer})
    def post(self, request: Request, reference: str) -> Response:
        review = _review(reference)
        data = _valid(ManagementReviewOutputInputSerializer, request.data)
        services.review_output_add(
            review=review,
            kind=data["kind"],
            text=data["text"],
            owner=_person(data["owner"], "owner"),
            due_on=data["due_on"],
            by=request.user,  # type: ignore[arg-type]
        )
        return self.detail(reference, status.HTTP_201_CREATED)


@extend_schema(tags=["accountability"])
class ReviewOutputCompleteApi(_ReviewApi):
    """The action's owner (or a keeper) records it done, with its outcome."""

    @extend_schema(request=ManagementReviewOutcomeSerializer, responses=ManagementReviewDetailSerializer)
    def post(self, request: Request, reference: str, pk: int) -> Response:
        output = _output(_review(reference), pk)
        data = _valid(ManagementReviewOutcomeSerializer, request.data)
        services.review_output_complete(output=output, outcome=data["outcome"], by=request.user)  # type: ignore[arg-type]
        return self.detail(reference)


@extend_schema(tags=["accountability"])
class ReviewOutputDropApi(_ReviewApi):
    """A keeper drops an open action, with the reason."""

    @extend_schema(request=ManagementReviewOutcomeSerializer, responses=ManagementReviewDetailSerializer)
    def post(self, request: Request, reference: str, pk: int) -> Response:
        output = _output(_review(reference), pk)
        data = _valid(ManagementReviewOutcomeSerializer, request.data)
        services.review_output_drop(output=output, reason=data["outcome"], by=request.user)  # type: ignore[arg-type]
        return self.detail(reference)


@extend_schema(tags=["accountability"])
class ReviewCloseApi(_ReviewApi):
    """Close the held review once no action of it is open."""

    @extend_schema(request=None, responses=ManagementReviewDetailSerializer)
    def post(self, request: Request, reference: str) -> Response:
        services.review_close(review=_review(reference), by=request.user)  # type: ignore[arg-type]
        return self.detail(reference)


@extend_schema(tags=["accountability"])
class ChainApi(APIView):
    """A request's chain: its breaches, service credits, nonconformities, scorecard cell and reviews."""

    permission_classes = [IsAccountabilityReader]

    @extend_schema(responses=RequestChainSerializer)
    def get(self, request: Request, pk: int) -> Response:
        id_check(pk)
        address = request.tenant  # type: ignore[attr-defined]
        scope = access.scope_for(user=request.user, address=address)
        person = request_scope(user=request.user, agency=address).person if scope is not None else None
        entry = chain_entry_get(pk=pk, scope=scope, person=person)
        if entry is None:
            raise Http404("No such request.")
        chain = request_chain(entry=entry, scope=scope)
        key = chain.cell_key
        body = {
            "entry_id": entry.pk,
            "request": entry.reference,
            "agency": entry.agency.code,
            "service": entry.service.code,
            "breaches": [
                {"metric": breach.metric, "due_at": breach.due_at, "held_by": breach.held_by}
                for breach in chain.breaches
            ],
            "credits": chain.credit_lines,
            "nonconformities": [nc.reference for nc in chain.nonconformities],
            "scorecard_cell": {"agency": key[0], "service": key[1], "month": key[2]} if key else None,
            "reviews": [review.reference for review in chain.reviews],
        }
        return Response(RequestChainSerializer(body).data)


facility_api_urlpatterns = [
    path("reviews/", ReviewListApi.as_view(), name="accountability-reviews"),
    path("reviews/<str:reference>/", ReviewDetailApi.as_view(), name="accountability-review"),
    path("reviews/<str:reference>/compile/", ReviewCompileApi.as_view(), name="accountability-review-compile"),
    path("reviews/<str:reference>/hold/", ReviewHoldApi.as_view(), name="accountability-review-hold"),
    path("reviews/<str:reference>/outputs/", ReviewOutputAddApi.as_view(), name="accountability-review-outputs"),
    path(
        "reviews/<str:reference>/outputs/<int:pk>/complete/",
        ReviewOutputCompleteApi.as_view(),
        name="accountability-review-output-complete",
    ),
    path(
        "reviews/<str:reference>/outputs/<int:pk>/drop/",
        ReviewOutputDropApi.as_view(),
        name="accountability-review-output-drop",
    ),
    path("reviews/<str:reference>/close/", ReviewCloseApi.as_view(), name="accountability-review-close"),
    path("chain/<int:pk>/", ChainApi.as_view(), name="accountability-chain"),
]
# The lead wires this into accountability/urls.py's agency_api_urlpatterns: an agency reads its own chains.
agency_api_urlpatterns = [path("chain/<int:pk>/", ChainApi.as_view(), name="accountability-chain")]
