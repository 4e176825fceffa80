"""What the alerting reads (linked articles as candidates, the state of each delivery) and writes (one
delivery row per article, rule, channel, from a delivery journal)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb
from policywatch.transforms.alerts.matching import AlertCandidate, CandidateMeasure, CandidateTicker, SinaLink
from policywatch.warehouse.db import transaction

__all__ = [
    "DeliveryState",
    "RecordedDelivery",
    "alert_candidates",
    "delivery_states",
    "record_journal",
    "recorded_journals",
]

#: the error recorded for a delivery whose sender stopped between attempting it and writing the outcome
INTERRUPTED = "interrupted while sending (it may have gone out): sent again on the next run"


def alert_candidates(con: duckdb.DuckDBPyConnection, since: datetime) -> list[AlertCandidate]:
    """Linked articles published (or, without a publication time, loaded) since ``since``, and every article
    with a delivery not sent, however old: a channel that was down gets its alert when it is back (given-up
    ones too: the caller skips them unless the watchlist now allows more attempts)."""
    heads = con.execute(
        """
        SELECT a.article_id, a.title, a.url, a.origin_ref, a.published_at, p.policy_score, p.is_policy,
               p.standardization_score, p.is_standardization, p.issuers, coalesce(p.documents, []), a.text
        FROM articles a JOIN article_policy p USING (article_id)
        WHERE coalesce(a.published_at, a.loaded_at) >= ?
           OR a.article_id IN (SELECT article_id FROM alerts_sent WHERE status <> 'sent')
        ORDER BY a.published_at NULLS LAST, a.article_id
        """,
        [since],
    ).fetchall()
    if not heads:
        return []
    ids = [row[0] for row in heads]
    where = "article_id IN (SELECT unnest(?::VARCHAR[]))"
    measure_themes: dict[tuple[str, int | None], list[tuple[str, tuple[str, ...]]]] = defaultdict(list)
    for aid, ordinal, theme_id, terms in con.execute(
        f"SELECT article_id, measure_ordinal, theme_id, matched_terms FROM measure_themes WHERE {where}"
        " ORDER BY article_id, measure_ordinal, theme_id",
        [ids],
    ).fetchall():
        measure_themes[(aid, ordinal)].append((theme_id, tuple(terms)))
    measures: dict[str, list[CandidateMeasure]] = defaultdict(list)
    for aid, ordinal, label, heading in con.execute(
        f"SELECT article_id, ordinal, label, heading FROM measures WHERE {where} ORDER BY article_id, ordinal", [ids]
    ).fetchall():
        measures[aid].append(CandidateMeasure(ordinal, label, heading, tuple(measure_themes.get((aid, ordinal), ()))))
    tickers: dict[str, list[CandidateTicker]] = defaultdict(list)
    for aid, ticker, name, confidence, vias, classes, themes in con.execute(
        f"SELECT article_id, ticker, name, confidence, vias, coalesce(link_classes, []), coalesce(themes, [])"
        f" FROM article_ticker_summary WHERE {where} ORDER BY article_id, confidence DESC, ticker",
        [ids],
    ).fetchall():
        tickers[aid].append(CandidateTicker(ticker, name, confidence, tuple(vias), tuple(classes), tuple(themes)))
    links: dict[str, list[SinaLink]] = defaultdict(list)
    for aid, anchor, ticker, link_class, reason in con.execute(
        f"SELECT article_id, anchor_text, ticker, link_class, link_reason FROM stock_links WHERE {where}"
        " AND origin = 'sina_link' ORDER BY article_id, position NULLS LAST",
        [ids],
    ).fetchall():
        links[aid].append(SinaLink(anchor, ticker, link_class, reason))
    return [
        AlertCandidate(
            article_id=aid,
            title=title,
            url=url,
            origin_ref=ref,
            published_at=published,
            policy_score=score,
            is_policy=is_policy,
            standardization_score=std_score,
            is_standardization=is_std,
            issuers=tuple(issuers),
            documents=tuple(documents),
            text=text,
            measures=tuple(measures[aid]),
            article_themes=tuple(measure_themes.get((aid, None), ())),
            tickers=tuple(tickers[aid]),
            sina_links=tuple(links[aid]),
        )
        for aid, title, url, ref, published, score, is_policy, std_score, is_std, issuers, documents, text in heads
    ]


@dataclass(frozen=True, slots=True)
class DeliveryState:
    status: str  #: sent | failed | given_up
    attempts: int


def delivery_states(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str, str], DeliveryState]:
    rows = con.execute("SELECT article_id, rule_id, channel, status, attempts FROM alerts_sent").fetchall()
    return {(a, r, c): DeliveryState(status, attempts) for a, r, c, status, attempts in rows}


def recorded_journals(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The names of the delivery journals already recorded into ``alerts_sent``."""
    return {name for (name,) in con.execute("SELECT name FROM alert_journals").fetchall()}


@dataclass(frozen=True, slots=True)
class RecordedDelivery:
    """One attempted delivery as a journal reports it; ``ok`` None: attempted, outcome unknown (the sender
    stopped before writing it)."""

    key: tuple[str, str, str]  #: (article id, rule id, channel name)
    title: str
    at: datetime
    ok: bool | None
    error: str | None = None


def record_journal(
    con: duckdb.DuckDBPyConnection,
    name: str,
    deliveries: Sequence[RecordedDelivery],
    *,
    run_id: str,
    max_attempts: int,
) -> bool:
    """Record one journal's deliveries in one transaction; False (and nothing written) when it already was.
    A delivery recorded as sent stays sent whatever a later journal says; one that has failed
    ``max_attempts`` times is given up (``given_up``, keeping its last error)."""
    with transaction(con):
        if con.execute("SELECT 1 FROM alert_journals WHERE name = ?", [name]).fetchall():
            return False
        for d in deliveries:
            status = "sent" if d.ok else "failed" if max_attempts > 1 else "given_up"
            error = INTERRUPTED if d.ok is None else d.error
            con.execute(
                """
                INSERT INTO alerts_sent (article_id, rule_id, channel, status, attempts, first_attempt_at,
                                         last_attempt_at, sent_at, error, title, run_id)
                VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (article_id, rule_id, channel) DO UPDATE SET
                    status = CASE WHEN excluded.status = 'sent' THEN 'sent'
                                  WHEN alerts_sent.attempts + 1 >= ? THEN 'given_up' ELSE 'failed' END,
                    attempts = alerts_sent.attempts + 1,
                    last_attempt_at = excluded.last_attempt_at, sent_at = excluded.sent_at, error = excluded.error,
                    title = excluded.title, run_id = excluded.run_id
                WHERE alerts_sent.status <> 'sent'
                """,
                [*d.key, status, d.at, d.at, d.at if d.ok else None,
                 None if d.ok else error, d.title, run_id, max_attempts],
            )  # fmt: skip
        con.execute(
            "INSERT INTO alert_journals (name, recorded_at, deliveries, run_id) VALUES (?, ?, ?, ?)",
            [name, datetime.now(UTC), len(deliveries), run_id],
        )
    return True
