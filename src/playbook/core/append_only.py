"""Append-only records: the model refuses updates and deletes, and so does the database.

``AppendOnlyModel`` is the model side. ``append_only_trigger(table, label)`` is a migration
operation that installs the database side: on PostgreSQL a trigger refuses UPDATE and DELETE;
on SQLite (the embedded default) a trigger refuses UPDATE only, because the test runner empties
SQLite tables with DELETE when it flushes them (PostgreSQL flushes with TRUNCATE, which row
triggers do not see).
"""

from __future__ import annotations

from typing import Any

from django.db import migrations, models


class AppendOnlyError(Exception):
    """An attempt to change or delete an append-only record."""


class AppendOnlyModel(models.Model):
    #: Said in the error, e.g. "the lifecycle log".
    append_only_label = "this record"

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError(f"{self.append_only_label} is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{self.append_only_label} is append-only")


def _pg_forward(table: str, label: str) -> str:
    fn = f"{table}_append_only"
    return f"""
CREATE OR REPLACE FUNCTION {fn}() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '{label} is append-only' USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS {fn} ON {table};
CREATE TRIGGER {fn} BEFORE UPDATE OR DELETE ON {table}
  FOR EACH ROW EXECUTE FUNCTION {fn}();
"""


def _pg_backward(table: str) -> str:
    fn = f"{table}_append_only"
    return f"DROP TRIGGER IF EXISTS {fn} ON {table}; DROP FUNCTION IF EXISTS {fn}();"


def append_only_trigger(table: str, label: str) -> migrations.RunPython:
    """A migration operation installing the append-only trigger on ``table``."""

    def forward(apps: Any, schema_editor: Any) -> None:
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            schema_editor.execute(_pg_forward(table, label))
        elif vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update;")
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{label} is append-only'); END;")

    def backward(apps: Any, schema_editor: Any) -> None:
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            schema_editor.execute(_pg_backward(table))
        elif vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update;")

    return migrations.RunPython(forward, backward)
