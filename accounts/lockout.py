"""Who a failed sign-in was for, whichever way it came (django-axes AXES_USERNAME_CALLABLE).

Three paths sign people in: the sign-in page and the API token endpoint post
`email`, the Django admin's form posts `username` (the form of
django.contrib.auth, whatever USERNAME_FIELD is). All three must count
against one lockout per account and client, so the account is read from
either name, trimmed and lower-cased as accounts are stored: five wrong
passwords on the admin lock the page and the API too, and the other way round.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

ACCOUNT_FIELDS = ("email", "username")


def sign_in_account(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str | None:
    sources: list[Any] = [credentials or {}]
    if request is not None:
        sources.append(getattr(request, "data", None) or request.POST)
    for source in sources:
        for field in ACCOUNT_FIELDS:
            try:
                value = source.get(field)
            except AttributeError:  # a JSON body that is a list or a string, not an object
                continue
            if isinstance(value, str) and value.strip():
                return value.strip().lower()
    return None
