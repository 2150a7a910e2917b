import uuid
from typing import Any

from django import forms

from accounts.models import User
from campaigns.models import OptOut
from inboxes.models import BotAnswer, Inbox
from offices.models import Office, Organization
from phone_numbers.display import phone_readable
from phone_numbers.models import PhoneNumber
from phone_numbers.phones import phone_normalise


def _new_key() -> str:
    return uuid.uuid4().hex


class ReplyForm(forms.Form):
    body = forms.CharField(label="Reply", max_length=1600, widget=forms.Textarea(attrs={"rows": 3}))
    # One key per rendered form: a double click or a resubmitted page sends once.
    key = forms.CharField(widget=forms.HiddenInput, initial=_new_key, max_length=64)


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, empty_label="Nobody"
    )

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = people  # type: ignore[attr-defined]


class PhoneField(forms.CharField):
    def clean(self, value: Any) -> str:
        raw = super().clean(value)
        phone = phone_normalise(raw)
        if phone is None:
            raise forms.ValidationError(
                f"“{raw}” is not a North American phone number (like (212) 555-0100)."
            )
        return phone


class DirectMessageForm(forms.Form):
    number = forms.ModelChoiceField(
        label="From", queryset=PhoneNumber.objects.none(), empty_label="Choose a number"
    )
    phone = PhoneField(label="To", max_length=40)
    body = forms.CharField(
        label="Message", max_length=1600, widget=forms.Textarea(attrs={"rows": 3})
    )
    key = forms.CharField(widget=forms.HiddenInput, initial=_new_key, max_length=64)

    def __init__(self, *args: Any, numbers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["number"].queryset = numbers  # type: ignore[attr-defined]
        self.fields["number"].label_from_instance = lambda n: (  # type: ignore[attr-defined]
            f"{n.name or phone_readable(n.e164)} ({phone_readable(n.e164)})"
        )


class BotAnswerForm(forms.ModelForm[BotAnswer]):
    class Meta:
        model = BotAnswer
        fields = ["phrases", "answer"]
        widgets = {
            "phrases": forms.Textarea(attrs={"rows": 3}),
            "answer": forms.Textarea(attrs={"rows": 2}),
        }

    def clean_phrases(self) -> str:
        lines = [line.strip() for line in self.cleaned_data["phrases"].splitlines()]
        lines = [line for line in lines if line]
        if not lines:
            raise forms.ValidationError("Write at least one keyword or phrase.")
        return "\n".join(lines)


class IdkReviewForm(forms.Form):
    inbox = forms.ModelChoiceField(
        label="Copy what the bot cannot answer to",
        queryset=Inbox.objects.none(),
        required=False,
        empty_label="No inbox (do not copy)",
    )

    def __init__(self, *args: Any, office: Office, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["inbox"].queryset = office.inboxes.order_by("name")  # type: ignore[attr-defined]


class OptOutAddForm(forms.Form):
    phone = PhoneField(max_length=40)
    reason = forms.CharField(max_length=300)

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization

    def clean_phone(self) -> str:
        phone: str = self.cleaned_data["phone"]
        if OptOut.objects.filter(organization=self.organization, phone=phone).exists():
            raise forms.ValidationError(f"{phone_readable(phone)} is opted out already.")
        return phone


class OptOutRemoveForm(forms.Form):
    reason = forms.CharField(max_length=300)


class OptOutImportForm(forms.Form):
    file = forms.FileField(help_text="A CSV file with a column named phone (or number).")
