"""Fixtures for the catalogue and SLA tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _language_reset() -> Iterator[None]:
    """A page asked for in another language leaves it active in the thread; the next test starts in English."""
    yield
    translation.deactivate()
