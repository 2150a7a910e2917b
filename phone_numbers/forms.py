"""A reusable number's defaults, shared by its setup form (``phone_numbers.order_forms``) and its
edit page: Name, Description, Campus/Office, Agent, Inbox(es), Response Type."""

from typing import Any

from django import forms
from django.urls import reverse

from inboxes.models import Inbox
from offices.models import Membership, Office, Organization
from offices.selectors import office_visible
from phone_numbers.behaviour import BotIdk, bot_idk
from phone_numbers.models import ResponseType
from phone_numbers.services import (
    ReusableNumberError,
    office_reusable_count,
    reusable_defaults_check,
)

DEFAULT_FIELDS = ("name", "description", "office", "agent", "inboxes", "response_type")


def _refresh_office_fields() -> dict[str, str]:
    """htmx: fetch the office-dependent fields (inboxes, IDK) again, without a reload."""
    return {
        "hx-get": reverse("phone_numbers:reusable_fields"),
        "hx-target": "#office-fields",
        "hx-swap": "innerHTML",
        "hx-include": "closest form",
    }


class ReusableDefaultsMixin(forms.Form):
    """The defaults' fields and rules; ``setup_defaults`` must run in ``__init__``."""

    name = forms.CharField(
        max_length=120,
        required=False,
        help_text="For quick reference in your Phone Numbers list.",
    )
    description = forms.CharField(
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Helps others understand what this number is used for.",
    )
    office: forms.ModelChoiceField[Office] = forms.ModelChoiceField(
        label="Campus/Office",
        queryset=Office.objects.none(),
        empty_label="Choose an office",
        help_text="Only people of this office see and use the number; it counts toward the "
        "office's number quota.",
    )
    agent = forms.CharField(
        max_length=120,
        required=False,
        help_text="A label only: who primarily looks after this number. It starts no workflow.",
    )
    inboxes: forms.ModelMultipleChoiceField[Inbox] = forms.ModelMultipleChoiceField(
        label="Inbox(es)",
        queryset=Inbox.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Where incoming messages go when no active campaign uses the number.",
    )
    response_type = forms.ChoiceField(
        label="Response Type",
        choices=ResponseType.choices,
        initial=ResponseType.AGENT,
        required=False,
        widget=forms.RadioSelect,
        help_text="For when no active campaign uses the number. Agent-backed unless chosen.",
    )

    def setup_defaults(
        self,
        *,
        organization: Organization,
        membership: Membership,
        current_office: Office | None = None,
    ) -> None:
        self.organization = organization
        self.current_office = current_office
        office = self._field("office")
        office.queryset = office_visible(organization=organization, membership=membership)
        office.widget.attrs.update(_refresh_office_fields())
        if not self.is_bound and not self.initial.get("office"):
            # Someone who may choose only one office (an office member of one) finds it chosen.
            only = list(office.queryset[:2])
            if len(only) == 1:
                self.initial["office"] = only[0]
        # Any inbox of the organization is looked up, so that one of another office gets a
        # message that says so; only the chosen office's inboxes are offered.
        inboxes = self._field("inboxes")
        inboxes.queryset = Inbox.objects.filter(organization=organization)
        self.chosen_office = self._chosen_office(office.queryset)
        self.offered_inboxes = (
            list(Inbox.objects.filter(office=self.chosen_office).order_by("name"))
            if self.chosen_office
            else []
        )
        inboxes.widget.choices = [(inbox.pk, inbox.name) for inbox in self.offered_inboxes]
        if not self.is_bound:
            # After a change of office, inboxes ticked in the office before are not ticked here
            # (and the form warns when none is left).
            offered = {inbox.pk for inbox in self.offered_inboxes}
            self.initial["inboxes"] = [
                inbox for inbox in self.initial.get("inboxes") or [] if _inbox_pk(inbox) in offered
            ]

    @property
    def office_quota(self) -> dict[str, int] | None:
        office = self.chosen_office
        if office is None:
            return None
        return {"held": office_reusable_count(office=office), "limit": office.number_quota}

    @property
    def office_idk(self) -> BotIdk | None:
        return bot_idk(office=self.chosen_office) if self.chosen_office else None

    def _field(self, name: str) -> Any:
        return self.fields[name]

    def _chosen_office(self, offices: Any) -> Office | None:
        key = self.add_prefix("office")
        value = self.data.get(key) if self.is_bound else self.initial.get("office")
        if isinstance(value, Office):
            return value
        try:
            return offices.filter(pk=int(value)).first() if value else None
        except (TypeError, ValueError):
            return None

    def clean_office(self) -> Office | None:
        office = self.cleaned_data.get("office")
        if office is None or office == self.current_office:
            return office
        held = office_reusable_count(office=office)
        if held >= office.number_quota:
            raise forms.ValidationError(
                f"{office.name} holds {held} of its {office.number_quota} reusable numbers, "
                "its quota. Release one of them, or ask an admin to raise the office's number "
                "quota."
            )
        return office

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        office = data.get("office")
        if office is not None and "inboxes" in data:
            try:
                reusable_defaults_check(
                    organization=self.organization, office=office, inboxes=data["inboxes"]
                )
            except ReusableNumberError as error:
                self.add_error(error.field, str(error))
        return data

    def defaults(self) -> dict[str, Any]:
        """The defaults as keyword arguments for the services."""
        return {name: self.cleaned_data.get(name) for name in DEFAULT_FIELDS}


def _inbox_pk(inbox: Inbox | int | str) -> int | None:
    if isinstance(inbox, Inbox):
        return inbox.pk
    try:
        return int(inbox)
    except (TypeError, ValueError):
        return None


class ReusableDefaultsForm(ReusableDefaultsMixin):
    """Editing a reusable number: its defaults only (its number and kind never change)."""

    def __init__(
        self,
        *args: Any,
        organization: Organization,
        membership: Membership,
        current_office: Office | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.setup_defaults(
            organization=organization, membership=membership, current_office=current_office
        )
