"""Export the store as long tables in Parquet, CSV or JSON Lines, for pandas, polars, R, DuckDB.

``-o news.parquet`` writes the articles table there and each table of
findings beside it: ``news.techniques.parquet``, ``news.quotes.parquet``,
``news.entities.parquet``, ``news.narratives.parquet``,
``news.frames.parquet``, ``news.cited_sources.parquet`` (one row per
finding, with ``article_id`` and offsets; columns in :mod:`.tables`). The
full analysis JSON is left out unless asked for (``with_analysis``: a
column ``analysis`` of the articles table, a nested object in JSON Lines).

Every file is written next to its destination and renamed once all are
complete, so a failed export leaves no half-written file.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from contextlib import ExitStack
from pathlib import Path
from typing import Any, Callable, Sequence

from ..errors import UnspinError
from ..store import Store
from .tables import TABLE_NAMES, Filters, check_tables, columns_of, iter_batches, schema_of

__all__ = ["FORMATS", "export", "table_path"]

FORMATS = ("parquet", "csv", "jsonl")


def table_path(path: str | Path, table: str) -> Path:
    """Where ``table`` goes when the articles table goes to ``path``: ``news.parquet`` → ``news.quotes.parquet``."""
    path = Path(path)
    if table == "articles":
        return path
    return path.with_name(f"{path.stem}.{table}{path.suffix}") if path.suffix else path.with_name(f"{path.name}.{table}")


def export(store: Store, path: str | Path, fmt: str, *, tables: Sequence[str] = TABLE_NAMES,
           with_analysis: bool = False, filters: Filters | None = None) -> dict[str, int]:
    """Write ``tables`` (``articles`` to ``path``, the others beside it) in ``fmt``; returns rows per table."""
    if fmt not in FORMATS:
        raise UnspinError(f"unknown export format {fmt!r} (one of {', '.join(FORMATS)})")
    tables = check_tables(tables)
    if not tables:
        raise UnspinError("nothing to export: no table chosen")
    targets = {t: table_path(path, t) for t in tables}
    temps: dict[str, str] = {}
    try:
        for table, target in targets.items():
            directory = target.parent if str(target.parent) else Path(".")
            fd, temps[table] = tempfile.mkstemp(prefix=f".{target.name}.", dir=directory)
            os.close(fd)
        counts = _write(store, temps, fmt, tables, with_analysis, filters or Filters())
        for table, target in targets.items():
            os.replace(temps[table], target)
    except OSError as exc:  # all files go to one folder: name the one the user gave
        raise UnspinError(f"{path}: cannot write ({(exc.strerror or str(exc)).lower()})") from None
    finally:
        for tmp in temps.values():
            if os.path.exists(tmp):
                os.unlink(tmp)
    return counts


def _write(store: Store, temps: dict[str, str], fmt: str, tables: Sequence[str], with_analysis: bool,
           filters: Filters) -> dict[str, int]:
    """Stream the tables' rows into one writer per file."""
    counts = dict.fromkeys(tables, 0)
    with ExitStack() as stack:
        writers = {t: stack.enter_context(_WRITERS[fmt](temps[t], t, with_analysis)) for t in tables}
        for chunk in iter_batches(store, tables, filters=filters, with_analysis=with_analysis):
            for table, rows in chunk.items():
                writers[table](rows)
                counts[table] += len(rows)
    return counts


class _ParquetWriter:
    """Rows to a Parquet file (zstd), an empty file with the schema when there are none."""

    def __init__(self, tmp: str, table: str, with_analysis: bool) -> None:
        import pyarrow.parquet as pq  # imported on use: see tables._arrow_types

        self.schema = schema_of(table, with_analysis)
        self.writer = pq.ParquetWriter(tmp, self.schema, compression="zstd")

    def __enter__(self) -> Callable[[list[dict[str, Any]]], None]:
        return self.write

    def write(self, rows: list[dict[str, Any]]) -> None:
        import pyarrow as pa

        if rows:
            self.writer.write_table(pa.Table.from_pylist(rows, schema=self.schema))

    def __exit__(self, *exc_info: Any) -> None:
        self.writer.close()


class _CsvWriter:
    """Rows to CSV with a header; booleans as true/false, missing values empty."""

    def __init__(self, tmp: str, table: str, with_analysis: bool) -> None:
        self.file = open(tmp, "w", encoding="utf-8", newline="")
        self.writer = csv.DictWriter(self.file, fieldnames=[name for name, _ in columns_of(table, with_analysis)])
        self.writer.writeheader()

    def __enter__(self) -> Callable[[list[dict[str, Any]]], None]:
        return self.write

    def write(self, rows: list[dict[str, Any]]) -> None:
        self.writer.writerows({k: ("true" if v else "false") if isinstance(v, bool) else v for k, v in r.items()}
                              for r in rows)

    def __exit__(self, *exc_info: Any) -> None:
        self.file.close()


class _JsonlWriter:
    """Rows to JSON Lines; the ``analyzers`` and ``analysis`` JSON strings become nested objects."""

    def __init__(self, tmp: str, table: str, with_analysis: bool) -> None:
        self.file = open(tmp, "w", encoding="utf-8")

    def __enter__(self) -> Callable[[list[dict[str, Any]]], None]:
        return self.write

    def write(self, rows: list[dict[str, Any]]) -> None:
        for row in rows:
            for key in ("analyzers", "analysis"):
                if isinstance(row.get(key), str):
                    row[key] = json.loads(row[key])
            self.file.write(json.dumps(row, ensure_ascii=False) + "\n")

    def __exit__(self, *exc_info: Any) -> None:
        self.file.close()


_WRITERS = {"parquet": _ParquetWriter, "csv": _CsvWriter, "jsonl": _JsonlWriter}
