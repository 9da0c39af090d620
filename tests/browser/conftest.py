"""Fixtures for the browser journeys: Debian's Chromium driven by Playwright, against live_server.

Agencies are served at `<code>.localhost:<port>` and the facility portal at
`localhost:<port>`; Chromium resolves every `*.localhost` name to the loopback
address, so no hosts file is needed.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

# Playwright's sync API runs an asyncio event loop in the main thread; Django
# would then refuse ORM calls from that thread (SynchronousOnlyOperation) in the
# fixtures and in live_server's flush. This is the documented workaround.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test under tests/browser drives a real browser."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip(
            "Chromium not found at /usr/bin/chromium: install it with 'apt-get install chromium' (Debian) "
            "to run the browser tests"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """A fresh browser tab with its own cookies, for one journey."""
    context = browser.new_context()
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def address(live_server) -> Callable[..., str]:  # type: ignore[no-untyped-def]
    """address("undp", "/") -> "http://undp.localhost:<port>/"; address(None) is the facility portal."""
    port = urlsplit(live_server.url).port

    def make(code: str | None, path: str = "/") -> str:
        host = "localhost" if code is None else f"{code.lower()}.localhost"
        return f"http://{host}:{port}{path}"

    return make
