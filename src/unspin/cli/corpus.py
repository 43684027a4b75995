"""Corpus commands: ``ingest``, ``stats``, ``search``, ``export``, ``outlet``, ``story``, ``stories``.

Plain click commands, registered on the ``unspin`` group with
``cli.add_command``. Same conventions as ``unspin analyze``: user mistakes
print one line ``unspin: error: …``; exit 0 when everything went in, 1 when
a source or item could not be ingested (or a database/configuration
problem), 2 for usage errors.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, Callable

import click

from ..config import load_options
from ..corpus.api import Corpus
from ..corpus.export import export, table_path
from ..corpus.sources import normalize_published
from ..corpus.stats import DIMENSIONS
from ..corpus.tables import TABLE_NAMES, Filters
from ..corpus.stories import list_stories, story_report
from ..errors import UnspinError
from ..pipeline import DEFAULT_ANALYZERS, OPTIONAL_ANALYZERS
from ..ratings import RatingsTable
from ..report.outlet_html import render_outlet_html
from ..corpus.ingest import ingest

__all__ = ["COMMANDS", "export_cmd", "ingest_cmd", "outlet_cmd", "search_cmd", "stats_cmd", "stories_cmd", "story_cmd"]

_DB = click.option("--db", "db", required=True, type=click.Path(dir_okay=False),
                   help="The corpus database file (SQLite).")


def _open_store(db: str) -> Corpus:
    return Corpus(db, readonly=True)


# -- ingest ------------------------------------------------------------------


class _Progress:
    """A progress bar with rate and ETA on stderr, only when it is a terminal."""

    def __init__(self, enabled: bool) -> None:
        self.active = enabled and sys.stderr.isatty()
        self.bar: Any = None

    def start(self, total: int | None) -> Callable[[str], None]:
        if not self.active:
            return lambda name: None
        from rich.console import Console
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                                   TimeRemainingColumn)

        self.bar = Progress(TextColumn("ingesting"), BarColumn(), MofNCompleteColumn(),
                            TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), TextColumn("ETA"),
                            TimeRemainingColumn(), TextColumn("{task.description}", style="dim"),
                            console=Console(stderr=True), transient=True)
        self.bar.start()
        task = self.bar.add_task("", total=total, rate="")

        def advance(name: str) -> None:
            speed = self.bar.tasks[0].speed
            self.bar.update(task, advance=1, description=Path(name).name[-40:],
                            rate=f"{speed:.1f} articles/s" if speed else "")

        return advance

    def echo(self, line: str) -> None:
        if self.bar is not None:
            self.bar.console.print(line, markup=False, highlight=False)
        else:
            click.echo(line, err=True)

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()


@click.command(name="ingest")
@click.argument("sources", nargs=-1, required=True, metavar="SOURCE...")
@_DB
@click.option("--ratings", multiple=True, type=click.Path(dir_okay=False),
              help="Outlet reliability ratings: a CSV table, or a list of domains with its label as 'iffy.txt:label=low-credibility' (repeatable; see docs/ratings.md).")
@click.option("--engine", type=click.Choice(["local", "ray"]), default="local", show_default=True,
              help="Where the analysis runs: local worker processes, or Ray Data actors (pip install 'unspin[ray]').")
@click.option("-w", "--workers", type=click.IntRange(min=1),
              help="Worker processes, or Ray actors with --engine ray (default: all cores; on a Ray "
                   "cluster its CPUs less one); each loads the models once.")
@click.option("--ray-address", metavar="ADDRESS",
              help="With --engine ray: the Ray cluster to join (auto, ray://HOST:10001, HOST:6379); "
                   "default RAY_ADDRESS, else a local Ray.")
@click.option("--staging", metavar="DIR|URI",
              help="With --engine ray: where the Parquet of tasks and analyses goes, readable by every node "
                   "(a shared directory, s3://bucket/prefix, gs://…); the analyses are kept there. "
                   "Default: a temporary local directory, removed afterwards.")
@click.option("--fetch-pages", is_flag=True,
              help="For feed entries, fetch the linked page and analyse it instead of the feed's text.")
@click.option("--delay", type=click.FloatRange(min=0), default=1.0, show_default=True,
              help="Seconds between two requests to the same host.")
@click.option("--timeout", type=click.FloatRange(min=0.01), help="Seconds to wait for a URL (default 20).")
@click.option("--max-bytes", type=click.IntRange(min=1), help="Refuse inputs larger than this (default 20 MB).")
@click.option("--max-chars", type=click.IntRange(min=1), metavar="N",
              help="Record texts longer than N characters as failed (default 2,000,000; texts over 50,000 are "
                   "analysed in blocks, in bounded memory: see docs/limits.md).")
@click.option("--allow-private-urls", is_flag=True, default=None,
              help="Allow fetching URLs on loopback, private and link-local addresses.")
@click.option("--spacy-model", help="spaCy model package to load.")
@click.option("--analyzers", "analyzer_names", metavar="NAMES",
              help="Comma-separated analyzers to run, in order (default: "
                   f"{','.join(DEFAULT_ANALYZERS)}; also: {','.join(OPTIONAL_ANALYZERS)}: add narratives "
                   "for search --narrative).")
@click.option("--retry-failed", is_flag=True,
              help="Try again the inputs that an earlier run recorded as failed (skipped by default).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary.")
@click.option("--summary-json", is_flag=True, help="Print the run's counts as one JSON object on stdout.")
@click.option("--commit-every", type=click.IntRange(min=1), default=32, hidden=True,
              help="Commit after this many articles (or 2 s).")
def ingest_cmd(sources: tuple[str, ...], db: str, ratings: tuple[str, ...], engine: str, workers: int | None,
               ray_address: str | None, staging: str | None, fetch_pages: bool, delay: float, timeout: float | None, max_bytes: int | None,
               max_chars: int | None, allow_private_urls: bool | None, spacy_model: str | None,
               analyzer_names: str | None, retry_failed: bool, quiet: bool, summary_json: bool,
               commit_every: int) -> None:
    """Analyse articles and store them in a corpus database.

    A SOURCE is a directory or file of articles (text, HTML), an RSS/Atom
    feed (file or URL), a JSONL, CSV or Parquet file with a text column
    (optional url, title, outlet, published, id), a WARC file, or the URL
    of a page. Articles whose text is stored already are skipped, so a rerun
    (or a run after a crash) stores only what is missing. An input that
    cannot be read or analysed is recorded as failed, with its reason, and
    the run goes on; a rerun skips it unless --retry-failed.

    \b
    Examples:
      unspin ingest corpus/ --db news.db
      unspin ingest https://example.com/feed.xml --fetch-pages --db news.db
      unspin ingest crawl.warc.gz articles.parquet --db news.db --workers 8
      unspin ingest archive/ --db news.db --engine ray --ray-address auto --staging s3://bucket/unspin
    """
    if engine != "ray" and (ray_address or staging):
        raise click.UsageError("--ray-address and --staging need --engine ray")

    names = tuple(n.strip() for n in analyzer_names.split(",") if n.strip()) if analyzer_names else None
    options = load_options(ratings=ratings or None, max_bytes=max_bytes, max_chars=max_chars, timeout=timeout,
                           allow_private_urls=allow_private_urls, spacy_model=spacy_model, analyzers=names)
    RatingsTable.load(options.ratings)  # a bad ratings file fails before any work
    bar = _Progress(enabled=not quiet)
    try:
        report = ingest(
            list(sources), db, options, workers=workers, fetch_pages=fetch_pages, delay=delay,
            on_failure=lambda f: bar.echo(f"unspin: error: {f}"),
            on_warning=lambda w: bar.echo(f"unspin: warning: {w}"),
            progress=bar.start, commit_every=commit_every,
            engine=engine, ray_address=ray_address, staging=staging, verbose=bar.active,
            retry_failed=retry_failed,
        )
    finally:
        bar.stop()
    if summary_json:
        click.echo(json.dumps(report.as_dict()))
    if not quiet:
        dup = f", {report.near_duplicates} near-duplicates linked" if report.near_duplicates else ""
        new = f", {report.new_stories} new stories" if report.new_stories else ""
        skipped = (f", {report.skipped_failed} skipped as failed before (--retry-failed tries them again)"
                   if report.skipped_failed else "")
        click.echo(f"unspin: stored {report.stored} new articles ({report.known} already stored{dup}), "
                   f"{report.failed} failed{skipped}{new}, in {report.seconds:.1f} s", err=True)
    if report.failed:
        sys.exit(1)


# -- stats -------------------------------------------------------------------


@click.command(name="stats")
@_DB
@click.option("--by", "dimensions", multiple=True, type=click.Choice([*DIMENSIONS, "none"]),
              help="Break the counts down by outlet, month (of publication), language, page (kind of page of the "
                   "extraction verdict) or technique. Repeatable; default all of them; 'none' for totals only.")
@click.option("--top", type=click.IntRange(min=1),
              help="Rows per breakdown (the latest months for 'month'); default 10 in text, all in JSON.")
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def stats_cmd(db: str, dimensions: tuple[str, ...], top: int | None, fmt: str) -> None:
    """Counts of a corpus database: totals, then by outlet, month, language, kind of page and technique."""
    store = _open_store(db)
    stats: dict[str, Any] = dict(store.stats())
    stats["size_bytes"] = sum(os.path.getsize(p) for p in (db, db + "-wal") if os.path.exists(p))
    chosen = [d for d in (dimensions or DIMENSIONS) if d != "none"] if "none" not in dimensions else []
    by = store.breakdown(chosen, top=top if top or fmt == "json" else 10)
    if fmt == "json":
        click.echo(json.dumps({**stats, "by": by}, ensure_ascii=False))
        return
    labels = {"articles": "articles", "failed": "failed inputs", "outlets": "outlets", "stories": "stories",
              "duplicates": "near-duplicates", "words": "words", "size_bytes": "size (bytes)"}
    width = max(len(v) for v in labels.values())
    for key, label in labels.items():
        click.echo(f"{label:<{width}}  {stats[key]:>10,}")
    for dimension, rows in by.items():
        click.echo("")
        _print_breakdown(dimension, rows)


#: What a breakdown row's empty key means, per dimension.
_UNKNOWN = {"outlet": "(no outlet)", "month": "(undated)", "language": "(not detected)", "page": "(no verdict)"}


def _print_breakdown(dimension: str, rows: list[dict[str, Any]]) -> None:
    """One breakdown as an aligned table: the key column, then the counts."""
    if not rows:
        click.echo(f"by {dimension}: nothing yet")
        return
    key = next(iter(rows[0]))
    cols = [c for c in rows[0] if c != key and c not in ("first_published", "last_published", "family")]
    names = [str(r[key]) if r[key] is not None else _UNKNOWN.get(dimension, "(none)") for r in rows]
    cells = [[f"{r[c]:,}" if isinstance(r[c], int) else str(r[c]) for c in cols] for r in rows]
    heads = [c.replace("_", " ") for c in cols]
    widths = [max(len(h), *(len(row[i]) for row in cells)) for i, h in enumerate(heads)]
    first = max(len(f"by {dimension}"), *(len(n) + 2 for n in names))
    click.echo(f"{'by ' + dimension:<{first}}" + "".join(f"  {h:>{w}}" for h, w in zip(heads, widths, strict=True)))
    for name, row in zip(names, cells, strict=True):
        click.echo(f"  {name:<{first - 2}}" + "".join(f"  {v:>{w}}" for v, w in zip(row, widths, strict=True)))


# -- search ------------------------------------------------------------------


def _iso_date(ctx: Any, param: Any, value: str | None) -> str | None:
    if value is None:
        return None
    norm = normalize_published(value)
    if norm is None:
        raise click.BadParameter(f"not a date: {value!r} (use YYYY-MM-DD)")
    return norm


@click.command(name="search")
@click.argument("query", required=False)
@_DB
@click.option("--outlet", help="Only articles of this outlet domain (and its subdomains).")
@click.option("--since", callback=_iso_date, help="Only articles published on or after this date (YYYY-MM-DD).")
@click.option("--until", callback=_iso_date, help="Only articles published on or before this date (YYYY-MM-DD).")
@click.option("--technique", "techniques", multiple=True, metavar="NAME",
              help="Only articles using this persuasion technique (any spelling: Loaded_Language, "
                   "'loaded language'), or one of this SemEval-2023 family ('attack on reputation'). "
                   "Repeatable: all are required.")
@click.option("--narrative", "narratives", multiple=True, metavar="NAME",
              help="Only articles carrying this narrative (or one of its sub-narratives). Repeatable: all are "
                   "required.")
@click.option("-n", "--limit", type=click.IntRange(min=1), default=20, show_default=True)
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def search_cmd(query: str | None, db: str, outlet: str | None, since: str | None, until: str | None,
               techniques: tuple[str, ...], narratives: tuple[str, ...], limit: int, fmt: str) -> None:
    """Full-text search over titles and texts, best match first.

    Words are all required; FTS5 syntax ("exact phrase", OR, NOT, prefix*)
    is understood. --technique and --narrative filter on the labels stored
    with each analysis. Without QUERY, the articles that pass the filters
    are listed newest first:

      unspin search --db news.db --narrative "CC: Criticism of climate policies"
    """
    if not (query or "").strip() and not (outlet or since or until or techniques or narratives):
        raise click.UsageError("give words to search for, or a filter (--technique, --narrative, --outlet, "
                               "--since, --until) to list the articles that pass it")
    store = _open_store(db)
    hits = store.search(query, outlet=outlet, since=since, until=until, limit=limit, techniques=techniques,
                        narratives=narratives)
    if fmt == "json":
        click.echo(json.dumps({"query": query, "hits": hits}, ensure_ascii=False))
        return
    if not hits:
        click.echo("no matches", err=True)
        return
    for n, hit in enumerate(hits, 1):
        where = ", ".join(x for x in (hit["outlet"], (hit["published"] or "")[:10]) if x)
        click.echo(f"{n}. [{hit['id']}] {hit['title'] or '(no title)'}" + (f"  ({where})" if where else ""))
        click.echo("   " + " ".join((hit["snippet"] or "").split()))
        tail = hit["url"] or hit["source"]
        if hit["duplicate_of"]:
            tail += f"  (copy of [{hit['duplicate_of']}])"
        click.echo(f"   {tail}")


# -- export ------------------------------------------------------------------


def _table_list(ctx: Any, param: Any, value: str | None) -> tuple[str, ...]:
    if value is None:
        return TABLE_NAMES
    names = tuple(n.strip() for n in value.split(",") if n.strip())
    unknown = [n for n in names if n not in TABLE_NAMES]
    if unknown:
        raise click.BadParameter(f"unknown table {unknown[0]!r} (one of {', '.join(TABLE_NAMES)})")
    return names


@click.command(name="export")
@_DB
@click.option("-f", "--format", "fmt", type=click.Choice(["parquet", "csv", "jsonl"]), required=True)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="File of the articles table; the other tables go beside it (news.parquet: "
                   "news.techniques.parquet, news.quotes.parquet, …).")
@click.option("--tables", callback=_table_list, metavar="LIST",
              help=f"Comma-separated tables to write (default all: {', '.join(TABLE_NAMES)}).")
@click.option("--with-analysis", is_flag=True,
              help="Add the full analysis JSON to the articles table (column 'analysis': a nested object in "
                   "JSON Lines, a JSON string in CSV and Parquet).")
@click.option("--no-analysis", is_flag=True, hidden=True, help="The default now (kept for older scripts).")
@click.option("--outlet", help="Only articles of this outlet domain (and its subdomains).")
@click.option("--since", callback=_iso_date, help="Only articles published on or after this date (YYYY-MM-DD).")
@click.option("--until", callback=_iso_date, help="Only articles published on or before this date (YYYY-MM-DD).")
def export_cmd(db: str, fmt: str, output: Path, tables: tuple[str, ...], with_analysis: bool, no_analysis: bool,
               outlet: str | None, since: str | None, until: str | None) -> None:
    """Write the corpus as long tables: articles, and one row per technique span, quote, entity, narrative,
    frame and cited source, each with its article id and character offsets.

    \b
    Examples:
      unspin export --db news.db -f parquet -o out/news.parquet
      unspin export --db news.db -f csv -o news.csv --tables articles,techniques --since 2024-01-01
      unspin export --db news.db -f jsonl -o news.jsonl --tables articles --with-analysis
    """
    if with_analysis and no_analysis:
        raise click.UsageError("--with-analysis and --no-analysis contradict each other")
    counts = export(_open_store(db), output, fmt, tables=tables, with_analysis=with_analysis,
                    filters=Filters(outlet, since, until))
    written = ", ".join(f"{n:,} {t.replace('_', ' ')} rows ({table_path(output, t)})"
                        for t, n in counts.items() if t != "articles")
    articles = f"{counts['articles']:,} articles to {output}" if "articles" in counts else "no articles table"
    click.echo(f"unspin: exported {articles}" + (f"; {written}" if written else ""), err=True)


# -- outlet ------------------------------------------------------------------


@click.command(name="outlet")
@click.argument("domain")
@_DB
@click.option("--ratings", multiple=True, type=click.Path(dir_okay=False),
              help="Outlet reliability ratings: a CSV table, or a list of domains with its label as 'iffy.txt:label=low-credibility' (repeatable; see docs/ratings.md).")
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True, help="Rows per section.")
@click.option("--include-flagged", is_flag=True,
              help="Count the pages the extraction verdict flags too (listings, recipes, documentation, paywall "
                   "stubs, failed extractions); by default they are left out and counted apart.")
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json", "html"]), default="text", show_default=True,
              help="Terminal text, JSON, or one self-contained HTML page with small charts.")
def outlet_cmd(domain: str, db: str, ratings: tuple[str, ...], top: int, include_flagged: bool, fmt: str) -> None:
    """Profile of one outlet: articles, most-cited sources, most-quoted speakers, rating, techniques."""
    options = load_options(ratings=ratings or None)
    table = RatingsTable.load(options.ratings) if options.ratings else None
    profile = _open_store(db).outlet(domain, ratings=table, top=top, include_flagged=include_flagged)
    if profile is None:
        raise UnspinError(f"{domain}: no articles from this outlet in {db}")
    if fmt == "json":
        click.echo(json.dumps(profile, ensure_ascii=False))
        return
    if fmt == "html":
        click.echo(render_outlet_html(profile), nl=False)
        return
    _print_profile(profile)


def _print_profile(p: dict[str, Any]) -> None:
    echo = click.echo
    names = f" ({', '.join(p['names'])})" if p["names"] else ""
    echo(f"{p['outlet']}{names}")
    echo(f"  articles: {p['articles']:,}  words: {p['words']:,}")
    if p["first_published"]:
        echo(f"  published: {p['first_published'][:10]} to {p['last_published'][:10]}")
    echo(f"  near-duplicates of earlier articles: {p['near_duplicates']}; "
         f"copied by other outlets: {p['copied_by_other_outlets']}")
    flagged = p["flagged_pages"]
    if flagged["count"]:
        kinds = ", ".join(f"{kind} {n}" for kind, n in flagged["by_kind"].items())
        echo(f"  flagged pages ({kinds}): " + ("counted above" if flagged["included"]
                                              else f"{flagged['count']} left out (--include-flagged counts them)"))
    if p["rating"] is not None:
        echo("  rating: " + ", ".join(f"{k}={v}" for k, v in p["rating"].items()))
    echo("most-cited sources:" if p["cited_sources"] else "most-cited sources: none found")
    for c in p["cited_sources"]:
        echo(f"  {c['name']}" + (f" ({c['domain']})" if c["domain"] else "") +
             f": {c['articles']} articles, {c['mentions']} mentions")
    echo("most-quoted speakers:" if p["quoted_speakers"] else "most-quoted speakers: none found")
    for s in p["quoted_speakers"]:
        others = [f for f in s.get("forms", []) if f != s["speaker"]]
        echo(f"  {s['speaker']}: {s['quotes']} quotes in {s['articles']} articles"
             + (f" (also as {', '.join(others)})" if others else ""))
    summary = p.get("technique_summary")
    if summary:
        line = f"technique summary ({summary['articles']} articles):"
        if summary["mean_labelled_share"] is not None:
            line += f" on average {summary['mean_labelled_share']:.0%} of paragraphs carry a technique"
        echo(line)
        expected = summary["expected_share"]
        if expected:
            q1, q2, q3 = expected["quartiles"]
            echo(f"  expected share of paragraphs annotators would label (calibrated estimate, {expected['articles']} "
                 f"articles): mean {expected['mean']:.0%}, quartiles {q1:.0%} / {q2:.0%} / {q3:.0%}")
            echo("  distribution: " + ", ".join(f"{k} {n}" for k, n in expected["distribution"].items()))
    for kind, section in (p.get("labels") or {}).items():
        if kind == "technique":
            echo(f"techniques: {section['per_1000_words']} per 1,000 words")
            for fam, rate in section["families_per_1000_words"].items():
                echo(f"  {fam}: {rate} per 1,000 words")
        else:
            echo(f"{kind}:")
        for item in section["top"]:
            echo(f"  {item['label']}: {item['count']} in {item['articles']} articles "
                 f"({item['share_of_articles']:.0%})")


# -- stories -----------------------------------------------------------------


@click.command(name="story")
@click.argument("story_id", type=int, metavar="ID")
@_DB
@click.option("--top", type=click.IntRange(min=1), default=5, show_default=True, help="Labels per kind and article.")
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def story_cmd(story_id: int, db: str, top: int, fmt: str) -> None:
    """How each outlet covers one story (articles about the same event).

    Per article: outlet, title, date, top techniques, genre/frames/narratives
    when the analysis has them, who is quoted and which sources are cited.
    Stories are built by `unspin ingest`.
    """
    report = story_report(_open_store(db), story_id, top=top)
    if report is None:
        raise UnspinError(f"no story {story_id} in {db} (see `unspin stories --db {db}`)")
    if fmt == "json":
        click.echo(json.dumps(report, ensure_ascii=False))
        return
    echo = click.echo
    echo(f"story {report['id']}: {report['label'] or '(untitled)'}")
    echo(f"  {len(report['articles'])} articles from {len(report['outlets'])} outlets")
    for a in report["articles"]:
        echo("")
        dup = f" (copy of article {a['duplicate_of']})" if a["duplicate_of"] else ""
        echo(f"{a['outlet'] or a['source']}  {(a['published'] or 'undated')[:10]}  [article {a['id']}]{dup}")
        echo(f"  {a['title'] or '(no title)'}")
        for key, name in (("techniques", "techniques"), ("genres", "genre"), ("frames", "frames"),
                          ("narratives", "narratives")):
            if key in a:
                found = ", ".join(f"{x['label']} ×{x['count']}" for x in a[key]) or "none found"
                echo(f"  {name}: {found}")
        echo("  quoted: " + (", ".join(f"{q['speaker']} ×{q['quotes']}" for q in a["quoted"]) or "nobody named"))
        echo("  cited sources: " + (", ".join(c["name"] for c in a["cited_sources"]) or "none found"))


@click.command(name="stories")
@_DB
@click.option("-n", "--limit", type=click.IntRange(min=1), default=50, show_default=True)
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def stories_cmd(db: str, limit: int, fmt: str) -> None:
    """List stories, those covered by most outlets first."""
    rows = list_stories(_open_store(db), limit=limit)
    if fmt == "json":
        click.echo(json.dumps({"stories": rows}, ensure_ascii=False))
        return
    if not rows:
        click.echo("no stories yet (they are built by `unspin ingest`)")
    for r in rows:
        dates = f"{r['first_published'][:10]}..{r['last_published'][:10]}" if r["first_published"] else "undated"
        click.echo(f"{r['id']:>6}  {r['outlets']:>3} outlets  {r['articles']:>4} articles  {dates}  {r['label'] or ''}")


COMMANDS = (ingest_cmd, stats_cmd, search_cmd, export_cmd, outlet_cmd, story_cmd, stories_cmd)
