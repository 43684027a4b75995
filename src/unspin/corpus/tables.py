"""A corpus as long tables, for pandas, Arrow, Parquet and SQL.

One table per kind of finding, one row per finding, each with the id of its
article and its character offsets into the article's analysed text
(``text[start:end]`` is the ``text`` column):

=================  ==============================================================
``articles``       one row per article: the store's columns and the genre
``techniques``     one row per persuasion-technique span
``quotes``         one row per quote: speaker (name and mention), cue, content
``entities``       one row per entity mention, with its group and role
``narratives``     one row per narrative and sub-narrative found
``frames``         one row per frame found
``cited_sources``  one row per mention of an outlet used as a source
=================  ==============================================================

``articles`` comes from the store's columns alone (fast); the others are
read from each stored analysis JSON, one pass over the articles whatever
the number of tables. The full JSON stays available as the ``analysis``
column of ``articles`` when asked for (``with_analysis``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Sequence

from ..errors import UnspinError
from ..store import Store
from .labels import technique_family
from .search import filter_clauses

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["COLUMNS", "FINDING_TABLES", "TABLE_NAMES", "Filters", "arrow_tables", "iter_batches", "schema_of",
           "to_dataframe"]

#: Columns of every table with their type (``int``, ``float``, ``str``, ``bool``; every column may be empty).
COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "articles": (
        ("id", "int"), ("content_sha256", "str"), ("source", "str"), ("url", "str"), ("outlet", "str"),
        ("outlet_name", "str"), ("title", "str"), ("published", "str"), ("words", "int"), ("language", "str"),
        ("page_kind", "str"), ("extraction_ok", "bool"), ("genre", "str"), ("genre_score", "float"),
        ("analyzers", "str"), ("unspin_version", "str"), ("ingested_at", "str"), ("duplicate_of", "int"),
        ("similarity", "float"), ("story_id", "int"),
    ),
    "techniques": (
        ("article_id", "int"), ("technique", "str"), ("family", "str"), ("start", "int"), ("end", "int"),
        ("text", "str"), ("score", "float"),
    ),
    "quotes": (
        ("article_id", "int"), ("kind", "str"), ("speaker", "str"), ("speaker_mention", "str"),
        ("speaker_start", "int"), ("speaker_end", "int"), ("cue", "str"), ("cue_start", "int"), ("cue_end", "int"),
        ("content", "str"), ("content_start", "int"), ("content_end", "int"),
    ),
    "entities": (
        ("article_id", "int"), ("text", "str"), ("type", "str"), ("start", "int"), ("end", "int"), ("group", "str"),
        ("role", "str"), ("role_score", "float"), ("fine_roles", "str"),
    ),
    "narratives": (
        ("article_id", "int"), ("narrative", "str"), ("subnarrative", "str"), ("score", "float"),
    ),
    "frames": (
        ("article_id", "int"), ("frame", "str"), ("score", "float"),
    ),
    "cited_sources": (
        ("article_id", "int"), ("name", "str"), ("domain", "str"), ("start", "int"), ("end", "int"), ("text", "str"),
        ("cue", "str"), ("cue_start", "int"), ("cue_end", "int"),
    ),
}
#: The full analysis JSON, added to ``articles`` on request.
ANALYSIS_COLUMN = ("analysis", "str")

#: The tables of findings (everything but ``articles``), in export order.
FINDING_TABLES = ("techniques", "quotes", "entities", "narratives", "frames", "cited_sources")
TABLE_NAMES = ("articles", *FINDING_TABLES)

# Store columns of the articles table, then the genre from the labels table (one per article).
_ARTICLE_SQL = """
    SELECT a.id, a.content_sha256, a.source, a.url, a.outlet, a.outlet_name, a.title, a.published, a.words,
           a.language, a.page_kind, a.extraction_ok,
           (SELECT l.label FROM labels l WHERE l.article_id = a.id AND l.kind = 'genre' ORDER BY l.score DESC LIMIT 1),
           (SELECT max(l.score) FROM labels l WHERE l.article_id = a.id AND l.kind = 'genre'),
           a.analyzers, a.unspin_version, a.ingested_at, a.duplicate_of, a.similarity, a.story_id{analysis}
    FROM articles a{where} ORDER BY a.id"""


@dataclass(frozen=True)
class Filters:
    """Which articles: an outlet (and its subdomains) and an inclusive ``published`` date range."""

    outlet: str | None = None
    since: str | None = None
    until: str | None = None


def check_tables(names: Iterable[str]) -> tuple[str, ...]:
    """``names`` in table order; an unknown name raises :class:`UnspinError` listing the known ones."""
    wanted = list(dict.fromkeys(names))
    unknown = [n for n in wanted if n not in COLUMNS]
    if unknown:
        raise UnspinError(f"unknown table {unknown[0]!r} (one of {', '.join(TABLE_NAMES)})")
    return tuple(n for n in TABLE_NAMES if n in wanted)


def iter_batches(store: Store, tables: Sequence[str] = TABLE_NAMES, *, filters: Filters | None = None,
                 with_analysis: bool = False, batch: int = 500) -> Iterator[dict[str, list[dict[str, Any]]]]:
    """Rows of ``tables`` for ``batch`` articles at a time, in article id order.

    Each item maps a table name to its rows (dicts keyed by the table's
    columns). The analysis JSON is parsed once per article, only when a
    table of findings is asked for; with ``with_analysis`` the ``articles``
    rows carry it as the string ``analysis``.
    """
    tables = check_tables(tables)
    findings = [t for t in tables if t != "articles"]
    filters = filters or Filters()
    where, params = filter_clauses(filters.outlet, filters.since, filters.until)
    need_json = bool(findings) or with_analysis
    sql = _ARTICLE_SQL.format(analysis=", a.analysis" if need_json else "",
                              where=(" WHERE " + " AND ".join(where)) if where else "")
    names = [name for name, _ in COLUMNS["articles"]]
    cur = store.db.execute(sql, params)
    while rows := cur.fetchmany(batch):
        out: dict[str, list[dict[str, Any]]] = {t: [] for t in tables}
        for r in rows:
            if "articles" in tables:
                article = dict(zip(names, r[: len(names)], strict=True))
                if article["extraction_ok"] is not None:
                    article["extraction_ok"] = bool(article["extraction_ok"])
                if with_analysis:
                    article["analysis"] = r[len(names)]
                out["articles"].append(article)
            if findings:
                analysis = json.loads(r[len(names)])
                for table in findings:
                    out[table].extend(_FINDINGS[table](r[0], analysis))
        yield out


def columns_of(table: str, with_analysis: bool = False) -> tuple[tuple[str, str], ...]:
    """The columns of ``table`` (``articles`` with the ``analysis`` column when asked)."""
    columns = COLUMNS[table]
    return (*columns, ANALYSIS_COLUMN) if with_analysis and table == "articles" else columns


@cache
def _arrow_types() -> dict[str, Any]:
    # pyarrow is imported when a table is built, not with unspin: it adds ~0.3 s to every command's start.
    import pyarrow as pa

    return {"int": pa.int64(), "float": pa.float64(), "str": pa.string(), "bool": pa.bool_()}


def schema_of(table: str, with_analysis: bool = False) -> pa.Schema:
    """The Arrow schema of ``table`` (see :func:`columns_of`)."""
    import pyarrow as pa

    types = _arrow_types()
    return pa.schema([(name, types[kind]) for name, kind in columns_of(table, with_analysis)])


def arrow_tables(store: Store, tables: Sequence[str] = TABLE_NAMES, *, filters: Filters | None = None,
                 with_analysis: bool = False) -> dict[str, pa.Table]:
    """Whole tables as Arrow (``pyarrow.Table``), in one pass over the articles."""
    import pyarrow as pa

    tables = check_tables(tables)
    parts: dict[str, list[dict[str, Any]]] = {t: [] for t in tables}
    for chunk in iter_batches(store, tables, filters=filters, with_analysis=with_analysis):
        for table, rows in chunk.items():
            parts[table].extend(rows)
    return {t: pa.Table.from_pylist(parts[t], schema=schema_of(t, with_analysis)) for t in tables}


def to_dataframe(table: pa.Table) -> Any:
    """An Arrow table as a pandas DataFrame with nullable integer and boolean columns (ids, offsets stay ints)."""
    import pyarrow as pa

    try:
        import pandas as pd
    except ImportError:
        raise UnspinError("DataFrames need pandas: pip install 'unspin[pandas]' "
                          "(or use Corpus.table(), which returns a pyarrow.Table)") from None
    mapping = {pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype()}
    return table.to_pandas(types_mapper=mapping.get)


# -- rows of one analysis -----------------------------------------------------------


def _span(value: Any) -> tuple[Any, Any, Any]:
    """``(text, start, end)`` of a span object, ``None`` each when it is absent."""
    if not isinstance(value, dict):
        return None, None, None
    return value.get("text"), value.get("start"), value.get("end")


def _list(analysis: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = analysis.get(key)
    return [x for x in value if isinstance(x, dict)] if isinstance(value, list) else []


def technique_rows(article_id: int, analysis: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for t in _list(analysis, "techniques"):
        name = t.get("technique")
        yield {"article_id": article_id, "technique": name, "family": technique_family(name) if name else None,
               "start": t.get("start"), "end": t.get("end"), "text": t.get("text"), "score": t.get("score")}


def quote_rows(article_id: int, analysis: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for q in _list(analysis, "quotes"):
        speaker = q.get("speaker") if isinstance(q.get("speaker"), dict) else {}
        mention, s_start, s_end = _span(speaker or None)
        cue, c_start, c_end = _span(q.get("cue"))
        content, t_start, t_end = _span(q.get("content"))
        yield {"article_id": article_id, "kind": q.get("kind"), "speaker": speaker.get("name") or None,
               "speaker_mention": mention, "speaker_start": s_start, "speaker_end": s_end,
               "cue": cue, "cue_start": c_start, "cue_end": c_end,
               "content": content, "content_start": t_start, "content_end": t_end}


def entity_rows(article_id: int, analysis: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for e in _list(analysis, "entities"):
        fine = [f.get("label") for f in e.get("fine_roles") or [] if isinstance(f, dict) and f.get("label")]
        yield {"article_id": article_id, "text": e.get("text"), "type": e.get("type"), "start": e.get("start"),
               "end": e.get("end"), "group": e.get("group"), "role": e.get("role"), "role_score": e.get("score"),
               "fine_roles": "; ".join(fine) or None}


def narrative_rows(article_id: int, analysis: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for n in _list(analysis, "narratives"):
        yield {"article_id": article_id, "narrative": n.get("narrative"), "subnarrative": n.get("subnarrative"),
               "score": n.get("score")}


def frame_rows(article_id: int, analysis: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for f in _list(analysis, "frames"):
        yield {"article_id": article_id, "frame": f.get("label"), "score": f.get("score")}


def cited_rows(article_id: int, analysis: dict[str, Any]) -> Iterator[dict[str, Any]]:
    prov = analysis.get("provenance") if isinstance(analysis.get("provenance"), dict) else {}
    for c in _list(prov, "cited_sources"):
        cue, c_start, c_end = _span(c.get("cue"))
        yield {"article_id": article_id, "name": c.get("name"), "domain": c.get("domain"), "start": c.get("start"),
               "end": c.get("end"), "text": c.get("text"), "cue": cue, "cue_start": c_start, "cue_end": c_end}


_FINDINGS = {"techniques": technique_rows, "quotes": quote_rows, "entities": entity_rows,
             "narratives": narrative_rows, "frames": frame_rows, "cited_sources": cited_rows}
