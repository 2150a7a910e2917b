"""What the property tests throw at the product: generated text, dates and numbers, one
settings profile that keeps them cheap, and a fingerprint of every table that tells whether a
refused submission saved anything."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.apps import apps
from django.db import connection, transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# Cheap and reproducible: every run tries the same examples (derandomize), no example database
# on disk, no deadline on a busy machine. The function-scoped ``cast`` fixture is shared by the
# examples on purpose: each example runs in a savepoint that is rolled back (``rolled_back``).
PROFILE = settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

# Any character a browser could send (lone surrogates cannot be encoded in UTF-8 at all).
TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)
TRICKY = [
    "",
    " ",
    "\x00",
    "null",
    "-1",
    "0",
    "²",
    "١٢",
    "1e309",
    "NaN",
    "9" * 40,
    "x" * 20_000,
    "9999-12-31T23:59",
    "10000-01-01T00:00",
    "0001-01-01T00:00",
    "2026-02-30",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "+1 (212) 555-0100",
]
NUMBERS = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)
DATES = st.one_of(
    st.datetimes().map(lambda d: d.strftime("%Y-%m-%dT%H:%M")),
    st.dates().map(str),
)
JUNK = st.one_of(st.sampled_from(TRICKY), TEXT, NUMBERS, DATES)


def field_values(plausible: list[Any] | None = None) -> st.SearchStrategy[Any]:
    """Junk, or a value the form would take (so that the deeper checks are reached too)."""
    if not plausible:
        return JUNK
    return st.one_of(st.sampled_from(plausible), JUNK)


def form_data(fields: dict[str, list[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """A POST body: each field present with a generated value, or missing."""
    return st.fixed_dictionaries(
        {}, optional={name: field_values(plausible) for name, plausible in fields.items()}
    )


def _tables() -> list[str]:
    ours = {
        "accounts",
        "offices",
        "inboxes",
        "phone_numbers",
        "provisioning",
        "campaigns",
        "texting",
        "notifications",
    }
    return sorted(
        model._meta.db_table
        for model in apps.get_models()
        if model._meta.app_label in ours
        and not model._meta.proxy
        and model._meta.managed
        # The simulated carrier's own books (its inventory, its calls): the carrier's side.
        and not model.__module__.startswith("provisioning.carriers.")
    )


def fingerprint() -> tuple[Any, ...]:
    """How many rows of the product's tables this transaction has inserted, updated or deleted
    so far (PostgreSQL's own counters): equal before and after means nothing was saved, not
    even a field of an existing row, and costs one query whatever the tables hold."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(n_tup_ins), 0), coalesce(sum(n_tup_upd), 0),"
            " coalesce(sum(n_tup_del), 0) FROM pg_stat_xact_user_tables"
            " WHERE relname = ANY(%s)",
            [_tables()],
        )
        row = cursor.fetchone()
    assert row is not None
    return tuple(row)


@contextmanager
def rolled_back() -> Iterator[None]:
    """One example's changes, undone after it, so that every example starts from the same
    rows (and a derandomized run is the same run every time)."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


ERROR_MARKERS = ('class="errorlist', 'role="alert"', "flash-error")


def refused(response: Any, landing: Any = None) -> bool:
    """Whether the answer says the submission was refused: a 4xx, the form again with its
    errors, or an error message on the page a redirect (``landing``) led to."""
    if response.status_code >= 400:
        return True
    if landing is not None:
        return "flash-error" in body_of(landing)
    return any(marker in body_of(response) for marker in ERROR_MARKERS)


def body_of(response: Any) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return str(response.content.decode(errors="replace"))


Check = Callable[[Any], None]
