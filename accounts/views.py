"""Signing in and out of an address (pages)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST

from shared_platform.errors import ApplicationError, json_error_response

from .forms import SignInForm
from .language import language_cookie_set
from .models import User
from .selectors import address_links, user_by_email
from .services import locked_out_message, user_language_set, user_sign_in


@login_not_required
@never_cache
@csrf_protect
def sign_in(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    form = SignInForm(request.POST or None)
    status = 200
    elsewhere: list[tuple[str, str]] = []
    if request.method == "POST" and form.is_valid():
        try:
            user = user_sign_in(
                request=request,
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                agency=request.tenant,  # type: ignore[attr-defined]
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
            status = error.status_code
            if error.code == "auth.no_access_here":
                elsewhere = _sign_in_elsewhere(request, form.cleaned_data["email"])
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return _keep_language(request, user, redirect(next_url or "home"))
    elif request.method == "POST":
        status = 400
    context = {"form": form, "next": next_url, "sign_in_elsewhere": elsewhere}
    return render(request, "accounts/sign_in.html", context, status=status)


def _sign_in_elsewhere(request: HttpRequest, email: str) -> list[tuple[str, str]]:
    """Where a person whose password was right, but at the wrong address, can sign in: links to each address."""
    user = user_by_email(email=email)
    if user is None:
        return []
    return [
        (label, url)
        for label, _agency, url in address_links(user=user, scheme=request.scheme or "http", port=request.get_port())
    ]


def _keep_language(request: HttpRequest, user: User, response: HttpResponse) -> HttpResponse:
    """A language chosen on the sign-in page becomes the person's; else the one they chose before follows them."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    if chosen in dict(settings.LANGUAGES):
        user_language_set(user=user, language=chosen)
    elif user.language:
        language_cookie_set(response, user.language)
    return response


@require_POST
@login_not_required
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.success(request, _("You have signed out."))
    return redirect("login")


def lockout_response(
    request: HttpRequest, credentials: dict | None = None, *args: object, **kwargs: object
) -> HttpResponse:
    """django-axes' answer once an e-mail is locked out (AXES_LOCKOUT_CALLABLE)."""
    message = locked_out_message()
    if request.path.startswith("/api/"):
        return json_error_response("auth.locked_out", message, 429)
    form = SignInForm(request.POST or None)
    form.is_valid()
    form.add_error(None, message)
    return render(request, "accounts/sign_in.html", {"form": form, "next": ""}, status=429)
