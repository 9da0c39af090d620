"""Evidence packs as pages, on both kinds of address.

- `accountability:evidence`: the packs (an agency: its own; the portal: every
  agency's, filtered by agency) and "Assemble a pack" (months; on the portal
  also the agency) for those who may ask (`selectors.evidence.may_assemble`).
- `accountability:evidence-pack`: one pack, its progress while the worker
  assembles it (polled from `accountability:evidence-progress`, JSON), then
  its manifest; `accountability:evidence-download` gives the ZIP.
- `accountability:evidence-verify`: upload an archive and read, file by file,
  whether it is what the platform issued (`services.evidence.evidence_pack_verify`).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shared_platform.errors import ApplicationError, form_error_apply
from shared_platform.sorting import Sorts

from ..access import scope_for
from ..forms.evidence import PackFilterForm, PackRequestForm, PackVerifyForm
from ..models import EvidencePack, PackStatus
from ..selectors.evidence import may_assemble, pack_get, pack_list, pack_progress
from ..services.evidence import FileStatus, evidence_pack_archive, evidence_pack_request, evidence_pack_verify

PAGE_SIZE = 25
SORTS = Sorts(
    default="-requested",
    columns={
        "reference": ("reference",),
        "agency": ("agency__code", "requested_at"),
        "requested": ("requested_at", "pk"),
        "from": ("month_from", "pk"),
        "status": ("status", "pk"),
    },
)
STATUS_LABELS = {
    FileStatus.OK: gettext_lazy("as issued"),
    FileStatus.CHANGED: gettext_lazy("changed"),
    FileStatus.MISSING: gettext_lazy("missing"),
    FileStatus.EXTRA: gettext_lazy("not in the manifest"),
    FileStatus.DIFFERS: gettext_lazy("not the platform's copy"),
}


def _pack_or_404(request: HttpRequest, pk: int) -> EvidencePack:
    scope = scope_for(user=request.user, address=request.tenant)  # type: ignore[attr-defined]
    pack = pack_get(pk=pk, scope=scope)
    if pack is None:
        raise Http404("No such evidence pack here.")
    return pack


def evidence_list_page(request: HttpRequest) -> HttpResponse:
    address = request.tenant  # type: ignore[attr-defined]
    scope = scope_for(user=request.user, address=address)
    may_ask = may_assemble(user=request.user, address=address)
    form = PackRequestForm(request.POST or None, for_facility=scope is None) if may_ask else None
    status = 200
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("You may read this agency's evidence packs but not ask for one."))
        if form.is_valid():
            try:
                pack = evidence_pack_request(
                    agency=form.cleaned_data["agency"] if scope is None else scope,
                    month_from=form.cleaned_data["month_from"],
                    month_to=form.cleaned_data["month_to"],
                    requested_by=request.user,  # type: ignore[arg-type]
                    now=timezone.now(),
                )
            except ApplicationError as error:
                form_error_apply(form, error)
                status = error.status_code
            else:
                messages.success(request, _("%(reference)s is being assembled.") % {"reference": pack.reference})
                return redirect("accountability:evidence-pack", pk=pack.pk)
        else:
            status = 400
    filters = PackFilterForm(request.GET or None) if scope is None else None
    chosen = filters.filters()["agency"] if filters is not None else None
    rows, sort = SORTS.apply(request, pack_list(scope=scope, agency_code=chosen.code if chosen else ""))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "sort": sort, "filters": filters, "form": form, "on_portal": scope is None}
    return render(request, "accountability/evidence/list.html", context, status=status)


def evidence_pack_page(request: HttpRequest, pk: int) -> HttpResponse:
    pack = _pack_or_404(request, pk)
    return render(
        request,
        "accountability/evidence/detail.html",
        {"pack": pack, "progress": pack_progress(pack=pack), "ready": pack.status == PackStatus.READY},
    )


def evidence_progress_page(request: HttpRequest, pk: int) -> JsonResponse:
    return JsonResponse(pack_progress(pack=_pack_or_404(request, pk)))


def evidence_download_page(request: HttpRequest, pk: int) -> FileResponse:
    pack = _pack_or_404(request, pk)
    try:
        handle = evidence_pack_archive(pack=pack)
    except ApplicationError as error:
        raise Http404(error.message) from None
    response = FileResponse(
        handle, as_attachment=True, filename=f"{pack.reference}.zip", content_type="application/zip"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def evidence_verify_page(request: HttpRequest) -> HttpResponse:
    scope = scope_for(user=request.user, address=request.tenant)  # type: ignore[attr-defined]
    form = PackVerifyForm(request.POST or None, request.FILES or None)
    result = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                result = evidence_pack_verify(archive=form.cleaned_data["archive"], scope=scope)
            except ApplicationError as error:
                form_error_apply(form, error)
                status = error.status_code
        else:
            status = 400
    rows = [] if result is None else [(check, STATUS_LABELS[check.status]) for check in result.files]
    return render(
        request, "accountability/evidence/verify.html", {"form": form, "result": result, "rows": rows}, status=status
    )


_common = [
    path("evidence/", evidence_list_page, name="evidence"),
    path("evidence/verify/", evidence_verify_page, name="evidence-verify"),
    path("evidence/<int:pk>/", evidence_pack_page, name="evidence-pack"),
    path("evidence/<int:pk>/progress/", evidence_progress_page, name="evidence-progress"),
    path("evidence/<int:pk>/download/", evidence_download_page, name="evidence-download"),
]
facility_pages: list[URLPattern] = list(_common)
agency_pages: list[URLPattern] = list(_common)
