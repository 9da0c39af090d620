"""Pages of the quality system: the register of controlled documents, their versions and their approval (7.5).

Every facility role reads them. A document's owner (or its process's owner,
or a keeper) drafts versions; the author sends a draft for review; the
quality focal point or the facility manager approves it (never their own) or
returns it; the people the document concerns acknowledge the effective
version. Every change is a POST form; a refusal comes back as a message or a
form error. Views read through selectors and write through services only.
"""

from __future__ import annotations

import difflib
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from accounts.models import User
from shared_platform.attachments import file_download_response
from shared_platform.errors import ApplicationError, form_error_apply
from shared_platform.sorting import Sorts

from ..access import reader_page_check
from ..forms.documents import (
    ApproveForm,
    DocumentForm,
    ReasonForm,
    RegisterFilterForm,
    ReviewConfirmForm,
    VersionForm,
)
from ..models import Document, DocumentVersion, Process, VersionStatus
from ..selectors import documents as selectors
from ..services import documents as services
from ..services.documents import DOCUMENT_FILE_KINDS, is_concerned, may_approve, may_author
from .processes import history_lines, is_keeper, is_read_only

PAGE_SIZE = 25
DOCUMENT_SORTS = Sorts(
    default="code",
    columns={
        "code": ("code",),
        "title": ("title",),
        "process": ("process__code",),
        "owner": ("owner__first_name", "owner__last_name"),
    },
)


def _person(request: HttpRequest) -> User:
    """The signed-in person (every page here checks that first, with `reader_page_check`)."""
    return cast(User, request.user)


def _document(code: str) -> Document:
    document = selectors.document_get(code=code)
    if document is None:
        raise Http404("No such document.")
    return document


def _version(document: Document, number: int) -> DocumentVersion:
    version = selectors.version_get(document=document, number=number)
    if version is None:
        raise Http404("No such version.")
    return version


def _may_register(request: HttpRequest) -> bool:
    """Keepers register documents; a process owner may too, for their process (the service checks which)."""
    if is_read_only(request):
        return False
    return is_keeper(request) or Process.objects.filter(owner=request.user.pk).exists()


def document_list(request: HttpRequest) -> HttpResponse:
    reader_page_check(request.user)  # type: ignore[arg-type]
    filters = RegisterFilterForm(request.GET or None)
    process, status = None, ""
    if filters.is_valid():
        process, status = filters.cleaned_data["process"], filters.cleaned_data["status"]
    rows, sort = DOCUMENT_SORTS.apply(request, selectors.document_list(process=process, status=status))
    rows = rows.order_by(*rows.query.order_by, "code")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "quality/documents/document_list.html",
        {
            "page": page,
            "rows": selectors.register_rows(documents=list(page.object_list)),
            "sort": sort,
            "filters": filters,
            "filtered": bool(process or status),
            "may_create": _may_register(request),
        },
    )


def _actions(request: HttpRequest, document: Document, version: DocumentVersion | None) -> dict[str, Any]:
    """What this person may do on this page, so only those buttons show (the services check again)."""
    user = request.user
    effective = selectors.effective_version(document=document)
    open_version = document.versions.filter(status__in=services.OPEN_STATUSES).order_by("-number").first()
    withdrawn = document.withdrawn_at is not None
    acknowledged = effective is not None and effective.acknowledgements.filter(user=user.pk).exists()
    return {
        "effective": effective,
        "open_version": open_version,
        "may_draft": not withdrawn and open_version is None and may_author(user, document),  # type: ignore[arg-type]
        "may_edit": version is not None
        and version.status == VersionStatus.DRAFT
        and version.author_id == user.pk
        and may_author(user, document),  # type: ignore[arg-type]
        "may_review": version is not None and version.status == VersionStatus.IN_REVIEW and may_approve(user, version),  # type: ignore[arg-type]
        "may_acknowledge": effective is not None
        and not acknowledged
        and not withdrawn
        and is_concerned(user, document),  # type: ignore[arg-type]
        "acknowledged": acknowledged,
        "may_confirm_review": effective is not None
        and not withdrawn
        and not is_read_only(request)
        and (is_keeper(request) or user.pk == document.owner_id),
        "may_withdraw": not withdrawn and is_keeper(request),
        "approve_form": ApproveForm(initial={"effective_from": timezone.localdate()}),
        "return_form": ReasonForm(),
        "withdraw_form": ReasonForm(),
        "review_form": ReviewConfirmForm(),
        "is_author": version is not None and version.author_id == user.pk,
    }


def _document_page(request: HttpRequest, document: Document, *, status: int = 200) -> HttpResponse:
    versions = selectors.document_versions(document=document)
    actions = _actions(request, document, next((v for v in versions if v.status in services.OPEN_STATUSES), None))
    effective = actions["effective"]
    context: dict[str, Any] = {
        "document": document,
        "versions": versions,
        "version": actions["open_version"],
        "acknowledgements": selectors.acknowledgement_status(effective) if effective else None,
        "events": history_lines(selectors.document_history(document=document)),
        "today": timezone.localdate(),
        **actions,
    }
    return render(request, "quality/documents/document_detail.html", context, status=status)


def document_detail(request: HttpRequest, code: str) -> HttpResponse:
    reader_page_check(request.user)  # type: ignore[arg-type]
    return _document_page(request, _document(code))


def document_new(request: HttpRequest) -> HttpResponse:
    reader_page_check(request.user)  # type: ignore[arg-type]
    if not _may_register(request):
        raise PermissionDenied(
            gettext("Only the quality focal point, the facility manager or a process owner registers a document.")
        )
    initial: dict[str, Any] = {"owner": request.user, "review_months": 12}
    form = DocumentForm(request.POST or None, request.FILES or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                document = services.document_create(created_by=request.user, **form.cleaned_data)  # type: ignore[arg-type]
                messages.success(request, gettext("The document is registered; its first version is a draft."))
                return redirect("quality:document", code=document.code)
            except ApplicationError as error:
                form_error_apply(form, error)
                status = error.status_code
        else:
            status = 400
    return render(request, "quality/documents/document_form.html", {"form": form}, status=status)


def _version_page(
    request: HttpRequest, document: Document, version: DocumentVersion, *, status: int = 200
) -> HttpResponse:
    versions = selectors.document_versions(document=document)
    older = [v for v in versions if v.number < version.number and v.text]
    context: dict[str, Any] = {
        "document": document,
        "version": version,
        "versions": versions,
        "previous": older[0] if older else None,
        "acknowledgements": selectors.acknowledgement_status(version)
        if version.status in (VersionStatus.EFFECTIVE, VersionStatus.SUPERSEDED)
        else None,
        **_actions(request, document, version),
    }
    return render(request, "quality/documents/version_detail.html", context, status=status)


def version_detail(request: HttpRequest, code: str, number: int) -> HttpResponse:
    reader_page_check(request.user)  # type: ignore[arg-type]
    document = _document(code)
    return _version_page(request, document, _version(document, number))


def version_new(request: HttpRequest, code: str) -> HttpResponse:
    """Start the next version: a GET says what will happen; the POST drafts it."""
    reader_page_check(request.user)  # type: ignore[arg-type]
    document = _document(code)
    if not may_author(request.user, document):  # type: ignore[arg-type]
        raise PermissionDenied(
            gettext("Only the document's owner, its process owner or the quality focal point drafts it.")
        )
    if request.method == "POST":
        try:
            version = services.version_draft(document=document, drafted_by=request.user)  # type: ignore[arg-type]
        except ApplicationError as error:
            messages.error(request, error.message)
            return _document_page(request, document, status=error.status_code)
        messages.success(
            request, gettext("Version %(number)s is drafted from the effective text.") % {"number": version.number}
        )
        return redirect("quality:version-edit", code=document.code, number=version.number)
    return render(
        request,
        "quality/documents/version_new.html",
        {"document": document, "effective": selectors.effective_version(document=document)},
    )


def version_edit(request: HttpRequest, code: str, number: int) -> HttpResponse:
    reader_page_check(request.user)  # type: ignore[arg-type]
    document = _document(code)
    version = _version(document, number)
    if version.author_id != request.user.pk or not may_author(request.user, document):  # type: ignore[arg-type]
        raise PermissionDenied(gettext("Only the author of this draft changes it."))
    if version.status != VersionStatus.DRAFT:
        messages.error(request, gettext("Only a draft can be changed."))
        return redirect("quality:version", code=code, number=number)
    form = VersionForm(
        request.POST or None,
        request.FILES or None,
        initial={"text": version.text, "change_summary": version.change_summary},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.version_update(version=version, updated_by=request.user, **form.cleaned_data)  # type: ignore[arg-type]
                messages.success(request, gettext("The draft is saved."))
                return redirect("quality:version", code=code, number=number)
            except ApplicationError as error:
                form_error_apply(form, error)
                status = error.status_code
        else:
            status = 400
    return render(
        request,
        "quality/documents/version_form.html",
        {"form": form, "document": document, "version": version},
        status=status,
    )


def version_file(request: HttpRequest, code: str, number: int) -> FileResponse:
    """A version's uploaded file, for the facility's staff only."""
    reader_page_check(request.user)  # type: ignore[arg-type]
    document = _document(code)
    version = _version(document, number)
    if not version.file:
        raise Http404("This version has no file.")
    name = version.file.name.rsplit("/", 1)[-1]
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    content_type = DOCUMENT_FILE_KINDS.get(extension, ("application/octet-stream", b""))[0]
    return file_download_response(file=version.file.open("rb"), name=name, content_type=content_type)


def _marked(words: list[str], start: int, end: int, tag: str) -> str:
    text = escape(" ".join(words[start:end]))
    return format_html("<{}>{}</{}>", tag, text, tag) if tag and text else text


def _diff_cells(row: selectors.DiffLine) -> dict[str, Any]:
    """A diff row's two cells as HTML: the text escaped, and within a changed line the words removed in <del>
    and added in <ins>."""
    if row.kind != "changed":
        return {"row": row, "old_html": escape(row.old), "new_html": escape(row.new)}
    old_words, new_words = row.old.split(" "), row.new.split(" ")
    old_parts, new_parts = [], []
    for tag, a1, a2, b1, b2 in difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False).get_opcodes():
        old_parts.append(_marked(old_words, a1, a2, "" if tag == "equal" else "del"))
        new_parts.append(_marked(new_words, b1, b2, "" if tag == "equal" else "ins"))
    return {
        "row": row,
        "old_html": mark_safe(" ".join(part for part in old_parts if part)),  # noqa: S308 (every piece escaped above)
        "new_html": mark_safe(" ".join(part for part in new_parts if part)),  # noqa: S308
    }


def version_diff(request: HttpRequest, code: str, number: int, other: int) -> HttpResponse:
    reader_page_check(request.user)  # type: ignore[arg-type]
    document = _document(code)
    first, second = _version(document, number), _version(document, other)
    old, new = (first, second) if first.number <= second.number else (second, first)
    rows = selectors.version_diff(old=old, new=new)
    return render(
        request,
        "quality/documents/version_diff.html",
        {
            "document": document,
            "old": old,
            "new": new,
            "rows": [_diff_cells(row) for row in rows],
            "changes": sum(1 for row in rows if row.kind != "equal"),
        },
    )


def _act(
    request: HttpRequest, document: Document, version: DocumentVersion | None, call: Any, done: str
) -> HttpResponse:
    """Run one service call for a POST button: success says so; a refusal is a message on the page it came from."""
    try:
        call()
    except ApplicationError as error:
        if error.status_code == 403:
            raise PermissionDenied(error.message) from None
        messages.error(request, error.message)
        if version is not None:
            return _version_page(
                request, _document(document.code), _version(document, version.number), status=error.status_code
            )
        return _document_page(request, _document(document.code), status=error.status_code)
    messages.success(request, done)
    if version is not None:
        return redirect("quality:version", code=document.code, number=version.number)
    return redirect("quality:document", code=document.code)


@require_POST
def version_submit(request: HttpRequest, code: str, number: int) -> HttpResponse:
    reader_page_check(request.user)  # type: ignore[arg-type]
    document = _document(code)
    version = _version(document, number)
    return _act(
        request,
        document,
        version,
        lambda: services.version_submit(version=version, submitted_by=_person(request)),
        gettext("The version is sent for review."),
    )


@require_POST
def version_return(request: HttpRequest, code: str, number: int) -> HttpResponse:
    reader_page_check(request.user)  # type: ignore[arg-type]
    document = _document(code)
    version = _version(document, number)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _act(
        request,
        document,
        version,
        lambda: services.version_return(version=version, returned_by=_person(request), reason=reason),
        gettext("The version is returned to its author as a draft."),
    )


@require_POST
def version_approve(request: HttpRequest, code: str, number: int) -> HttpResponse:
    reader_page_check(request.user)  # type: ignore[arg-type]
    document = _document(code)
    version = _version(document, number)
    form = ApproveForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Give the date it takes effect as a date, e.g. 2026-12-01."))
        return _version_page(request, document, version, status=400)
    effective_from = form.cleaned_data["effective_from"]
    return _act(
        request,
        document,
        version,
        lambda: services.version_approve(version=version, approved_by=_person(request), effective_from=effective_from),
        gettext("The version is approved."),
    )


@require_POST
def version_acknowledge(request: HttpRequest, code: str, number: int) -> HttpResponse:
    reader_page_check(request.user)  # type: ignore[arg-type]
    document = _document(code)
    version = _version(document, number)
    return _act(
        request,
        document,
        None,
        lambda: services.version_acknowledge(version=version, user=_person(request)),
        gettext("Thank you: your acknowledgement is recorded."),
    )


@require_POST
def document_withdraw(request: HttpRequest, code: str) -> HttpResponse:
    reader_page_check(request.user)  # type: ignore[arg-type]
    document = _document(code)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _act(
        request,
        document,
        None,
        lambda: services.document_withdraw(document=document, withdrawn_by=_person(request), reason=reason),
        gettext("The document is withdrawn."),
    )


@require_POST
def document_review_confirm(request: HttpRequest, code: str) -> HttpResponse:
    reader_page_check(request.user)  # type: ignore[arg-type]
    document = _document(code)
    form = ReviewConfirmForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    return _act(
        request,
        document,
        None,
        lambda: services.document_review_confirm(document=document, confirmed_by=_person(request), note=note),
        gettext("The review is recorded; the next one is due in %(months)s months.")
        % {"months": document.review_months},
    )


pages = [
    path("documents/", document_list, name="documents"),
    path("documents/new/", document_new, name="document-new"),
    path("documents/<str:code>/", document_detail, name="document"),
    path("documents/<str:code>/withdraw/", document_withdraw, name="document-withdraw"),
    path("documents/<str:code>/review-confirm/", document_review_confirm, name="document-review-confirm"),
    path("documents/<str:code>/versions/new/", version_new, name="version-new"),
    path("documents/<str:code>/versions/<int:number>/", version_detail, name="version"),
    path("documents/<str:code>/versions/<int:number>/edit/", version_edit, name="version-edit"),
    path("documents/<str:code>/versions/<int:number>/file/", version_file, name="version-file"),
    path("documents/<str:code>/versions/<int:number>/diff/<int:other>/", version_diff, name="version-diff"),
    path("documents/<str:code>/versions/<int:number>/submit/", version_submit, name="version-submit"),
    path("documents/<str:code>/versions/<int:number>/return/", version_return, name="version-return"),
    path("documents/<str:code>/versions/<int:number>/approve/", version_approve, name="version-approve"),
    path("documents/<str:code>/versions/<int:number>/acknowledge/", version_acknowledge, name="version-acknowledge"),
]
