"""The facility's spend reports in the API, read-only, on the facility portal (/api/sourcing/...).

The same readers as the pages (procurement officers, the facility manager,
the auditor) and the same selectors:

- `split-purchases/flags/`: the split-purchase flags recorded at approval and
  order, newest first;
- `split-purchases/scan/`: the live scan of the last 12 months, each group
  (agency, category, vendor) with the purchases it names;
- `joint-procurement/`: categories two or more agencies bought from the market
  on their own in 12 months, with each agency's total and the agreements in
  force they could piggyback on.

A filter that does not read (an unknown agency code, a count that is not
offered) is refused with 400, never ignored silently.
"""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.permissions import BasePermission

from accounts.permissions import FacilityPortalOnly, MayUseThisAddress
from shared_platform.api import PersonField
from shared_platform.errors import form_errors_as_error

from ..forms.reports import JointReportFilterForm, SplitReportFilterForm
from ..selectors.spend import flag_rows, joint_opportunities, may_read_spend_reports, split_flag_list, split_scan


class ReadsSpendReports(FacilityPortalOnly, BasePermission):
    message = gettext_lazy("The spend reports are for the facility's procurement officers, manager and auditor.")

    def has_permission(self, request, view) -> bool:  # type: ignore[no-untyped-def]
        return may_read_spend_reports(user=request.user, agency=request.tenant)


def _filters(form_class: Any, params: Any) -> dict[str, Any]:
    """The report's filters read with its page's form; anything that does not read is a 400."""
    values = {key: value for key, value in params.items() if key not in ("page", "page_size")}
    form = form_class(values)
    if values and not form.is_valid():
        raise form_errors_as_error(form, code="sourcing.invalid_filter")
    filters: dict[str, Any] = form.filters()
    return filters


# -- what the answers carry -------------------------------------------------------------------------------


class PurchaseSerializer(serializers.Serializer[Any]):
    order_number = serializers.CharField()
    requisition_reference = serializers.CharField()
    ordered_on = serializers.DateField()
    amount_usd = serializers.DecimalField(max_digits=16, decimal_places=2)


class FlagSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="flag.pk")
    agency = serializers.CharField(source="flag.agency.code")
    requisition_reference = serializers.CharField(source="flag.requisition_reference")
    stage = serializers.CharField(source="flag.stage", help_text="approval or order")
    vendor = serializers.CharField(source="flag.vendor.legal_name")
    category = serializers.CharField(source="flag.category.code")
    threshold = serializers.CharField(source="flag.method_threshold", help_text="micro or rfq: the method it ends")
    threshold_usd = serializers.DecimalField(source="flag.threshold_usd", max_digits=16, decimal_places=2)
    this_amount_usd = serializers.DecimalField(source="flag.this_amount_usd", max_digits=16, decimal_places=2)
    total_usd = serializers.DecimalField(source="flag.total_usd", max_digits=16, decimal_places=2)
    purchases = PurchaseSerializer(many=True, help_text="The earlier purchases the flag names.")
    explanation = serializers.CharField(source="flag.explanation")
    explained_by = PersonField(source="flag.explained_by")
    raised_at = serializers.DateTimeField(source="flag.raised_at")


class SplitGroupSerializer(serializers.Serializer[Any]):
    agency = serializers.CharField(source="agency_code")
    category = serializers.CharField(source="category_name")
    vendor = serializers.CharField(source="vendor_name")
    threshold = serializers.CharField(source="threshold_method", help_text="micro or rfq: the method it ends")
    threshold_usd = serializers.DecimalField(max_digits=16, decimal_places=2)
    count = serializers.IntegerField(help_text="How many purchases, each at most the threshold.")
    total_usd = serializers.DecimalField(max_digits=16, decimal_places=2)
    first_on = serializers.DateField()
    last_on = serializers.DateField()
    purchases = PurchaseSerializer(many=True)


class AgencySpendSerializer(serializers.Serializer[Any]):
    agency = serializers.CharField(source="agency_code")
    orders = serializers.IntegerField()
    total_usd = serializers.DecimalField(max_digits=16, decimal_places=2)


class PiggybackOptionSerializer(serializers.Serializer[Any]):
    reference = serializers.CharField(source="agreement.reference")
    title = serializers.CharField(source="agreement.title")
    owner = serializers.CharField(source="agreement.owner.code")
    vendor = serializers.CharField(source="agreement.vendor.legal_name")
    valid_until = serializers.DateField(source="agreement.valid_until")
    could_join = serializers.ListField(
        child=serializers.CharField(), help_text="Buying agencies that do not take part in it yet."
    )


class OpportunitySerializer(serializers.Serializer[Any]):
    category_code = serializers.CharField()
    category = serializers.CharField(source="category_name")
    agencies = AgencySpendSerializer(many=True)
    orders = serializers.IntegerField()
    total_usd = serializers.DecimalField(max_digits=16, decimal_places=2)
    agreements = PiggybackOptionSerializer(many=True, help_text="Agreements in force with an item in the category.")


# -- the reports -------------------------------------------------------------------------------------------


class _Report(ListAPIView):  # type: ignore[type-arg]
    permission_classes = [MayUseThisAddress, ReadsSpendReports]


_AGENCY = OpenApiParameter("agency", str, description="One agency's code.")


@extend_schema(tags=["sourcing"], parameters=[_AGENCY])
class SplitFlagListApi(_Report):
    """Split-purchase flags recorded at approval and order across agencies, newest first."""

    serializer_class = FlagSerializer

    def get_queryset(self) -> Any:
        agency = _filters(SplitReportFilterForm, self.request.query_params)["agency"]
        return flag_rows(split_flag_list(agency=agency))


@extend_schema(tags=["sourcing"], parameters=[_AGENCY])
class SplitScanApi(_Report):
    """The last 12 months scanned: an agency's purchases of one category from one vendor, each under a
    threshold, that together pass it; the most recent first."""

    serializer_class = SplitGroupSerializer

    def get_queryset(self) -> Any:
        agency = _filters(SplitReportFilterForm, self.request.query_params)["agency"]
        return split_scan(on=timezone.localdate(), agency=agency)


@extend_schema(
    tags=["sourcing"],
    parameters=[OpenApiParameter("agencies", int, enum=[2, 3, 4], description="Bought by at least (default 2).")],
)
class JointProcurementApi(_Report):
    """Categories bought from the market by several agencies on their own in 12 months, largest first."""

    serializer_class = OpportunitySerializer

    def get_queryset(self) -> Any:
        filters = _filters(JointReportFilterForm, self.request.query_params)
        return joint_opportunities(on=timezone.localdate(), min_agencies=filters["min_agencies"])


facility_api_urlpatterns: list[URLPattern] = [
    path("split-purchases/flags/", SplitFlagListApi.as_view(), name="sourcing-split-flags"),
    path("split-purchases/scan/", SplitScanApi.as_view(), name="sourcing-split-scan"),
    path("joint-procurement/", JointProcurementApi.as_view(), name="sourcing-joint-procurement"),
]
