"""Bring your own data: an event study from a price file and an events file, no database.

Prices: long CSV/Parquet ``date,ticker,close`` (``adj_close``/``pre_close`` used when present).
Events: CSV ``event_id,ticker,event_date``. The sessions are the benchmark's dates in the price file.
Day 0: a date → the first session on or after it; a date with a time (ISO 8601, zone or China time) →
the first session whose cutoff (15:00 China time, or ``study.day0_cutoff``) comes after it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from crawlers.prices.files import read_price_file
from policywatch.steps.study_panel import PanelBuild, build_panel
from transforms.errors import InputError
from transforms.event_study import EventTable, StudyResult, StudySpec, run_event_study
from transforms.event_study.report import event_records, group_report
from transforms.trading_calendar import Day0Rule, TradingSessions

__all__ = ["read_events_file", "study_files", "study_json"]

CHINA = "Asia/Shanghai"


def read_events_file(path: str | Path) -> pd.DataFrame:
    """event_id, ticker, event_date (as written); InputError naming the problem."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"events file {path} does not exist", reason="not_found")
    try:
        frame = pd.read_csv(path, dtype=str, skipinitialspace=True, keep_default_na=False)
    except Exception as exc:  # pandas raises several types for unreadable CSV
        raise InputError(f"cannot read events file {path}: {exc}", reason="unreadable") from None
    frame.columns = [c.strip().lower() for c in frame.columns]
    missing = [c for c in ("event_id", "ticker", "event_date") if c not in frame.columns]
    if missing:
        raise InputError(f"events file {path.name}: missing column(s) {', '.join(missing)}", reason="missing_columns")
    frame = frame[["event_id", "ticker", "event_date"]].apply(lambda s: s.str.strip())
    if frame.empty:
        raise InputError(f"events file {path.name} has no events", reason="empty")
    duplicated = frame["event_id"].duplicated()
    if duplicated.any():
        raise InputError(
            f"events file {path.name}: event_id {frame['event_id'][duplicated].iloc[0]!r} appears twice",
            reason="duplicate_event_id",
        )
    return frame


def _day0(frame: pd.DataFrame, sessions: np.ndarray, cutoff: str) -> np.ndarray:
    rule = Day0Rule(cutoff)
    closes = np.array([pd.Timestamp(f"{d} 15:00", tz=CHINA).value for d in sessions.astype(str)], dtype=np.int64)
    calendar = TradingSessions("data", CHINA, sessions, closes)
    out = np.empty(len(frame), dtype=np.int64)
    for i, text in enumerate(frame["event_date"]):
        try:
            stamp = pd.Timestamp(text)
        except (ValueError, TypeError):
            raise InputError(
                f"event {frame['event_id'].iloc[i]!r}: unreadable event_date {text!r}", reason="bad_date"
            ) from None
        if pd.isna(stamp):
            raise InputError(f"event {frame['event_id'].iloc[i]!r}: empty event_date", reason="bad_date")
        if len(text) <= 10:  # a date: the first session on or after it
            out[i] = calendar.first_on_or_after([stamp.date()])[0]
            continue
        instant = stamp.tz_localize(ZoneInfo(CHINA)) if stamp.tzinfo is None else stamp
        out[i] = calendar.align_instants_ns(np.array([instant.value], dtype=np.int64), rule)[0]
    return out


def study_files(
    prices: str | Path, events: str | Path, *, benchmark: str, spec: StudySpec, day0_cutoff: str = "close"
) -> tuple[StudyResult, PanelBuild]:
    rows, _adjustment = read_price_file(prices)
    rows["source"] = f"file:{Path(prices).name}"
    frame = read_events_file(events)
    bench_dates = rows.loc[rows["ticker"] == benchmark, "date"]
    if bench_dates.empty:
        raise InputError(f"the benchmark {benchmark} is not in {Path(prices).name}", reason="no_benchmark_prices")
    sessions = np.unique(pd.to_datetime(bench_dates).to_numpy().astype("datetime64[D]"))
    build = build_panel(rows[["ticker", "date", "close", "adj_close", "source"]], sessions, benchmark)
    position = {t: i for i, t in enumerate(build.panel.tickers)}
    table = EventTable(
        event_ids=frame["event_id"].to_numpy(dtype=object),
        ticker_idx=np.array([position.get(t, -1) for t in frame["ticker"]], dtype=np.int64),
        day0_idx=_day0(frame, sessions, day0_cutoff),
    )
    return run_event_study(build.panel, table, spec), build


def study_json(result: StudyResult) -> dict[str, Any]:
    """``{"days": [...], "windows": [...], "events": [...]}`` for all events of the study."""
    report = group_report(result)
    return {"days": report["days"], "windows": report["windows"], "events": event_records(result)}
