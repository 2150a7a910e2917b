"""Helpers for the browser journeys (Playwright on Debian's Chromium against live_server)."""

import weakref
from pathlib import Path

from axe_playwright_python.base import AXE_SCRIPT
from playwright.sync_api import ConsoleMessage, Locator, Page, expect

SCREENSHOTS = Path(__file__).resolve().parent.parent / "var" / "screenshots"
# The two screens every page is checked at: a laptop and a phone (an iPhone 14 is 390 px wide).
WIDE, PHONE = 1280, 390
# axe-core's impacts we refuse; "moderate" and "minor" are advice.
REFUSED_IMPACTS = ("serious", "critical")


def csp_watch(page: Page) -> list[str]:
    """Collects, from now on, the console errors in which the browser refused something under
    the Content-Security-Policy (an inline script or handler, an eval, a foreign source)."""
    refused: list[str] = []

    def seen(message: ConsoleMessage) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            refused.append(f"{page.url}: {message.text}")

    page.on("console", seen)
    return refused


def sign_in(page: Page, live_server_url: str, email: str, password: str) -> None:
    page.goto(f"{live_server_url}/accounts/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


# axe-core's run in the page, returning only what the assertion reads: the refused violations'
# rule, impact, help, and each element's target and failure summary (not the passes, nor each
# element's HTML), so little crosses back from the browser.
AXE_RUN = """(refused) => axe.run(document, {resultTypes: ['violations']}).then((results) =>
  results.violations
    .filter((v) => refused.includes(v.impact))
    .map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((node) => ({target: node.target, failureSummary: node.failureSummary})),
    })))"""
# Pages that start every new document with axe-core already in it (add_init_script).
_AXE_PRELOADED: "weakref.WeakSet[Page]" = weakref.WeakSet()


def axe_violations(page: Page) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now, one readable line
    per element: rule, impact, what is wrong, where."""
    # Half a megabyte of script: after a page's first check, every document it loads starts
    # with axe-core in it (Chromium evaluates it there) instead of it being sent again.
    if page not in _AXE_PRELOADED:
        page.add_init_script(AXE_SCRIPT)
        _AXE_PRELOADED.add(page)
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SCRIPT)
    violations = page.evaluate(AXE_RUN, list(REFUSED_IMPACTS))
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {' '.join(node['target'])}: "
        f"{' '.join(node['failureSummary'].split())}"
        for v in violations
        if v["impact"] in REFUSED_IMPACTS
        for node in v["nodes"]
    ]


def assert_accessible(page: Page) -> None:
    found = axe_violations(page)
    assert not found, f"axe-core on {page.url}:\n" + "\n".join(found)


def sideways_overflow(page: Page) -> int:
    """How many pixels the page would scroll sideways (0 when it fits the window)."""
    return int(page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth"))


WIDEST = """() => [...document.body.querySelectorAll('*')]
  .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 0.5)
  .filter((el) => !el.closest('.table-scroll'))
  .slice(-3)
  .map((el) => el.tagName.toLowerCase()
    + (el.className ? '.' + String(el.className).trim().replace(/\\s+/g, '.') : '')
    + ' ' + Math.round(el.getBoundingClientRect().right) + 'px')"""


def check_page(page: Page) -> None:
    """The page as it is now, at a laptop's width and a phone's: it never scrolls sideways and
    axe-core finds no serious or critical violation. The window is put back as it was."""
    size = page.viewport_size
    try:
        for width in (WIDE, PHONE):
            page.set_viewport_size({"width": width, "height": size["height"] if size else 900})
            overflow = sideways_overflow(page)
            assert overflow <= 0, (
                f"{page.url} scrolls sideways by {overflow}px at {width}px; past the edge: "
                + ", ".join(page.evaluate(WIDEST))
            )
            assert_accessible(page)
    finally:
        if size:
            page.set_viewport_size(size)


def confirm(page: Page, action: str) -> Locator:
    """Clicks a consequential action (Launch, Archive), sees its dialog ask, and confirms."""
    page.get_by_role("button", name=action, exact=True).click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name=action, exact=True).click()
    return dialog
