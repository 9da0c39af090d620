"""Each person's language: the one they chose (kept on their account), else their browser's.

Django's LocaleMiddleware reads the language cookie, then `Accept-Language`.
`PersonLanguageMiddleware` (after authentication) puts a signed-in person's
saved choice above both, so it follows them to every address and device, and
`language_choose` (the switch on every page, the sign-in page included) saves
the choice on the account when someone is signed in and in the cookie always.
A choice made before signing in is kept at sign-in (accounts.views.sign_in).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .services import user_language_set


class PersonLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


def language_cookie_set(response: HttpResponse, language: str) -> HttpResponse:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        httponly=True,
    )
    return response


@require_POST
@login_not_required
def language_choose(request: HttpRequest) -> HttpResponse:
    """The language switch: saved on the account (when signed in) and in this browser; back where you were."""
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        return HttpResponseBadRequest(_("Choose one of the platform's languages."))
    if request.user.is_authenticated:
        user_language_set(user=request.user, language=language)  # type: ignore[arg-type]
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    return language_cookie_set(redirect(next_url), language)
