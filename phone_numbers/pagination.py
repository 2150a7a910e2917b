"""Keyset pagination: a page starts after (or ends before) the (sort key, id) of a row, so any
page costs one index range scan however deep it is, and nothing counts the whole table.

The queryset must be ordered by ``(key, "id")`` or ``("-key", "-id")`` where ``key`` is an
annotation or field that is never NULL. The cursor is opaque and signed; it names its key and
direction, so a cursor from another sort order is refused rather than misread.

A key with a handful of distinct values that no index holds (the office's name, whether a
campaign uses the number) is paged in SEGMENTS instead (``segmented_page``): the caller lists
the values in sort order, each with the index ranges that hold its rows; a page walks them in
order and keysets on the id inside each, so it costs a few short index range scans. The
cursor is the same (key value, id).

Each range is read ``ORDER BY office_id, id`` from the bare filtered rows (no joins, no
annotations), so that PostgreSQL walks the (organization, office, id) index. Ordered by the id
alone it takes the primary key instead, believing one organization's rows are spread evenly
over all ids; when another organization's rows sit between, it reads them all first (280 ms
at 1,000,000 such rows, where the index range costs under 1 ms).
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import BooleanField, F, Func, IntegerField, Model, Q, QuerySet, Value

SALT = "phone_numbers.keyset"


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


def _encode(key: str, descending: bool, row: Model, *, before: bool) -> str:
    value = getattr(row, key)
    if isinstance(value, datetime):
        value = value.isoformat()
    payload = {"k": key, "d": descending, "v": value, "id": row.pk, "b": before}
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


@dataclass(frozen=True)
class Segment:
    """The rows whose sort key is ``value``: those the ``ranges`` select, each condition one
    range of the (organization, office, id) index (an office, or no office), with any filter
    on top, read in (office, id) order; with ``by_office=False``, conditions read by id alone.
    Ranges of one segment are merged by id."""

    value: Any
    ranges: tuple[Q | Any, ...]
    by_office: bool = True


def keyset_page(queryset: QuerySet, *, cursor: str | None, size: int) -> KeysetPage:
    key, descending = _ordering(queryset)
    before = False
    if cursor:
        value, pk, before = _decode(cursor, queryset, key, descending)
        # Walking backwards: look the other way and flip the order, then flip the rows back.
        queryset = queryset.filter(RowBeyond(key, value, pk, less=descending != before))
        if before:
            queryset = queryset.reverse()
    rows = list(queryset[: size + 1])
    return _page(rows, key, descending, cursor=cursor, before=before, size=size)


def segmented_page(
    queryset: QuerySet,
    *,
    matching: QuerySet,
    segments: list[Segment],
    cursor: str | None,
    size: int,
) -> KeysetPage:
    """A keyset page of a queryset ordered by a key of few values; ``segments`` lists every
    value the key can take, in ascending order. ``matching`` is the same rows as ``queryset``
    with only the filters (no annotations, joins or order). Two queries: the page's ids (one
    UNION ALL of an id range per segment range, each stopping after ``size + 1`` rows), then
    its rows."""
    key, descending = _ordering(queryset)
    before, after = False, None
    walk = list(segments)
    if cursor:
        value, pk, before = _decode(cursor, queryset, key, descending)
        after = pk
    backwards = descending != before
    if backwards:
        walk.reverse()
    if cursor:
        start = next((i for i, s in enumerate(walk) if s.value == value), None)
        if start is None:
            raise BadCursor("This page link is out of date (the list has changed).")
        walk = walk[start:]
    lean = matching.order_by()
    parts = []
    for n, segment in enumerate(walk):
        for condition in segment.ranges:
            part = lean.filter(condition)
            if n == 0 and after is not None:
                part = part.filter(id__lt=after) if backwards else part.filter(id__gt=after)
            part = part.annotate(segment=Value(n, output_field=IntegerField()))
            order = ("office_id", "id") if segment.by_office else ("id",)
            part = part.order_by(*(f"-{o}" if backwards else o for o in order))
            parts.append(part.values_list("segment", "id")[: size + 1])
    found = sorted(
        # Sorted here, not by an ORDER BY over the union (the model's default would apply).
        _all_rows(parts),
        key=lambda row: (row[0], -row[1] if backwards else row[1]),
    )
    ids = [pk for _, pk in found[: size + 1]]
    by_id = {row.pk: row for row in queryset.filter(pk__in=ids)}
    rows = [by_id[pk] for pk in ids if pk in by_id]
    return _page(rows, key, descending, cursor=cursor, before=before, size=size)


def _page(
    rows: list[Any], key: str, descending: bool, *, cursor: str | None, before: bool, size: int
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


def _all_rows(parts: list[QuerySet]) -> list[Any]:
    """The parts' rows in one UNION ALL; SQLite (the embedded default) cannot limit the parts
    of a compound statement, so there each part is its own query."""
    if len(parts) == 1:
        return list(parts[0])
    if connection.features.supports_slicing_ordering_in_compound:
        return list(parts[0].union(*parts[1:], all=True).order_by())
    return [row for part in parts for row in part]
