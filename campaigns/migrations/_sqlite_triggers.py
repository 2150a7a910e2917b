"""On SQLite, Django alters a table by rebuilding it, which drops the table's triggers and
breaks the rename while another table's trigger names it. A migration that alters
``campaigns_campaign`` wraps its operations in these two steps: the number-in-use triggers of
0003 come off before and go back after. PostgreSQL alters in place and needs neither."""

import importlib

from django.db import migrations

_TRIGGERS = importlib.import_module("campaigns.migrations.0003_number_in_use_triggers")


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            for statement in statements:
                schema_editor.execute(statement)

    return run


def around(operations):
    drop = _run([s for s in _TRIGGERS.SQLITE_BACKWARD if s.startswith("DROP TRIGGER")])
    create = _run([*_TRIGGERS.SQLITE, _TRIGGERS.FILL])
    return [
        migrations.RunPython(drop, create),
        *operations,
        migrations.RunPython(create, drop),
    ]
