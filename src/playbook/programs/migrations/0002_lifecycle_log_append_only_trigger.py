"""Refuse UPDATE and DELETE of the lifecycle log in the database itself."""

from django.db import migrations

TABLE = "programs_lifecycletransition"
PG_FORWARD = f"""
CREATE OR REPLACE FUNCTION programs_lifecycle_log_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'the lifecycle log is append-only' USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER programs_lifecycle_log_append_only
  BEFORE UPDATE OR DELETE ON {TABLE}
  FOR EACH ROW EXECUTE FUNCTION programs_lifecycle_log_append_only();
"""
PG_BACKWARD = f"""
DROP TRIGGER IF EXISTS programs_lifecycle_log_append_only ON {TABLE};
DROP FUNCTION IF EXISTS programs_lifecycle_log_append_only();
"""
SQLITE_FORWARD = [
    f"""CREATE TRIGGER programs_lifecycle_log_no_update BEFORE UPDATE ON {TABLE}
       BEGIN SELECT RAISE(ABORT, 'the lifecycle log is append-only'); END;""",
    f"""CREATE TRIGGER programs_lifecycle_log_no_delete BEFORE DELETE ON {TABLE}
       BEGIN SELECT RAISE(ABORT, 'the lifecycle log is append-only'); END;""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS programs_lifecycle_log_no_update;",
    "DROP TRIGGER IF EXISTS programs_lifecycle_log_no_delete;",
]


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_FORWARD)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("programs", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
