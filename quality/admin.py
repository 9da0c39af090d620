"""The quality records in the Django admin: read-only.

Every quality record changes only through quality.services (its pages and
API), where clause 7.5.2's "never the author's own approval", the committee's
rules and the auditor's independence are checked.
"""

from __future__ import annotations

from django.contrib import admin

from shared_platform.admin_read_only import ReadOnlyAdmin, ReadOnlyInline

from .models import (
    Audit,
    AuditFinding,
    CorrectiveAction,
    Document,
    DocumentVersion,
    EffectivenessCheck,
    Feedback,
    Nonconformity,
    Process,
    Risk,
    Suggestion,
)


class RiskInline(ReadOnlyInline):
    model = Risk
    fields = ["kind", "description", "likelihood", "impact", "owner"]


@admin.register(Process)
class ProcessAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "owner", "active"]
    list_select_related = ["owner"]
    search_fields = ["code", "name"]
    inlines = [RiskInline]


class VersionInline(ReadOnlyInline):
    model = DocumentVersion
    fields = ["number", "status", "author", "approver", "effective_from", "review_due"]


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    list_display = ["code", "title", "process", "owner", "review_months"]
    list_select_related = ["process", "owner"]
    search_fields = ["code", "title"]
    inlines = [VersionInline]


@admin.register(Suggestion)
class SuggestionAdmin(ReadOnlyAdmin):
    list_display = ["reference", "title", "process", "agency", "status", "score", "submitted_at"]
    list_select_related = ["process", "agency"]
    list_filter = ["status"]
    search_fields = ["reference", "title"]


class ActionInline(ReadOnlyInline):
    model = CorrectiveAction
    fields = ["description", "owner", "due_on", "done_at"]


class CheckInline(ReadOnlyInline):
    model = EffectivenessCheck
    fields = ["kind", "agency", "service", "period_start", "period_end", "threshold", "measured", "result"]


@admin.register(Nonconformity)
class NonconformityAdmin(ReadOnlyAdmin):
    list_display = ["reference", "title", "source", "agency", "service", "month", "status", "raised_at"]
    list_select_related = ["agency", "service"]
    list_filter = ["status", "source"]
    search_fields = ["reference", "title"]
    exclude = ["breaches", "rated_entries"]
    inlines = [ActionInline, CheckInline]


class FindingInline(ReadOnlyInline):
    model = AuditFinding
    fields = ["kind", "clause", "description", "nonconformity"]


@admin.register(Audit)
class AuditAdmin(ReadOnlyAdmin):
    list_display = ["reference", "process", "auditor", "planned_for", "status"]
    list_select_related = ["process", "auditor"]
    list_filter = ["status"]
    inlines = [FindingInline]


@admin.register(Feedback)
class FeedbackAdmin(ReadOnlyAdmin):
    list_display = ["entry", "agency", "service", "rating", "at"]
    list_select_related = ["entry", "agency", "service"]
    list_filter = ["rating"]
