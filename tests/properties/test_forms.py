"""Generated text, dates and numbers at every form of every app, through the test client on
PostgreSQL: never a server error, and a refused submission says why where the person looks and
saves nothing (every table's rows are the same before and after)."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import pytest
from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.test import Client
from django.urls import reverse
from hypothesis import given, settings

from accounts.forms import LoginForm, PasswordResetRequestForm
from campaigns.forms import CampaignForm, FollowUpForm, SenderAddForm
from campaigns.join_views import JoinSignUpForm
from inboxes.forms import InboxForm
from offices.forms import MemberInviteForm, OfficeForm, OrganizationSettingsForm
from phone_numbers.forms import ReusableDefaultsForm
from phone_numbers.order_forms import DedicatedNumberForm, ReusableNumberForm
from tests.properties.stage import Stage, stage_build
from tests.properties.strategies import (
    PROFILE,
    fingerprint,
    form_data,
    refused,
    rolled_back,
)
from texting.forms import (
    AssignForm,
    BotAnswerForm,
    DirectMessageForm,
    IdkReviewForm,
    OptOutAddForm,
    OptOutRemoveForm,
    ReplyForm,
)


def fields_of(
    *form_classes: type[forms.Form | forms.ModelForm[Any]], extra: tuple[str, ...] = ()
) -> list[str]:
    names: list[str] = list(extra)
    for form_class in form_classes:
        names += [name for name in form_class.base_fields if name not in names]
    return names


@dataclass(frozen=True)
class FormTarget:
    label: str
    who: str
    url: Callable[[Stage], str]
    fields: list[str]
    # Values the form would take, per field, so that generated data also reaches the checks
    # behind a valid field (the rest is junk).
    plausible: Callable[[Stage], dict[str, list[Any]]] = lambda stage: {}
    # True where the view answers a refused form with the form again (200 or 400) and an
    # accepted one with a redirect: a 200 without an error message is then a silent refusal.
    rerenders: bool = True
    htmx: bool = False
    # Fewer for a page that is slow to render (the settings page lists every time zone).
    examples: int = PROFILE.max_examples

    def __str__(self) -> str:
        return self.label


def _campaign_fields(stage: Stage) -> dict[str, list[Any]]:
    return {
        "name": ["Spring outreach"],
        "office": [stage.office_a.pk, stage.other_office.pk],
        "initial_message": ["Hi {first_name}!", "Hi {nope}"],
        "start_at": ["2026-12-01T09:00", "9999-12-31T23:59", "2101-01-01T00:00"],
        "idk": ["agent", "default"],
        "use_case": [stage.use_case.pk],
        "number_choice": ["single_use", "dedicated", "reusable"],
        "area_codes": ["212, 646", "999"],
        "dedicated_number": [stage.dedicated.pk],
        "reusable_number": [stage.reusable.pk],
    }


def _number_fields(stage: Stage) -> dict[str, list[Any]]:
    return {
        "number_type": ["dedicated", "reusable"],
        "action": ["search", "order"],
        "use_case": [stage.use_case.pk],
        "area_codes": ["212", "212, 646"],
        "office": [stage.office_a.pk],
        "response_type": ["agent", "bot"],
        "inboxes": [stage.inbox.pk],
        "name": ["Front desk"],
    }


def _office_fields(stage: Stage) -> dict[str, list[Any]]:
    return {
        "name": ["Registrar", "Admissions"],
        "number_quota": ["3", "1000", "1001", "-1"],
        "idk_default": ["reply", "silent", "agent"],
        "idk_message": ["We will get back to you."],
    }


def _panel_url(name: str, stage: Stage) -> str:
    return reverse(f"sender_panel:{name}", kwargs={"pk": stage.active.pk})


TARGETS = [
    FormTarget(
        "sign in",
        "anonymous",
        lambda s: reverse("accounts:login"),
        fields_of(LoginForm),
        lambda s: {"username": ["alice@acme.test"], "password": ["wrong"]},
    ),
    FormTarget(
        "set password",
        "bob_resetting",
        lambda s: s.set_password_url,
        fields_of(SetPasswordForm),
        lambda s: {"new_password1": ["correct-horse-battery-9"]},
    ),
    FormTarget(
        "forgot your password",
        "anonymous",
        lambda s: reverse("accounts:password_reset"),
        fields_of(PasswordResetRequestForm),
        lambda s: {"email": ["alice@acme.test", "nobody@acme.test", " Alice@ACME.test "]},
    ),
    FormTarget(
        "join: sign up",
        "anonymous",
        lambda s: reverse("join", kwargs={"token": s.invite_token}),
        fields_of(JoinSignUpForm),
        lambda s: {
            "first_name": ["Nia"],
            "email": ["nia@example.test", "alice@acme.test"],
            "password": ["correct-horse-battery-9"],
        },
    ),
    FormTarget(
        "offices: new",
        "alice",
        lambda s: reverse("offices:create"),
        fields_of(OfficeForm),
        _office_fields,
    ),
    FormTarget(
        "offices: edit",
        "alice",
        lambda s: reverse("offices:edit", kwargs={"pk": s.office_a.pk}),
        fields_of(OfficeForm),
        _office_fields,
    ),
    FormTarget(
        "offices: invite a member",
        "alice",
        lambda s: reverse("offices:invite"),
        fields_of(MemberInviteForm),
        lambda s: {
            "email": ["new@acme.test", "charlie@other.test"],
            "role": ["admin", "member", "sender"],
            "offices": [[s.office_a.pk], [s.other_office.pk]],
        },
    ),
    FormTarget(
        "offices: settings",
        "alice",
        lambda s: reverse("offices:settings"),
        fields_of(OrganizationSettingsForm),
        lambda s: {"name": ["Acme U"], "time_zone": ["America/Chicago", "Mars/Olympus"]},
        examples=6,
    ),
    FormTarget(
        "offices: switch organization",
        "alice",
        lambda s: reverse("offices:switch"),
        ["organization", "next"],
        lambda s: {"organization": [s.org.pk, s.other_org.pk], "next": ["/", "//evil.test/"]},
        rerenders=False,
    ),
    FormTarget(
        "inboxes: new",
        "alice",
        lambda s: reverse("inboxes:create"),
        fields_of(InboxForm),
        lambda s: {"office": [s.office_a.pk, s.other_office.pk], "name": ["Help desk"]},
    ),
    FormTarget(
        "inboxes: edit",
        "alice",
        lambda s: reverse("inboxes:edit", kwargs={"pk": s.inbox.pk}),
        fields_of(InboxForm),
        lambda s: {"office": [s.office_a.pk, s.office_b.pk], "name": ["Help desk"]},
    ),
    FormTarget(
        "numbers: add (dedicated)",
        "alice",
        lambda s: reverse("phone_numbers:new") + "?kind=dedicated",
        fields_of(DedicatedNumberForm, extra=("action",)),
        _number_fields,
        rerenders=False,
    ),
    FormTarget(
        "numbers: add (reusable)",
        "bob",
        lambda s: reverse("phone_numbers:new") + "?kind=reusable",
        fields_of(ReusableNumberForm, extra=("action",)),
        _number_fields,
        rerenders=False,
    ),
    FormTarget(
        "numbers: edit reusable",
        "bob",
        lambda s: reverse("phone_numbers:edit", kwargs={"pk": s.reusable.pk}),
        fields_of(ReusableDefaultsForm),
        _number_fields,
    ),
    FormTarget(
        "campaigns: new",
        "alice",
        lambda s: reverse("campaigns:create"),
        fields_of(CampaignForm),
        _campaign_fields,
    ),
    FormTarget(
        "campaigns: edit (draft)",
        "alice",
        lambda s: reverse("campaigns:edit", kwargs={"pk": s.draft.pk}),
        fields_of(CampaignForm),
        _campaign_fields,
    ),
    FormTarget(
        "campaigns: edit (active)",
        "alice",
        lambda s: reverse("campaigns:edit", kwargs={"pk": s.active.pk}),
        fields_of(CampaignForm),
        _campaign_fields,
    ),
    FormTarget(
        "campaigns: follow-up",
        "alice",
        lambda s: reverse("campaigns:follow_up", kwargs={"pk": s.active.pk}),
        fields_of(FollowUpForm),
        lambda s: {
            "name": ["Again"],
            "initial_message": ["Hello again"],
            "exclude_replied": ["on"],
            "exclude_phones": ["(212) 555-0100, 646"],
        },
    ),
    FormTarget(
        "campaigns: confirm contacts",
        "alice",
        lambda s: reverse("campaigns:contacts_confirm", kwargs={"pk": s.draft.pk}),
        ["upload"],
        rerenders=False,
    ),
    FormTarget(
        "campaigns: add a sender",
        "alice",
        lambda s: reverse("campaigns:sender_add", kwargs={"pk": s.active.pk}),
        fields_of(SenderAddForm),
        lambda s: {"user": [s.sam.pk, s.charlie.pk]},
        rerenders=False,
    ),
    *[
        FormTarget(
            f"sender panel: {name}",
            "alice",
            partial(_panel_url, name),
            ["sender", "to_sender", "count", "action", "batch_size", "self_assign"],
            lambda s: {
                "sender": [s.sam.pk, s.charlie.pk],
                "to_sender": [s.sam.pk],
                "count": ["1", "3"],
                "action": ["on", "off", "regenerate"],
                "batch_size": ["1", "500", "0"],
                "self_assign": ["on"],
            },
            rerenders=False,
            htmx=True,
        )
        for name in ("assign", "move", "take_back", "invite_link", "self_assign")
    ],
    FormTarget(
        "sender panel: canned response",
        "alice",
        lambda s: reverse("sender_panel:canned_add", kwargs={"pk": s.active.pk}),
        ["title", "text"],
        lambda s: {"title": ["Hours"], "text": ["We open at 9."]},
        rerenders=False,
        htmx=True,
    ),
    FormTarget(
        "messenger: send",
        "sam",
        lambda s: reverse("messenger:send", kwargs={"pk": s.active.pk}),
        ["contact"],
        lambda s: {"contact": [s.contact.pk]},
        rerenders=False,
    ),
    FormTarget(
        "messenger: get more",
        "sam",
        lambda s: reverse("messenger:get_more", kwargs={"pk": s.active.pk}),
        ["request_key"],
        rerenders=False,
    ),
    FormTarget(
        "messenger: answer a contact",
        "sam",
        lambda s: reverse(
            "messenger:conversation", kwargs={"pk": s.active.pk, "contact_pk": s.contact.pk}
        ),
        ["body", "key"],
        lambda s: {"body": ["Thanks!"], "key": ["k1"]},
        rerenders=False,
    ),
    FormTarget(
        "inbox: new message",
        "bob",
        lambda s: reverse("texting:direct_new", kwargs={"pk": s.inbox.pk}),
        fields_of(DirectMessageForm),
        lambda s: {
            "number": [s.reusable.pk, s.dedicated.pk],
            "phone": ["(212) 555-0188"],
            "body": ["Hello"],
            "key": ["k2"],
        },
    ),
    FormTarget(
        "conversation: reply",
        "bob",
        lambda s: reverse("texting:reply", kwargs={"pk": s.conversation.pk}),
        fields_of(ReplyForm),
        lambda s: {"body": ["Hello"], "key": ["k3"]},
        rerenders=False,
    ),
    FormTarget(
        "conversation: assign",
        "bob",
        lambda s: reverse("texting:assign", kwargs={"pk": s.conversation.pk}),
        fields_of(AssignForm),
        lambda s: {"assignee": [s.bob.pk, s.charlie.pk]},
        rerenders=False,
    ),
    FormTarget(
        "bot: new answer",
        "bob",
        lambda s: reverse("texting:bot", kwargs={"pk": s.office_a.pk}),
        fields_of(BotAnswerForm),
        lambda s: {"phrases": ["hours\nopen"], "answer": ["9 to 5"]},
    ),
    FormTarget(
        "bot: edit answer",
        "bob",
        lambda s: reverse(
            "texting:bot_answer", kwargs={"pk": s.office_a.pk, "answer_pk": s.bot_answer.pk}
        ),
        fields_of(BotAnswerForm),
        lambda s: {"phrases": ["hours"], "answer": ["9 to 5"]},
    ),
    FormTarget(
        "bot: IDK review inbox",
        "bob",
        lambda s: reverse("texting:bot_review", kwargs={"pk": s.office_a.pk}),
        fields_of(IdkReviewForm),
        lambda s: {"inbox": [s.inbox.pk, s.other_inbox.pk]},
        rerenders=False,
    ),
    FormTarget(
        "opt-outs: add",
        "alice",
        lambda s: reverse("texting:opt_outs"),
        fields_of(OptOutAddForm),
        lambda s: {"phone": ["(212) 555-0177", s.opt_out.phone], "reason": ["Asked"]},
    ),
    FormTarget(
        "opt-outs: remove",
        "alice",
        lambda s: reverse("texting:opt_out_remove", kwargs={"pk": s.opt_out.pk}),
        fields_of(OptOutRemoveForm),
        lambda s: {"reason": ["Asked again"]},
    ),
]


def _client(stage: Stage, target: FormTarget) -> Client:
    client = stage.client(target.who)
    if target.htmx:
        client.defaults["HTTP_HX_REQUEST"] = "true"
    return client


@pytest.mark.parametrize("target", TARGETS, ids=str)
def test_generated_input_at_every_form(cast, target: FormTarget) -> None:
    stage = stage_build(cast)
    client = _client(stage, target)
    url = target.url(stage)

    @settings(PROFILE, max_examples=target.examples)
    @given(data=form_data({name: target.plausible(stage).get(name, []) for name in target.fields}))
    def submit(data: dict[str, Any]) -> None:
        with rolled_back():
            before = fingerprint()
            response = client.post(url, data)
            after = fingerprint()
            assert response.status_code < 500
            redirected = response.status_code in (301, 302, 303)
            # The page a redirect leads to says whether it went through (its own reads, such
            # as marking a conversation read, come after the fingerprint).
            landing = client.get(response["Location"]) if redirected else None
            assert landing is None or landing.status_code < 500
            was_refused = refused(response, landing)
            if target.rerenders and not redirected:
                assert was_refused, "the form came back without saying what is wrong"
            if was_refused:
                assert after == before, "a refused submission saved something"

    submit()
