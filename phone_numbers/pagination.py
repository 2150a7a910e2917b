"""Keyset pagination: a page starts after (or ends before) the (sort key, id) of a row, so any
page costs one index range scan however deep it is, and nothing counts the whole table.

The queryset must be ordered by ``(key, "id")`` or ``("-key", "-id")`` where ``key`` is an
annotation or field that is never NULL. A page's rows are dicts of the fields asked for (with
the key and the id), read without building model instances. The cursor is opaque and signed;
it names its key and direction, so a cursor from another sort order is refused rather than
misread.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import BooleanField, F, Func, QuerySet, Value

# v2: text keys are lower-cased; a link made before then is refused, not misread.
SALT = "phone_numbers.keyset.v2"


class BadCursor(Exception):
    pass


@dataclass(frozen=True)
class KeysetPage:
    rows: list[Any]
    next_cursor: str | None
    previous_cursor: str | None


class RowBeyond(Func):
    """``(key, id) > (value, pk)`` (``<`` for descending): a row comparison the database can
    answer with one range scan of an (organization, key, id) index."""

    output_field = BooleanField()

    def __init__(self, key: str, value: Any, pk: int, *, less: bool) -> None:
        super().__init__(F(key), F("id"), Value(value), Value(pk))
        self.operator = "<" if less else ">"

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> Any:  # type: ignore[override]
        sqls, params = [], []
        for expression in self.get_source_expressions():
            sql, expression_params = compiler.compile(expression)
            sqls.append(sql)
            params.extend(expression_params)
        return f"({sqls[0]}, {sqls[1]}) {self.operator} ({sqls[2]}, {sqls[3]})", params


def _ordering(queryset: QuerySet) -> tuple[str, bool]:
    order_by = queryset.query.order_by
    if len(order_by) != 2 or order_by[1] not in ("id", "-id"):
        raise ValueError(f"keyset pagination needs an ordering of (key, id), not {order_by}")
    first = str(order_by[0])
    return first.removeprefix("-"), first.startswith("-")


def _key_field(queryset: QuerySet, key: str) -> Any:
    annotation = queryset.query.annotations.get(key)
    return (
        annotation.output_field if annotation is not None else queryset.model._meta.get_field(key)
    )


def _encode(key: str, descending: bool, row: dict[str, Any], *, before: bool) -> str:
    value = row[key]
    if isinstance(value, datetime):
        value = value.isoformat()
    payload = {"k": key, "d": descending, "v": value, "id": row["id"], "b": before}
    return signing.dumps(payload, salt=SALT, compress=True)


def _decode(cursor: str, queryset: QuerySet, key: str, descending: bool) -> tuple[Any, int, bool]:
    try:
        payload = signing.loads(cursor, salt=SALT)
        if payload["k"] != key or payload["d"] != descending:
            raise BadCursor("This page link belongs to another sort order.")
        value = _key_field(queryset, key).to_python(payload["v"])
        return value, int(payload["id"]), bool(payload["b"])
    except BadCursor:
        raise
    except (signing.BadSignature, KeyError, TypeError, ValueError, ValidationError) as error:
        raise BadCursor("This page link is not valid (it may have been cut short).") from error


def keyset_page(
    queryset: QuerySet, *, fields: Sequence[str], cursor: str | None, size: int
) -> KeysetPage:
    """Up to ``size`` rows after (or before) ``cursor``: dicts of ``fields``, the key and "id"."""
    key, descending = _ordering(queryset)
    before = False
    if cursor:
        value, pk, before = _decode(cursor, queryset, key, descending)
        # Walking backwards: look the other way and flip the order, then flip the rows back.
        queryset = queryset.filter(RowBeyond(key, value, pk, less=descending != before))
        if before:
            queryset = queryset.reverse()
    rows = list(queryset.values(*dict.fromkeys((*fields, key, "id")))[: size + 1])
    return _page(rows, key, descending, cursor=cursor, before=before, size=size)


def _page(
    rows: list[dict[str, Any]],
    key: str,
    descending: bool,
    *,
    cursor: str | None,
    before: bool,
    size: int,
) -> KeysetPage:
    """Up to ``size + 1`` rows in walking order (reversed when walking backwards)."""
    more = len(rows) > size
    rows = rows[:size]
    if before:
        rows.reverse()
    has_next = more if not before else True
    has_previous = bool(cursor) if not before else more
    return KeysetPage(
        rows=rows,
        next_cursor=_encode(key, descending, rows[-1], before=False) if rows and has_next else None,
        previous_cursor=(
            _encode(key, descending, rows[0], before=True) if rows and has_previous else None
        ),
    )
