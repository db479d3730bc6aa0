"""SQLite: keep refusing UPDATE of the lifecycle log, but let DELETE through to the model's own
refusal, because SQLite empties tables with DELETE when the test runner flushes them
(PostgreSQL uses TRUNCATE, which row triggers do not see, so its triggers stay)."""

from django.db import migrations

DROP = "DROP TRIGGER IF EXISTS programs_lifecycle_log_no_delete;"
RESTORE = """CREATE TRIGGER programs_lifecycle_log_no_delete BEFORE DELETE ON
    programs_lifecycletransition BEGIN SELECT RAISE(ABORT, 'the lifecycle log is append-only');
    END;"""


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(DROP)


def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(RESTORE)


class Migration(migrations.Migration):
    dependencies = [("programs", "0002_lifecycle_log_append_only_trigger")]
    operations = [migrations.RunPython(forward, backward)]
