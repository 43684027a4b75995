"""Ingest sources: directories and files of articles, feeds, tables, WARC.

:func:`open_source` turns one ``SOURCE`` of ``unspin ingest`` into a
:class:`Source` whose items are :class:`Task` (one article to read and
analyse, small enough to send to a worker process) or :class:`Failure`
(an item that cannot become an article: a row without text, an entry page
that cannot be fetched, a broken record). A source that cannot be read at
all raises :class:`~unspin.errors.InputError` naming it; a source that
breaks half-way yields the items before the break, then a failure.

=================================  =========================================
source                             items
=================================  =========================================
.txt/.md/.html file                the article (read in the worker)
directory                          its article files, then the items of
                                   its feed, table and WARC files
RSS/Atom feed (file or URL)        each entry: its content or summary, or
                                   with ``fetch_pages`` its page, fetched
                                   with a per-host delay
.jsonl/.ndjson, .csv/.tsv,         each row with a ``text`` column; optional
.parquet                           ``url``, ``title``, ``outlet``,
                                   ``published`` (and ``id`` for its name)
.warc, .warc.gz                    each HTML response record
http(s) URL of a page              the page
=================================  =========================================
"""

from __future__ import annotations

import calendar
import csv
import gzip
import io
import json
import os
import re
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from ..config import Options
from ..errors import InputError
from ..inputs import expand_inputs, fetch_url, is_url, looks_like_html
from ..inputs.html import hostname_of
from ..inputs.url import fetch

__all__ = ["Failure", "Source", "Task", "open_source", "normalize_published", "fetch_bytes", "PoliteFetcher"]

FEED_EXTENSIONS = (".rss", ".atom", ".xml", ".rdf")
JSONL_EXTENSIONS = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")
CSV_EXTENSIONS = (".csv", ".tsv", ".csv.gz", ".tsv.gz")
PARQUET_EXTENSIONS = (".parquet", ".pq")
WARC_EXTENSIONS = (".warc", ".warc.gz", ".arc", ".arc.gz")
TABLE_COLUMNS = ("text", "url", "title", "outlet", "published", "id")
_FEED_START = re.compile(rb"^\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*<(rss|feed|rdf:RDF)[\s>]", re.DOTALL)
_FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml",
               "text/xml", "application/feed+json")


@dataclass
class Task:
    """One article to read (if ``kind == "path"``) and analyse."""

    source: str
    #: ``path`` (a file or URL read with :func:`unspin.inputs.read_input`),
    #: ``text`` (plain text in ``payload``) or ``html`` (a page in ``payload``).
    kind: str
    payload: str | bytes
    url: str | None = None
    title: str | None = None
    outlet: str | None = None
    published: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


@dataclass
class Failure:
    """An item of a source that cannot be ingested."""

    source: str
    reason: str

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}"


@dataclass
class Source:
    """One ingest source: its name, its kind, the number of items when known."""

    name: str
    kind: str
    items: Iterable[Task | Failure]
    count: int | None = None


# -- dates -------------------------------------------------------------------


def normalize_published(value: Any) -> str | None:
    """An ISO 8601 string for a date in many spellings, else ``None``.

    Aware times become UTC (``2024-05-01T12:00:00+00:00``), naive ones keep
    their wall time, dates stay dates (``2024-05-01``), so that strings
    compare in time order. Accepts ISO 8601, RFC 2822 (RSS), epoch seconds,
    ``time.struct_time`` (feedparser, UTC) and datetime/date objects.
    """
    if value is None or value == "":
        return None
    if isinstance(value, time.struct_time):
        return datetime.fromtimestamp(calendar.timegm(value), timezone.utc).isoformat()
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, date):
        return value.isoformat()
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(float(value) / (1000 if value > 1e11 else 1), timezone.utc).isoformat()
        except (OverflowError, OSError, ValueError):
            return None
    else:
        s = str(value).strip()
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", s):
            try:
                return date.fromisoformat(s).isoformat()
            except ValueError:
                return None
        try:
            dt = datetime.fromisoformat(s.replace("Z", "+00:00"))
        except ValueError:
            try:
                dt = parsedate_to_datetime(s)
            except (TypeError, ValueError, IndexError):
                return None
            if dt is None:
                return None
    if dt.tzinfo is not None:
        dt = dt.astimezone(timezone.utc)
    return dt.replace(microsecond=0).isoformat()


# -- fetching ----------------------------------------------------------------


def fetch_bytes(url: str, options: Options, *, accept: str = "*/*") -> tuple[bytes, str, str]:
    """GET ``url`` with the guards of :func:`unspin.inputs.url.fetch`.

    Returns ``(body, media type, final URL)``; any content type is accepted
    (feeds come as several XML types). Raises :class:`InputError` naming ``url``.
    """
    page = fetch(url, options, accept=accept)
    return page.body, page.media_type, page.url


class PoliteFetcher:
    """Fetches pages one at a time, at most one request per host every ``delay`` seconds."""

    def __init__(self, options: Options, delay: float = 1.0,
                 sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic) -> None:
        self.options, self.delay, self.sleep, self.clock = options, delay, sleep, clock
        self.last: dict[str, float] = {}

    def wait(self, url: str) -> None:
        host = (hostname_of(url) or url).lower()
        if host in self.last:
            pause = self.last[host] + self.delay - self.clock()
            if pause > 0:
                self.sleep(pause)
        self.last[host] = self.clock()

    def fetch_article(self, url: str) -> Any:
        self.wait(url)
        try:
            return fetch_url(url, self.options)
        finally:
            self.last[(hostname_of(url) or url).lower()] = self.clock()

    def fetch_bytes(self, url: str, accept: str = "*/*") -> tuple[bytes, str, str]:
        self.wait(url)
        try:
            return fetch_bytes(url, self.options, accept=accept)
        finally:
            self.last[(hostname_of(url) or url).lower()] = self.clock()


# -- dispatch ----------------------------------------------------------------


def _has_ext(name: str, exts: tuple[str, ...]) -> bool:
    return name.lower().endswith(exts)


def open_source(spec: str, options: Options, *, fetcher: PoliteFetcher, fetch_pages: bool = False) -> Source:
    """The :class:`Source` for one ``SOURCE`` argument; raises :class:`InputError` when unreadable."""
    if is_url(spec):
        data, media, final = fetcher.fetch_bytes(spec, accept="application/rss+xml,application/atom+xml,"
                                                       "text/html;q=0.9,*/*;q=0.5")
        if media in _FEED_TYPES or _FEED_START.match(data[:4096]) or media.endswith("+xml"):
            return feed_source(spec, data, options, fetcher=fetcher, fetch_pages=fetch_pages)
        kind = "html" if (media in ("text/html", "application/xhtml+xml") or looks_like_html(data)) else "text"
        payload: str | bytes = data if kind == "html" else data.decode("utf-8", "replace")
        return Source(spec, "url", [Task(spec, kind, payload, url=final)], 1)
    if os.path.isdir(spec):
        return directory_source(spec, options, fetcher=fetcher, fetch_pages=fetch_pages)
    if not os.path.exists(spec):
        raise InputError(spec, "no such file or directory")
    if not os.path.isfile(spec):
        raise InputError(spec, "not a regular file")
    name = spec.lower()
    if _has_ext(name, JSONL_EXTENSIONS):
        return jsonl_source(spec)
    if _has_ext(name, CSV_EXTENSIONS):
        return csv_source(spec)
    if _has_ext(name, PARQUET_EXTENSIONS):
        return parquet_source(spec)
    if _has_ext(name, WARC_EXTENSIONS):
        return warc_source(spec, options)
    if _has_ext(name, FEED_EXTENSIONS) or _sniff_feed(spec):
        try:
            data = Path(spec).read_bytes()
        except OSError as exc:
            raise InputError(spec, f"cannot read ({(exc.strerror or type(exc).__name__).lower()})") from None
        return feed_source(spec, data, options, fetcher=fetcher, fetch_pages=fetch_pages)
    # Anything else is an article file (text or HTML), read as `unspin analyze` reads it.
    return Source(spec, "file", [Task(spec, "path", spec)], 1)


DATA_EXTENSIONS = FEED_EXTENSIONS + JSONL_EXTENSIONS + CSV_EXTENSIONS + PARQUET_EXTENSIONS + WARC_EXTENSIONS


def directory_source(spec: str, options: Options, *, fetcher: PoliteFetcher, fetch_pages: bool) -> Source:
    """Article files below ``spec`` (as ``unspin analyze`` finds them), then its feeds, tables and WARC files."""
    articles = [f for f in expand_inputs([spec]) if f != spec]
    data: list[str] = []
    for dirpath, dirnames, filenames in os.walk(spec):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        data.extend(os.path.join(dirpath, n) for n in sorted(filenames)
                    if not n.startswith(".") and _has_ext(n, DATA_EXTENSIONS))
    if not articles and not data:
        raise InputError(spec, "is a directory with no article, feed, table or WARC files")
    subs: list[Source | Failure] = []
    for path in data:
        try:
            subs.append(open_source(path, options, fetcher=fetcher, fetch_pages=fetch_pages))
        except InputError as exc:
            subs.append(Failure(exc.source, exc.reason))

    def items() -> Iterator[Task | Failure]:
        for f in articles:
            yield Task(f, "path", f)
        for sub in subs:
            if isinstance(sub, Failure):
                yield sub
            else:
                yield from sub.items

    counts = [s.count if isinstance(s, Source) else 1 for s in subs]
    count = None if any(c is None for c in counts) else len(articles) + sum(c or 0 for c in counts)
    return Source(spec, "directory", items(), count)


def _sniff_feed(path: str) -> bool:
    try:
        with open(path, "rb") as f:
            return bool(_FEED_START.match(f.read(4096)))
    except OSError:
        return False


# -- feeds -------------------------------------------------------------------


def html_fragment_text(fragment: str) -> str:
    """Plain text of an HTML fragment (a feed's content), one paragraph per line."""
    if "<" not in fragment:
        import html

        return html.unescape(fragment).strip()
    import lxml.html

    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except Exception:  # noqa: BLE001 - lxml raises several types on garbage
        return re.sub(r"<[^>]+>", " ", fragment).strip()
    for el in root.iter("script", "style"):
        el.drop_tree()
    for el in root.iter():
        if el.tag == "br":
            el.tail = "\n" + (el.tail or "")
        elif el.tag in ("p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr", "pre"):
            el.tail = "\n" + (el.tail or "")
    lines = [" ".join(line.split()) for line in root.text_content().split("\n")]
    return "\n".join(line for line in lines if line)


def feed_source(name: str, data: bytes, options: Options, *, fetcher: PoliteFetcher, fetch_pages: bool) -> Source:
    import feedparser

    parsed = feedparser.parse(data)
    entries = list(parsed.entries)
    if not entries:
        if parsed.bozo:
            exc = parsed.get("bozo_exception")
            why = str(getattr(exc, "getMessage", lambda: exc)()) if exc is not None else "parse error"
            raise InputError(name, f"not a valid RSS/Atom feed ({why.strip()[:160]})")
        if not parsed.version:
            raise InputError(name, "not an RSS or Atom feed")
        raise InputError(name, "feed has no entries")
    feed_link = parsed.feed.get("link")
    feed_outlet = hostname_of(feed_link) if feed_link else None

    def items() -> Iterator[Task | Failure]:
        for n, entry in enumerate(entries, 1):
            link = entry.get("link")
            source = link or f"{name}#{n}"
            published = normalize_published(entry.get("published_parsed") or entry.get("updated_parsed")
                                            or entry.get("published") or entry.get("updated"))
            body = ""
            if entry.get("content"):
                body = max((c.get("value", "") for c in entry.content), key=len)
            if len(body) < len(entry.get("summary", "") or ""):
                body = entry.get("summary", "")
            text = html_fragment_text(body) if body else ""
            title = entry.get("title") or None
            outlet = (hostname_of(link) if link else None) or feed_outlet
            extra = {"feed": name}
            if entry.get("author"):
                extra["author"] = str(entry.get("author"))
            if fetch_pages and link:
                try:
                    article = fetcher.fetch_article(link)
                except InputError as exc:
                    if not text.strip():
                        yield Failure(source, exc.reason)
                        continue
                    extra["page_error"] = exc.reason
                else:
                    yield Task(source, "text", article.text, url=link, title=title or article.title,
                               outlet=article.outlet_domain or outlet, published=published,
                               extra={**extra, **article.extra, "from": "page"})
                    continue
            if not text.strip():
                yield Failure(source, "feed entry has no text (try --fetch-pages)")
                continue
            if title and not text.startswith(title):
                text = f"{title}\n\n{text}"
            yield Task(source, "text", text, url=link, title=title, outlet=outlet, published=published,
                       extra={**extra, "from": "feed"})

    return Source(name, "feed", items(), len(entries))


# -- tables ------------------------------------------------------------------


def _open_text(path: str) -> io.TextIOBase:
    raw = gzip.open(path, "rb") if path.lower().endswith(".gz") else open(path, "rb")
    return io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="")


def _row_task(path: str, where: str, row: dict[str, Any]) -> Task | Failure:
    ident = row.get("id")
    source = f"{path}#{ident}" if ident not in (None, "") else f"{path}:{where}"
    text = row.get("text")
    if not isinstance(text, str) or not text.strip():
        return Failure(source, "no text" if text in (None, "") or isinstance(text, str) else "text is not a string")
    url = row.get("url") if isinstance(row.get("url"), str) and row.get("url") else None
    title = str(row["title"]) if row.get("title") not in (None, "") else None
    outlet = str(row["outlet"]).strip() if row.get("outlet") not in (None, "") else None
    published = normalize_published(row.get("published"))
    extra = {"row": where}
    if row.get("published") not in (None, "") and published is None:
        extra["published_raw"] = str(row.get("published"))
    if looks_like_html(text[:2048]):
        return Task(source, "html", text, url=url, title=title, outlet=outlet, published=published, extra=extra)
    return Task(source, "text", text, url=url, title=title, outlet=outlet, published=published, extra=extra)


def _count_lines(path: str) -> int | None:
    try:
        with (gzip.open(path, "rb") if path.lower().endswith(".gz") else open(path, "rb")) as f:
            return sum(1 for line in f if line.strip())
    except (OSError, EOFError):
        return None


def jsonl_source(path: str) -> Source:
    def items() -> Iterator[Task | Failure]:
        try:
            with _open_text(path) as f:
                for n, line in enumerate(f, 1):
                    if not line.strip():
                        continue
                    try:
                        row = json.loads(line)
                    except json.JSONDecodeError as exc:
                        yield Failure(f"{path}:{n}", f"invalid JSON ({exc.msg})")
                        continue
                    if not isinstance(row, dict):
                        yield Failure(f"{path}:{n}", "not a JSON object")
                        continue
                    yield _row_task(path, str(n), row)
        except (OSError, EOFError) as exc:
            yield Failure(path, f"cannot read ({exc})")

    return Source(path, "jsonl", items(), _count_lines(path))


def csv_source(path: str) -> Source:
    csv.field_size_limit(1 << 30)
    delimiter = "\t" if ".tsv" in path.lower() else ","
    try:
        with _open_text(path) as f:
            header = next(csv.reader(f, delimiter=delimiter), None)
    except (OSError, EOFError, csv.Error) as exc:
        raise InputError(path, f"cannot read CSV ({exc})") from None
    if not header:
        raise InputError(path, "file is empty")
    columns = [h.strip().lower() for h in header]
    if "text" not in columns:
        raise InputError(path, f"no text column (columns: {', '.join(columns[:12])})")

    def items() -> Iterator[Task | Failure]:
        try:
            with _open_text(path) as f:
                reader = csv.reader(f, delimiter=delimiter)
                next(reader, None)
                for n, values in enumerate(reader, 2):
                    if not any(v.strip() for v in values):
                        continue
                    # a row shorter than the header leaves its last columns out; extra cells are ignored
                    yield _row_task(path, str(n), dict(zip(columns, values, strict=False)))
        except (OSError, EOFError, csv.Error) as exc:
            yield Failure(path, f"cannot read CSV ({exc})")

    count = _count_lines(path)
    return Source(path, "csv", items(), None if count is None else max(count - 1, 0))


def parquet_source(path: str) -> Source:
    try:
        import pyarrow.parquet as pq
    except ImportError:  # pragma: no cover - pyarrow is a dependency of corpus mode
        raise InputError(path, "reading Parquet needs pyarrow (pip install pyarrow)") from None
    try:
        pf = pq.ParquetFile(path)
    except Exception as exc:  # noqa: BLE001 - pyarrow raises ArrowInvalid, OSError, …
        raise InputError(path, f"not a Parquet file ({str(exc).splitlines()[0][:160]})") from None
    names = {n.lower(): n for n in pf.schema_arrow.names}
    if "text" not in names:
        raise InputError(path, f"no text column (columns: {', '.join(list(names)[:12])})")
    wanted = [names[c] for c in TABLE_COLUMNS if c in names]

    def items() -> Iterator[Task | Failure]:
        n = 0
        try:
            for batch in pf.iter_batches(batch_size=256, columns=wanted):
                for row in batch.to_pylist():
                    n += 1
                    yield _row_task(path, str(n), {k.lower(): v for k, v in row.items()})
        except Exception as exc:  # noqa: BLE001
            yield Failure(path, f"cannot read Parquet after row {n} ({str(exc).splitlines()[0][:160]})")

    return Source(path, "parquet", items(), pf.metadata.num_rows)


# -- WARC --------------------------------------------------------------------


def warc_source(path: str, options: Options) -> Source:
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    try:
        with open(path, "rb") as f:
            head = f.read(2)
            f.seek(0)
            with (gzip.GzipFile(fileobj=f) if head == b"\x1f\x8b" else f) as raw:
                magic = raw.read(16)
            if not (magic.startswith(b"WARC/") or magic.startswith(b"filedesc://")):
                raise InputError(path, "not a valid WARC file (no WARC/ARC header)")
        with open(path, "rb") as f:
            first = next(iter(ArchiveIterator(f)), None)
    except (ArchiveLoadFailed, OSError, ValueError, EOFError) as exc:
        raise InputError(path, f"not a valid WARC file ({str(exc).strip()[:160]})") from None
    if first is None:
        raise InputError(path, "WARC file has no records")

    def items() -> Iterator[Task | Failure]:
        n = 0
        try:
            with open(path, "rb") as f:
                for record in ArchiveIterator(f):
                    if record.rec_type != "response" or record.http_headers is None:
                        continue
                    n += 1
                    url = record.rec_headers.get_header("WARC-Target-URI")
                    source = url or f"{path}#{n}"
                    status = record.http_headers.get_statuscode()
                    media = (record.http_headers.get_header("Content-Type") or "").split(";", 1)[0].strip().lower()
                    if media and media not in ("text/html", "application/xhtml+xml"):
                        continue
                    if status and not status.startswith("2"):
                        continue
                    body = record.content_stream().read(options.max_bytes + 1)
                    if len(body) > options.max_bytes:
                        yield Failure(source, "response is too large (see --max-bytes)")
                        continue
                    extra = {"warc": path}
                    if crawled := record.rec_headers.get_header("WARC-Date"):
                        extra["crawled"] = crawled
                    yield Task(source, "html", body, url=url, extra=extra)
        except (ArchiveLoadFailed, OSError, ValueError, EOFError) as exc:
            yield Failure(path, f"WARC file broken after {n} responses ({str(exc).strip()[:160]})")

    return Source(path, "warc", items(), None)
