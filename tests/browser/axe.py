"""Accessibility checks with axe-core, run inside the page by Playwright.

axe-core comes from the npm registry (tests/browser/package.json, `npm ci --prefix tests/browser`; licence
MPL-2.0), never from a CDN: nothing is fetched while the tests run. It is evaluated with `page.evaluate`,
which runs in Playwright's own world and is not subject to the page's Content-Security-Policy (the platform
allows no inline script, so `add_script_tag` with its content would be refused).

    violations = axe_violations(page)                 # serious and critical ones, on the page as it is now
    assert not violations, axe_report(violations)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

AXE_SOURCE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")


def axe_source() -> str:
    if not AXE_SOURCE.exists():
        pytest.skip("axe-core is not installed: run `npm ci --prefix tests/browser` (see README, Tests)")
    return AXE_SOURCE.read_text()


def axe_violations(page: Any, *, impacts: tuple[str, ...] = BLOCKING) -> list[dict[str, Any]]:
    """The page's axe-core violations of the given impacts (WCAG 2.1 A and AA rules and best practices)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    result = page.evaluate(
        """async () => {
            const results = await axe.run(document, {resultTypes: ["violations"]});
            return results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " :: " + n.failureSummary)
            }));
        }"""
    )
    return [violation for violation in result if violation["impact"] in impacts]


def axe_report(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['impact']}: {violation['id']} - {violation['help']}")
        lines.extend(f"    {node}" for node in violation["nodes"])
    return "\n".join(lines)
