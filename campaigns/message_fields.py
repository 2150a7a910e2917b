"""The ``{first_name}``-style fields of an initial message, checked against contact columns."""

from string import Formatter

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


def unknown_message_fields(text: str, *, columns: list[str]) -> list[str]:
    known = set(STANDARD_CONTACT_COLUMNS) | set(columns)
    return [name for name in message_fields(text) if name not in known]
