"""What the alerting reads (linked articles as candidates) and writes (one delivery row per article, rule,
channel)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime

import duckdb

from transforms.alert_matching import AlertCandidate, CandidateMeasure, CandidateTicker, SinaLink

__all__ = ["alert_candidates", "record_delivery", "sent_deliveries"]


def alert_candidates(con: duckdb.DuckDBPyConnection, since: datetime) -> list[AlertCandidate]:
    """Linked articles published (or, without a publication time, loaded) since ``since``, and every article
    with a failed delivery, however old: a channel that was down gets its alert when it is back."""
    heads = con.execute(
        """
        SELECT a.article_id, a.title, a.url, a.origin_ref, a.published_at, p.policy_score, p.is_policy,
               p.standardization_score, p.is_standardization, p.issuers, coalesce(p.documents, []), a.text
        FROM articles a JOIN article_policy p USING (article_id)
        WHERE coalesce(a.published_at, a.loaded_at) >= ?
           OR a.article_id IN (SELECT article_id FROM alerts_sent WHERE status = 'failed')
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


def sent_deliveries(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str, str]]:
    rows = con.execute("SELECT article_id, rule_id, channel FROM alerts_sent WHERE status = 'sent'").fetchall()
    return {(a, r, c) for a, r, c in rows}


def record_delivery(
    con: duckdb.DuckDBPyConnection,
    *,
    article_id: str,
    rule_id: str,
    channel: str,
    ok: bool,
    error: str | None,
    title: str,
    run_id: str,
) -> None:
    now = datetime.now(UTC)
    con.execute(
        """
        INSERT INTO alerts_sent (article_id, rule_id, channel, status, attempts, first_attempt_at, last_attempt_at,
                                 sent_at, error, title, run_id)
        VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (article_id, rule_id, channel) DO UPDATE SET
            status = excluded.status, attempts = alerts_sent.attempts + 1, last_attempt_at = excluded.last_attempt_at,
            sent_at = excluded.sent_at, error = excluded.error, title = excluded.title, run_id = excluded.run_id
        """,
        [article_id, rule_id, channel, "sent" if ok else "failed", now, now, now if ok else None, error, title, run_id],
    )
