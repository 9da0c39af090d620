"""The board's API: meetings, motions, ballots, the register and its verification, result PDFs.

The same rules as the pages: on the facility portal the board, its secretary
and the auditor read motions; the secretary writes them; an agency's
representative or alternates cast its ballot. The register is read from the
facility portal and from every agency's address.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext, gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from accounts.permissions import FacilityPortalOnly, MayUseThisAddress
from shared_platform import limits
from shared_platform.api import AwareDateTimeField, BoundedJSONParser
from shared_platform.errors import ApplicationError
from tenants.models import Agency

from . import selectors, services
from .models import (
    BallotChoice,
    BallotRecord,
    DecisionRule,
    Meeting,
    Motion,
    MotionDocument,
    MotionStatus,
    RegisterEntry,
)
from .pdf import meeting_minutes_pdf, motion_result_pdf
from .register import register_verify

PDF_RESPONSE = {(200, "application/pdf"): OpenApiTypes.BINARY}

# --- Permissions ---------------------------------------------------------------


class IsBoardReader(FacilityPortalOnly, BasePermission):
    message = gettext_lazy("Motions are for the board, its secretary and the auditor, on the facility portal.")

    def has_permission(self, request, view) -> bool:  # type: ignore[no-untyped-def]
        return selectors.may_read_board(user=request.user, agency=request.tenant)


class IsBoardSecretary(FacilityPortalOnly, BasePermission):
    message = gettext_lazy("Only the board secretary (the facility manager) may do this.")

    def has_permission(self, request, view) -> bool:  # type: ignore[no-untyped-def]
        return selectors.is_board_secretary(user=request.user, agency=request.tenant)


# --- Serializers ---------------------------------------------------------------


class MeetingSerializer(serializers.ModelSerializer[Meeting]):
    agenda_items = serializers.ListField(child=serializers.CharField(), read_only=True)
    motions = serializers.PrimaryKeyRelatedField(many=True, read_only=True)  # type: ignore[var-annotated]

    class Meta:
        model = Meeting
        fields = ["id", "title", "starts_at", "location", "agenda", "agenda_items", "motions", "created_at"]


class MeetingInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    title = serializers.CharField(max_length=200)
    starts_at = AwareDateTimeField()
    location = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    agenda = serializers.CharField(max_length=limits.LONG_TEXT, help_text="One item per line.")


class DocumentSerializer(serializers.ModelSerializer[MotionDocument]):
    url = serializers.SerializerMethodField()

    class Meta:
        model = MotionDocument
        fields = ["id", "title", "url", "added_at"]

    def get_url(self, document: MotionDocument) -> str:
        return f"/governance/motions/{document.motion_id}/documents/{document.pk}/"


class SeatBallotSerializer(serializers.Serializer):  # type: ignore[type-arg]
    agency = serializers.CharField()
    ballot = serializers.CharField(
        source="value",
        help_text="A choice (for, against, abstain, object), or recused, did_not_vote, "
        "cast (secret ballot) or hidden (results hidden until the motion closes).",
    )
    ballot_label = serializers.CharField(source="label")


class TallySerializer(serializers.Serializer):  # type: ignore[type-arg]
    seats = serializers.IntegerField()
    ballots = serializers.IntegerField()
    in_favour = serializers.IntegerField()
    against = serializers.IntegerField()
    abstain = serializers.IntegerField()
    objections = serializers.IntegerField()


class MotionSerializer(serializers.ModelSerializer[Motion]):
    meeting: serializers.PrimaryKeyRelatedField[Meeting] = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True
    )
    concerns_agency: serializers.SlugRelatedField[Agency] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    rule_label = serializers.CharField(source="get_rule_display", read_only=True)
    documents = DocumentSerializer(many=True, read_only=True)
    register_entry = serializers.SerializerMethodField()
    tally = serializers.SerializerMethodField()
    ballots = serializers.SerializerMethodField()

    class Meta:
        model = Motion
        fields = [
            "id",
            "title",
            "text",
            "meeting",
            "concerns_agency",
            "concerned_agency_recused",
            "rule",
            "rule_label",
            "closes_at",
            "results_hidden",
            "is_secret",
            "quorum_percent",
            "status",
            "outcome",
            "opened_at",
            "closed_at",
            "documents",
            "register_entry",
            "tally",
            "ballots",
        ]

    def get_register_entry(self, motion: Motion) -> int | None:
        entry = getattr(motion, "register_entry", None)  # selected with the motion (selectors.motion_list)
        return entry.number if entry is not None else None

    @extend_schema_field(TallySerializer(allow_null=True))
    def get_tally(self, motion: Motion) -> dict[str, int] | None:
        if motion.status != MotionStatus.OPEN or not selectors.motion_visibility(motion=motion).tally:
            return None  # a closed motion's tally is in its register entry
        tally = selectors.motion_tally(motion=motion)
        return {
            "seats": tally.seats,
            "ballots": tally.ballots,
            "in_favour": tally.in_favour,
            "against": tally.against,
            "abstain": tally.abstain,
            "objections": tally.objections,
        }

    @extend_schema_field(SeatBallotSerializer(many=True))
    def get_ballots(self, motion: Motion) -> list[dict[str, Any]]:
        user = self.context["request"].user
        own = frozenset(agency.pk for agency in selectors.voting_seats_of(user=user))
        rows = selectors.motion_seat_rows(motion=motion, own_agency_ids=own)
        return SeatBallotSerializer(rows, many=True).data  # type: ignore[return-value]


class MotionInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    title = serializers.CharField(max_length=200)
    text = serializers.CharField(max_length=limits.LONG_TEXT)
    rule = serializers.ChoiceField(choices=DecisionRule.choices)
    closes_at = AwareDateTimeField(help_text="ISO 8601 with a time zone; must be in the future.")
    meeting: serializers.PrimaryKeyRelatedField[Meeting] = serializers.PrimaryKeyRelatedField(
        queryset=Meeting.objects.all(), required=False, allow_null=True
    )
    concerns_agency: serializers.SlugRelatedField[Agency] = serializers.SlugRelatedField(
        slug_field="code", queryset=Agency.objects.agencies(), required=False, allow_null=True
    )
    concerned_agency_recused = serializers.BooleanField(required=False, default=False)
    results_hidden = serializers.BooleanField(required=False, default=False)
    is_secret = serializers.BooleanField(required=False, default=False)


class WithdrawInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    reason = serializers.CharField(
        max_length=services.WITHDRAW_REASON_MAX, required=False, allow_blank=True, default=""
    )


class BallotInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    choice = serializers.ChoiceField(choices=BallotChoice.choices)
    agency = serializers.CharField(
        max_length=15,
        required=False,
        help_text="The agency's code; may be left out by someone who votes for one agency only.",
    )


class BallotSerializer(serializers.Serializer):  # type: ignore[type-arg]
    agency = serializers.CharField(source="agency.code")
    choice = serializers.CharField()
    cast_by = serializers.EmailField(source="cast_by.email")
    cast_at = serializers.DateTimeField()


class DocumentInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    title = serializers.CharField(max_length=200)
    file = serializers.FileField()


class RegisterEntrySerializer(serializers.ModelSerializer[RegisterEntry]):
    class Meta:
        model = RegisterEntry
        fields = ["number", "motion", "recorded_at", "content", "previous_hash", "entry_hash"]


class RegisterVerificationSerializer(serializers.Serializer):  # type: ignore[type-arg]
    is_intact = serializers.BooleanField()
    entries_checked = serializers.IntegerField(help_text="Entries that hold, from the first.")
    first_broken_number = serializers.IntegerField(allow_null=True)
    problem = serializers.CharField(allow_blank=True)
    head_hash = serializers.CharField(help_text="The hash of the last entry that holds.")


# --- Views ---------------------------------------------------------------------


class MeetingViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    """Board meetings and their agendas. The secretary creates them."""

    serializer_class = MeetingSerializer

    def get_permissions(self):  # type: ignore[no-untyped-def]
        if self.action == "create":
            return [MayUseThisAddress(), IsBoardSecretary()]
        return [MayUseThisAddress(), IsBoardReader()]

    def get_queryset(self) -> QuerySet[Meeting]:
        return selectors.meeting_list().prefetch_related("motions")

    @extend_schema(request=MeetingInputSerializer, responses={201: MeetingSerializer})
    def create(self, request: Request) -> Response:
        payload = MeetingInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        meeting = services.meeting_create(created_by=request.user, **payload.validated_data)  # type: ignore[arg-type]
        return Response(MeetingSerializer(meeting).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=PDF_RESPONSE)
    @action(detail=True, methods=["get"])
    def minutes(self, request: Request, pk: str | None = None) -> HttpResponse:
        """The meeting's minutes as PDF: agenda, and each motion with its result if decided."""
        meeting = self.get_object()
        response = HttpResponse(
            meeting_minutes_pdf(meeting=meeting, reader=request.user), content_type="application/pdf"
        )
        response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}-minutes.pdf"'
        return response


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=MotionStatus.values, description="Only motions in this status.")
        ]
    )
)
class MotionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    """Motions: the board reads them and casts ballots; the secretary drafts, opens, closes and withdraws them."""

    serializer_class = MotionSerializer
    parser_classes = [BoundedJSONParser, FormParser, MultiPartParser]
    SECRETARY_ACTIONS = {"create", "open", "close", "withdraw", "documents"}

    def get_permissions(self):  # type: ignore[no-untyped-def]
        if self.action in self.SECRETARY_ACTIONS:
            return [MayUseThisAddress(), IsBoardSecretary()]
        return [MayUseThisAddress(), IsBoardReader()]

    def get_queryset(self) -> QuerySet[Motion]:
        wanted = self.request.query_params.get("status") if hasattr(self, "request") else None
        if wanted and wanted not in MotionStatus.values:
            known = ", ".join(MotionStatus.values)
            raise ApplicationError(
                gettext('Unknown status "%(status)s"; choose one of %(known)s.') % {"status": wanted, "known": known},
                code="governance.invalid",
                fields={"status": [gettext("Choose one of %(known)s.") % {"known": known}]},
            )
        return selectors.motion_list(status=wanted).prefetch_related("documents")

    def _done(self, motion: Motion, code: int = status.HTTP_200_OK) -> Response:
        motion = selectors.motion_get(motion_id=motion.pk) or motion
        return Response(self.get_serializer(motion).data, status=code)

    @extend_schema(request=MotionInputSerializer, responses={201: MotionSerializer})
    def create(self, request: Request) -> Response:
        """Draft a motion, in a meeting or (no meeting) to be decided in writing."""
        payload = MotionInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        motion = services.motion_create(created_by=request.user, **payload.validated_data)  # type: ignore[arg-type]
        return self._done(motion, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: MotionSerializer})
    @action(detail=True, methods=["post"])
    def open(self, request: Request, pk: str | None = None) -> Response:
        """Open a draft for votes; every active member agency gets a seat."""
        motion = services.motion_open(motion=self.get_object(), opened_by=request.user)  # type: ignore[arg-type]
        return self._done(motion)

    @extend_schema(request=None, responses={200: RegisterEntrySerializer})
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        """Close an open motion now and record the decision in the register (once)."""
        entry = services.motion_close(motion=self.get_object(), closed_by=request.user)  # type: ignore[arg-type]
        return Response(RegisterEntrySerializer(entry).data)

    @extend_schema(request=WithdrawInputSerializer, responses={200: MotionSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        payload = WithdrawInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        motion = services.motion_withdraw(
            motion=self.get_object(),
            withdrawn_by=request.user,  # type: ignore[arg-type]
            reason=payload.validated_data["reason"],
        )
        return self._done(motion)

    @extend_schema(request={"multipart/form-data": DocumentInputSerializer}, responses={201: DocumentSerializer})
    @action(detail=True, methods=["post"])
    def documents(self, request: Request, pk: str | None = None) -> Response:
        """Attach a document (multipart: title and file)."""
        payload = DocumentInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        document = services.motion_document_add(
            motion=self.get_object(),
            added_by=request.user,  # type: ignore[arg-type]
            title=payload.validated_data["title"],
            file=payload.validated_data["file"],
        )
        return Response(DocumentSerializer(document).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=BallotInputSerializer, responses={201: BallotSerializer})
    @action(detail=True, methods=["post"])
    def ballot(self, request: Request, pk: str | None = None) -> Response:
        """Cast or change your agency's ballot. Choices: for, against, abstain; under the silence procedure
        for (no objection) or object."""
        motion = self.get_object()
        payload = BallotInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        agency = _voting_agency(user=request.user, code=payload.validated_data.get("agency"))  # type: ignore[arg-type]
        ballot = services.ballot_cast(
            motion=motion,
            agency=agency,
            cast_by=request.user,  # type: ignore[arg-type]
            choice=payload.validated_data["choice"],
        )
        return Response(BallotSerializer(ballot).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        responses={
            200: inline_serializer(
                "PaginatedBallotHistory",
                {
                    "count": serializers.IntegerField(),
                    "next": serializers.URLField(allow_null=True),
                    "previous": serializers.URLField(allow_null=True),
                    "results": BallotSerializer(many=True),
                },
            )
        }
    )
    @action(detail=True, methods=["get"])
    def history(self, request: Request, pk: str | None = None) -> Response:
        """Every ballot cast, with who and when: your own agencies' while the motion is open; everyone's
        once it is closed, unless the ballot was secret."""
        motion = self.get_object()
        records: QuerySet[BallotRecord] = selectors.ballot_history(motion=motion)
        if motion.status != MotionStatus.CLOSED or motion.is_secret:
            own = [agency.pk for agency in selectors.voting_seats_of(user=request.user)]
            records = records.filter(agency__in=own)
        page = self.paginate_queryset(records)
        return self.get_paginated_response(BallotSerializer(page, many=True).data)

    @extend_schema(responses=PDF_RESPONSE)
    @action(detail=True, methods=["get"], url_path="result")
    def result(self, request: Request, pk: str | None = None) -> HttpResponse:
        """The result sheet of a closed motion as PDF (409 while it is not decided)."""
        motion = self.get_object()
        response = HttpResponse(motion_result_pdf(motion=motion, reader=request.user), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="motion-{motion.pk}-result.pdf"'
        return response


def _voting_agency(*, user: User, code: str | None) -> Agency:
    """The agency a ballot is for: the one named, or the only one this person votes for."""
    if code:
        agency = Agency.objects.agencies().filter(code=code.strip().upper()).first()
        if agency is None:
            raise ApplicationError(
                gettext('No agency has the code "%(code)s".') % {"code": code},
                code="governance.invalid_agency",
                fields={"agency": [gettext("Unknown.")]},
            )
        return agency
    seats = selectors.voting_seats_of(user=user)
    if len(seats) == 1:
        return seats[0]
    if not seats:
        raise ApplicationError(
            gettext("You hold no voting seat: only an agency's representative or alternates vote."),
            code="governance.not_your_agency",
            status_code=403,
        )
    raise ApplicationError(
        gettext("You vote for %(agencies)s: name the agency.") % {"agencies": ", ".join(a.code for a in seats)},
        code="governance.agency_required",
        fields={"agency": [gettext("Required: you vote for more than one agency.")]},
    )


class RegisterViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    """The decision register, newest first: read-only, on the facility portal and every agency's address."""

    serializer_class = RegisterEntrySerializer
    lookup_field = "number"
    lookup_value_regex = "[0-9]+"

    def get_queryset(self) -> QuerySet[RegisterEntry]:
        return selectors.register_entry_list()

    @extend_schema(responses={200: RegisterVerificationSerializer})
    @action(detail=False, methods=["get"])
    def verify(self, request: Request) -> Response:
        """Verify the whole hash chain from the first entry; names the first broken entry, if any."""
        result = register_verify()
        return Response(
            RegisterVerificationSerializer(
                {
                    "is_intact": result.is_intact,
                    "entries_checked": result.entries_checked,
                    "first_broken_number": result.first_broken_number,
                    "problem": result.problem,
                    "head_hash": result.head_hash,
                }
            ).data
        )
