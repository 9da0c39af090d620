"""The API of long-term agreements under /api/sourcing/, with the same rules as the pages.

An agency's address: `agreements/` (those it owns, takes part in, or could
join; `?tab=ours|part|open`), one agreement (its own consumption line, or
every agency's for the owner; none for an agency that could join), asking to
join (`piggybacks/`), the owner's decision (`piggybacks/<id>/decide/`), a
call-off (`call-offs/`: quantities per item; answers the requisition's
reference), and the agreement's documents (owner and participants).

The facility portal: every agreement (`?status=in_force|expired|near_ceiling`),
one agreement with every agency's consumption, making one from an award
(`agreements/from-award/`) or recording one from a contract
(`agreements/from-contract/`), and adding documents (multipart `files`).
Every write is one service call (sourcing.services.agreements).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import Http404
from django.urls import URLPattern, URLResolver, path
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import FacilityPortalOnly, MayUseThisAddress
from shared_platform import limits
from shared_platform.api import FILE_RESPONSE, LARGEST_ID, DecimalStringField, PersonField, id_check
from shared_platform.errors import ApplicationError, form_errors_as_error
from tenants.models import Agency
from vendors.models import Vendor

from .. import access
from ..forms.agreements import FacilityFilterForm
from ..models import LongTermAgreement, PiggybackRequest, SourceKind
from ..selectors import agreements as selectors
from ..services import agreements as services
from ..views.agreements import AGENCY_TABS, document_response

REFERENCE_MAX = 30


def _money(**options: Any) -> DecimalStringField:
    return DecimalStringField(max_digits=14, decimal_places=2, min_value=Decimal("0.01"), **options)


# -- what the answers carry ------------------------------------------------------------------------


class LongTermAgreementSerializer(serializers.Serializer[Any]):
    reference = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True)
    owner = serializers.CharField(source="owner.code", read_only=True)
    vendor = serializers.IntegerField(source="vendor_id", read_only=True)
    vendor_name = serializers.CharField(source="vendor.legal_name", read_only=True)
    valid_from = serializers.DateField(read_only=True)
    valid_until = serializers.DateField(read_only=True)
    ceiling_usd = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)
    source_kind = serializers.ChoiceField(choices=SourceKind.choices, read_only=True)
    source_reference = serializers.CharField(read_only=True)


class FacilityLongTermAgreementSerializer(LongTermAgreementSerializer):
    consumed_usd = serializers.DecimalField(source="consumed", max_digits=16, decimal_places=2, read_only=True)


class AgreementItemSerializer(serializers.Serializer[Any]):
    position = serializers.IntegerField(read_only=True)
    description = serializers.CharField(read_only=True)
    category = serializers.CharField(source="category.code", read_only=True)
    unit = serializers.CharField(read_only=True)
    unit_price_usd = serializers.DecimalField(max_digits=16, decimal_places=4, read_only=True)


class AgreementConsumptionLineSerializer(serializers.Serializer[Any]):
    agency = serializers.CharField(source="agency.code", read_only=True)
    joined_via = serializers.CharField(read_only=True)
    ceiling_usd = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True, allow_null=True)
    consumed_usd = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)
    remaining_usd = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True, allow_null=True)


class AgreementFiguresSerializer(serializers.Serializer[Any]):
    ceiling_usd = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)
    consumed_usd = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)
    remaining_usd = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)
    percent = serializers.IntegerField(read_only=True)
    near_ceiling = serializers.BooleanField(read_only=True, help_text="80 % or more of the ceiling is consumed.")
    agencies = AgreementConsumptionLineSerializer(
        many=True, read_only=True, help_text="Every agency's line for the owner and the facility; else one's own."
    )


class AgreementDocumentSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    content_type = serializers.CharField(read_only=True)
    size = serializers.IntegerField(read_only=True)
    uploaded_at = serializers.DateTimeField(read_only=True)


class PiggybackRequestSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(read_only=True)
    agency = serializers.CharField(source="agency.code", read_only=True)
    reason = serializers.CharField(read_only=True)
    expected_spend_usd = serializers.DecimalField(
        source="requested_ceiling_usd", max_digits=16, decimal_places=2, read_only=True, allow_null=True
    )
    requested_by = PersonField()
    requested_at = serializers.DateTimeField(read_only=True)
    status = serializers.CharField(read_only=True)
    decided_by = PersonField()
    decided_at = serializers.DateTimeField(read_only=True, allow_null=True)
    decision_note = serializers.CharField(read_only=True)


class LongTermAgreementDetailSerializer(LongTermAgreementSerializer):
    terms = serializers.CharField(read_only=True)
    in_force = serializers.BooleanField(read_only=True)
    items = AgreementItemSerializer(many=True, read_only=True)
    figures = AgreementFiguresSerializer(
        read_only=True, allow_null=True, help_text="Null for an agency that does not take part."
    )
    documents = AgreementDocumentSerializer(
        many=True, read_only=True, allow_null=True, help_text="Null for an agency that does not take part."
    )
    piggybacks = PiggybackRequestSerializer(
        many=True, read_only=True, help_text="Every request for the owner and the facility; else one's own."
    )
    join_refusal = serializers.CharField(
        read_only=True, help_text="Why the caller may not ask to join for their agency; empty if they may."
    )
    call_off_refusal = serializers.CharField(
        read_only=True, help_text="Why the caller may not raise a call-off for their agency; empty if they may."
    )


def detail_data(agreement: LongTermAgreement, *, agency: Agency | None, user: Any) -> dict[str, Any]:
    """An agreement as `agency` (None: the facility) may read it."""
    today = timezone.localdate()
    takes_part = agency is None or access.takes_part(agreement=agreement, agency=agency)
    every_line = agency is None or access.sees_every_agency_line(agreement=agreement, agency=agency)
    reads_documents = agency is None or access.may_read_documents(agreement=agreement, agency=agency)
    figures = (
        selectors.agreement_figures(agreement=agreement, agency=None if every_line else agency) if takes_part else None
    )
    return {
        "reference": agreement.reference,
        "title": agreement.title,
        "owner": agreement.owner,
        "vendor_id": agreement.vendor_id,
        "vendor": agreement.vendor,
        "valid_from": agreement.valid_from,
        "valid_until": agreement.valid_until,
        "ceiling_usd": agreement.ceiling_usd,
        "source_kind": agreement.source_kind,
        "source_reference": agreement.source_reference,
        "terms": agreement.terms,
        "in_force": selectors.is_in_force(agreement=agreement, on=today),
        "items": list(agreement.items.select_related("category")),
        "figures": figures,
        "documents": list(agreement.documents.all()) if reads_documents else None,
        "piggybacks": list(selectors.piggybacks_of(agreement=agreement, agency=agency)),
        "join_refusal": ""
        if agency is None
        else access.join_refusal(user=user, agency=agency, agreement=agreement, on=today),
        "call_off_refusal": ""
        if agency is None
        else access.call_off_refusal(user=user, agency=agency, agreement=agreement, on=today),
    }


# -- what the requests carry ------------------------------------------------------------------------


class PiggybackRequestInputSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=limits.SHORT_TEXT, help_text="Why the agency wants to join.")
    expected_spend_usd = _money(required=False, allow_null=True, default=None)


class PiggybackDecideInputSerializer(serializers.Serializer[Any]):
    decision = serializers.ChoiceField(choices=["accept", "refuse"])
    note = serializers.CharField(
        max_length=limits.SHORT_TEXT, required=False, allow_blank=True, default="", help_text="Required to refuse."
    )
    agency_ceiling_usd = _money(
        required=False, allow_null=True, default=None, help_text="When accepting: the agency's own ceiling."
    )


class CallOffInputSerializer(serializers.Serializer[Any]):
    quantities = serializers.DictField(
        child=DecimalStringField(max_digits=12, decimal_places=2, min_value=Decimal("0")),
        allow_empty=False,
        help_text='Quantity per item of the price schedule, by its position: {"1": "3", "2": "0.5"}.',
    )
    delivery_place = serializers.CharField(max_length=limits.NAME)
    delivery_date = serializers.DateField()
    charge_code = serializers.CharField(max_length=60)
    justification = serializers.CharField(max_length=limits.LONG_TEXT)

    def validate_quantities(self, value: dict[str, Decimal]) -> dict[str, Decimal]:
        if len(value) > services.MAX_ITEMS:
            raise serializers.ValidationError(
                gettext("At most %(count)d items.") % {"count": services.MAX_ITEMS}, code="too_many"
            )
        return value


class CallOffAnswerSerializer(serializers.Serializer[Any]):
    requisition = serializers.CharField(read_only=True, help_text="The call-off's requisition (its reference).")
    estimated_total = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    status = serializers.CharField(read_only=True)


class AgreementTermsInputSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=limits.NAME)
    valid_from = serializers.DateField()
    valid_until = serializers.DateField()
    ceiling_usd = _money()
    participants = serializers.ListField(
        child=serializers.CharField(max_length=15),
        required=False,
        default=list,
        max_length=services.MAX_PARTICIPANTS,
        help_text="The founding agencies' codes (the owner always takes part).",
    )
    agency_ceilings = serializers.DictField(
        child=_money(),
        required=False,
        default=dict,
        help_text='An agency\'s own ceiling by its code: {"UNFPA": "50000.00"}.',
    )
    terms = serializers.CharField(max_length=limits.LONG_TEXT, required=False, allow_blank=True, default="")

    def validate_agency_ceilings(self, value: dict[str, Decimal]) -> dict[str, Decimal]:
        if len(value) > services.MAX_PARTICIPANTS:
            raise serializers.ValidationError(gettext("Too many agencies."), code="too_many")
        return value


class AgreementFromAwardInputSerializer(AgreementTermsInputSerializer):
    requisition_reference = serializers.CharField(max_length=40, help_text="The awarded purchase's requisition.")


class AgreementItemInputSerializer(serializers.Serializer[Any]):
    description = serializers.CharField(max_length=limits.NAME)
    category = serializers.CharField(max_length=40, help_text="A supply category's code.")
    unit = serializers.CharField(max_length=30)
    unit_price_usd = _money()


class AgreementContractInputSerializer(AgreementTermsInputSerializer):
    owner = serializers.CharField(max_length=15, help_text="The owner agency's code.")
    vendor = serializers.IntegerField(min_value=1, max_value=LARGEST_ID, help_text="An active vendor's id.")
    contract_reference = serializers.CharField(max_length=limits.REFERENCE)
    items = AgreementItemInputSerializer(many=True, allow_empty=False, max_length=services.MAX_ITEMS)  # type: ignore[call-arg]


class AgreementFilesSerializer(serializers.Serializer[Any]):
    files = serializers.ListField(child=serializers.FileField(), allow_empty=False, max_length=services.MAX_DOCUMENTS)


def _valid(serializer_class: type[serializers.Serializer[Any]], request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _field_error(field: str, message: str) -> ApplicationError:
    return ApplicationError(message, code="sourcing.invalid", fields={field: [message]})


def _agency_of(code: str, *, field: str) -> Agency:
    agency = Agency.objects.agencies().filter(code=code, is_active=True).first()
    if agency is None:
        raise _field_error(field, gettext("No agency %(code)s.") % {"code": code[:15]})
    return agency


def _terms(data: dict[str, Any]) -> dict[str, Any]:
    """The common terms as the services take them: agencies by code turned into agencies."""
    participants = [_agency_of(code, field="participants") for code in data.pop("participants")]
    ceilings = {_agency_of(code, field="agency_ceilings"): value for code, value in data.pop("agency_ceilings").items()}
    return {**data, "participants": participants, "agency_ceilings": ceilings}


def _reference_check(reference: str) -> None:
    if len(reference) > REFERENCE_MAX:
        raise Http404("No such agreement.")


# -- an agency's address ---------------------------------------------------------------------------


class OnAgencyAddress(BasePermission):
    """An agency's agreements are read on its own address."""

    message = gettext_lazy("An agency's agreements are on its own address.")

    def has_permission(self, request, view) -> bool:  # type: ignore[no-untyped-def]
        return not request.tenant.is_facility


class _AgencySide(APIView):
    permission_classes = [MayUseThisAddress, OnAgencyAddress]

    def agreement(self, request: Request, reference: str) -> LongTermAgreement:
        _reference_check(reference)
        agreement = selectors.agreement_for_agency(
            agency=request.tenant,  # type: ignore[attr-defined]
            reference=reference,
            on=timezone.localdate(),
        )
        if agreement is None:
            raise Http404("No such agreement here.")
        return agreement

    def detail(self, request: Request, reference: str, code: int = status.HTTP_200_OK) -> Response:
        agreement = self.agreement(request, reference)
        data = detail_data(agreement, agency=request.tenant, user=request.user)  # type: ignore[attr-defined]
        return Response(LongTermAgreementDetailSerializer(data).data, status=code)


@extend_schema(
    tags=["sourcing"],
    parameters=[
        OpenApiParameter(
            "tab", str, enum=list(AGENCY_TABS), description="ours, part (takes part), open (could join); all if none."
        )
    ],
)
class AgencyAgreementListApi(_AgencySide, ListAPIView):  # type: ignore[type-arg]
    """The agreements the agency owns, takes part in, or could join; the latest valid first."""

    serializer_class = LongTermAgreementSerializer

    def get_queryset(self) -> Any:
        tab = self.request.query_params.get("tab", "")
        if tab and tab not in AGENCY_TABS:
            raise _field_error("tab", gettext("Choose ours, part or open."))
        rows = selectors.agreements_for_agency(
            agency=self.request.tenant,  # type: ignore[attr-defined]
            on=timezone.localdate(),
            tab=tab,
        )
        return rows.order_by("-valid_until", "reference")


@extend_schema(tags=["sourcing"])
class AgencyAgreementDetailApi(_AgencySide):
    """One agreement: its schedule, and (for an agency that takes part) its ceiling and documents."""

    @extend_schema(responses=LongTermAgreementDetailSerializer)
    def get(self, request: Request, reference: str) -> Response:
        return self.detail(request, reference)


@extend_schema(tags=["sourcing"])
class PiggybackRequestApi(_AgencySide):
    """An approver asks for their agency to join; the owner's approvers are e-mailed."""

    @extend_schema(request=PiggybackRequestInputSerializer, responses={201: LongTermAgreementDetailSerializer})
    def post(self, request: Request, reference: str) -> Response:
        agreement = self.agreement(request, reference)
        data = _valid(PiggybackRequestInputSerializer, request)
        services.piggyback_request(agreement=agreement, agency=request.tenant, by=request.user, **data)  # type: ignore[attr-defined,arg-type]
        return self.detail(request, reference, status.HTTP_201_CREATED)


@extend_schema(tags=["sourcing"])
class PiggybackDecideApi(_AgencySide):
    """An approver of the owner accepts (optionally with the agency's own ceiling) or refuses, saying why."""

    @extend_schema(request=PiggybackDecideInputSerializer, responses=LongTermAgreementDetailSerializer)
    def post(self, request: Request, reference: str, pk: int) -> Response:
        id_check(pk)
        agreement = self.agreement(request, reference)
        if agreement.owner_id != request.tenant.pk:  # type: ignore[attr-defined]
            raise Http404("Only the owner's address decides who joins.")
        piggyback = PiggybackRequest.objects.filter(agreement=agreement, pk=pk).first()
        if piggyback is None:
            raise Http404("No such request on this agreement.")
        data = _valid(PiggybackDecideInputSerializer, request)
        services.piggyback_decide(
            piggyback=piggyback,
            by=request.user,  # type: ignore[arg-type]
            accept=data["decision"] == "accept",
            note=data["note"],
            agency_ceiling_usd=data["agency_ceiling_usd"],
        )
        return self.detail(request, reference)


@extend_schema(tags=["sourcing"])
class CallOffApi(_AgencySide):
    """A requester or approver of a participating agency calls off at the agreed prices: a requisition."""

    @extend_schema(request=CallOffInputSerializer, responses={201: CallOffAnswerSerializer})
    def post(self, request: Request, reference: str) -> Response:
        agreement = self.agreement(request, reference)
        data = _valid(CallOffInputSerializer, request)
        requisition = services.call_off_raise(
            agency=request.tenant,  # type: ignore[attr-defined]
            agreement=agreement,
            requester=request.user,  # type: ignore[arg-type]
            **data,
        )
        answer = {
            "requisition": requisition.reference,
            "estimated_total": requisition.estimated_total,
            "status": requisition.status,
        }
        return Response(CallOffAnswerSerializer(answer).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["sourcing"], responses=FILE_RESPONSE)
class AgencyDocumentApi(_AgencySide):
    def get(self, request: Request, reference: str, pk: int) -> Any:
        agreement = self.agreement(request, reference)
        if not access.may_read_documents(agreement=agreement, agency=request.tenant):  # type: ignore[attr-defined]
            raise Http404("No such document here.")
        return document_response(agreement, pk)


# -- the facility portal ---------------------------------------------------------------------------


class ReadsAgreements(FacilityPortalOnly, BasePermission):
    message = gettext_lazy("Only the facility's staff see every long-term agreement.")

    def has_permission(self, request, view) -> bool:  # type: ignore[no-untyped-def]
        return bool(request.tenant.is_facility and access.reads_every_agreement(user=request.user))


class MakesAgreements(FacilityPortalOnly, BasePermission):
    message = gettext_lazy("Only the facility's procurement officers and its manager make agreements.")

    def has_permission(self, request, view) -> bool:  # type: ignore[no-untyped-def]
        return bool(request.tenant.is_facility and access.may_make_agreements(user=request.user))


class _FacilitySide(APIView):
    permission_classes = [MayUseThisAddress, ReadsAgreements]

    def agreement(self, reference: str) -> LongTermAgreement:
        _reference_check(reference)
        agreement = selectors.agreement_get(reference=reference)
        if agreement is None:
            raise Http404("No such agreement.")
        return agreement

    def detail(self, request: Request, agreement: LongTermAgreement, code: int = status.HTTP_200_OK) -> Response:
        agreement = LongTermAgreement.objects.select_related("owner", "vendor").get(pk=agreement.pk)
        data = detail_data(agreement, agency=None, user=request.user)
        return Response(LongTermAgreementDetailSerializer(data).data, status=code)


class _Maker(_FacilitySide):
    permission_classes = [MayUseThisAddress, ReadsAgreements, MakesAgreements]


@extend_schema(
    tags=["sourcing"],
    parameters=[
        OpenApiParameter("status", str, enum=["in_force", "expired", "near_ceiling"], description="Only these."),
        OpenApiParameter("q", str, description="In the reference, title, owner or vendor."),
    ],
)
class FacilityAgreementListApi(_FacilitySide, ListAPIView):  # type: ignore[type-arg]
    """Every agreement, the latest valid first, with what was consumed."""

    serializer_class = FacilityLongTermAgreementSerializer

    def get_queryset(self) -> Any:
        params = {key: value for key, value in self.request.query_params.items() if key in ("status", "q")}
        form = FacilityFilterForm(params)
        if params and not form.is_valid():
            raise form_errors_as_error(form, code="sourcing.invalid_filter")
        filters = form.filters()
        return selectors.agreements_all(
            on=timezone.localdate(), status=filters["status"], search=filters["q"]
        ).order_by("-valid_until", "reference")


@extend_schema(tags=["sourcing"])
class FacilityAgreementDetailApi(_FacilitySide):
    """One agreement with every agency's consumption, its documents and its requests to join."""

    @extend_schema(responses=LongTermAgreementDetailSerializer)
    def get(self, request: Request, reference: str) -> Response:
        return self.detail(request, self.agreement(reference))


@extend_schema(tags=["sourcing"])
class FromAwardApi(_Maker):
    """A long-term agreement from an awarded solicitation of any agency (the owner), its vendor and prices."""

    @extend_schema(request=AgreementFromAwardInputSerializer, responses={201: LongTermAgreementDetailSerializer})
    def post(self, request: Request) -> Response:
        data = _terms(_valid(AgreementFromAwardInputSerializer, request))
        agreement = services.agreement_create_from_award(by=request.user, **data)  # type: ignore[arg-type]
        return self.detail(request, agreement, status.HTTP_201_CREATED)


@extend_schema(tags=["sourcing"])
class FromContractApi(_Maker):
    """A long-term agreement recorded from an existing contract: owner, active vendor, the typed schedule."""

    @extend_schema(request=AgreementContractInputSerializer, responses={201: LongTermAgreementDetailSerializer})
    def post(self, request: Request) -> Response:
        data = _terms(_valid(AgreementContractInputSerializer, request))
        owner = _agency_of(data.pop("owner"), field="owner")
        vendor = Vendor.objects.filter(pk=data.pop("vendor")).first()
        if vendor is None:
            raise _field_error("vendor", gettext("No such vendor."))
        items = [
            services.ItemInput(
                description=row["description"],
                category=_category_of(row["category"], position),
                unit=row["unit"],
                unit_price_usd=row["unit_price_usd"],
            )
            for position, row in enumerate(data.pop("items"), start=1)
        ]
        agreement = services.agreement_record_from_contract(
            owner=owner,
            vendor=vendor,
            items=items,
            by=request.user,  # type: ignore[arg-type]
            **data,
        )
        return self.detail(request, agreement, status.HTTP_201_CREATED)


def _category_of(code: str, position: int) -> Any:
    from vendors.models import SupplyCategory

    category = SupplyCategory.objects.filter(code=code, is_active=True).first()
    if category is None:
        raise _field_error(
            f"items.{position}.category", gettext("Item %(item)d: no such category.") % {"item": position}
        )
    return category


@extend_schema(tags=["sourcing"])
class FacilityDocumentsApi(_Maker):
    """More of the agreement's documents, as multipart `files`."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": AgreementFilesSerializer}, responses={201: LongTermAgreementDetailSerializer}
    )
    def post(self, request: Request, reference: str) -> Response:
        agreement = self.agreement(reference)
        files = _valid(AgreementFilesSerializer, request)["files"]
        services.agreement_documents_add(agreement=agreement, files=files, by=request.user)  # type: ignore[arg-type]
        return self.detail(request, agreement, status.HTTP_201_CREATED)


@extend_schema(tags=["sourcing"], responses=FILE_RESPONSE)
class FacilityDocumentApi(_FacilitySide):
    def get(self, request: Request, reference: str, pk: int) -> Any:
        return document_response(self.agreement(reference), pk)


# -- addresses (under /api/sourcing/) ----------------------------------------------------------------

_AGREEMENT = "agreements/<str:reference>/"

agency_api_urlpatterns: list[URLPattern | URLResolver] = [
    path("agreements/", AgencyAgreementListApi.as_view(), name="sourcing-agreements"),
    path(_AGREEMENT, AgencyAgreementDetailApi.as_view(), name="sourcing-agreement"),
    path(f"{_AGREEMENT}piggybacks/", PiggybackRequestApi.as_view(), name="sourcing-agreement-piggybacks"),
    path(
        f"{_AGREEMENT}piggybacks/<int:pk>/decide/",
        PiggybackDecideApi.as_view(),
        name="sourcing-agreement-piggyback-decide",
    ),
    path(f"{_AGREEMENT}call-offs/", CallOffApi.as_view(), name="sourcing-agreement-call-offs"),
    path(f"{_AGREEMENT}documents/<int:pk>/", AgencyDocumentApi.as_view(), name="sourcing-agreement-document"),
]

facility_api_urlpatterns: list[URLPattern | URLResolver] = [
    path("agreements/", FacilityAgreementListApi.as_view(), name="sourcing-agreements"),
    path("agreements/from-award/", FromAwardApi.as_view(), name="sourcing-agreement-from-award"),
    path("agreements/from-contract/", FromContractApi.as_view(), name="sourcing-agreement-from-contract"),
    path(_AGREEMENT, FacilityAgreementDetailApi.as_view(), name="sourcing-agreement"),
    path(f"{_AGREEMENT}documents/", FacilityDocumentsApi.as_view(), name="sourcing-agreement-documents"),
    path(f"{_AGREEMENT}documents/<int:pk>/", FacilityDocumentApi.as_view(), name="sourcing-agreement-document"),
]
