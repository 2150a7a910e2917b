"""The tenant-isolation matrix: every tenant URL crossed with {anonymous → login, another
organization → 404, wrong role → 403, allowed → 200}. Add pages to ``tests/tenant_urls.py``."""

import dataclasses

import pytest
from django.urls import reverse

from tests.tenant_urls import ADMIN, MEMBER, SENDER, TENANT_URLS, TenantUrl

WHO = ["anonymous", "charlie", ADMIN, MEMBER, SENDER]


def expected_status(route: TenantUrl, who: str) -> int:
    if who == "anonymous":
        return 302
    if who == "charlie":
        # Another organization's admin: an object of Acme does not exist for them; a list
        # page is theirs to open (and must not show Acme's rows, see the test below).
        return 404 if route.build else 200
    if who in route.hidden_from:
        return 404
    return route.allowed_status if who in route.allowed else 403


def _open(client, route: TenantUrl, url: str):
    return client.get(url) if route.post is None else client.post(url, route.post)


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("route", TENANT_URLS, ids=str)
def test_tenant_url_matrix(cast, route: TenantUrl, who: str) -> None:
    kwargs = route.build(cast) if route.build else {}
    url = reverse(route.name, kwargs=kwargs) + (f"?{route.query}" if route.query else "")

    response = _open(cast.client(who), route, url)

    assert response.status_code == expected_status(route, who), url
    if who == "anonymous":
        assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("route", [r for r in TENANT_URLS if not r.build], ids=str)
def test_list_pages_never_show_another_organizations_rows(cast, route: TenantUrl) -> None:
    url = reverse(route.name) + (f"?{route.query}" if route.query else "")
    response = cast.client("charlie").get(url)

    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    body = content.decode()
    assert cast.org.name not in body
    assert "Admissions" not in body


@pytest.mark.parametrize("who", [ADMIN, MEMBER, SENDER])
@pytest.mark.parametrize("route", [r for r in TENANT_URLS if r.build], ids=str)
def test_another_organizations_object_answers_404_whatever_the_role(
    cast, route: TenantUrl, who: str
) -> None:
    """Every person of Acme, whatever their role, gets 404 — never 403 — for an object of the
    other organization: built there by the same recipe, with charlie as its admin."""
    from offices.tests.factories import OfficeFactory

    elsewhere = dataclasses.replace(
        cast,
        org=cast.other_org,
        office_a=OfficeFactory.create(organization=cast.other_org, name="Elsewhere A"),
        office_b=OfficeFactory.create(organization=cast.other_org, name="Elsewhere B"),
        alice=cast.charlie,
        clients={},
    )
    assert route.build is not None
    url = reverse(route.name, kwargs=route.build(elsewhere))
    url += f"?{route.query}" if route.query else ""

    response = _open(cast.client(who), route, url)

    assert response.status_code == 404, url


@pytest.mark.parametrize("who", [ADMIN, MEMBER, SENDER])
@pytest.mark.parametrize("route", [r for r in TENANT_URLS if r.build], ids=str)
def test_a_missing_object_answers_404_as_an_object_the_person_cannot_see(
    cast, route: TenantUrl, who: str
) -> None:
    """A page about an id that exists nowhere answers like a page about another office's or
    another organization's object: the answers never tell them apart."""
    assert route.build is not None
    kwargs = {**route.build(cast), "pk": 2**31 - 1}

    response = _open(cast.client(who), route, reverse(route.name, kwargs=kwargs))

    assert response.status_code == 404
