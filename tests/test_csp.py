"""Issue 13: every page sends a Content-Security-Policy that lets scripts and styles come only
from our own files, and no template holds an inline script, handler or style for it to refuse."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import BrowserContext, expect

from campaigns.tests.factories import CampaignFactory, CampaignSenderFactory
from tests.browser import csp_watch, sign_in

ROOT = Path(settings.BASE_DIR)
# An inline <script> (one without src), an on*= handler, htmx's hx-on (which evaluates), or an
# inline style (<style> or style="").
INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=|\shx-on[:-]|<style|\sstyle\s*=", re.IGNORECASE
)


def sources(response, name: str) -> list[str]:
    policy = response.headers["Content-Security-Policy"]
    for directive in policy.split(";"):
        directive_name, *values = directive.split()
        if directive_name == name:
            return values
    raise AssertionError(f"No {name} in {policy}")


@pytest.mark.django_db
def test_every_kind_of_page_sends_the_policy_without_inline_scripts(cast) -> None:
    campaign = CampaignFactory.create(organization=cast.org, office=cast.office_a, active=True)
    CampaignSenderFactory.create(campaign=campaign, user=cast.sam)
    pages = [
        (None, "/accounts/login/"),
        ("alice", "/campaigns/"),
        ("alice", "/numbers/"),
        ("alice", f"/campaigns/{campaign.pk}/"),
        ("sam", "/messenger/"),
    ]
    for who, path in pages:
        client = cast.client(who or "anonymous")
        response = client.get(path)
        assert response.status_code == 200, path
        assert sources(response, "script-src") == ["'self'"], path
        assert sources(response, "style-src") == ["'self'"], path
        policy = response.headers["Content-Security-Policy"]
        assert "object-src 'none'" in policy, path
        assert "frame-ancestors 'none'" in policy, path


def test_no_template_holds_an_inline_script_or_handler() -> None:
    templates = [
        path
        for path in ROOT.rglob("templates/**/*.html")
        if ".venv" not in path.parts and "notifications" not in path.parts
    ]
    assert len(templates) > 50  # the search finds the project's templates
    found = [
        f"{path.relative_to(ROOT)}: {match.group(0).strip()}"
        for path in templates
        for match in INLINE.finditer(path.read_text())
    ]
    assert not found, "\n".join(found)


def test_the_pattern_finds_what_it_must() -> None:
    for bad in [
        "<script>alert(1)</script>",
        '<a onclick="x()">',
        '<div hx-on:click="x()">',
        '<p style="margin:0">',
    ]:
        assert INLINE.search(bad), bad
    assert not INLINE.search('<script src="/static/js/longcode.js" defer></script>')
    assert not INLINE.search('<button data-copy="invite-link">')


@pytest.mark.browser
def test_the_browser_refuses_an_inline_script_and_the_watch_sees_it(
    live_server, context: BrowserContext, cast
) -> None:
    # A page of its own: the page fixture would fail this test for the refusal it causes.
    page = context.new_page()
    watch = csp_watch(page)
    sign_in(page, live_server.url, "alice@acme.test", "correct-horse-battery")
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    assert not watch
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.injected = true'; document.body.appendChild(s); }"
    )
    assert page.evaluate("() => window.injected === undefined")
    assert any("Content Security Policy" in line for line in watch), watch
