from typing import Any

from django import forms

from offices.bounds import OFFICE_QUOTA_MAX
from offices.models import Office, Organization, Role
from offices.sms import sms_length, sms_length_error
from offices.time_zones import time_zone_choices


class OfficeForm(forms.ModelForm[Office]):
    class Meta:
        model = Office
        fields = ["name", "number_quota", "idk_default", "idk_message"]

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.fields["number_quota"].widget.attrs.update({"min": 0, "max": OFFICE_QUOTA_MAX})

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        taken = Office.objects.filter(organization=self.organization, name__iexact=name)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError("Your organization already has an office with this name.")
        return name

    def clean_number_quota(self) -> int:
        quota: int = self.cleaned_data["number_quota"]
        # Through the reverse relation: the rule of what counts lives with the numbers.
        held = (
            self.instance.phone_numbers.counting_against_quota().count() if self.instance.pk else 0
        )
        if quota < held:
            raise forms.ValidationError(
                f"This office already holds {held} reusable numbers; the quota cannot be lower."
            )
        return quota


class MemberInviteForm(forms.Form):
    email = forms.EmailField(label="E-mail")
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    role = forms.ChoiceField(choices=Role.choices, initial=Role.MEMBER)
    offices = forms.ModelMultipleChoiceField(
        queryset=Office.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Members see only the reusable numbers and inboxes of these offices.",
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["offices"].queryset = Office.objects.filter(  # type: ignore[attr-defined]
            organization=organization
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("role") == Role.MEMBER and not data.get("offices"):
            self.add_error("offices", "Choose at least one office for an office member.")
        return data


class OrganizationSettingsForm(forms.Form):
    name = forms.CharField(max_length=200)
    time_zone = forms.ChoiceField(
        choices=time_zone_choices,
        error_messages={"invalid_choice": "“%(value)s” is not a time zone of the list."},
        help_text="Every time on Longcode's pages and in its e-mails is shown in this zone, and "
        "a campaign's start date is entered in it.",
    )

    opt_out_message = forms.CharField(
        label="Opt-out confirmation",
        max_length=320,
        error_messages={"required": "Enter the text; a contact must get an answer."},
        widget=forms.Textarea(attrs={"rows": 3, "data-sms-count": ""}),
        help_text="Sent once to a contact who texts STOP (or is opted out by a sender).",
    )
    help_message = forms.CharField(
        label="Help text",
        max_length=320,
        error_messages={"required": "Enter the text; a contact must get an answer."},
        widget=forms.Textarea(attrs={"rows": 3, "data-sms-count": ""}),
        help_text="Sent to a contact who texts HELP or INFO.",
    )
    TEXTS = ("opt_out_message", "help_message")

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "name": organization.name,
                "time_zone": organization.time_zone,
                "opt_out_message": organization.opt_out_message,
                "help_message": organization.help_message,
            },
        )
        super().__init__(*args, **kwargs)
        field: Any = self.fields["time_zone"]
        current = organization.time_zone
        if current not in {name for _, group in field.choices for name, _ in group}:
            # An older alias given at the command line (US/Eastern) is kept until changed.
            field.choices = [("Current", [(current, current)]), *field.choices]

    def _clean_text(self, name: str) -> str:
        text: str = self.cleaned_data[name].replace("\r\n", "\n").strip()
        error = sms_length_error(text)
        if error is not None:
            raise forms.ValidationError(error)
        return text

    def clean_opt_out_message(self) -> str:
        return self._clean_text("opt_out_message")

    def clean_help_message(self) -> str:
        return self._clean_text("help_message")

    def texts_with_hints(self) -> list[tuple[forms.BoundField, str]]:
        """Each automatic reply's field with its length as the page shows it (longcode.js keeps
        it current while the admin types)."""
        return [(self[name], sms_length(str(self[name].value() or "")).hint) for name in self.TEXTS]
