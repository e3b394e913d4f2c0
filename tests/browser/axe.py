"""axe-core (npm, pinned in package.json) run inside the page the browser shows."""

from devstack.browser import AXE

SERIOUS = ("serious", "critical")
_RUN = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ['violations']})
   .then(results => done({violations: results.violations, passes: results.passes.length}))
   .catch(error => done({error: String(error)}));
"""


def violations(driver) -> list[dict]:
    """The page's serious and critical accessibility violations, as axe reports them."""
    if not driver.execute_script("return typeof window.axe === 'object'"):
        driver.execute_script(AXE.read_text(encoding="utf-8"))
    found = driver.execute_async_script(_RUN)
    if "error" in found:
        raise AssertionError(f"axe-core could not run in the page: {found['error']}")
    # A page on which no rule passed was not really looked at (an empty or broken document).
    assert found["passes"] > 0, "axe-core checked nothing on this page"
    return [v for v in found["violations"] if v.get("impact") in SERIOUS]


def describe(found: list[dict]) -> str:
    """One line per violation and the elements it names, for a failing test's message."""
    lines = []
    for violation in found:
        lines.append(f"- [{violation['impact']}] {violation['id']}: {violation['help']} "
                     f"({violation['helpUrl']})")
        for node in violation.get("nodes", [])[:5]:
            lines.append(f"    {', '.join(map(str, node.get('target', [])))}: "
                         f"{node.get('failureSummary', '').splitlines()[-1:]}")
    return "\n".join(lines)
