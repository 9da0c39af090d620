"""A crawler that walks the pages a person is shown, as that person.

It starts at an address's home page and follows every same-host link a page
shows (GET only), a bounded number of times per URL pattern, downloads
included. It knows no page by name: a module that adds pages and links to them
is walked without new test code. For every answer it records

- a server error (5xx, or an exception raised by the view), with its traceback;
- a reference to a request the person may not see (another agency's, or, inside
  an agency, a colleague's that PRODUCT.md's visibility rule keeps from them),
  found in the page, the CSV or the text of the PDF.

tests/test_crawler.py runs it over the demo for every demo role at every
address it may use. CRAWL_PER_PATTERN (default 3) and CRAWL_MAX_PAGES (default
400 per person and address) bound it.
"""

from __future__ import annotations

import io
import os
import re
import time
import traceback
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urldefrag, urlsplit

from django.test import Client
from django.urls import Resolver404, resolve

PER_PATTERN = int(os.environ.get("CRAWL_PER_PATTERN", "3"))
# A route's query strings (the admin's filters and sort orders) vary a lot; a route gets a few times PER_PATTERN.
PER_ROUTE = PER_PATTERN * 4
MAX_PAGES = int(os.environ.get("CRAWL_MAX_PAGES", "1500"))
# Links that change state when followed with GET would be bugs of their own; these only end the walk.
NOT_FOLLOWED = ("/accounts/logout/", "/static/", "/media/")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def links_in(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.hrefs


@dataclass
class Problem:
    person: str
    host: str
    url: str
    what: str
    found_on: str

    def __str__(self) -> str:
        return f"{self.person} at {self.host}{self.url} (linked from {self.found_on}): {self.what}"


@dataclass
class CrawlResult:
    person: str
    host: str
    pages: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    patterns: set[str] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)
    seconds: float = 0.0


def text_of(response) -> str:  # type: ignore[no-untyped-def]
    """What a person reads in an answer: the page, the CSV, or the text of the PDF."""
    content_type = response.get("Content-Type", "")
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content_type.startswith("application/pdf"):
        from pypdf import PdfReader

        return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)
    return content.decode("utf-8", errors="replace")


def pattern_of(path: str, query: str, urlconf: str | None) -> tuple[str, str] | None:
    """The URL pattern a path resolves to, and it with the names of its query parameters: the units bounded."""
    try:
        match = resolve(path, urlconf=urlconf)
    except Resolver404:
        return None
    keys = sorted({key for key, _ in parse_qsl(query, keep_blank_values=True)})
    return match.route, f"{match.route}?{'&'.join(keys)}"


def crawl(
    client: Client,
    *,
    person: str,
    host: str,
    urlconf: str | None,
    forbidden: re.Pattern[str] | None,
    start: Iterable[str] = ("/",),
) -> CrawlResult:
    """Walk from `start`, breadth first; `forbidden` matches what this person must never read."""
    result = CrawlResult(person=person, host=host)
    started = time.monotonic()
    queue: list[tuple[str, str]] = [(url, "(start)") for url in start]
    seen: set[str] = set()
    per_pattern: Counter[str] = Counter()
    per_route: Counter[str] = Counter()
    while queue and result.pages < MAX_PAGES:
        url, found_on = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        parts = urlsplit(url)
        resolved = pattern_of(parts.path, parts.query, urlconf)
        if resolved is not None:
            route, pattern = resolved
            if per_pattern[pattern] >= PER_PATTERN or per_route[route] >= PER_ROUTE:
                continue
            per_pattern[pattern] += 1
            per_route[route] += 1
            result.patterns.add(route)
        result.pages += 1
        try:
            response = client.get(url)
        except Exception as error:  # the view raised: Django would answer 500
            result.statuses[500] += 1
            trace = "".join(traceback.format_exception(error)[-6:])
            result.problems.append(Problem(person, host, url, f"exception {error!r}\n{trace}", found_on))
            continue
        result.statuses[response.status_code] += 1
        if response.status_code >= 500:
            result.problems.append(Problem(person, host, url, f"HTTP {response.status_code}", found_on))
            continue
        if response.status_code in (301, 302, 303, 307, 308):
            target = urlsplit(response["Location"])
            if not target.netloc or target.netloc == host:
                queue.append((target.path + (f"?{target.query}" if target.query else ""), url))
            continue
        text = text_of(response)
        if forbidden is not None:
            leaked = sorted(set(forbidden.findall(text)))
            if leaked:
                result.problems.append(
                    Problem(person, host, url, f"shows references it may not see: {', '.join(leaked[:5])}", found_on)
                )
        if response.get("Content-Type", "").startswith("text/html"):
            for href in links_in(text):
                target_url = _same_host_path(href, base=parts.path, host=host)
                if target_url and target_url not in seen:
                    queue.append((target_url, url))
    result.seconds = time.monotonic() - started
    return result


def _same_host_path(href: str, *, base: str, host: str) -> str | None:
    href, _fragment = urldefrag(href.strip())
    if not href or href.startswith(("mailto:", "tel:", "javascript:", "data:")):
        return None
    parts = urlsplit(href)
    if parts.scheme and parts.scheme not in ("http", "https"):
        return None
    if parts.netloc and parts.netloc.lower() != host.lower():
        return None
    path = parts.path
    if not path:
        path = base
    elif not path.startswith("/"):
        path = base.rsplit("/", 1)[0] + "/" + path
    if path.startswith(NOT_FOLLOWED):
        return None
    return path + (f"?{parts.query}" if parts.query else "")
