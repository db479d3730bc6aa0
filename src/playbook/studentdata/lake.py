"""Where the lake lives and how its immutable Parquet files are written."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from django.conf import settings


def lake_dir() -> Path:
    path = Path(settings.LAKE_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def write_parquet(table: pa.Table, path: Path) -> str:
    """Write ``table`` to ``path`` (zstd), make it read-only, and return its SHA-256."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path, compression="zstd", row_group_size=1 << 20)
    os.chmod(path, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
