"""Bring your own data: an event study from a price file and an events file, no database.

Prices: long CSV/Parquet ``date,ticker,close`` (``adj_close``/``pre_close`` used when present).
Events: CSV ``event_id,ticker,event_date``. The sessions are the benchmark's dates in the price file.
A row dated on a day the benchmark has no price for is left out, and the study's warnings count them.
Tickers are compared in one spelling (``600000.SH`` in one file matches ``600000.SS`` in the other); an
event whose ticker the price file lacks is dropped as ``no_prices`` with the message saying so.
Day 0: a date → the first session on or after it; a date with a time (ISO 8601, zone or China time) →
the first session whose cutoff (15:00 China time, or ``study.day0_cutoff``) comes after it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from policywatch.crawlers.prices.files import read_price_file
from policywatch.steps.prices import normalise_ticker
from policywatch.steps.study.panel import PanelBuild, build_panel
from policywatch.transforms.errors import InputError
from policywatch.transforms.event_study import EventTable, StudyResult, StudySpec, run_event_study
from policywatch.transforms.event_study.report import event_records, group_report
from policywatch.transforms.trading_calendar import Day0Rule, TradingSessions

__all__ = ["FileStudy", "read_events_file", "same_ticker", "study_files", "study_json"]

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


@dataclass(frozen=True, slots=True)
class FileStudy:
    result: StudyResult
    build: PanelBuild
    messages: dict[str, str]  #: event_id → why it was dropped, in words, where the reason code needs one
    warnings: tuple[str, ...] = ()  #: what of the files the study left out, and why


def same_ticker(text: str) -> str:
    """One spelling per A-share ticker in both files (``600000.SH``/``600000.ss`` → ``600000.SS``); any other
    ticker (an index of another market, say) is kept as written, stripped and upper-cased."""
    return normalise_ticker(text) or text.strip().upper()


def study_files(
    prices: str | Path, events: str | Path, *, benchmark: str, spec: StudySpec, day0_cutoff: str = "close"
) -> FileStudy:
    name = Path(prices).name
    rows, _adjustment = read_price_file(prices)
    rows["ticker"] = rows["ticker"].map(same_ticker)
    twice = rows.duplicated(["ticker", "date"])
    if twice.any():
        ticker, day = rows.loc[twice, ["ticker", "date"]].iloc[0]
        raise InputError(f"{name}: {ticker} has two rows for {day} (spelled two ways?)", reason="duplicate_rows")
    rows["source"] = f"file:{name}"
    frame = read_events_file(events)
    frame["ticker"] = frame["ticker"].map(same_ticker)
    benchmark = same_ticker(benchmark)
    bench_dates = rows.loc[rows["ticker"] == benchmark, "date"]
    if bench_dates.empty:
        raise InputError(f"the benchmark {benchmark} is not in {name}", reason="no_benchmark_prices")
    sessions = np.unique(pd.to_datetime(bench_dates).to_numpy().astype("datetime64[D]"))
    build = build_panel(rows[["ticker", "date", "close", "pre_close", "adj_close", "source"]], sessions, benchmark)
    position = {t: i for i, t in enumerate(build.panel.tickers)}
    table = EventTable(
        event_ids=frame["event_id"].to_numpy(dtype=object),
        ticker_idx=np.array([position.get(t, -1) for t in frame["ticker"]], dtype=np.int64),
        day0_idx=_day0(frame, sessions, day0_cutoff),
    )
    messages = {
        event_id: f"{ticker} is not in the price file {name}"
        for event_id, ticker, i in zip(frame["event_id"], frame["ticker"], table.ticker_idx, strict=True)
        if i < 0
    }
    warnings = ()
    if build.off_calendar_rows:
        warnings = (
            f"{build.off_calendar_rows} price row(s) of {name} dated on days the benchmark {benchmark} has no price "
            "(the study's sessions) were left out",
        )
    return FileStudy(run_event_study(build.panel, table, spec), build, messages, warnings)


def study_json(result: StudyResult, messages: dict[str, str] | None = None) -> dict[str, Any]:
    """``{"days": [...], "windows": [...], "events": [...]}`` for all events of the study; each event has a
    ``message`` (why it was dropped, in words, or null)."""
    report = group_report(result)
    records = event_records(result)
    for record in records:
        record["message"] = (messages or {}).get(record["event_id"])
    return {"days": report["days"], "windows": report["windows"], "events": records}
