from typing import Any

from django import forms

from inboxes.models import Inbox
from offices.models import Office, Organization


class InboxForm(forms.Form):
    office = forms.ModelChoiceField(queryset=Office.objects.none(), empty_label="Choose an office")
    name = forms.CharField(max_length=120)
    description = forms.CharField(max_length=300, required=False)

    def __init__(
        self, *args: Any, organization: Organization, inbox: Inbox | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.inbox = inbox
        self.fields["office"].queryset = Office.objects.filter(  # type: ignore[attr-defined]
            organization=organization
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        office, name = data.get("office"), (data.get("name") or "").strip()
        if office and name:
            taken = Inbox.objects.filter(office=office, name__iexact=name)
            if self.inbox:
                taken = taken.exclude(pk=self.inbox.pk)
            if taken.exists():
                self.add_error("name", f"{office.name} already has an inbox with this name.")
            data["name"] = name
        return data
