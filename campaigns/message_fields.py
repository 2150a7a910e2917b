"""The ``{first_name}``-style fields of an initial message, checked against contact columns.

A message may name the columns of a file not uploaded yet, so its fields are checked where the
columns become known: when the message is saved on a draft that has contacts, when a file is
uploaded (against that file's columns), and at launch. Each check names every unknown field
at once.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from string import Formatter

from campaigns.errors import CampaignError

STANDARD_CONTACT_COLUMNS = ("phone", "first_name", "last_name")


class MessageFieldError(ValueError):
    pass


def message_fields(text: str) -> list[str]:
    """The field names ``text`` uses, in order of first use. Raises MessageFieldError when a
    brace is unbalanced or a field is not a plain name."""
    names: list[str] = []
    try:
        parsed = list(Formatter().parse(text))
    except ValueError as error:
        raise MessageFieldError(
            f"Check the braces: {error}. Write fields as {{first_name}}."
        ) from error
    for _literal, name, _spec, _conversion in parsed:
        if name is None:
            continue
        if not name.isidentifier():
            raise MessageFieldError(
                f"“{{{name}}}” is not a field name. Write fields as {{first_name}}."
            )
        if name not in names:
            names.append(name)
    return names


@dataclass(frozen=True)
class UnknownFields:
    """The fields a message uses that the columns lack, and the fields it could use."""

    unknown: list[str]
    usable: list[str]

    @property
    def unknown_text(self) -> str:
        return fields_text(self.unknown)

    @property
    def usable_text(self) -> str:
        return fields_text(self.usable)


def fields_text(names: Sequence[str]) -> str:
    return ", ".join(f"{{{name}}}" for name in names)


def message_unknown_fields(text: str, *, columns: Sequence[str]) -> UnknownFields | None:
    """None when every field of ``text`` is a standard column or one of ``columns``. A message
    that cannot be read raises CampaignError beside the message."""
    try:
        names = message_fields(text)
    except MessageFieldError as error:
        raise CampaignError(str(error), field="initial_message") from error
    known = set(STANDARD_CONTACT_COLUMNS) | set(columns)
    unknown = [name for name in names if name not in known]
    if not unknown:
        return None
    extra = [c for c in columns if c not in STANDARD_CONTACT_COLUMNS]
    return UnknownFields(unknown=unknown, usable=["first_name", "last_name", "phone", *extra])
