"""Reads for agencies."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from .models import Agency


def agency_list(*, include_inactive: bool = True) -> QuerySet[Agency]:
    agencies = Agency.objects.agencies().prefetch_related("domains")
    if not include_inactive:
        agencies = agencies.active()
    return agencies.annotate(
        member_count=Count("memberships__user", filter=Q(memberships__user__is_active=True), distinct=True)
    ).order_by("code")
