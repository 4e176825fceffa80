"""Run event studies: on the warehouse's events (results into DuckDB), or on a user's own files.

Warehouse: events and groups from ``events``/``event_groups`` (rebuilt first by default), prices from
``prices`` over the sessions the windows need, the engine, then ``event_returns``, ``event_diagnostics``,
``study_results`` and ``study_runs`` replaced under the study's name in one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from policywatch.config import Settings, StudySettings
from policywatch.steps.events import EventsSummary, build_events_with
from policywatch.steps.study_panel import PanelBuild, build_panel
from transforms.event_study import EventTable, Groups, StudyResult, StudySpec, parse_window, run_event_study
from transforms.event_study.report import event_records, long_rows
from transforms.trading_calendar import exchange_sessions
from warehouse.events import read_event_groups, read_events
from warehouse.prices import read_prices
from warehouse.runs import finish_run, start_run
from warehouse.store import open_writer
from warehouse.study import replace_study

__all__ = ["StudyOutcome", "run_study", "spec_from_settings"]


@dataclass(slots=True)
class StudyOutcome:
    name: str
    result: StudyResult | None = None
    build: PanelBuild | None = None
    events: EventsSummary | None = None
    dropped: dict[str, int] = field(default_factory=dict)
    price_sources: tuple[str, ...] = ()
    run_id: str | None = None

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
        "exclude_other_events": cfg.exclude_other_events,
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
        finish_run(con, run_id, "ok", counts)
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
    events = read_events(con)
    if article_ids is not None:
        events = events[events["article_id"].isin(set(article_ids))].reset_index(drop=True)
    if events.empty:
        return
    calendar = exchange_sessions(cfg.calendar)
    day0 = calendar.index_of(events["day0"].to_numpy(dtype="datetime64[D]"))
    (e0, _), (_, w1) = spec.estimation, spec.window
    lo = int(max(0, day0.min() + e0 - 1))
    hi = int(min(len(calendar) - 1, day0.max() + w1))
    sessions = calendar.sessions[lo : hi + 1]
    tickers = sorted(set(events["ticker"]) | {cfg.benchmark})
    rows = read_prices(con, tickers, start=sessions[0].astype(object), end=sessions[-1].astype(object))
    if price_sources is not None:
        rows = rows[rows["source"].isin(set(price_sources))].reset_index(drop=True)
    build = build_panel(rows, sessions, cfg.benchmark, adjustment=settings.prices.adjustment)
    position = {t: i for i, t in enumerate(build.panel.tickers)}
    table = EventTable(
        event_ids=events["event_id"].to_numpy(dtype=object),
        ticker_idx=np.array([position.get(t, -1) for t in events["ticker"]], dtype=np.int64),
        day0_idx=np.where(day0 >= 0, day0 - lo, -1),
        is_st=np.array(["ST" in (n or "").upper() for n in events["name"]], dtype=bool),
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
        params={
            **cfg.model_dump(),
            "adjustment": settings.prices.adjustment,
            "spec": repr(spec),
            "article_ids": list(article_ids) if article_ids is not None else None,
            "price_sources": list(price_sources) if price_sources is not None else None,
        },
        price_sources=outcome.price_sources,
        n_events=outcome.n_events,
        n_kept=outcome.n_kept,
        run_id=outcome.run_id,
        event_returns=window_rows(result, build, table.ticker_idx),
        diagnostics=diagnostic_rows(result, build, table.ticker_idx),
        results=long_rows(result),
    )


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
