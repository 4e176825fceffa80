"""Build events from ``article_tickers``: one per (article, stock ticker), day 0 on the XSHG calendar.

Skipped pairs (recorded in ``event_skips`` with the reason): ``index`` (an index is no event),
``not_a_share`` (Hong Kong and other markets: another calendar), ``unknown_code``, ``no_article``,
``no_publication_time``, ``no_prices`` (the message names the last fetch failure, when there was one)
and ``beyond_calendar_horizon`` (published after the last session the calendar knows: exchange_calendars
records holidays a year ahead at most, so upgrade it). When that horizon is near, the summary carries a
warning (:func:`policywatch.transforms.trading_calendar.calendar_horizon`).

Groups derived from ``article_tickers`` for the statistics: ``article`` (article_id), ``theme``
(theme_id), ``measure`` (``article_id#ordinal``), ``link_class`` (for Sina links: mention,
name_collision, theme_stock — do name collisions move prices like genuine mentions?) and ``via``
(sina_link, text_code, name_mention, theme).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

import duckdb
import numpy as np

from policywatch.config import Settings
from policywatch.transforms.linking.tickers import security_from_code
from policywatch.transforms.models import CHINA_TZ
from policywatch.transforms.trading_calendar import Day0Rule, calendar_horizon, exchange_sessions
from policywatch.warehouse.events import (
    EventRow,
    EventSkipRow,
    candidate_pairs,
    remove_stale_events,
    replace_article_events,
)
from policywatch.warehouse.prices import latest_failures, tickers_with_prices
from policywatch.warehouse.runs import finish_run, start_run
from policywatch.warehouse.store import open_writer

__all__ = ["EventsSummary", "build_events", "build_events_with"]

BATCH_ARTICLES = 500


@dataclass(slots=True)
class EventsSummary:
    run_id: str
    events: int = 0
    skipped: Counter = field(default_factory=Counter)
    stale_removed: int = 0  #: events removed because their article reaches no ticker any more
    warnings: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        counts = {"events": self.events, "skipped": sum(self.skipped.values()), **dict(self.skipped)}
        if self.stale_removed:
            counts["stale_removed"] = self.stale_removed
        return counts


def build_events(settings: Settings) -> EventsSummary:
    con = open_writer(settings.db.path, lock_timeout=settings.db.lock_timeout_s)
    try:
        return build_events_with(con, settings)
    finally:
        con.close()


def build_events_with(con: duckdb.DuckDBPyConnection, settings: Settings) -> EventsSummary:
    """Rebuild every event from ``article_tickers`` (idempotent), one transaction per batch of articles."""
    run_id = start_run(con, "events", {"day0_cutoff": settings.study.day0_cutoff})
    summary = EventsSummary(run_id)
    try:
        rule = Day0Rule(settings.study.day0_cutoff)
        calendar = exchange_sessions(settings.study.calendar)
        if warning := calendar_horizon(settings.study.calendar).message():
            summary.warnings.append(warning)
        priced = tickers_with_prices(con)
        failures = latest_failures(con)
        summary.stale_removed = remove_stale_events(con)
        pairs = candidate_pairs(con)
        built_at = datetime.now(UTC)
        day0 = _align(calendar, rule, pairs)
        batch_ids: list[str] = []
        events: list[EventRow] = []
        skips: list[EventSkipRow] = []
        for i, pair in enumerate(pairs):
            article_id = pair[0]
            if batch_ids and batch_ids[-1] != article_id and len(batch_ids) >= BATCH_ARTICLES:
                replace_article_events(con, batch_ids, events, skips, run_id=run_id, built_at=built_at)
                batch_ids, events, skips = [], [], []
            if not batch_ids or batch_ids[-1] != article_id:
                batch_ids.append(article_id)
            outcome = _event(pair, day0[i], calendar, rule, priced, failures)
            if isinstance(outcome, EventSkipRow):
                skips.append(outcome)
                summary.skipped[outcome.reason] += 1
            else:
                events.append(outcome)
                summary.events += 1
        if batch_ids:
            replace_article_events(con, batch_ids, events, skips, run_id=run_id, built_at=built_at)
    except BaseException as exc:
        finish_run(con, run_id, "failed", summary.counts(), f"{type(exc).__name__}: {exc}")
        raise
    status = "partial" if summary.skipped else "ok"
    finish_run(con, run_id, status, summary.counts(), "; ".join(summary.warnings) or None)
    return summary


def _align(calendar, rule: Day0Rule, pairs: list[tuple]) -> np.ndarray:
    """Day-0 session index per pair (vectorised); -2 where there is no publication time."""
    instants = np.array(
        [int(p[4].timestamp() * 1_000_000) * 1000 if p[4] is not None else 0 for p in pairs], dtype=np.int64
    )
    index = calendar.align_instants_ns(instants, rule) if len(pairs) else np.zeros(0, dtype=np.int64)
    missing = np.array([p[4] is None for p in pairs], dtype=bool)
    return np.where(missing, -2, index)


def _event(pair, day0_index, calendar, rule, priced, failures) -> EventRow | EventSkipRow:
    article_id, ticker, code, name, published_at, vias, themes, measures, link_classes, has_article = pair

    def skip(reason: str, message: str) -> EventSkipRow:
        return EventSkipRow(article_id, ticker, reason, message)

    security = security_from_code(code)
    if security is None:
        return skip("unknown_code", f"{code!r} is not a Sina stock code")
    if security.kind == "index":
        return skip("index", f"{ticker} is an index, not a stock")
    if security.exchange not in ("SH", "SZ", "BJ"):
        return skip("not_a_share", f"{ticker} trades outside the mainland exchanges (another calendar)")
    if not has_article:
        return skip("no_article", f"article {article_id} is not in the articles table")
    if day0_index == -2:
        return skip("no_publication_time", f"article {article_id} has no publication time")
    if day0_index < 0:
        last = calendar.sessions[-1]
        return skip(
            "beyond_calendar_horizon",
            f"published {published_at}, after the last {calendar.name} session the calendar knows ({last}): "
            "upgrade exchange-calendars and rebuild the events",
        )
    if ticker not in priced:
        reason, message = failures.get(ticker, (None, None))
        detail = f"last fetch failed: {reason}: {message}" if reason else "never fetched: run policywatch prices fetch"
        return skip("no_prices", f"no prices stored for {ticker} ({detail})")
    day0 = calendar.sessions[day0_index].astype(object)
    published_cn = published_at.astimezone(CHINA_TZ).date()
    groups = [("article", article_id)]
    groups += [("theme", t) for t in themes or []]
    groups += [("measure", f"{article_id}#{m}") for m in measures or []]
    groups += [("link_class", c) for c in link_classes or []]
    groups += [("via", v) for v in vias or []]
    # the same cuts within one article, for its report: CAAR per theme, per link class, per way reached
    groups += [("article_theme", f"{article_id}|{t}") for t in themes or []]
    groups += [("article_link_class", f"{article_id}|{c}") for c in link_classes or []]
    groups += [("article_via", f"{article_id}|{v}") for v in vias or []]
    return EventRow(
        event_id=f"{article_id}:{ticker}",
        article_id=article_id,
        ticker=ticker,
        code=code,
        name=name,
        published_at=published_at,
        day0=day0,
        day0_rule=rule.describe(calendar.tz),
        shifted=day0 > published_cn,
        vias=tuple(vias or ()),
        groups=tuple(groups),
    )
