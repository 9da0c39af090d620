"""Writing to someone in their language: a person's e-mails, an agency's invoices, reports and minutes."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

from django.conf import settings
from django.utils import translation


def language_of(reader: Any) -> str:
    """The language a person (User.language, blank: the platform's) or an agency (Agency.language) reads."""
    return getattr(reader, "language", "") or settings.LANGUAGE_CODE


def in_language_of(reader: Any) -> AbstractContextManager[None]:
    """`with in_language_of(recipient): render the e-mail` — everything translated inside is in their language."""
    return translation.override(language_of(reader))
