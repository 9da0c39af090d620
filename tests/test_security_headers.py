"""Content-Security-Policy: every page allows scripts, styles and fonts from our own address only,
and the pages (Swagger UI's included) still load what they use."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

from accounts.models import Role

ROOT = Path(__file__).resolve().parent.parent


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def static_path(url: str) -> str:
    return url.split("/static/", 1)[1].split("?", 1)[0]


@pytest.mark.django_db
def test_every_page_carries_a_policy_that_allows_only_our_own_files(undp, undp_requester, client_at):
    # when an agency's page, the sign-in page and an API answer are asked for
    responses = [
        client_at(undp, undp_requester).get("/"),
        client_at(undp).get("/accounts/login/"),
        client_at(undp, undp_requester).get("/api/me/"),
    ]
    # then each carries the same strict policy
    for response in responses:
        policy = directives(response)
        assert policy["default-src"] == ["'self'"]
        assert policy["script-src"] == ["'self'"]
        assert policy["style-src"] == ["'self'"]  # no nonce where no inline style is used
        assert policy["object-src"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'none'"]
        assert policy["form-action"] == ["'self'"]
        assert "'unsafe-inline'" not in response["Content-Security-Policy"]
        assert "'unsafe-eval'" not in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_the_swagger_ui_page_works_under_the_policy(facility, client_at):
    browser = client_at(facility)
    # when the API docs are opened
    page = browser.get("/api/docs/")
    html = page.content.decode()
    # then its only inline style carries the nonce the header allows, and it has no inline script
    assert page.status_code == 200
    allowed = re.search(r"'nonce-([^']+)'", page["Content-Security-Policy"])
    assert allowed is not None
    nonce = allowed.group(1)
    assert f'<style nonce="{nonce}">' in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    # and every file it loads is ours and found: the sidecar's CSS and bundles, and its start-up script
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    static_files = [source for source in sources if source.startswith("/static/")]
    assert len(static_files) >= 3
    for source in static_files:
        assert finders.find(static_path(source)), source
    start_up = next(source for source in sources if "script" in source and not source.startswith("/static/"))
    script = browser.get(start_up.replace("&amp;", "&"))
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()
    # and the schema it fetches is served at the same address
    assert browser.get("/api/schema/").status_code == 200


@pytest.mark.django_db
def test_the_dashboard_draws_its_charts_from_files(facility, make_person, client_at):
    manager = make_person((Role.FACILITY_MANAGER, None))
    page = client_at(facility, manager).get("/sla/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "ledger/dashboard.js" in html
    assert "vendor/chartjs/chart.umd.min.js" in html
    assert finders.find("ledger/dashboard.js")
    assert finders.find("vendor/chartjs/chart.umd.min.js")


def test_no_page_template_has_an_inline_script_or_style():
    # PDF templates are rendered by WeasyPrint, never by a browser: their <style> is not a page's.
    templates = subprocess.run(
        ["git", "ls-files", "*.html"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    offenders = []
    for name in templates:
        if "/pdf/" in name:
            continue
        text = (ROOT / name).read_text()
        inline_script = re.search(r"<script(?![^>]*\b(?:src=|type=\"application/json\"))[^>]*>", text)
        inline_style = re.search(r"<style(?![^>]*\bnonce=)[^>]*>|\sstyle=\"|\son[a-z]+=\"", text)
        if inline_script or inline_style:
            offenders.append(name)
    assert offenders == []
