"""On PostgreSQL, refuse UPDATE and DELETE of the access log in the database itself."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION privacy_access_log_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'the access log is append-only' USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER privacy_access_log_append_only
  BEFORE UPDATE OR DELETE ON privacy_accesslogentry
  FOR EACH ROW EXECUTE FUNCTION privacy_access_log_append_only();
"""
BACKWARD = """
DROP TRIGGER IF EXISTS privacy_access_log_append_only ON privacy_accesslogentry;
DROP FUNCTION IF EXISTS privacy_access_log_append_only();
"""

# SQLite (the embedded default) refuses updates in the database; a DELETE trigger there would
# also stop the test runner from flushing tables, so deletes are refused by the model only.
# PostgreSQL (production) refuses both; its TRUNCATE-based flush is unaffected.
SQLITE_FORWARD = [
    """CREATE TRIGGER privacy_access_log_no_update BEFORE UPDATE ON privacy_accesslogentry
       BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END;""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS privacy_access_log_no_update;",
]


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
