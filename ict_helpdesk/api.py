"""API for the helpdesk, with the same rules as the pages (the same services and selectors).

An agency's address: /api/helpdesk/tickets/ (the caller's tickets, an
approver's: the agency's), raising, replying, reopening, closing, rating, the
files, and the survey link. The facility portal: /api/helpdesk/queue/ across
agencies, a ticket by reference and the agents' actions. Internal notes and
their files appear only in the facility's answers.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

from django.db import connection
from django.http import FileResponse, Http404
from django.utils.translation import gettext
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from accounts.permissions import IsFacilityManagerOrReadOnly
from ledger.api import LedgerClockSerializer, clocks_data
from ledger.models import LedgerEntry
from service_levels.models import Category, Impact, Module, Priority, Urgency
from service_levels.selectors import category_list, priority_matrix
from service_levels.services import priority_matrix_save
from shared_platform import limits
from shared_platform.api import BoundedJSONParser
from shared_platform.errors import ApplicationError, form_errors_as_error

from . import services
from .downloads import attachment_response
from .forms import AgencyTicketFilterForm, QueueFilterForm
from .models import Attachment, Message, Ticket, TicketKind
from .selectors import (
    agency_ticket,
    attachments,
    conversation,
    is_helpdesk_agent,
    is_helpdesk_reader,
    may_see_ticket,
    queue,
    sees_whole_agency,
    survey_ticket,
    ticket_get,
    ticket_list,
)
from .services import reopen_deadline

UPLOAD_PARSERS = [MultiPartParser, FormParser, BoundedJSONParser]


# -- serializers -----------------------------------------------------------------------------


class AttachmentSerializer(serializers.ModelSerializer[Attachment]):
    class Meta:
        model = Attachment
        fields = ["id", "name", "content_type", "size", "uploaded_at"]


class MessageSerializer(serializers.ModelSerializer[Message]):
    author: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="email", read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Message
        fields = ["id", "author", "by_agent", "internal", "body", "created_at", "attachments"]


class TicketSerializer(serializers.ModelSerializer[Ticket]):
    """A ticket as its agency sees it; its status, priority and clocks come from the ledger."""

    category: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="code", read_only=True)
    requester: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="email", read_only=True)
    agency = serializers.CharField(source="entry.agency.code", read_only=True)
    service = serializers.CharField(source="entry.service.code", read_only=True)
    priority = serializers.CharField(source="entry.priority", read_only=True)
    status = serializers.CharField(source="entry.status", read_only=True)
    held_by = serializers.CharField(source="entry.held_by", read_only=True)
    assignee = serializers.SerializerMethodField()
    resolved_at = serializers.DateTimeField(source="entry.completed_at", read_only=True, allow_null=True)
    closed_at = serializers.DateTimeField(source="entry.closed_at", read_only=True, allow_null=True)
    breached = serializers.BooleanField(source="entry.breached", read_only=True)

    class Meta:
        model = Ticket
        fields = [
            "reference",
            "agency",
            "kind",
            "service",
            "category",
            "impact",
            "urgency",
            "priority",
            "status",
            "held_by",
            "subject",
            "requester",
            "assignee",
            "created_at",
            "first_agent_reply_at",
            "resolved_at",
            "closed_at",
            "breached",
        ]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_assignee(self, ticket: Ticket) -> str | None:
        assignee = ticket.entry.assignee
        return (assignee.get_full_name() or assignee.email) if assignee else None


class TicketDetailSerializer(TicketSerializer):
    clocks = serializers.SerializerMethodField()
    messages = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()
    satisfaction = serializers.IntegerField(source="entry.satisfaction", read_only=True, allow_null=True)
    reopen_until = serializers.SerializerMethodField()

    class Meta(TicketSerializer.Meta):
        fields = [
            *TicketSerializer.Meta.fields,
            "description",
            "resolution_note",
            "clocks",
            "messages",
            "attachments",
            "satisfaction",
            "reopen_until",
        ]

    @extend_schema_field(LedgerClockSerializer(many=True))
    def get_clocks(self, ticket: Ticket) -> Any:
        return clocks_data(ticket.entry)

    def _internal(self) -> bool:
        return bool(self.context.get("include_internal"))

    @extend_schema_field(MessageSerializer(many=True))
    def get_messages(self, ticket: Ticket) -> Any:
        return MessageSerializer(conversation(ticket=ticket, include_internal=self._internal()), many=True).data

    @extend_schema_field(AttachmentSerializer(many=True))
    def get_attachments(self, ticket: Ticket) -> Any:
        files = attachments(ticket=ticket, include_internal=self._internal()).filter(message__isnull=True)
        return AttachmentSerializer(files, many=True).data

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_reopen_until(self, ticket: Ticket) -> str | None:
        deadline = reopen_deadline(ticket.entry)
        return deadline.isoformat() if deadline else None


class CategorySerializer(serializers.ModelSerializer[Category]):
    class Meta:
        model = Category
        fields = ["code", "name", "is_active"]


class TicketRaiseSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=TicketKind.choices)
    category = serializers.SlugRelatedField(
        slug_field="code", queryset=Category.objects.filter(module=Module.ICT, is_active=True)
    )
    impact = serializers.ChoiceField(choices=Impact.choices)
    urgency = serializers.ChoiceField(choices=Urgency.choices)
    subject = serializers.CharField(max_length=limits.NAME)
    description = serializers.CharField(max_length=limits.LONG_TEXT)
    attachments = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class ReplySerializer(serializers.Serializer[Any]):
    body = serializers.CharField(max_length=limits.LONG_TEXT)
    internal = serializers.BooleanField(default=False, help_text="Facility portal only: a note agents alone see.")
    attachments = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class ReasonSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=200)


class RateSerializer(serializers.Serializer[Any]):
    score = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=limits.SHORT_TEXT, default="")


class SurveySerializer(RateSerializer):
    token = serializers.CharField(
        max_length=limits.TOKEN, help_text="The signed part of the survey link in the resolution e-mail."
    )


class AssignSerializer(serializers.Serializer[Any]):
    assignee = serializers.SlugRelatedField(slug_field="email", queryset=User.objects.all())


class PrioritySerializer(serializers.Serializer[Any]):
    impact = serializers.ChoiceField(choices=Impact.choices)
    urgency = serializers.ChoiceField(choices=Urgency.choices)
    reason = serializers.CharField(max_length=200)


class PendingSerializer(serializers.Serializer[Any]):
    waiting_on = serializers.ChoiceField(choices=[("requester", "The requester"), ("supplier", "A supplier")])
    reason = serializers.CharField(max_length=200)


class ResolveSerializer(serializers.Serializer[Any]):
    resolution_note = serializers.CharField(max_length=limits.LONG_TEXT)


class QueueEntrySerializer(serializers.ModelSerializer[LedgerEntry]):
    agency: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="code", read_only=True)
    service: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="code", read_only=True)
    category: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="code", read_only=True)
    assignee: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="email", read_only=True)
    next_due = serializers.DateTimeField(read_only=True, allow_null=True, help_text="Earliest due time still ahead.")
    overdue_since = serializers.DateTimeField(read_only=True, allow_null=True, help_text="A running clock ran out.")

    class Meta:
        model = LedgerEntry
        fields = [
            "reference",
            "agency",
            "service",
            "category",
            "title",
            "priority",
            "status",
            "held_by",
            "assignee",
            "opened_at",
            "next_due",
            "overdue_since",
            "breached",
        ]


def _valid(serializer_class: type[serializers.Serializer[Any]], request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


# -- an agency's address ------------------------------------------------------------------------


class _AgencySide(APIView):
    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if request.tenant.is_facility:  # type: ignore[attr-defined]
            raise Http404("Tickets are raised on the agency's own address; the facility uses /api/helpdesk/queue/.")

    def ticket(self, request: Request, reference: str) -> Ticket:
        ticket = ticket_get(reference=reference)
        if ticket is None or not may_see_ticket(user=request.user, ticket=ticket):
            raise Http404("No such ticket here.")
        return ticket

    def detail(self, request: Request, ticket: Ticket, code: int = status.HTTP_200_OK) -> Response:
        ticket = ticket_get(reference=ticket.reference) or ticket
        data = TicketDetailSerializer(ticket, context={"include_internal": False}).data
        return Response(data, status=code)


@extend_schema(
    tags=["helpdesk"],
    parameters=[
        OpenApiParameter("whose", str, enum=["mine", "agency"], description="An approver may list the whole agency's."),
        OpenApiParameter("status", str, description="open (in progress) or one status."),
        OpenApiParameter("q", str, description="Words of the subject, or a reference."),
    ],
)
class TicketListApi(_AgencySide, ListAPIView):  # type: ignore[type-arg]
    """The caller's tickets (an approver's: the agency's), newest first, 25 per page; POST raises one."""

    serializer_class = TicketSerializer
    parser_classes = UPLOAD_PARSERS

    def get_queryset(self) -> Any:
        agency = self.request.tenant  # type: ignore[attr-defined]
        form = AgencyTicketFilterForm(
            self.request.query_params, whole_agency=sees_whole_agency(user=self.request.user, agency=agency)
        )
        if not form.is_valid():
            raise form_errors_as_error(form, code="helpdesk.invalid_filter")
        return ticket_list(user=self.request.user, agency=agency, filters=form.filters())  # type: ignore[arg-type]

    @extend_schema(request=TicketRaiseSerializer, responses={201: TicketDetailSerializer})
    def post(self, request: Request) -> Response:
        data = _valid(TicketRaiseSerializer, request)
        data["files"] = data.pop("attachments")
        ticket = services.ticket_raise(agency=request.tenant, requester=request.user, **data)  # type: ignore[attr-defined,arg-type]
        return self.detail(request, ticket, status.HTTP_201_CREATED)


@extend_schema(tags=["helpdesk"])
class TicketDetailApi(_AgencySide):
    @extend_schema(responses=TicketDetailSerializer)
    def get(self, request: Request, reference: str) -> Response:
        return self.detail(request, self.ticket(request, reference))


@extend_schema(tags=["helpdesk"])
class ReplyApi(_AgencySide):
    """A public reply by the requester (or an approver); on a ticket pending on them, it resumes the clocks."""

    parser_classes = UPLOAD_PARSERS

    @extend_schema(request=ReplySerializer, responses={201: TicketDetailSerializer})
    def post(self, request: Request, reference: str) -> Response:
        ticket = self.ticket(request, reference)
        data = _valid(ReplySerializer, request)
        data["files"] = data.pop("attachments")
        services.ticket_reply(ticket=ticket, author=request.user, **data)  # type: ignore[arg-type]
        return self.detail(request, ticket, status.HTTP_201_CREATED)


@extend_schema(tags=["helpdesk"])
class ReopenApi(_AgencySide):
    @extend_schema(request=ReasonSerializer, responses=TicketDetailSerializer)
    def post(self, request: Request, reference: str) -> Response:
        ticket = self.ticket(request, reference)
        services.ticket_reopen(ticket=ticket, actor=request.user, **_valid(ReasonSerializer, request))  # type: ignore[arg-type]
        return self.detail(request, ticket)


@extend_schema(tags=["helpdesk"])
class CloseApi(_AgencySide):
    """The requester confirms the fix: a resolved ticket closes."""

    @extend_schema(request=None, responses=TicketDetailSerializer)
    def post(self, request: Request, reference: str) -> Response:
        ticket = self.ticket(request, reference)
        services.ticket_close(ticket=ticket, actor=request.user)  # type: ignore[arg-type]
        return self.detail(request, ticket)


@extend_schema(tags=["helpdesk"])
class RateApi(_AgencySide):
    """Rate a resolved ticket, once: 1 (very poor) to 5 (excellent), with an optional comment."""

    @extend_schema(request=RateSerializer, responses={201: TicketDetailSerializer})
    def post(self, request: Request, reference: str) -> Response:
        ticket = self.ticket(request, reference)
        services.ticket_rate(ticket=ticket, by=request.user, **_valid(RateSerializer, request))  # type: ignore[arg-type]
        return self.detail(request, ticket, status.HTTP_201_CREATED)


@extend_schema(tags=["helpdesk"], responses={(200, "application/octet-stream"): bytes})
class AttachmentApi(_AgencySide):
    def get(self, request: Request, reference: str, pk: int) -> FileResponse:
        return attachment_response(ticket=self.ticket(request, reference), pk=pk, include_internal=False)


@extend_schema(tags=["helpdesk"])
class SurveyApi(APIView):
    """Answer the survey of the resolution e-mail with its signed token (no sign-in needed; works once)."""

    permission_classes: list[Any] = []
    authentication_classes: list[Any] = []

    @extend_schema(
        request=SurveySerializer,
        responses={
            201: inline_serializer(
                "SurveyAnswer", {"reference": serializers.CharField(), "score": serializers.IntegerField()}
            )
        },
    )
    def post(self, request: Request) -> Response:
        if request.tenant.is_facility:  # type: ignore[attr-defined]
            raise Http404("Surveys are answered on the agency's address.")
        data = _valid(SurveySerializer, request)
        ticket = survey_ticket(token=data.pop("token"), schema_name=connection.schema_name)  # type: ignore[attr-defined]
        survey = services.ticket_rate(ticket=ticket, by=None, **data)
        return Response({"reference": ticket.reference, "score": survey.score}, status=status.HTTP_201_CREATED)


@extend_schema(tags=["helpdesk"])
class CategoryListApi(ListAPIView):  # type: ignore[type-arg]
    """The ICT categories (the ones offered to requesters, and on the portal the retired ones too)."""

    serializer_class = CategorySerializer
    pagination_class = None

    def get_queryset(self) -> Any:
        return category_list(module=Module.ICT, offered_only=not self.request.tenant.is_facility)  # type: ignore[attr-defined]


# -- the facility portal ------------------------------------------------------------------------


class _FacilitySide(APIView):
    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if not request.tenant.is_facility:  # type: ignore[attr-defined]
            raise Http404("The queue is on the facility portal.")
        if not is_helpdesk_reader(user=request.user):
            raise PermissionDenied("Only the facility's staff work the helpdesk queue.")

    def ticket(self, request: Request, reference: str) -> AbstractContextManager[Ticket]:
        return agency_ticket(reference=reference)

    def detail(self, ticket: Ticket, code: int = status.HTTP_200_OK) -> Response:
        ticket = ticket_get(reference=ticket.reference) or ticket
        return Response(TicketDetailSerializer(ticket, context={"include_internal": True}).data, status=code)


@extend_schema(
    tags=["helpdesk"],
    parameters=[
        OpenApiParameter("agency", str, description="Agency code."),
        OpenApiParameter("category", int, description="Category id."),
        OpenApiParameter("priority", str, enum=Priority.values),
        OpenApiParameter("status", str, description="active (default: new, open, pending), empty for all, or one."),
        OpenApiParameter("assignee", str, description="none, or an agent's user id."),
        OpenApiParameter("q", str, description="A reference, or words of the title."),
    ],
)
class QueueApi(_FacilitySide, ListAPIView):  # type: ignore[type-arg]
    """One queue across every agency, the most urgent first (a running clock overdue, then the earliest due)."""

    serializer_class = QueueEntrySerializer

    def get_queryset(self) -> Any:
        form = QueueFilterForm(self.request.query_params or None)
        if self.request.query_params and not form.is_valid():
            raise form_errors_as_error(form, code="helpdesk.invalid_filter")
        return queue(filters=form.filters())


@extend_schema(tags=["helpdesk"])
class AgentTicketApi(_FacilitySide):
    """A ticket with its whole conversation, internal notes included."""

    @extend_schema(responses=TicketDetailSerializer)
    def get(self, request: Request, reference: str) -> Response:
        with self.ticket(request, reference) as ticket:
            return self.detail(ticket)


def _agent_check(request: Request) -> None:
    if not is_helpdesk_agent(user=request.user):
        raise PermissionDenied("Only the facility's ICT agents act on tickets.")


@extend_schema(tags=["helpdesk"])
class AgentReplyApi(_FacilitySide):
    """A public reply (the first one stops the first-response clock) or, with internal=true, an internal note."""

    parser_classes = UPLOAD_PARSERS

    @extend_schema(request=ReplySerializer, responses={201: TicketDetailSerializer})
    def post(self, request: Request, reference: str) -> Response:
        _agent_check(request)
        data = _valid(ReplySerializer, request)
        data["files"] = data.pop("attachments")
        with self.ticket(request, reference) as ticket:
            services.ticket_reply(ticket=ticket, author=request.user, **data)  # type: ignore[arg-type]
            return self.detail(ticket, status.HTTP_201_CREATED)


# action: (its input, what it does)
AGENT_ACTIONS: dict[str, tuple[type[serializers.Serializer[Any]] | None, Any]] = {
    "take": (None, lambda ticket, user, data: services.ticket_take(ticket=ticket, agent=user)),
    "assign": (AssignSerializer, lambda ticket, user, data: services.ticket_assign(ticket=ticket, actor=user, **data)),
    "priority": (
        PrioritySerializer,
        lambda ticket, user, data: services.ticket_reprioritise(ticket=ticket, actor=user, **data),
    ),
    "pending": (
        PendingSerializer,
        lambda ticket, user, data: services.ticket_pending(ticket=ticket, actor=user, **data),
    ),
    "resume": (None, lambda ticket, user, data: services.ticket_resume(ticket=ticket, actor=user)),
    "resolve": (
        ResolveSerializer,
        lambda ticket, user, data: services.ticket_resolve(ticket=ticket, actor=user, **data),
    ),
    "reopen": (ReasonSerializer, lambda ticket, user, data: services.ticket_reopen(ticket=ticket, actor=user, **data)),
    "close": (None, lambda ticket, user, data: services.ticket_close(ticket=ticket, actor=user)),
}


@extend_schema(
    tags=["helpdesk"],
    parameters=[OpenApiParameter("action", str, OpenApiParameter.PATH, enum=list(AGENT_ACTIONS))],
    request=inline_serializer(
        "AgentAction",
        {
            "assignee": serializers.EmailField(required=False, help_text="assign"),
            "impact": serializers.ChoiceField(choices=Impact.choices, required=False, help_text="priority"),
            "urgency": serializers.ChoiceField(choices=Urgency.choices, required=False, help_text="priority"),
            "waiting_on": serializers.ChoiceField(
                choices=["requester", "supplier"], required=False, help_text="pending"
            ),
            "reason": serializers.CharField(max_length=200, required=False, help_text="priority, pending, reopen"),
            "resolution_note": serializers.CharField(max_length=limits.LONG_TEXT, required=False, help_text="resolve"),
        },
    ),
    responses=TicketDetailSerializer,
)
class AgentActionApi(_FacilitySide):
    """take, assign, priority, pending, resume, resolve, reopen, close: the same rules as the ticket page."""

    def post(self, request: Request, reference: str, action: str) -> Response:
        if action not in AGENT_ACTIONS:
            raise ApplicationError(
                gettext("Unknown action “%(action)s”; one of: %(actions)s.")
                % {"action": action, "actions": ", ".join(AGENT_ACTIONS)},
                code="helpdesk.unknown_action",
                status_code=404,
            )
        _agent_check(request)
        serializer_class, call = AGENT_ACTIONS[action]
        data = _valid(serializer_class, request) if serializer_class else {}
        with self.ticket(request, reference) as ticket:
            call(ticket, request.user, data)
            return self.detail(ticket)


@extend_schema(tags=["helpdesk"], responses={(200, "application/octet-stream"): bytes})
class AgentAttachmentApi(_FacilitySide):
    def get(self, request: Request, reference: str, pk: int) -> FileResponse:
        with self.ticket(request, reference) as ticket:
            return attachment_response(ticket=ticket, pk=pk, include_internal=True)


MATRIX_CELL = inline_serializer(
    "PriorityCell",
    {
        "impact": serializers.ChoiceField(choices=Impact.choices),
        "urgency": serializers.ChoiceField(choices=Urgency.choices),
        "priority": serializers.ChoiceField(choices=Priority.choices),
    },
    many=True,
)


class MatrixCellSerializer(serializers.Serializer[Any]):
    impact = serializers.ChoiceField(choices=Impact.choices)
    urgency = serializers.ChoiceField(choices=Urgency.choices)
    priority = serializers.ChoiceField(choices=Priority.choices)


@extend_schema(tags=["helpdesk"])
class PriorityMatrixApi(APIView):
    """The impact x urgency matrix: everyone on the portal reads it, the facility manager changes cells."""

    permission_classes = [IsFacilityManagerOrReadOnly]

    def _cells(self) -> list[dict[str, str]]:
        return [
            {"impact": impact, "urgency": urgency, "priority": priority}
            for (impact, urgency), priority in sorted(priority_matrix().items())
        ]

    @extend_schema(responses=MATRIX_CELL)
    def get(self, request: Request) -> Response:
        return Response(self._cells())

    @extend_schema(request=MATRIX_CELL, responses=MATRIX_CELL)
    def put(self, request: Request) -> Response:
        serializer = MatrixCellSerializer(data=request.data, many=True)
        serializer.is_valid(raise_exception=True)
        priority_matrix_save(cells={(c["impact"], c["urgency"]): c["priority"] for c in serializer.validated_data})
        return Response(self._cells())
