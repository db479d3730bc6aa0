"""``core.append_only``: the model refuses changes, and so does the database trigger that
``append_only_trigger`` installs (UPDATE on SQLite; UPDATE and DELETE on PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, transaction

from playbook.core.append_only import AppendOnlyError, AppendOnlyModel, append_only_trigger
from playbook.privacy.models import AccessLogEntry

pytestmark = pytest.mark.django_db


def entry(**kwargs: object) -> AccessLogEntry:
    return AccessLogEntry.objects.create(role="program_officer", action="student_record",
                                         purpose="eligibility check", **kwargs)


def test_a_new_record_is_written_once():
    first = entry()
    assert AccessLogEntry.objects.filter(pk=first.pk).exists()
    assert issubclass(AccessLogEntry, AppendOnlyModel)


def test_saving_a_record_again_is_refused_with_its_label():
    first = entry()
    first.purpose = "rewritten"
    with pytest.raises(AppendOnlyError, match=r"^the access log is append-only$"):
        first.save()
    loaded = AccessLogEntry.objects.get(pk=first.pk)
    with pytest.raises(AppendOnlyError):
        loaded.save(update_fields=["purpose"])
    assert AccessLogEntry.objects.get(pk=first.pk).purpose == "eligibility check"


def test_deleting_a_record_is_refused():
    first = entry()
    with pytest.raises(AppendOnlyError, match="the access log is append-only"):
        first.delete()
    with pytest.raises(AppendOnlyError):
        AccessLogEntry(purpose="never saved").delete()
    assert AccessLogEntry.objects.filter(pk=first.pk).exists()


def test_the_access_log_table_refuses_an_update_that_bypasses_the_model():
    first = entry()
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        AccessLogEntry.objects.filter(pk=first.pk).update(purpose="rewritten")
    assert AccessLogEntry.objects.get(pk=first.pk).purpose == "eligibility check"


TABLE = "core_append_only_probe"


@pytest.fixture
def probe_table(transactional_db: None) -> Iterator[str]:
    """A table of its own with the trigger installed as a migration would, removed after."""
    operation = append_only_trigger(TABLE, "the probe log")
    with connection.schema_editor() as editor:
        editor.execute(f"CREATE TABLE {TABLE} (id integer PRIMARY KEY, note varchar(20))")
        operation.code(apps, editor)
    try:
        yield TABLE
    finally:
        with connection.schema_editor() as editor:
            assert operation.reverse_code is not None
            operation.reverse_code(apps, editor)
            editor.execute(f"DROP TABLE {TABLE}")


def _sql(statement: str) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)


def _notes() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT note FROM {TABLE} ORDER BY id")
        return [row[0] for row in cursor.fetchall()]


def test_the_trigger_refuses_an_update_in_the_database(probe_table):
    _sql(f"INSERT INTO {probe_table} (id, note) VALUES (1, 'first')")
    with pytest.raises(IntegrityError, match="the probe log is append-only"):
        _sql(f"UPDATE {probe_table} SET note = 'rewritten' WHERE id = 1")
    assert _notes() == ["first"]


def test_the_trigger_refuses_a_delete_on_postgresql_only(probe_table):
    _sql(f"INSERT INTO {probe_table} (id, note) VALUES (1, 'first')")
    if connection.vendor == "postgresql":
        with pytest.raises(IntegrityError, match="the probe log is append-only"):
            _sql(f"DELETE FROM {probe_table} WHERE id = 1")
        assert _notes() == ["first"]
    else:  # SQLite: the test runner flushes tables with DELETE, so only UPDATE is refused
        _sql(f"DELETE FROM {probe_table} WHERE id = 1")
        assert _notes() == []


def test_the_migration_backwards_removes_the_trigger(probe_table):
    _sql(f"INSERT INTO {probe_table} (id, note) VALUES (1, 'first')")
    operation = append_only_trigger(probe_table, "the probe log")
    with connection.schema_editor() as editor:
        assert operation.reverse_code is not None
        operation.reverse_code(apps, editor)
    _sql(f"UPDATE {probe_table} SET note = 'changed' WHERE id = 1")
    assert _notes() == ["changed"]
    with connection.schema_editor() as editor:  # forwards again, for the fixture to undo
        operation.code(apps, editor)
    with pytest.raises(IntegrityError):
        _sql(f"UPDATE {probe_table} SET note = 'again' WHERE id = 1")
