"""texting's SQL that is written by hand (PostgreSQL); the rest of the app calls the functions
here and never asks which database it runs on.

``inbound_routes_save``: the routes a batch of texts took (``texting.router``), saved in one
``UPDATE … FROM unnest(…)`` on PostgreSQL — a statement per batch instead of one per text, with a
parameter per column, not per value — and a save per text elsewhere (SQLite)."""

from collections.abc import Sequence
from typing import Any

from django.db import connection

from inboxes.models import InboundMessage

# What routing sets on a text (``texting.routing``).
ROUTED_FIELDS = ["route", "note", "routed_at", "organization", "conversation"]

POSTGRESQL_ROUTES = """
UPDATE {table} AS m SET
    route = v.route,
    note = v.note,
    routed_at = v.routed_at,
    organization_id = v.organization_id,
    conversation_id = v.conversation_id
FROM unnest(
    %s::bigint[], %s::text[], %s::text[], %s::timestamptz[], %s::bigint[], %s::bigint[]
) AS v(id, route, note, routed_at, organization_id, conversation_id)
WHERE m.id = v.id
"""
# The columns of POSTGRESQL_ROUTES, as attributes of a text.
_ROUTE_COLUMNS = ("pk", "route", "note", "routed_at", "organization_id", "conversation_id")


def inbound_routes_save(texts: Sequence[InboundMessage]) -> None:
    """Saves ``ROUTED_FIELDS`` of ``texts``, in the caller's transaction."""
    if connection.vendor != "postgresql" or len(texts) == 1:
        for text in texts:
            text.save(update_fields=ROUTED_FIELDS)
        return
    if not texts:
        return
    columns: list[Any] = [[getattr(text, name) for text in texts] for name in _ROUTE_COLUMNS]
    with connection.cursor() as cursor:
        cursor.execute(POSTGRESQL_ROUTES.format(table=InboundMessage._meta.db_table), columns)
