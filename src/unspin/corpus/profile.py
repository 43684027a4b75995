"""Outlet profiles: what one outlet publishes, cites and quotes, from the store.

Sections come from the store's derived tables, so they grow with the
analyses: ``techniques`` (rate per 1,000 words by family), and one section
per other label kind present (``genre``, ``narrative``, ``frame``, …) as
soon as analyses that produce them are stored.

Pages the extraction verdict flags (``meta.extraction.ok`` false: a
listing, a recipe, documentation, a paywall stub, a failed extraction) are
left out of every figure unless ``include_flagged``; the profile says how
many were left out and of which kinds. Analyses without a verdict count.
The most-quoted speakers are the quotes analyzer's speaker names, the forms
of one name counted together (:mod:`.speakers`: "Donald J. Trump" with
"Donald Trump"); a quote whose speaker it could not name ("sources", an
unresolved "he") counts among the quotes but names nobody.
"""

from __future__ import annotations

from typing import Any

from ..store import Store
from .speakers import join_forms

#: Buckets of the distribution of the article-level technique score (expected share of paragraphs labelled).
SHARE_BUCKETS = (0.2, 0.4, 0.6, 0.8)


def _match(domain: str) -> tuple[str, list[str]]:
    d = domain.strip().lower().removeprefix("www.")
    return "(a.outlet = ? OR a.outlet LIKE ?)", [d, "%." + d]


def _quoted_speakers(store: Store, cond: str, params: list[Any], top: int) -> list[dict[str, Any]]:
    """The ``top`` most-quoted speakers, the forms of one name counted together
    (:func:`~unspin.corpus.speakers.join_forms`); ``forms`` lists them where there are several."""
    q = store.db.execute
    counts = q(f"""SELECT s.speaker, count(*) FROM quotes s JOIN articles a ON a.id = s.article_id
                   WHERE {cond} AND s.speaker IS NOT NULL GROUP BY s.speaker""", params).fetchall()
    out = []
    for line in join_forms(counts)[:top]:
        forms = sorted(line.forms, key=lambda f: (-line.forms[f], f))
        marks = ",".join("?" * len(forms))
        (arts,) = q(f"""SELECT count(DISTINCT s.article_id) FROM quotes s JOIN articles a ON a.id = s.article_id
                        WHERE {cond} AND s.speaker IN ({marks})""", [*params, *forms]).fetchone()
        entry: dict[str, Any] = {"speaker": line.name, "articles": arts, "quotes": line.quotes}
        if len(forms) > 1:
            entry["forms"] = forms
        out.append(entry)
    return out


def outlet_profile(store: Store, domain: str, *, ratings: Any = None, top: int = 10,
                   include_flagged: bool = False) -> dict[str, Any] | None:
    """The profile of ``domain`` (and its subdomains), or ``None`` without articles.

    ``include_flagged`` counts the pages flagged by the extraction verdict too (see the module doc).
    """
    cond, params = _match(domain)
    q = store.db.execute
    flagged = dict(q(f"""SELECT coalesce(a.page_kind, 'unknown') k, count(*) FROM articles a
                         WHERE {cond} AND a.extraction_ok = 0 GROUP BY k ORDER BY count(*) DESC, k""",
                     params).fetchall())
    if not include_flagged:
        cond += " AND coalesce(a.extraction_ok, 1) = 1"
    articles, words, first, last, copies = q(
        f"""SELECT count(*), coalesce(sum(words), 0), min(published), max(published),
                   count(duplicate_of) FROM articles a WHERE {cond}""", params).fetchone()
    if not articles and not flagged:
        return None
    d = domain.strip().lower().removeprefix("www.")
    copied_by_others = q(
        f"""SELECT count(*) FROM articles c JOIN articles a ON c.duplicate_of = a.id
            WHERE {cond} AND (c.outlet IS NULL OR NOT (c.outlet = ? OR c.outlet LIKE ?))""",
        [*params, d, "%." + d]).fetchone()[0]
    profile: dict[str, Any] = {
        "outlet": d,
        "names": [r[0] for r in q(
            f"SELECT outlet_name, count(*) n FROM articles a WHERE {cond} AND outlet_name IS NOT NULL "
            "GROUP BY outlet_name ORDER BY n DESC LIMIT 3", params)],
        "articles": articles,
        "words": words,
        "first_published": first,
        "last_published": last,
        "near_duplicates": copies,
        "copied_by_other_outlets": copied_by_others,
        "flagged_pages": {"count": sum(flagged.values()), "by_kind": flagged, "included": include_flagged},
        "rating": ratings.lookup(d) if ratings is not None and len(ratings) else None,
        "cited_sources": [
            {"name": n, "domain": dom, "articles": arts, "mentions": m}
            for n, dom, arts, m in q(
                f"""SELECT c.name, max(c.domain), count(DISTINCT c.article_id) arts, count(*) m
                    FROM cited_sources c JOIN articles a ON a.id = c.article_id WHERE {cond}
                    GROUP BY lower(c.name) ORDER BY arts DESC, m DESC, c.name LIMIT ?""", [*params, top])
        ],
        "quoted_speakers": _quoted_speakers(store, cond, params, top),
        "quotes": dict(q(f"""SELECT s.kind, count(*) FROM quotes s JOIN articles a ON a.id = s.article_id
                             WHERE {cond} GROUP BY s.kind ORDER BY s.kind""", params).fetchall()),
    }
    profile["technique_summary"] = _technique_summary(store, cond, params)
    kinds = [r[0] for r in q(
        f"SELECT DISTINCT l.kind FROM labels l JOIN articles a ON a.id = l.article_id WHERE {cond} ORDER BY l.kind",
        params)]
    for kind in kinds:
        rows = q(f"""SELECT l.label, max(l.family), count(*) n, count(DISTINCT l.article_id) arts
                     FROM labels l JOIN articles a ON a.id = l.article_id WHERE {cond} AND l.kind = ?
                     GROUP BY l.label ORDER BY n DESC, l.label""", [*params, kind]).fetchall()
        section: dict[str, Any] = {
            "top": [{"label": lab, "count": n, "articles": arts, "share_of_articles": round(arts / articles, 3)}
                    for lab, _fam, n, arts in rows[:top]],
        }
        if kind == "technique":
            per_1000 = 1000 / words if words else 0.0
            section["per_1000_words"] = round(sum(r[2] for r in rows) * per_1000, 2)
            families: dict[str, int] = {}
            for _lab, fam, n, _arts in rows:
                families[fam or "other"] = families.get(fam or "other", 0) + n
            section["families_per_1000_words"] = {
                fam: round(n * per_1000, 2) for fam, n in sorted(families.items(), key=lambda x: -x[1])
            }
            for item, row in zip(section["top"], rows[:top], strict=True):
                item["per_1000_words"] = round(row[2] * per_1000, 2)
        profile.setdefault("labels", {})[kind] = section
    return profile


def _technique_summary(store: Store, cond: str, params: list[str]) -> dict[str, Any] | None:
    """The outlet's articles at a glance (their ``technique_summary``): how many
    have one, the mean share of their paragraphs that carry a technique, and the
    mean, quartiles and distribution of the calibrated ``expected_share``
    (articles without one, such as fast-tier analyses, are left out of those);
    None when no article has a summary."""
    rows = store.db.execute(
        f"""SELECT json_extract(a.analysis, '$.technique_summary.paragraphs'),
                   json_extract(a.analysis, '$.technique_summary.labelled_paragraphs'),
                   json_extract(a.analysis, '$.technique_summary.expected_share')
            FROM articles a WHERE {cond} AND json_extract(a.analysis, '$.technique_summary') IS NOT NULL""",
        params).fetchall()
    if not rows:
        return None
    shares = sorted(float(r[2]) for r in rows if r[2] is not None)
    labelled = [r[1] / r[0] for r in rows if r[0]]
    section: dict[str, Any] = {
        "articles": len(rows),
        "mean_labelled_share": round(sum(labelled) / len(labelled), 3) if labelled else None,
        "expected_share": None,
    }
    if shares:
        edges = (0.0, *SHARE_BUCKETS, 1.0)
        buckets = {f"{lo:.0%}-{hi:.0%}": sum(1 for x in shares if lo <= x < hi or (hi == 1.0 and x == 1.0))
                   for lo, hi in zip(edges, edges[1:], strict=False)}
        section["expected_share"] = {
            "articles": len(shares),
            "mean": round(sum(shares) / len(shares), 3),
            "quartiles": [round(_quantile(shares, f), 3) for f in (0.25, 0.5, 0.75)],
            "distribution": buckets,
        }
    return section


def _quantile(ordered: list[float], f: float) -> float:
    """The ``f`` quantile of sorted values (linear interpolation)."""
    pos = f * (len(ordered) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)
