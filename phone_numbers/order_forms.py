"""The "add a phone number" forms: one class per number type, sharing the provisioning part
(use case, area code preferences, the number picked from the search).

A new type subclasses ``NumberOrderForm``, adds its own fields, extends ``order_kwargs`` and
registers itself in ``NUMBER_FORMS``; the page and its template need no change.
"""

from typing import Any, ClassVar

from django import forms
from django.urls import reverse

from offices.models import Membership, Organization
from phone_numbers.forms import ReusableDefaultsMixin
from phone_numbers.models import Kind, UseCase
from phone_numbers.selectors import use_case_orderable
from provisioning.area_codes import AreaCodeError, area_codes_parse
from provisioning.services import E164


class AreaCodesField(forms.CharField):
    """“212, 646 917” → ["212", "646", "917"], in the order given (``area_codes_parse``)."""

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        try:
            return area_codes_parse(super().to_python(value) or "")
        except AreaCodeError as error:
            raise forms.ValidationError(str(error), code="invalid") from error

    def validate(self, value: Any) -> None:
        """``to_python`` has checked everything, "required" included."""


class NumberOrderForm(forms.Form):
    kind: ClassVar[str]
    label: ClassVar[str]
    # Only admins may add a number of this type (office members add reusable numbers).
    admin_only: ClassVar[bool] = True
    # A template of the type's own fields, shown below the provisioning part.
    fields_template: ClassVar[str] = ""

    number_type = forms.ChoiceField(label="Number type")
    use_case: forms.ModelChoiceField[UseCase] = forms.ModelChoiceField(
        label="Use case",
        queryset=None,
        empty_label=None,
        help_text="The registered 10DLC use case the number is provisioned under.",
    )
    area_codes = AreaCodesField(
        label="Area code preferences",
        help_text="In order of preference, e.g. 212, 646, 917.",
        widget=forms.TextInput(attrs={"placeholder": "212, 646, 917", "inputmode": "numeric"}),
    )
    e164 = forms.CharField(label="Available numbers", required=False)

    def __init__(
        self,
        *args: Any,
        organization: Organization,
        membership: Membership,
        ordering: bool,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.ordering = ordering
        number_type = self.fields["number_type"]
        assert isinstance(number_type, forms.ChoiceField)
        number_type.choices = [(k, form.label) for k, form in number_forms(membership).items()]
        number_type.initial = self.kind
        # Choosing another type swaps the form for that type's (htmx), without a reload.
        number_type.widget.attrs.update(
            {
                "hx-get": reverse("phone_numbers:new"),
                "hx-target": "#number-form",
                "hx-swap": "outerHTML",
                "hx-include": "closest form",
            }
        )
        use_case = self.fields["use_case"]
        assert isinstance(use_case, forms.ModelChoiceField)
        use_case.queryset = use_case_orderable(organization=organization)

    def clean_e164(self) -> str:
        e164 = self.cleaned_data["e164"].strip()
        if (self.ordering and not e164) or (e164 and not E164.match(e164)):
            raise forms.ValidationError("Pick one of the available numbers.")
        return e164

    def order_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``number_order`` (besides organization and requester)."""
        data = self.cleaned_data
        return {
            "kind": self.kind,
            "use_case": data["use_case"],
            "area_codes": data["area_codes"],
            "e164": data["e164"] or None,
        }


class DedicatedNumberForm(NumberOrderForm):
    kind = Kind.DEDICATED
    label = "Dedicated"


class ReusableNumberForm(ReusableDefaultsMixin, NumberOrderForm):
    """A reusable number: provisioned like any other, then owned by an office with defaults."""

    kind = Kind.REUSABLE
    label = "Reusable"
    admin_only = False
    fields_template = "phone_numbers/_reusable_fields.html"

    def __init__(
        self,
        *args: Any,
        organization: Organization,
        membership: Membership,
        ordering: bool,
        **kwargs: Any,
    ):
        super().__init__(
            *args, organization=organization, membership=membership, ordering=ordering, **kwargs
        )
        self.setup_defaults(organization=organization, membership=membership)
        # Searching for a number needs no office yet; ordering one does, and the blank form
        # says so.
        self.fields["office"].required = ordering or not self.is_bound

    def order_kwargs(self) -> dict[str, Any]:
        return {**super().order_kwargs(), **self.defaults()}


NUMBER_FORMS: dict[str, type[NumberOrderForm]] = {
    Kind.DEDICATED: DedicatedNumberForm,
    Kind.REUSABLE: ReusableNumberForm,
}


def number_forms(membership: Membership) -> dict[str, type[NumberOrderForm]]:
    """The number types this person may add."""
    return {
        kind: form
        for kind, form in NUMBER_FORMS.items()
        if membership.is_admin or not form.admin_only
    }
