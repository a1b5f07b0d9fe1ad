"""Checks on every kind of reader page: accessibility (axe-core) and a clean console.

Each test visits all the pages and reports every page's problems at once.
"""

from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import READER_PAGES, load_all_images

WCAG_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = {"serious", "critical"}


def _describe(violation, name):
    nodes = "\n".join(
        f"      {' '.join(node['target'])}: {node['html'][:160]}\n"
        f"        {node.get('failureSummary', '').replace(chr(10), ' ')}"
        for node in violation["nodes"]
    )
    return (
        f"  [{name}] {violation['id']} ({violation['impact']}): {violation['help']}\n"
        f"    {violation['helpUrl']}\n{nodes}"
    )


def test_reader_pages_have_no_serious_accessibility_violation(page, newsroom):
    blocking = []
    for name, path in READER_PAGES.items():
        page.goto(path(newsroom))
        load_all_images(page)

        results = Axe().run(
            page,
            options={
                "runOnly": {"type": "tag", "values": WCAG_A_AA},
                "resultTypes": ["violations"],
            },
        )

        blocking += [
            _describe(violation, name)
            for violation in results.response["violations"]
            if violation["impact"] in BLOCKING_IMPACTS
        ]
    assert not blocking, "axe-core violations:\n" + "\n".join(blocking)


def test_reader_pages_log_no_console_error_and_break_no_security_policy(page, newsroom, problems):
    csp_violations = []
    for name, path in READER_PAGES.items():
        response = page.goto(path(newsroom))
        assert response.status == (404 if name == "404" else 200), name
        assert "script-src 'self'" in response.headers["content-security-policy"], name
        load_all_images(page)
        csp_violations += [f"{name}: {v}" for v in page.evaluate("window.__cspViolations")]

    # Chromium logs the 404 page's own status as a failed resource: that one is expected.
    expected = "the server responded with a status of 404"
    console_errors = [error for error in problems.console_errors if expected not in error]
    assert console_errors == []
    assert problems.page_errors == []
    assert csp_violations == []
