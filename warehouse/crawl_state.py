"""The crawl's memory in DuckDB: what was listed (``crawl_listings``), what became of each fetch
(``crawl_fetches``), and Sina's 7x24 stock tags as ``stock_links`` of origin ``zhibo_tag``.

``known_item_keys`` is what the next crawl must not fetch again: stored articles (including any stored by
other means under Sina's publishid), pages the current parser refused, and failures that were given up.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb
import pyarrow as pa
from policywatch.transforms.models import CRAWL_RULE_REASONS, PARSER_VERSION, StockLink
from policywatch.warehouse.arrow_io import insert_rows
from policywatch.warehouse.articles import STOCK_LINKS, stock_link_rows
from policywatch.warehouse.db import transaction

__all__ = [
    "FetchOutcome",
    "Listing",
    "RetryCandidate",
    "ZhiboGap",
    "known_item_keys",
    "known_zhibo_ids",
    "open_zhibo_gaps",
    "record_fetches",
    "record_listings",
    "replace_tag_links",
    "replace_zhibo_gaps",
    "retry_candidates",
]

_TS = pa.timestamp("us", tz="UTC")


@dataclass(frozen=True, slots=True)
class Listing:
    item_key: str
    url: str
    source: str
    title: str | None
    listed_at: datetime | None
    verdict: str


@dataclass(frozen=True, slots=True)
class FetchOutcome:
    item_key: str
    url: str
    state: str  #: stored | unusable | failed
    article_id: str | None = None
    reason: str | None = None
    message: str | None = None
    attempts: int = 1
    fetched_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class RetryCandidate:
    item_key: str
    url: str
    title: str | None
    listed_at: datetime | None
    failed_runs: int


@dataclass(frozen=True, slots=True)
class ZhiboGap:
    """7x24 ids not read yet: those strictly between ``low`` (None: no lower bound) and ``high``."""

    feed: str
    low: int | None
    high: int
    reason: str
    first_run_id: str | None = None  #: None for a gap left by the run being recorded
    first_seen_at: datetime | None = None
    runs: int = 1


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {row[0] for row in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}


def known_item_keys(
    con: duckdb.DuckDBPyConnection,
    *,
    retry_runs: int,
    since: datetime | None = None,
    parser_version: str = PARSER_VERSION,
) -> set[str]:
    """Keys of articles a crawl must not fetch again: stored ones, failures given up, and pages the parser
    ``parser_version`` refused. A page an earlier parser refused (or refused before its bytes were kept) may be
    fetched again. With ``since``, only keys that could still be listed: published, listed, seen in a listing
    or fetched since then (the roll API lists recent items).

    Works on a read-only connection to a database whose schema predates the crawl tables."""
    tables = _tables(con)
    articles = """
        SELECT article_id FROM articles
        WHERE id_source = 'publishid' AND ($since IS NULL OR published_at IS NULL OR published_at >= $since)
          AND template <> 'zhibo'  -- a flash stored under the publishid of the page it linked: not that page
    """
    if "crawl_fetches" not in tables:
        return {row[0] for row in con.execute(articles, {"since": since}).fetchall()}
    if "crawl_rejects" in tables:
        rejects = "LEFT JOIN crawl_rejects r USING (item_key)"
        refused_here = "(r.parser_version = $version OR r.resolved_at IS NOT NULL)"
    else:
        rejects, refused_here = "", "TRUE"
    rows = con.execute(
        f"""
        SELECT f.item_key FROM crawl_fetches f
        LEFT JOIN crawl_listings l USING (item_key)
        LEFT JOIN articles a ON a.article_id = f.article_id
        {rejects}
        WHERE (f.state = 'stored'
               OR (f.state = 'unusable' AND (f.reason IN {CRAWL_RULE_REASONS} OR {refused_here}))
               OR (f.state = 'failed' AND f.failed_runs > $retry_runs))
          AND NOT starts_with(f.item_key, 'zhibo:')
          AND ($since IS NULL OR f.updated_at >= $since OR f.fetched_at >= $since OR l.last_seen_at >= $since
               OR l.listed_at >= $since OR a.published_at >= $since)
        UNION {articles}
        """,
        {"retry_runs": retry_runs, "since": since, **({"version": parser_version} if rejects else {})},
    ).fetchall()
    return {row[0] for row in rows}


def known_zhibo_ids(
    con: duckdb.DuckDBPyConnection, *, limit: int | None = None, down_to: int | None = None
) -> set[int]:
    """Stored 7x24 item ids; with ``limit``, the newest ones only: the feed is read from its newest item down,
    so those are all a crawl reading ``limit`` items can meet; with ``down_to`` also every one from that id up
    (a read that goes down to a gap meets those)."""
    if "crawl_fetches" not in _tables(con):
        return set()
    rows = con.execute(
        """
        WITH stored AS (
            SELECT CAST(split_part(item_key, ':', 2) AS BIGINT) AS id FROM crawl_fetches
            WHERE state IN ('stored', 'unusable') AND starts_with(item_key, 'zhibo:')
        )
        (SELECT id FROM stored ORDER BY id DESC LIMIT $limit)
        UNION SELECT id FROM stored WHERE $down_to IS NOT NULL AND id >= $down_to
        """,
        {"limit": limit, "down_to": down_to},
    ).fetchall()
    return {row[0] for row in rows}


def open_zhibo_gaps(con: duckdb.DuckDBPyConnection, feed: str) -> list[ZhiboGap]:
    """The gaps of the 7x24 feed ``feed`` that no run has read yet, highest first."""
    if "crawl_zhibo_gaps" not in _tables(con):
        return []
    rows = con.execute(
        "SELECT feed, low_id, high_id, reason, first_run_id, first_seen_at, runs FROM crawl_zhibo_gaps"
        " WHERE feed = ? ORDER BY high_id DESC",
        [feed],
    ).fetchall()
    return [ZhiboGap(*row) for row in rows]


def replace_zhibo_gaps(con: duckdb.DuckDBPyConnection, run_id: str, feed: str, gaps: Sequence[ZhiboGap]) -> int:
    """Make ``gaps`` the open gaps of ``feed`` (one transaction): the others were read."""
    now = datetime.now(UTC)
    rows = [
        [feed, g.low, g.high, g.reason, g.first_run_id or run_id, g.first_seen_at or now, run_id, g.runs]
        for g in {g.high: g for g in gaps}.values()
    ]
    with transaction(con):
        con.execute("DELETE FROM crawl_zhibo_gaps WHERE feed = ?", [feed])
        if rows:
            con.executemany("INSERT INTO crawl_zhibo_gaps VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    return len(rows)


def retry_candidates(con: duckdb.DuckDBPyConnection, *, retry_runs: int) -> list[RetryCandidate]:
    """Articles whose fetch failed in fewer than ``retry_runs`` runs in a row: the next run asks again."""
    if "crawl_fetches" not in _tables(con):
        return []
    rows = con.execute(
        """
        SELECT f.item_key, f.url, l.title, l.listed_at, f.failed_runs
        FROM crawl_fetches f LEFT JOIN crawl_listings l USING (item_key)
        WHERE f.state = 'failed' AND f.failed_runs <= ? AND NOT starts_with(f.item_key, 'zhibo:')
        ORDER BY l.listed_at DESC NULLS LAST, f.item_key
        """,
        [retry_runs],
    ).fetchall()
    return [RetryCandidate(*row) for row in rows]


def _last_by_key(rows: Iterable, key: str) -> list:
    return list({getattr(row, key): row for row in rows}.values())


def record_listings(con: duckdb.DuckDBPyConnection, run_id: str, listings: Sequence[Listing]) -> int:
    rows = _last_by_key(listings, "item_key")
    if not rows:
        return 0
    now = datetime.now(UTC)
    schema = pa.schema(
        [
            ("item_key", pa.string()),
            ("url", pa.string()),
            ("source", pa.string()),
            ("title", pa.string()),
            ("listed_at", _TS),
            ("verdict", pa.string()),
        ]
    )
    batch = pa.table({name: [getattr(r, name) for r in rows] for name in schema.names}, schema=schema)
    con.register("_crawl_listing_batch", batch)
    try:
        con.execute(
            """
            INSERT INTO crawl_listings
            SELECT item_key, url, source, title, listed_at, verdict, $now, $now, $run, $run, 1
            FROM _crawl_listing_batch
            ON CONFLICT (item_key) DO UPDATE SET
                url = excluded.url, source = excluded.source, title = coalesce(excluded.title, crawl_listings.title),
                listed_at = coalesce(excluded.listed_at, crawl_listings.listed_at), verdict = excluded.verdict,
                last_seen_at = excluded.last_seen_at, last_run_id = excluded.last_run_id,
                times_listed = crawl_listings.times_listed + 1
            """,
            {"now": now, "run": run_id},
        )
    finally:
        con.unregister("_crawl_listing_batch")
    return len(rows)


def record_fetches(con: duckdb.DuckDBPyConnection, run_id: str, outcomes: Sequence[FetchOutcome]) -> int:
    """Upsert what became of each fetch; a failure adds one to ``failed_runs``, anything else resets it."""
    rows = _last_by_key(outcomes, "item_key")
    if not rows:
        return 0
    schema = pa.schema(
        [
            ("item_key", pa.string()),
            ("url", pa.string()),
            ("state", pa.string()),
            ("article_id", pa.string()),
            ("reason", pa.string()),
            ("message", pa.string()),
            ("attempts", pa.int32()),
            ("fetched_at", _TS),
        ]
    )
    batch = pa.table({name: [getattr(r, name) for r in rows] for name in schema.names}, schema=schema)
    con.register("_crawl_fetch_batch", batch)
    try:
        con.execute(
            """
            INSERT INTO crawl_fetches
            SELECT item_key, url, state, article_id, reason, message, attempts,
                   CASE WHEN state = 'failed' THEN 1 ELSE 0 END, fetched_at, $run, $now
            FROM _crawl_fetch_batch
            ON CONFLICT (item_key) DO UPDATE SET
                url = excluded.url, state = excluded.state, article_id = excluded.article_id,
                reason = excluded.reason, message = excluded.message, attempts = excluded.attempts,
                failed_runs = CASE WHEN excluded.state = 'failed' THEN crawl_fetches.failed_runs + 1 ELSE 0 END,
                fetched_at = coalesce(excluded.fetched_at, crawl_fetches.fetched_at),
                run_id = excluded.run_id, updated_at = excluded.updated_at
            """,
            {"now": datetime.now(UTC), "run": run_id},
        )
    finally:
        con.unregister("_crawl_fetch_batch")
    return len(rows)


def replace_tag_links(
    con: duckdb.DuckDBPyConnection, links_by_article: Mapping[str, Sequence[StockLink]], *, origin: str
) -> int:
    """Replace the links of ``origin`` of each article in one transaction (they are rewritten on every load,
    because reloading an article clears its links)."""
    if not links_by_article:
        return 0
    rows = [
        row
        for article_id, links in links_by_article.items()
        for row in stock_link_rows(article_id, links, origin=origin)
    ]
    with transaction(con):
        con.execute(
            "DELETE FROM stock_links WHERE origin = ? AND article_id IN (SELECT unnest(?::VARCHAR[]))",
            [origin, list(links_by_article)],
        )
        insert_rows(con, "stock_links", STOCK_LINKS, rows)
    return len(rows)
