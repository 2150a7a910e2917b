from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from inboxes.models import Inbox
from offices.models import Membership, Office, Organization, Role


@pytest.mark.django_db
def test_create_organization_prints_a_generated_password_that_works() -> None:
    out = StringIO()

    call_command("create_organization", "Acme College", admin_email="Boss@Acme.test", stdout=out)

    password = out.getvalue().split("Password: ")[1].split()[0]
    admin = User.objects.get(email="boss@acme.test")
    assert admin.check_password(password)
    membership = Membership.objects.get(user=admin)
    assert (membership.organization.slug, membership.role) == ("acme-college", Role.ADMIN)


@pytest.mark.django_db
def test_create_organization_refuses_a_person_already_in_an_organization() -> None:
    call_command("create_organization", "A", admin_email="a@x.test", admin_password="pw-12345678")

    with pytest.raises(CommandError, match="already belongs to an organization"):
        call_command("create_organization", "B", admin_email="a@x.test")

    assert Organization.objects.count() == 1


@pytest.mark.django_db
def test_seed_demo_is_safe_to_run_twice() -> None:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    call_command("seed_demo", stdout=out)

    org = Organization.objects.get(slug="demo-college")
    assert Office.objects.filter(organization=org).count() == 2
    assert Inbox.objects.filter(organization=org).count() == 3
    roles = sorted(Membership.objects.filter(organization=org).values_list("role", flat=True))
    assert roles == ["admin", "member", "sender", "sender"]
    assert User.objects.get(email="admin@demo.longcode.test").check_password("longcode-demo")
    assert "admin@demo.longcode.test / longcode-demo" in out.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize("email", ["boss", "boss@", "boss@acme", "two words@acme.test"])
def test_create_organization_refuses_an_invalid_email(email) -> None:
    with pytest.raises(CommandError) as refused:
        call_command("create_organization", "Acme College", admin_email=email)

    assert str(refused.value) == f"“{email}” is not an e-mail address."
    assert Organization.objects.count() == 0
    assert User.objects.count() == 0
