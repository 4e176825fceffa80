"""Run event studies: on the warehouse's events (results into DuckDB), or on a user's own files.

Warehouse: events and groups from ``events``/``event_groups`` (rebuilt first by default), prices from
``prices`` over the sessions the windows need, the engine, then ``event_returns``, ``event_diagnostics``,
``study_results`` and ``study_runs`` replaced under the study's name in one transaction (with no events
too: the study is then empty, never left with an earlier run's results).

Events are ordered by publication, so where several are one stock-day (a 7x24 flash, the article and its
copies) the earliest stands for them in the group statistics. Which events confound the estimation window
of the same ticker's others is ``study.confounding`` (:func:`confounding_events`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from policywatch.config import Settings, StudySettings
from policywatch.steps.study.events import EventsSummary, build_events_with
from policywatch.steps.study.panel import PanelBuild, build_panel
from policywatch.transforms.event_study import EventTable, Groups, StudyResult, StudySpec, parse_window, run_event_study
from policywatch.transforms.event_study.limits import is_st_name
from policywatch.transforms.event_study.report import event_records, long_rows
from policywatch.transforms.trading_calendar import TradingSessions, calendar_horizon, exchange_sessions
from policywatch.warehouse.events import read_event_groups, read_events
from policywatch.warehouse.prices import read_prices
from policywatch.warehouse.runs import finish_run, start_run
from policywatch.warehouse.store import open_writer
from policywatch.warehouse.study import replace_study

__all__ = ["DIRECT_VIAS", "StudyOutcome", "confounding_events", "run_study", "spec_from_settings"]

#: ways an article reaches a ticker by naming the firm itself (``theme`` is the other way: a sector's members)
DIRECT_VIAS = frozenset({"sina_link", "text_code", "name_mention", "zhibo_tag"})


@dataclass(slots=True)
class StudyOutcome:
    name: str
    result: StudyResult | None = None
    build: PanelBuild | None = None
    events: EventsSummary | None = None
    dropped: dict[str, int] = field(default_factory=dict)
    price_sources: tuple[str, ...] = ()
    run_id: str | None = None
    warnings: list[str] = field(default_factory=list)  #: the calendar's horizon near, windows cut at it
    past_horizon: int = 0  #: events whose event window runs past the calendar's last session
    off_calendar_rows: int = 0  #: price rows dated on a day that is no session of the calendar, left out
    unadjusted: tuple[str, ...] = ()  #: tickers whose returns use the traded close though adjusted ones were asked

    @property
    def n_events(self) -> int:
        return 0 if self.result is None else len(self.result.event_ids)

    @property
    def n_kept(self) -> int:
        return 0 if self.result is None else int(self.result.kept.sum())


def spec_from_settings(cfg: StudySettings, **overrides: Any) -> StudySpec:
    """The engine's spec from the ``[study]`` settings; ConfigError names a bad window or combination."""
    values: dict[str, Any] = {
        "model": cfg.model,
        "returns": cfg.returns,
        "estimation": parse_window(cfg.estimation),
        "window": parse_window(cfg.window),
        "car_windows": tuple(parse_window(w) for w in cfg.car_windows),
        "min_estimation": cfg.min_estimation,
        "missing": cfg.missing,
        "exclude_other_events": cfg.confounding != "none",
    }
    values.update({k: v for k, v in overrides.items() if v is not None})
    return StudySpec(**values)


def run_study(
    settings: Settings,
    *,
    name: str | None = None,
    refresh_events: bool = True,
    article_ids: Sequence[str] | None = None,
    price_sources: Sequence[str] | None = None,
) -> StudyOutcome:
    """Run the study on the warehouse's events (or only ``article_ids``' events), with every stored price or
    only the rows from ``price_sources`` (e.g. the real file behind a synthetic fill: a ticker without such
    rows is then dropped as ``no_prices``)."""
    cfg = settings.study
    spec = spec_from_settings(cfg)
    outcome = StudyOutcome(name or cfg.name)
    con = open_writer(settings.db.path, lock_timeout=settings.db.lock_timeout_s)
    try:
        if refresh_events:
            outcome.events = build_events_with(con, settings)
        run_id = start_run(
            con,
            "study",
            {"name": outcome.name, **cfg.model_dump(), "article_ids": article_ids, "price_sources": price_sources},
        )
        outcome.run_id = run_id
        try:
            _study(con, settings, spec, outcome, article_ids=article_ids, price_sources=price_sources)
        except BaseException as exc:
            finish_run(con, run_id, "failed", None, f"{type(exc).__name__}: {exc}")
            raise
        counts = {"events": outcome.n_events, "kept": outcome.n_kept, **outcome.dropped}
        if outcome.past_horizon:
            counts["window_past_calendar"] = outcome.past_horizon
        if outcome.off_calendar_rows:
            counts["off_calendar_price_rows"] = outcome.off_calendar_rows
        if outcome.unadjusted:
            counts["unadjusted_tickers"] = len(outcome.unadjusted)
        finish_run(con, run_id, "ok", counts, "; ".join(outcome.warnings) or None)
    finally:
        con.close()
    return outcome


def _study(
    con,
    settings: Settings,
    spec: StudySpec,
    outcome: StudyOutcome,
    *,
    article_ids: Sequence[str] | None = None,
    price_sources: Sequence[str] | None = None,
) -> None:
    cfg = settings.study
    params = {
        **cfg.model_dump(),
        "adjustment": settings.prices.adjustment,
        "spec": repr(spec),
        "article_ids": list(article_ids) if article_ids is not None else None,
        "price_sources": list(price_sources) if price_sources is not None else None,
    }
    horizon = calendar_horizon(cfg.calendar)
    if warning := horizon.message():
        outcome.warnings.append(warning)
    events = read_events(con)
    if article_ids is not None:
        events = events[events["article_id"].isin(set(article_ids))].reset_index(drop=True)
    if events.empty:  # no events now: the study's previous results must not stay behind as if current
        replace_study(con, outcome.name, params=params, price_sources=(), n_events=0, n_kept=0,
                      run_id=outcome.run_id, event_returns=None, diagnostics=None, results=None)  # fmt: skip
        return
    calendar = exchange_sessions(cfg.calendar)
    day0 = calendar.index_of(events["day0"].to_numpy(dtype="datetime64[D]"))
    lo, sessions = _sessions_needed(calendar, day0, spec, outcome, horizon.last_session, cfg.calendar)
    tickers = sorted(set(events["ticker"]) | {cfg.benchmark})
    rows = read_prices(con, tickers, start=sessions[0].astype(object), end=sessions[-1].astype(object))
    if price_sources is not None:
        rows = rows[rows["source"].isin(set(price_sources))].reset_index(drop=True)
    build = build_panel(rows, sessions, cfg.benchmark, adjustment=settings.prices.adjustment)
    if build.off_calendar_rows:
        outcome.off_calendar_rows = build.off_calendar_rows
        outcome.warnings.append(
            f"{build.off_calendar_rows} price row(s) dated on days that are no {cfg.calendar} session (a weekend or "
            "a holiday) were left out of the study"
        )
    _say_unadjusted(outcome, build, settings.prices.adjustment)
    position = {t: i for i, t in enumerate(build.panel.tickers)}
    table = EventTable(
        event_ids=events["event_id"].to_numpy(dtype=object),
        ticker_idx=np.array([position.get(t, -1) for t in events["ticker"]], dtype=np.int64),
        day0_idx=np.where(day0 >= 0, day0 - lo, -1),
        is_st=np.array([is_st_name(n) for n in events["name"]], dtype=bool),
        confounding=confounding_events(events["vias"], cfg.confounding),
    )
    memberships = read_event_groups(con)
    memberships = memberships[memberships["event_id"].isin(set(table.event_ids))].reset_index(drop=True)
    event_index = {e: i for i, e in enumerate(table.event_ids)}
    groups = Groups(
        memberships["group_type"].to_numpy(dtype=object),
        memberships["group_id"].to_numpy(dtype=object),
        np.array([event_index[e] for e in memberships["event_id"]], dtype=np.int64),
    )
    result = run_event_study(build.panel, table, spec, groups)
    outcome.result, outcome.build = result, build
    reasons = result.reason[~result.kept]
    outcome.dropped = {str(r): int((reasons == r).sum()) for r in sorted(set(reasons.tolist()))}
    used_rows = np.unique(np.append(table.ticker_idx[table.ticker_idx >= 0], position[cfg.benchmark]))
    codes = np.unique(build.source_code[used_rows])
    outcome.price_sources = tuple(build.sources[c] for c in codes if c >= 0)
    replace_study(
        con,
        outcome.name,
        params=params,
        price_sources=outcome.price_sources,
        n_events=outcome.n_events,
        n_kept=outcome.n_kept,
        run_id=outcome.run_id,
        event_returns=window_rows(result, build, table.ticker_idx),
        diagnostics=diagnostic_rows(result, build, table.ticker_idx),
        results=long_rows(result),
    )


def _say_unadjusted(outcome: StudyOutcome, build: PanelBuild, adjustment: str) -> None:
    """Total-return prices were asked for, and some series lack an adjusted close on some day: their returns use
    the traded close, where a dividend or a split shows as a return."""
    if adjustment != "total_return" or not build.unadjusted:
        return
    outcome.unadjusted = build.unadjusted
    shown = ", ".join(build.unadjusted[:10]) + (", …" if len(build.unadjusted) > 10 else "")
    outcome.warnings.append(
        f"{len(build.unadjusted)} ticker(s) lack an adjusted close on some day, so their returns use the traded "
        f"close (a dividend or split shows as a return): {shown}"
    )


def _sessions_needed(
    calendar: TradingSessions,
    day0: np.ndarray,
    spec: StudySpec,
    outcome: StudyOutcome,
    last_session: date,
    calendar_name: str,
) -> tuple[int, np.ndarray]:
    """The sessions from the first estimation window's start to the last event window's end (the index of the
    first in the calendar, and the sessions); events whose window runs past the calendar are counted and said."""
    (e0, _), (_, w1) = spec.estimation, spec.window
    past = int(((day0 >= 0) & (day0 + w1 > len(calendar) - 1)).sum())
    if past:
        outcome.past_horizon = past
        outcome.warnings.append(
            f"{past} event(s) have event windows past {last_session}, the last {calendar_name} session "
            "the calendar knows: those days stay empty until exchange-calendars is upgraded"
        )
    lo = int(max(0, day0.min() + e0 - 1))
    hi = int(min(len(calendar) - 1, day0.max() + w1))
    return lo, calendar.sessions[lo : hi + 1]


def confounding_events(vias: Sequence[Sequence[str]], mode: str) -> np.ndarray | None:
    """Which events' windows are masked out of the same ticker's estimation windows (``study.confounding``).

    ``direct`` (default): events whose article named the firm (a Sina link, a code in the text, the company's
    name, a 7x24 tag) — firm-specific news that moves the stock. An event reached only through a theme is
    sector news: a theme member is reached nearly every week, and masking all of those windows would leave
    its later events without an estimation window, dropping exactly the most-exposed stocks. ``all``: every
    event (None: the engine's default). ``none``: nothing is masked (the spec switches exclusion off).
    """
    if mode == "all":
        return None
    if mode == "none":
        return np.zeros(len(vias), dtype=bool)
    return np.array([bool(DIRECT_VIAS.intersection(v if v is not None else ())) for v in vias], dtype=bool)


def _sources_at(build: PanelBuild, tick: np.ndarray, date_idx: np.ndarray) -> np.ndarray:
    names = np.array([*build.sources, None], dtype=object)  # code -1 → None
    codes = np.full(date_idx.shape, -1, dtype=np.int64)
    ok = (tick[:, None] >= 0) & (date_idx >= 0)
    rows = np.broadcast_to(tick[:, None], date_idx.shape)
    codes[ok] = build.source_code[rows[ok], date_idx[ok]]
    return names[codes]


def window_rows(result: StudyResult, build: PanelBuild, tick: np.ndarray) -> dict[str, np.ndarray]:
    """``event_returns`` columns: every event × event-window day; AR and SAR only for kept events."""
    n, w = result.ar.shape
    sessions = np.append(result.sessions, np.datetime64("NaT", "D"))
    kept = result.kept[:, None]
    return {
        "event_id": np.repeat(result.event_ids, w),
        "rel_day": np.tile(result.rel_days, n),
        "date": sessions[result.date_idx].ravel(),
        "ret": result.ret.ravel(),
        "benchmark_ret": result.bench.ravel(),
        "abnormal_ret": np.where(kept, result.ar, np.nan).ravel(),
        "standardized_ar": np.where(kept, result.sar, np.nan).ravel(),
        "span": np.where(result.span > 0, result.span, 0).ravel(),
        "limit_flag": result.limit.ravel(),
        "price_source": _sources_at(build, tick, result.date_idx).ravel(),
    }


def diagnostic_rows(result: StudyResult, build: PanelBuild, tick: np.ndarray) -> dict[str, Any]:
    records = event_records(result)
    day0_column = int(np.flatnonzero(result.rel_days == 0)[0]) if (result.rel_days == 0).any() else 0
    source = _sources_at(build, tick, result.date_idx[:, [day0_column]])[:, 0]
    return {
        "event_id": [r["event_id"] for r in records],
        "status": [r["status"] for r in records],
        "reason": [r["reason"] for r in records],
        "n_estimation": [r["n_estimation"] for r in records],
        "alpha": [r["alpha"] for r in records],
        "beta": [r["beta"] for r in records],
        "sigma": [r["sigma"] for r in records],
        "car": [r["car"] for r in records],
        "n_limit_days": [r["n_limit_days"] for r in records],
        "price_source": source.tolist(),
    }
