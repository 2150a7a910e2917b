"""The Phone Numbers list's drop-downs (kind, status, office, response type), rendered once and
kept: Django renders a ``<select>`` through a template per option, a few milliseconds for the
four on every page, while their HTML changes only with the choices, the choice shown and the
field's attributes (its errors). Those are the key; the HTML is Django's own."""

from typing import Any

from django import forms
from django.utils.safestring import SafeString

# Distinct keys: each office list of each organization and role, times the choices shown. A
# process that sees more forgets them all and starts again.
KEPT_MAX = 1024
_kept: dict[tuple[Any, ...], SafeString] = {}


class KeptSelect(forms.Select):
    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        key = self._key(name, value, attrs, renderer)
        if key is None:
            return super().render(name, value, attrs, renderer)
        html = _kept.get(key)
        if html is None:
            html = super().render(name, value, attrs, renderer)
            if len(_kept) >= KEPT_MAX:
                _kept.clear()
            _kept[key] = html
        return html

    def _key(
        self, name: str, value: Any, attrs: dict[str, Any] | None, renderer: Any
    ) -> tuple[Any, ...] | None:
        """None when the HTML is not to be kept: a value that is not one of the choices (what
        people type in the query string must not fill the memory), or choices in groups."""
        choices = []
        for choice, label in self.choices:
            if not isinstance(label, str):
                return None
            choices.append((str(choice), label))
        shown = "" if value is None else value
        if not isinstance(shown, str | int) or str(shown) not in {c for c, _ in choices} | {""}:
            return None
        every_attr = {**self.attrs, **(attrs or {})}
        key = (type(self), name, str(shown), tuple(choices), tuple(sorted(every_attr.items())))
        try:
            hash(key)
        except TypeError:
            return None
        return (*key, renderer)
