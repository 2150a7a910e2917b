from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from accounts.models import User
from campaigns.models import Campaign, CampaignIdk, CampaignStatus, NumberChoice
from campaigns.selectors import dedicated_numbers_usable
from campaigns.services import EDITABLE_WHEN_LIVE, CampaignSettings, Targeting
from offices.bounds import date_input_attrs, date_time_in_range
from offices.models import Office, Organization
from offices.time_zones import time_zone_abbreviation
from phone_numbers.display import phone_readable
from phone_numbers.models import Kind, PhoneNumber, ProvisioningStatus, UseCase
from phone_numbers.phones import phone_list_parse
from provisioning.area_codes import AreaCodeError, area_codes_parse

# About 500,000 contacts with a few extra columns; the preview holds the file in memory.
CONTACTS_FILE_MAX_MB = 50
NUMBER_FIELDS = ("number_choice", "area_codes", "dedicated_number", "reusable_number")


class CampaignForm(forms.Form):
    name = forms.CharField(max_length=200)
    office = forms.ModelChoiceField(queryset=Office.objects.none(), empty_label="Choose an office")
    initial_message = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="Personalise with fields from your contacts: {first_name}, {last_name}, "
        "or any other column of your contacts file, even one not uploaded yet: the fields are "
        "checked when the file is uploaded and again at launch.",
    )
    start_at = forms.DateTimeField(
        label="Start date",
        required=False,
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local", **date_input_attrs()}, format="%Y-%m-%dT%H:%M"
        ),
        validators=[date_time_in_range],
        help_text="Initial message sending window: no initial message leaves before it. "
        "You can change it later, also while the campaign is active.",
    )
    idk = forms.ChoiceField(
        label="When the bot does not know",
        choices=CampaignIdk.choices,
        initial=CampaignIdk.AGENT,
        required=False,
        help_text="The bot answers replies it knows from the office's bot answers; for the "
        "others, Default follows the office's IDK behaviour and Agent leaves them to the sender.",
    )
    use_case = forms.ModelChoiceField(
        label="10DLC use case",
        queryset=UseCase.objects.none(),
        required=False,
        empty_label="Choose a use case",
        help_text="A single-use number is provisioned under it; dedicated and reusable numbers "
        "keep their own.",
    )
    number_choice = forms.ChoiceField(
        label="Phone number",
        choices=NumberChoice.choices,
        widget=forms.RadioSelect,
        initial=NumberChoice.SINGLE_USE,
    )
    area_codes = forms.CharField(
        label="Area code preferences",
        required=False,
        help_text="In order of preference, separated by commas, e.g. 212, 646, 917.",
    )
    dedicated_number = forms.ModelChoiceField(
        queryset=PhoneNumber.objects.none(),
        required=False,
        empty_label="Choose a dedicated number",
    )
    reusable_number = forms.ModelChoiceField(queryset=PhoneNumber.objects.none(), required=False)

    def __init__(
        self, *args: Any, organization: Organization, campaign: Campaign | None = None, **kw: Any
    ) -> None:
        if campaign is not None and "initial" not in kw:
            kw["initial"] = _initial(campaign)
        super().__init__(*args, **kw)
        self.campaign = campaign
        fields: dict[str, Any] = self.fields
        fields["office"].queryset = Office.objects.filter(organization=organization)
        fields["use_case"].queryset = UseCase.objects.filter(organization=organization)
        fields["dedicated_number"].queryset = dedicated_numbers_usable(organization=organization)
        fields["dedicated_number"].label_from_instance = lambda number: phone_readable(number.e164)
        fields["reusable_number"].queryset = PhoneNumber.objects.filter(
            organization=organization,
            kind=Kind.REUSABLE,
            provisioning_status=ProvisioningStatus.COMPLETE,
        )
        # The tenant middleware activated the organization's zone: the date is read in it.
        zone = organization.time_zone
        fields["start_at"].help_text += f" Times are in {zone} ({time_zone_abbreviation(zone)})."
        for name in self.locked_fields:
            fields[name].disabled = True

    @property
    def locked_fields(self) -> list[str]:
        campaign = self.campaign
        if campaign is None:
            return []
        if campaign.status != CampaignStatus.DRAFT:
            return [name for name in self.fields if name not in EDITABLE_WHEN_LIVE]
        if campaign.is_follow_up:
            return ["office", "use_case", *NUMBER_FIELDS]
        return []

    @property
    def number_locked(self) -> bool:
        return "number_choice" in self.locked_fields

    def clean_area_codes(self) -> list[str]:
        """Only a single-use number is ordered by area code; the others ignore the field."""
        if self.cleaned_data.get("number_choice") != NumberChoice.SINGLE_USE:
            return []
        try:
            return area_codes_parse(self.cleaned_data.get("area_codes") or "")
        except AreaCodeError as error:
            raise forms.ValidationError(str(error)) from error

    def settings(self) -> CampaignSettings:
        data = self.cleaned_data
        choice = data["number_choice"]
        number = {
            NumberChoice.DEDICATED: data.get("dedicated_number"),
            NumberChoice.REUSABLE: data.get("reusable_number"),
        }.get(choice)
        return CampaignSettings(
            name=data["name"],
            office=data["office"],
            initial_message=data.get("initial_message") or "",
            start_at=data.get("start_at"),
            idk=data.get("idk") or CampaignIdk.AGENT,
            use_case=data.get("use_case"),
            number_choice=choice,
            area_codes=data.get("area_codes") or [],
            phone_number=number,
        )


def _initial(campaign: Campaign) -> dict[str, Any]:
    return {
        "name": campaign.name,
        "office": campaign.office_id,
        "initial_message": campaign.initial_message,
        "start_at": campaign.start_at,
        "idk": campaign.idk,
        "use_case": campaign.use_case_id,
        "number_choice": campaign.number_choice,
        "area_codes": ", ".join(campaign.area_codes),
        "dedicated_number": campaign.phone_number_id
        if campaign.number_choice == NumberChoice.DEDICATED
        else None,
        "reusable_number": campaign.phone_number_id
        if campaign.number_choice == NumberChoice.REUSABLE
        else None,
    }


class ContactsUploadForm(forms.Form):
    file = forms.FileField(
        label="Contacts file (CSV)",
        help_text="Columns: phone, first_name, last_name; any other columns are kept as "
        f"fields you can use in the initial message. At most {CONTACTS_FILE_MAX_MB} MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self) -> UploadedFile:
        file: UploadedFile = self.cleaned_data["file"]
        if (file.size or 0) > CONTACTS_FILE_MAX_MB * 1024 * 1024:
            size = (file.size or 0) / (1024 * 1024)
            raise forms.ValidationError(
                f"This file is {size:.0f} MB; a contacts file can be at most "
                f"{CONTACTS_FILE_MAX_MB} MB. Split it and upload the parts one after another."
            )
        return file


class ContactsConfirmForm(forms.Form):
    upload = forms.CharField(widget=forms.HiddenInput)


class SenderAddForm(forms.Form):
    user = forms.ModelChoiceField(
        label="Sender", queryset=User.objects.none(), empty_label="Choose a sender"
    )

    def __init__(self, *args: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["user"]
        field.queryset = candidates
        field.label_from_instance = lambda user: f"{user.display_name} ({user.email})"


class FollowUpForm(forms.Form):
    name = forms.CharField(max_length=200)
    initial_message = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    exclude_replied = forms.BooleanField(label="Remove contacts who replied", required=False)
    exclude_not_replied = forms.BooleanField(
        label="Remove contacts who did not reply", required=False
    )
    exclude_phones = forms.CharField(
        label="Remove these phone numbers",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "(212) 555-0100\n+16465550101"}),
        help_text="Paste phone numbers, one per line or separated by commas.",
    )

    def clean_exclude_phones(self) -> frozenset[str]:
        valid, invalid = phone_list_parse(self.cleaned_data.get("exclude_phones") or "")
        if invalid:
            shown = ", ".join(invalid[:10]) + (" …" if len(invalid) > 10 else "")
            raise forms.ValidationError(f"These are not phone numbers: {shown}.")
        return frozenset(valid)

    def targeting(self) -> Targeting:
        data = self.cleaned_data
        return Targeting(
            exclude_replied=data.get("exclude_replied", False),
            exclude_not_replied=data.get("exclude_not_replied", False),
            exclude_phones=data.get("exclude_phones") or frozenset(),
        )
