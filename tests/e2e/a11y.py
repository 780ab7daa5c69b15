"""Accessibility checks for the browser journeys: axe-core (npm, tests/e2e/package.json) run inside the page.

axe is injected by Playwright from tests/e2e/node_modules, never from a CDN and never served by the site.
The site's Content-Security-Policy allows scripts from its own origin only, so the browser context answers
one made-up same-origin path with the file (`context.route`) and the page loads it with an ordinary
<script src>: the policy stays on while the journeys run.

    from tests.e2e.a11y import check_accessibility, watch_console
    check_accessibility(page, "course page")   # fails on serious or critical violations, prints the rest
    problems = watch_console(page)             # CSP violations and script errors, to assert empty at the end
"""

from pathlib import Path
from urllib.parse import urlsplit

AXE_JS = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
AXE_PATH = "/__e2e__/axe.min.js"  # answered by the browser context, never reaches the server
BLOCKING = ("serious", "critical")
# Moderate by axe's measure, but the pages are clean of them and should stay so.
ALSO_BLOCKING = ("page-has-heading-one", "heading-order", "landmark-one-main")

# Every result of the session, for the summary printed by the conftest: (label, url, violations).
RESULTS = []

RUN_AXE = """async () => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => ({target: n.target.join(" "), html: n.html.slice(0, 200),
                                          summary: n.failureSummary})),
    count: v.nodes.length,
  }));
}"""


def _serve_axe(context):
    if getattr(context, "_axe_routed", False):
        return
    if not AXE_JS.exists():
        raise RuntimeError(f"{AXE_JS} is missing: run `npm ci --prefix tests/e2e` (make test does).")
    context.route(f"**{AXE_PATH}", lambda route: route.fulfill(path=AXE_JS, content_type="text/javascript"))
    context._axe_routed = True


def axe_violations(page):
    """axe-core's violations for the page as it is now (all of them, whatever their impact)."""
    _serve_axe(page.context)
    if not page.evaluate("() => typeof window.axe === 'object'"):
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(page.url))
        page.add_script_tag(url=origin + AXE_PATH)
    return page.evaluate(RUN_AXE)


def describe(violations):
    lines = []
    for v in violations:
        lines.append(f"  [{v['impact']}] {v['id']}: {v['help']} ({v['count']} element(s))")
        for node in v["nodes"]:
            lines.append(f"      {node['target']}: {node['html']}")
    return "\n".join(lines)


def check_accessibility(page, label):
    """Run axe on the page: no serious or critical violations (nor the few in ALSO_BLOCKING); the others are
    printed (pytest -s or -rA)."""
    violations = axe_violations(page)
    RESULTS.append((label, page.url, violations))
    blocking = [v for v in violations if v["impact"] in BLOCKING or v["id"] in ALSO_BLOCKING]
    others = [v for v in violations if v not in blocking]
    if others:
        print(f"axe on {label} ({page.url}), not blocking:\n{describe(others)}")
    assert not blocking, f"axe on {label} ({page.url}):\n{describe(blocking)}"
    return violations


def watch_console(page):
    """Collect the CSP violations and uncaught script errors the page reports from now on; assert the list
    stays empty at the end of a test (pages must work under the strict policy, without inline code)."""
    problems = []
    page.on(
        "console",
        lambda msg: (
            problems.append(msg.text)
            if msg.type == "error" and ("Content Security Policy" in msg.text or "Refused to" in msg.text)
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    return problems
