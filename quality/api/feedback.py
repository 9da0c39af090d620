"""The quality system's API: customer feedback, the ratings with their comments (clause 9.1.2).

Facility portal only, for the facility's staff: the comments are addressed
to the facility.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import path
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView

from shared_platform.errors import ApplicationError

from ..models import Feedback
from ..selectors import feedback as selectors
from .permissions import IsQualityReader


class FeedbackSerializer(serializers.ModelSerializer[Feedback]):
    request = serializers.CharField(source="entry.reference")
    agency = serializers.CharField(source="agency.code")
    service = serializers.CharField(source="service.code")

    class Meta:
        model = Feedback
        fields = ["id", "request", "agency", "service", "rating", "comment", "at"]


class FeedbackFilterSerializer(serializers.Serializer):  # type: ignore[type-arg]
    agency = serializers.CharField(max_length=20, required=False)
    service = serializers.CharField(max_length=20, required=False)
    low = serializers.BooleanField(required=False, default=False)


@extend_schema(
    tags=["quality"],
    parameters=[
        OpenApiParameter("agency", str, description="An agency's code."),
        OpenApiParameter("service", str, description="A service's code."),
        OpenApiParameter("low", bool, description="Only the ratings of 1 or 2."),
    ],
)
class FeedbackListApi(ListAPIView):  # type: ignore[type-arg]
    """Ratings of delivered requests with the requester's comment, the request, service and agency; newest first."""

    permission_classes = [IsQualityReader]
    serializer_class = FeedbackSerializer

    def get_queryset(self) -> QuerySet[Feedback]:
        filters = FeedbackFilterSerializer(data=self.request.query_params)
        if not filters.is_valid():
            fields = {name: [str(error) for error in errors] for name, errors in filters.errors.items()}
            raise ApplicationError(gettext("A filter is not valid."), code="quality.invalid_filter", fields=fields)
        chosen = filters.validated_data
        return selectors.feedback_list(
            agency_code=chosen.get("agency"), service_code=chosen.get("service"), low_only=chosen["low"]
        ).order_by("-at", "-pk")


facility_api_urlpatterns = [path("feedback/", FeedbackListApi.as_view(), name="quality-feedback")]
