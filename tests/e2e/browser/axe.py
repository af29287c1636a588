"""Accessibility checks with axe-core, vendored under vendor/axe-core/ and run in the page under test."""
from __future__ import annotations

from pathlib import Path

import pytest

AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
BLOCKING_IMPACTS = ("serious", "critical")


def axe_violations(page, *, context=None, options: dict | None = None) -> list[dict]:
    """axe.run()'s violations for the page (or `context`: a selector or axe context object), once it has
    loaded: a click that navigates returns when the new page starts loading, before its <head> and
    stylesheets are there (axe could not be added, and colour contrast needs the styles)."""
    page.wait_for_load_state("load")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE_JS))
    return page.evaluate(
        "([context, options]) => axe.run(context ?? document, options ?? {}).then(r => r.violations)",
        [context, options],
    )


def describe_violations(violations: list[dict], *, max_nodes: int = 5) -> str:
    lines = []
    for violation in violations:
        lines.append(f"  - {violation['id']} ({violation['impact']}): {violation['help']} <{violation['helpUrl']}>")
        for node in violation["nodes"][:max_nodes]:
            lines.append(f"      {' >> '.join(' '.join(part) if isinstance(part, list) else part for part in node['target'])}")
        if len(violation["nodes"]) > max_nodes:
            lines.append(f"      … and {len(violation['nodes']) - max_nodes} more")
    return "\n".join(lines)


def assert_no_serious_axe_violations(page, *, context=None, options: dict | None = None) -> list[dict]:
    """Fails the test listing each serious or critical violation (rule id, impact, target selectors);
    returns the milder ones, for a test that wants to look at them."""
    violations = axe_violations(page, context=context, options=options)
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    if blocking:
        pytest.fail(
            f"axe-core: {len(blocking)} serious/critical accessibility violation(s) on {page.url}:\n"
            + describe_violations(blocking),
            pytrace=False,
        )
    return violations
