"""The compiled catalogues, for tests that read pages and e-mails in another language."""

from __future__ import annotations

from django.utils.translation import trans_real

from shared_platform.translations import catalogues_compile


def catalogues_ready() -> None:
    """Compile any .po newer than its .mo (make does it for a run; a bare pytest may not have) and forget
    the translations Django already loaded, so what was just compiled is read."""
    if catalogues_compile():
        trans_real._translations.clear()  # type: ignore[attr-defined]
        trans_real._default = None  # type: ignore[attr-defined]
