"""Events, their group memberships and the (article, ticker) pairs that did not become events.

Loading is idempotent and per batch of articles: one transaction deletes the batch's previous rows and
inserts the new ones, so a rerun changes nothing and a crash leaves no half-written article.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import duckdb
import pandas as pd
import pyarrow as pa
from policywatch.warehouse.arrow_io import insert_rows
from policywatch.warehouse.db import transaction

__all__ = [
    "EventRow",
    "EventSkipRow",
    "candidate_pairs",
    "read_event_groups",
    "read_events",
    "remove_stale_events",
    "replace_article_events",
]

_EVENTS = pa.schema(
    [
        ("event_id", pa.string()),
        ("article_id", pa.string()),
        ("ticker", pa.string()),
        ("code", pa.string()),
        ("name", pa.string()),
        ("published_at", pa.timestamp("us", tz="UTC")),
        ("day0", pa.date32()),
        ("day0_rule", pa.string()),
        ("shifted", pa.bool_()),
        ("vias", pa.list_(pa.string())),
        ("run_id", pa.string()),
        ("built_at", pa.timestamp("us", tz="UTC")),
    ]
)
_GROUPS = pa.schema([("event_id", pa.string()), ("group_type", pa.string()), ("group_id", pa.string())])
_SKIPS = pa.schema(
    [
        ("article_id", pa.string()),
        ("ticker", pa.string()),
        ("reason", pa.string()),
        ("message", pa.string()),
        ("run_id", pa.string()),
    ]
)


@dataclass(frozen=True, slots=True)
class EventRow:
    event_id: str
    article_id: str
    ticker: str
    code: str
    name: str | None
    published_at: datetime
    day0: date
    day0_rule: str
    shifted: bool
    vias: tuple[str, ...]
    groups: tuple[tuple[str, str], ...]  #: (group_type, group_id)


@dataclass(frozen=True, slots=True)
class EventSkipRow:
    article_id: str
    ticker: str
    reason: str
    message: str


def candidate_pairs(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """Every (article, ticker) in ``article_tickers`` with what the events step needs, one row each:
    article_id, ticker, code, name, published_at, vias, theme_ids, measure_ordinals, link_classes,
    has_article."""
    return con.execute(
        """
        SELECT t.article_id, t.ticker, any_value(t.code), max(t.name), any_value(a.published_at),
               list(DISTINCT t.via ORDER BY t.via),
               list(DISTINCT t.theme_id ORDER BY t.theme_id) FILTER (WHERE t.theme_id IS NOT NULL),
               list(DISTINCT t.measure_ordinal ORDER BY t.measure_ordinal) FILTER (WHERE t.measure_ordinal IS NOT NULL),
               list(DISTINCT t.link_class ORDER BY t.link_class)
                   FILTER (WHERE t.via = 'sina_link' AND t.link_class IS NOT NULL),
               bool_or(a.article_id IS NOT NULL)
        FROM article_tickers t LEFT JOIN articles a USING (article_id)
        GROUP BY t.article_id, t.ticker
        ORDER BY t.article_id, t.ticker
        """
    ).fetchall()


def replace_article_events(
    con: duckdb.DuckDBPyConnection,
    article_ids: Sequence[str],
    events: Sequence[EventRow],
    skips: Sequence[EventSkipRow],
    *,
    run_id: str | None,
    built_at: datetime,
) -> None:
    """The batch's events, groups and skips replace whatever those articles had, in one transaction."""
    ids = list(article_ids)
    with transaction(con):
        con.execute(
            "DELETE FROM event_groups WHERE event_id IN (SELECT event_id FROM events WHERE article_id IN "
            "(SELECT unnest(?)))",
            [ids],
        )
        con.execute("DELETE FROM events WHERE article_id IN (SELECT unnest(?))", [ids])
        con.execute("DELETE FROM event_skips WHERE article_id IN (SELECT unnest(?))", [ids])
        insert_rows(
            con,
            "events",
            _EVENTS,
            [
                {
                    "event_id": e.event_id,
                    "article_id": e.article_id,
                    "ticker": e.ticker,
                    "code": e.code,
                    "name": e.name,
                    "published_at": e.published_at,
                    "day0": e.day0,
                    "day0_rule": e.day0_rule,
                    "shifted": e.shifted,
                    "vias": list(e.vias),
                    "run_id": run_id,
                    "built_at": built_at,
                }
                for e in events
            ],
        )
        groups = {(e.event_id, gt, gid) for e in events for gt, gid in e.groups}
        insert_rows(
            con,
            "event_groups",
            _GROUPS,
            [{"event_id": e, "group_type": gt, "group_id": gid} for e, gt, gid in sorted(groups)],
        )
        insert_rows(
            con,
            "event_skips",
            _SKIPS,
            [
                {
                    "article_id": s.article_id,
                    "ticker": s.ticker,
                    "reason": s.reason,
                    "message": s.message,
                    "run_id": run_id,
                }
                for s in skips
            ],
        )


def remove_stale_events(con: duckdb.DuckDBPyConnection) -> int:
    """Drop events, groups and skips of articles that no longer have any article_tickers row."""
    with transaction(con):
        stale = con.execute(
            "SELECT count(*) FROM events WHERE article_id NOT IN (SELECT article_id FROM article_tickers)"
        ).fetchall()[0][0]
        con.execute(
            "DELETE FROM event_groups WHERE event_id IN (SELECT event_id FROM events WHERE article_id NOT IN "
            "(SELECT article_id FROM article_tickers))"
        )
        con.execute("DELETE FROM events WHERE article_id NOT IN (SELECT article_id FROM article_tickers)")
        con.execute("DELETE FROM event_skips WHERE article_id NOT IN (SELECT article_id FROM article_tickers)")
    return int(stale)


def read_events(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every event, earliest published first (then by id): where several events are one stock-day, the study
    counts the first."""
    columns = ["event_id", "article_id", "ticker", "name", "day0", "published_at", "vias"]
    rows = con.execute(f"SELECT {', '.join(columns)} FROM events ORDER BY published_at, event_id").fetchall()
    return pd.DataFrame(rows, columns=columns)


def read_event_groups(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    rows = con.execute("SELECT event_id, group_type, group_id FROM event_groups ORDER BY ALL").fetchall()
    return pd.DataFrame(rows, columns=["event_id", "group_type", "group_id"])
