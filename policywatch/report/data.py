"""What the HTML report shows, read from the warehouse into plain records (no HTML here)."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import duckdb
import numpy as np

from policywatch.transforms.event_study.report import CaarCurve, caar_band

__all__ = [
    "ArticleView",
    "OverviewView",
    "StatRow",
    "caar_curves_from_db",
    "overview_totals",
    "read_article_view",
    "read_overview",
]

#: the statistics shown in a table row, in order: (statistic, its p-value's label)
SHOWN = ("caar", "csect_t", "patell_z", "bmp_t", "kp_bmp_t", "kp_patell_z", "corrado_z", "gsign_z", "wilcoxon_w")


@dataclass(slots=True)
class StatRow:
    label: str  #: a CAR window ("0:1") or a day ("day 0")
    n: int
    values: dict[str, float | None] = field(default_factory=dict)
    p_values: dict[str, float | None] = field(default_factory=dict)
    n_pos: int | None = None
    n_neg: int | None = None
    notes: list[str] = field(default_factory=list)


@dataclass(slots=True)
class ArticleView:
    article_id: str
    title: str
    url: str | None
    origin_ref: str | None
    published_at: datetime | None
    source: str | None
    policy: dict[str, Any] | None
    measures: list[dict[str, Any]]
    links: list[dict[str, Any]]
    other_tickers: list[dict[str, Any]]
    events: list[dict[str, Any]]
    stats: list[StatRow]
    price_sources: list[str]
    study: str
    #: stored from a local replay of Sina (the demo): its URL named a page that is gone, never a source to link
    replayed: bool = False


@dataclass(slots=True)
class OverviewView:
    study: str
    study_params: dict[str, Any] | None
    price_sources: list[str]
    articles: list[dict[str, Any]]
    link_class_stats: dict[str, list[StatRow]]
    totals: dict[str, int]

    @property
    def article_ids(self) -> list[str]:
        """Every stored article, 7x24 flashes included (the report writes a page for each)."""
        return [i for a in self.articles for i in [a["article_id"], *(f["article_id"] for f in a["flashes"])]]


def _rows(con: duckdb.DuckDBPyConnection, query: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    cursor = con.execute(query, params or [])
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(
        con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]).fetchall()[0][0]
    )


_LOOPBACK = ("127.", "localhost", "[::1]", "0.0.0.0")


def _loopback(url: str | None) -> bool:
    host = urlsplit(url or "").netloc.rsplit("@", 1)[-1]
    return host.startswith(_LOOPBACK)


def served_by_replay(con: duckdb.DuckDBPyConnection, article_ids: list[str]) -> set[str]:
    """The articles that came from a local replay of Sina (the offline demo): a loopback URL, or stored by a
    run that read a loopback roll, 7x24 or RSS feed (the replay's 7x24 items name invented Sina pages)."""
    rows = _rows(
        con,
        "SELECT a.article_id, a.url, r.args FROM articles a LEFT JOIN runs r USING (run_id)"
        " WHERE a.article_id IN (SELECT unnest(?::VARCHAR[]))",
        [list(article_ids)],
    )
    out = set()
    for row in rows:
        args = row["args"]
        args = json.loads(args) if isinstance(args, str) else (args or {})
        feeds = [args.get("roll_url"), args.get("zhibo_url"), *(args.get("rss_feeds") or [])]
        if _loopback(row["url"]) or any(_loopback(f) for f in feeds if isinstance(f, str)):
            out.add(row["article_id"])
    return out


def window_stats(con: duckdb.DuckDBPyConnection, study: str, group_type: str, group_id: str) -> list[StatRow]:
    """One row per CAR window of a group, with every statistic and its two-sided p-value."""
    rows = _rows(
        con,
        "SELECT car_window, statistic, value, p_value, n, note FROM study_results"
        " WHERE study = ? AND group_type = ? AND group_id = ? AND car_window IS NOT NULL",
        [study, group_type, group_id],
    )
    by_window: dict[str, StatRow] = {}
    for row in rows:
        stat = by_window.setdefault(row["car_window"], StatRow(row["car_window"], row["n"]))
        stat.n = max(stat.n, row["n"])
        if row["statistic"] == "n_pos":
            stat.n_pos = None if row["value"] is None else int(row["value"])
        elif row["statistic"] == "n_neg":
            stat.n_neg = None if row["value"] is None else int(row["value"])
        else:
            stat.values[row["statistic"]] = row["value"]
            stat.p_values[row["statistic"]] = row["p_value"]
        if row["note"] and row["note"] not in stat.notes:
            stat.notes.append(row["note"])

    def order(label: str) -> tuple[int, int]:
        start, end = (int(x) for x in label.split(":"))
        return (end - start, start)

    return [by_window[k] for k in sorted(by_window, key=order)]


def caar_curves_from_db(
    con: duckdb.DuckDBPyConnection, study: str, group_type: str, ids: list[str] | None = None, *,
    level: float = 0.95, limit: int | None = None, label=lambda gid: gid,
) -> list[CaarCurve]:  # fmt: skip
    """CAAR per group over the event window with the band CAAR ± q·se (q from t(n_t − 1), n_t = ``caar_n``, the
    events whose CAR to that day exists), from ``study_results``."""
    where = "" if ids is None else " AND group_id IN (SELECT unnest(?::VARCHAR[]))"
    params: list[Any] = [study, group_type] + ([ids] if ids is not None else [])
    rows = _rows(
        con,
        "SELECT group_id, rel_day, statistic, value, n FROM study_results"
        " WHERE study = ? AND group_type = ? AND rel_day IS NOT NULL"
        f" AND statistic IN ('caar', 'caar_se', 'caar_n'){where}"
        " ORDER BY group_id, rel_day",
        params,
    )
    series: dict[str, dict[str, dict[int, float]]] = defaultdict(lambda: defaultdict(dict))
    sizes: dict[str, int] = defaultdict(int)
    for row in rows:
        series[row["group_id"]][row["statistic"]][row["rel_day"]] = row["value"]
        sizes[row["group_id"]] = max(sizes[row["group_id"]], row["n"])
    curves = []
    # every group (or the ``limit`` largest), largest first, ties by label: callers say which in their titles
    for gid in sorted(series, key=lambda g: (-sizes[g], label(g)))[:limit]:
        days = np.array(sorted(series[gid]["caar"]))
        caar = np.array([np.nan if series[gid]["caar"][d] is None else series[gid]["caar"][d] for d in days], float)
        se = np.array([np.nan if series[gid]["caar_se"].get(d) is None else series[gid]["caar_se"][d] for d in days])
        # the band on day t is over the events whose CAR to t exists (caar_n), as the curve is
        n_t = np.array([series[gid]["caar_n"].get(d) or 0 for d in days], dtype=float)
        curves.append(CaarCurve(label(gid), sizes[gid], days, caar, *caar_band(caar, se, n_t, level)))
    return curves


def study_price_sources(con: duckdb.DuckDBPyConnection, study: str) -> tuple[list[str], dict[str, Any] | None]:
    rows = _rows(con, "SELECT price_sources, params FROM study_runs WHERE study = ?", [study])
    if not rows:
        return [], None
    params = rows[0]["params"]
    return list(rows[0]["price_sources"]), json.loads(params) if isinstance(params, str) else params


def read_article_view(
    con: duckdb.DuckDBPyConnection, article_id: str, study: str, *, replayed: bool = False
) -> ArticleView:
    (head,) = _rows(
        con,
        "SELECT a.article_id, a.title, a.url, a.origin_ref, a.published_at, a.source, p.policy_score,"
        " p.is_policy, p.standardization_score, p.is_standardization, p.issuers, p.documents, p.reasons"
        " FROM articles a LEFT JOIN article_policy p USING (article_id) WHERE a.article_id = ?",
        [article_id],
    )
    policy = None
    if head["policy_score"] is not None:
        policy = {k: head[k] for k in ("policy_score", "is_policy", "standardization_score", "is_standardization",
                                       "issuers", "documents", "reasons")}  # fmt: skip
    links = _rows(
        con,
        "SELECT anchor_text, code, ticker, origin, link_class, link_reason FROM stock_links"
        " WHERE article_id = ? ORDER BY origin, position NULLS LAST, code",
        [article_id],
    )
    events = _article_events(con, article_id, study) if _has_table(con, "events") else []
    sources = sorted({e["price_source"] for e in events if e.get("price_source")})
    return ArticleView(
        article_id=head["article_id"],
        title=head["title"],
        url=head["url"],
        origin_ref=head["origin_ref"],
        published_at=head["published_at"],
        source=head["source"],
        policy=policy,
        measures=_measures_with_themes(con, article_id),
        links=links,
        other_tickers=_named_tickers(con, article_id),
        events=events,
        stats=window_stats(con, study, "article", article_id) if _has_table(con, "study_results") else [],
        price_sources=sources,
        study=study,
        replayed=replayed,
    )


def _measures_with_themes(con: duckdb.DuckDBPyConnection, article_id: str) -> list[dict[str, Any]]:
    """Each measure with the themes it names and their member stocks; an article without measures gets its
    themes as one pseudo-measure."""
    themes_by_measure: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in _rows(
        con,
        "SELECT t.measure_ordinal, t.theme_id, th.name_zh, t.matched_terms FROM measure_themes t"
        " LEFT JOIN themes th USING (theme_id) WHERE t.article_id = ? ORDER BY t.measure_ordinal, t.theme_id",
        [article_id],
    ):
        themes_by_measure[row["measure_ordinal"]].append(row)
    members: dict[tuple[int, str], list[str]] = defaultdict(list)
    for row in _rows(
        con,
        "SELECT measure_ordinal, theme_id, ticker, name FROM article_tickers"
        " WHERE article_id = ? AND via = 'theme' ORDER BY confidence DESC, ticker",
        [article_id],
    ):
        members[(row["measure_ordinal"], row["theme_id"])].append(f"{row['ticker']} {row['name'] or ''}".strip())
    measures = []
    for m in _rows(
        con,
        "SELECT ordinal, label, heading, section_title FROM measures WHERE article_id = ? ORDER BY ordinal",
        [article_id],
    ):
        themes = [
            {**t, "members": members.get((m["ordinal"], t["theme_id"]), [])}
            for t in themes_by_measure.get(m["ordinal"], [])
        ]
        measures.append({**m, "themes": themes})
    if None in themes_by_measure:  # an article without measures: its themes as one pseudo-measure
        themes = [{**t, "members": members.get((None, t["theme_id"]), [])} for t in themes_by_measure[None]]
        measures.append({"ordinal": None, "label": "", "heading": "(the whole article)", "section_title": None,
                         "themes": themes})  # fmt: skip
    return measures


def _named_tickers(con: duckdb.DuckDBPyConnection, article_id: str) -> list[dict[str, Any]]:
    """The tickers the text names itself (a code written, a company's name), with the best evidence."""
    return _rows(
        con,
        "SELECT ticker, name, confidence, vias, evidence FROM ("
        "  SELECT s.ticker, s.name, s.confidence, s.vias,"
        "   (SELECT t.evidence FROM article_tickers t WHERE t.article_id = s.article_id AND t.ticker = s.ticker"
        "    AND t.via IN ('text_code', 'name_mention') ORDER BY t.confidence DESC LIMIT 1) AS evidence"
        "  FROM article_ticker_summary s WHERE s.article_id = ?"
        "   AND (list_contains(s.vias, 'text_code') OR list_contains(s.vias, 'name_mention'))"
        ") ORDER BY confidence DESC, ticker",
        [article_id],
    )


def _article_events(con: duckdb.DuckDBPyConnection, article_id: str, study: str) -> list[dict[str, Any]]:
    """The article's events with the study's diagnostics and their AR and CARs over the report's windows."""
    return _rows(
        con,
        """
        SELECT e.event_id, e.ticker, e.name, e.day0, e.shifted, array_to_string(e.vias, ', ') AS vias,
               (SELECT string_agg(DISTINCT t.link_class, ', ') FROM article_tickers t
                 WHERE t.article_id = e.article_id AND t.ticker = e.ticker AND t.link_class IS NOT NULL)
                 AS link_class,
               d.status, d.reason, d.n_estimation, d.beta, d.car, d.price_source,
               (SELECT sum(r.abnormal_ret) FROM event_returns r WHERE r.study = d.study AND r.event_id = e.event_id
                 AND r.rel_day = 0) AS ar0,
               (SELECT sum(r.abnormal_ret) FROM event_returns r WHERE r.study = d.study AND r.event_id = e.event_id
                 AND r.rel_day BETWEEN 0 AND 1) AS car01,
               (SELECT sum(r.abnormal_ret) FROM event_returns r WHERE r.study = d.study AND r.event_id = e.event_id
                 AND r.rel_day BETWEEN -1 AND 1) AS car11,
               (SELECT sum(r.abnormal_ret) FROM event_returns r WHERE r.study = d.study AND r.event_id = e.event_id
                 AND r.rel_day BETWEEN 0 AND 5) AS car05,
               (SELECT sum(r.abnormal_ret) FROM event_returns r WHERE r.study = d.study AND r.event_id = e.event_id
                 AND r.rel_day BETWEEN 0 AND 10) AS car010
        FROM events e LEFT JOIN event_diagnostics d ON d.event_id = e.event_id AND d.study = ?
        WHERE e.article_id = ?
        ORDER BY d.status NULLS LAST, link_class NULLS LAST, e.ticker
        """,
        [study, article_id],
    )


def read_overview(con: duckdb.DuckDBPyConnection, study: str) -> OverviewView:
    articles = _rows(
        con,
        """
        SELECT a.article_id, a.title, a.published_at, a.origin, p.policy_score, p.is_policy, p.is_standardization,
               (SELECT count(*) FROM stock_links l WHERE l.article_id = a.article_id AND l.origin = 'sina_link')
                 AS sina_links,
               (SELECT count(*) FILTER (WHERE l.link_class = 'name_collision') FROM stock_links l
                 WHERE l.article_id = a.article_id) AS collisions,
               (SELECT count(*) FROM measures m WHERE m.article_id = a.article_id) AS measures,
               (SELECT count(*) FROM article_ticker_summary s WHERE s.article_id = a.article_id) AS tickers
        FROM articles a LEFT JOIN article_policy p USING (article_id)
        ORDER BY p.is_standardization DESC NULLS LAST, p.policy_score DESC NULLS LAST, a.published_at DESC
        """,
    )
    sources, params = study_price_sources(con, study) if _has_table(con, "study_runs") else ([], None)
    link_class_stats = {}
    if _has_table(con, "study_results"):
        for link_class in ("mention", "theme_stock", "name_collision"):
            stats = window_stats(con, study, "link_class", link_class)
            if stats:
                link_class_stats[link_class] = stats
        theme_members = window_stats(con, study, "via", "theme")
        if theme_members:
            link_class_stats["theme member (via theme)"] = theme_members
    main = group_flashes(articles)
    return OverviewView(study, params, sources, main, link_class_stats, overview_totals(articles))


def overview_totals(articles: list[dict[str, Any]]) -> dict[str, int]:
    """What the overview counts: each row once, as an article or as a 7x24 flash (listed under an article or
    not), and the policy items and Sina's links over both."""
    flashes = sum(1 for a in articles if a["origin"] == "zhibo")
    return {
        "articles": len(articles) - flashes,
        "flashes": flashes,
        "policies": sum(1 for a in articles if a["is_policy"]),
        "standardization": sum(1 for a in articles if a["is_standardization"]),
        "sina_links": sum(a["sina_links"] for a in articles),
        "collisions": sum(a["collisions"] for a in articles),
    }


def _headline(title: str | None) -> str:
    return "".join((title or "").split()).strip("。.！!")


def group_flashes(articles: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Sina's 7x24 flashes (origin ``zhibo``) under the article with the same headline, as ``flashes``: a flash
    repeats the headline (and scores near zero, being one line), so listing it as an article of its own reads as
    a duplicate. A flash with no such article stays in the list, marked by its origin. Order is kept. An empty
    headline matches nothing: untitled flashes are not one story."""
    by_headline: dict[str, dict[str, Any]] = {}
    for article in articles:
        article.setdefault("flashes", [])
        if article["origin"] != "zhibo" and _headline(article["title"]):
            by_headline.setdefault(_headline(article["title"]), article)
    main = []
    for article in articles:
        parent = by_headline.get(_headline(article["title"])) if article["origin"] == "zhibo" else None
        if parent is not None:
            parent["flashes"].append(article)
        else:
            main.append(article)
    return main
