"""The two home pages and the error pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from accounts.selectors import agency_people
from shared_platform import start
from shared_platform.errors import UNREADABLE_REQUEST, json_error_response, request_refused_error
from shared_platform.sorting import Sorts
from tenants.selectors import agency_list


def _start(request: HttpRequest) -> dict[str, object]:
    """What awaits this person here, from every module (shared_platform/start.py)."""
    viewer = start.viewer_for(user=request.user, address=request.tenant)  # type: ignore[arg-type, attr-defined]
    waiting = start.approvals(viewer=viewer)
    return {
        "panels": start.start_panels(viewer=viewer),
        "new_requests": start.new_request_links(viewer=viewer),
        "approvals_waiting": waiting,
        "approvals_shown": waiting[:5],
    }


def facility_home(request: HttpRequest) -> HttpResponse:
    """The facility portal's start page: what awaits this person, then the agencies the facility serves."""
    page = Paginator(agency_list(), 25).get_page(request.GET.get("page"))
    return render(request, "shared_platform/facility_home.html", {"page": page, **_start(request)})


def agency_home(request: HttpRequest) -> HttpResponse:
    """An agency's start page: new requests, what awaits this person (their requests, approvals, invoices)."""
    agency = request.tenant  # type: ignore[attr-defined]
    return render(request, "shared_platform/agency_home.html", {"agency": agency, **_start(request)})


PEOPLE_SORTS = Sorts(
    default="name",
    columns={"name": ("user.last_name", "user.first_name", "user.email"), "email": ("user.email",)},
)


def agency_directory(request: HttpRequest) -> HttpResponse:
    """Who holds which role at this agency, sortable by name or e-mail."""
    agency = request.tenant  # type: ignore[attr-defined]
    people, sort = PEOPLE_SORTS.apply_list(request, agency_people(agency=agency))
    page = Paginator(people, 25).get_page(request.GET.get("page"))
    return render(request, "shared_platform/agency_directory.html", {"agency": agency, "page": page, "sort": sort})


def approvals_inbox(request: HttpRequest) -> HttpResponse:
    """The one approvals inbox: what every module has waiting for this person's decision, longest waiting first."""
    viewer = start.viewer_for(user=request.user, address=request.tenant)  # type: ignore[arg-type, attr-defined]
    page = Paginator(start.approvals(viewer=viewer), 25).get_page(request.GET.get("page"))
    return render(request, "shared_platform/approvals.html", {"page": page})


def _error(request: HttpRequest, status: int, code: str, title: str, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return json_error_response(code, message, status)
    return render(request, "error.html", {"status": status, "title": title, "message": message}, status=status)


@login_not_required
def error_400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """A request refused before any view ran (a body over the upload limit, a bad Host): JSON on /api/."""
    if request.path.startswith("/api/"):
        if isinstance(exception, UNREADABLE_REQUEST):
            status_code, body = request_refused_error(exception)
            return JsonResponse(body, status=status_code)
        return json_error_response("bad_request", _("The request could not be read."), 400)
    return render(
        request,
        "error.html",
        {"status": 400, "title": _("Bad request"), "message": _("The request could not be read.")},
        status=400,
    )


@login_not_required
def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(
        request,
        403,
        "auth.permission_denied",
        _("Not allowed"),
        str(exception or "") or _("You may not see this page."),
    )


@login_not_required
def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 404, "not_found", _("Not found"), _("There is nothing at this address."))


@login_not_required
def error_500(request: HttpRequest) -> HttpResponse:
    return _error(
        request,
        500,
        "server_error",
        _("Something went wrong"),
        _("The error has been logged. Please try again later."),
    )
