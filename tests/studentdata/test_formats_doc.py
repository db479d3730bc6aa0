from pathlib import Path

from playbook.studentdata.formats_doc import formats_markdown
from playbook.studentdata.schemas import KINDS


def test_committed_format_doc_matches_the_schemas():
    committed = (Path(__file__).resolve().parents[2] / "docs" / "student-data-formats.md")
    assert committed.read_text() == formats_markdown(), (
        "run: python -m playbook.studentdata.formats_doc > docs/student-data-formats.md")
    for kind in KINDS.values():
        for column in kind.columns:
            assert f"`{column.name}`" in committed.read_text()
