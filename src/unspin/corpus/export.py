"""Export the store as Parquet, CSV or JSON Lines for pandas, polars, R, DuckDB.

One row per article: the store's columns, and ``analysis``, the full
analysis (a nested object in JSON Lines, a JSON string in CSV and Parquet).
The file is written next to its destination and renamed at the end, so a
failed export leaves no half-written file.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from ..errors import UnspinError
from ..store import Store

FORMATS = ("parquet", "csv", "jsonl")
COLUMNS = (
    "id", "content_sha256", "source", "url", "outlet", "outlet_name", "title", "published", "words",
    "analyzers", "unspin_version", "ingested_at", "duplicate_of", "similarity", "story_id", "analysis",
)


def export(store: Store, path: str | Path, fmt: str, *, with_analysis: bool = True) -> int:
    """Write every article to ``path`` in ``fmt``; returns the number of rows."""
    if fmt not in FORMATS:
        raise UnspinError(f"unknown export format {fmt!r} (one of {', '.join(FORMATS)})")
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
        os.close(fd)
    except OSError as exc:
        raise UnspinError(f"{path}: cannot write ({(exc.strerror or str(exc)).lower()})") from None
    try:
        rows = store.iter_articles(with_analysis=with_analysis)
        n = {"jsonl": _jsonl, "csv": _csv, "parquet": _parquet}[fmt](rows, tmp, with_analysis)
        os.replace(tmp, path)
    except OSError as exc:
        raise UnspinError(f"{path}: cannot write ({(exc.strerror or str(exc)).lower()})") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return n


def _jsonl(rows: Any, tmp: str, with_analysis: bool) -> int:
    n = 0
    with open(tmp, "w", encoding="utf-8") as f:
        for row in rows:
            row["analyzers"] = json.loads(row["analyzers"])
            if with_analysis:
                row["analysis"] = json.loads(row["analysis"])
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
    return n


def _csv(rows: Any, tmp: str, with_analysis: bool) -> int:
    cols = [c for c in COLUMNS if with_analysis or c != "analysis"]
    n = 0
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=cols)
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
            n += 1
    return n


def _parquet(rows: Any, tmp: str, with_analysis: bool) -> int:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:  # pragma: no cover
        raise UnspinError("exporting Parquet needs pyarrow (pip install pyarrow)") from None
    types = {"id": pa.int64(), "words": pa.int64(), "duplicate_of": pa.int64(), "similarity": pa.float64(),
             "story_id": pa.int64()}
    cols = [c for c in COLUMNS if with_analysis or c != "analysis"]
    schema = pa.schema([(c, types.get(c, pa.string())) for c in cols])
    n = 0
    with pq.ParquetWriter(tmp, schema, compression="zstd") as writer:
        batch: list[dict[str, Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) == 1000:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                n += len(batch)
                batch = []
        if batch or n == 0:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
            n += len(batch)
    return n
