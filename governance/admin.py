"""The board in the Django admin: the quorum is edited here; everything else is read-only.

Motions, ballots and the register change only through the board's pages and
API (governance.services), where the rules are checked; the register and the
ballot history are append-only in the database anyway.
"""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms import ModelForm
from django.utils.translation import gettext

from shared_platform.admin_read_only import ReadOnlyAdmin
from shared_platform.errors import ApplicationError

from .models import Ballot, BallotRecord, Board, Meeting, Motion, MotionEvent, RegisterEntry
from .services import board_update


class BoardForm(ModelForm):
    class Meta:
        model = Board
        fields = ["name", "quorum_percent"]

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean() or {}
        quorum = data.get("quorum_percent")
        if quorum is not None and not 0 <= quorum <= 99:
            raise ValidationError(gettext("The quorum is a percentage from 0 to 99."))
        return data


@admin.register(Board)
class BoardAdmin(admin.ModelAdmin):
    form = BoardForm
    list_display = ["name", "quorum_percent"]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return not Board.objects.exists()

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        if not change:
            obj.save()
            return
        try:
            board_update(board=obj, name=form.cleaned_data["name"], quorum_percent=form.cleaned_data["quorum_percent"])
        except ApplicationError as error:  # already checked by the form; kept for a clear message
            raise ValidationError(error.message) from error


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    list_display = ["title", "starts_at", "location"]
    search_fields = ["title"]


class BallotInline(admin.TabularInline):
    model = Ballot
    extra = 0
    can_delete = False
    fields = ["agency", "choice", "cast_by", "cast_at", "changes"]
    readonly_fields = ["agency", "choice", "cast_by", "cast_at", "changes"]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


class MotionEventInline(admin.TabularInline):
    model = MotionEvent
    extra = 0
    can_delete = False
    fields = ["at", "kind", "actor", "detail"]
    readonly_fields = ["at", "kind", "actor", "detail"]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Motion)
class MotionAdmin(ReadOnlyAdmin):
    list_display = ["title", "rule", "status", "outcome", "closes_at", "meeting"]
    list_select_related = ["meeting"]
    list_filter = ["status", "rule", "outcome"]
    search_fields = ["title"]
    inlines = [BallotInline, MotionEventInline]

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(BallotRecord)
class BallotRecordAdmin(ReadOnlyAdmin):
    list_display = ["motion", "agency", "choice", "cast_by", "cast_at"]
    list_select_related = ["motion", "agency", "cast_by"]
    list_filter = ["agency"]


@admin.register(RegisterEntry)
class RegisterEntryAdmin(ReadOnlyAdmin):
    list_display = ["number", "motion", "recorded_at", "entry_hash"]
    list_select_related = ["motion"]
    readonly_fields = ["number", "motion", "recorded_at", "content", "previous_hash", "entry_hash"]
