"""The interface every price provider implements, and the shape of what it returns.

A provider turns (tickers, start, end) into a :class:`PriceBatch`: long daily rows in one column layout
(``PRICE_COLUMNS``) plus one :class:`FetchFailure` per ticker it could not deliver, with the reason.
Rows never carry a missing close: a ticker without data is a failure, not a row of NaN.
Dates are the exchange's own trading dates (the bar's date in the exchange's time zone).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Protocol

import numpy as np
import pandas as pd
from policywatch.transforms.errors import InputError

__all__ = [
    "PRICE_COLUMNS",
    "FetchFailure",
    "PriceBatch",
    "PriceProvider",
    "chain_adjusted",
    "normalise_rows",
]

PRICE_COLUMNS = ("date", "ticker", "open", "high", "low", "close", "pre_close", "volume", "amount", "adj_close")
_NUMERIC = ("open", "high", "low", "close", "pre_close", "volume", "amount", "adj_close")

#: failure reasons: not_found (the provider has no such ticker or no bars in the range), rate_limited,
#: network (timeouts, refused connections, HTTP errors), bad_data (an answer we cannot use), unsupported
#: (the provider does not cover the market, e.g. Yahoo and Beijing)
TRANSIENT_REASONS = frozenset({"rate_limited", "network"})


@dataclass(frozen=True, slots=True)
class FetchFailure:
    ticker: str
    reason: str
    message: str

    @property
    def transient(self) -> bool:
        return self.reason in TRANSIENT_REASONS


@dataclass(frozen=True, slots=True)
class PriceBatch:
    provider: str
    source: str  #: stored with every row: yfinance | akshare | file:<name> | synthetic
    adjustment: str  #: how adj_close was made, e.g. yahoo_adj_close, pre_close_chain
    rows: pd.DataFrame  #: PRICE_COLUMNS, one row per (ticker, date)
    failures: tuple[FetchFailure, ...] = ()
    fetched_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def tickers(self) -> list[str]:
        return sorted(self.rows["ticker"].unique()) if len(self.rows) else []


class PriceProvider(Protocol):
    name: str

    def fetch(self, tickers: Sequence[str], start: date, end: date | None = None) -> PriceBatch:
        """Daily bars for ``tickers`` from ``start`` to ``end`` (inclusive; None = latest)."""
        ...


def chain_adjusted(close: np.ndarray, pre_close: np.ndarray) -> np.ndarray:
    """A total-return index from the exchange's ex-rights previous close: base = the first close,
    then × close / pre_close each day (a bonus issue or dividend moves pre_close, not the index)."""
    close = np.asarray(close, dtype=float)
    pre = np.asarray(pre_close, dtype=float)
    step = np.ones_like(close)
    if close.size > 1:
        ok = np.isfinite(pre[1:]) & (pre[1:] > 0)
        fallback = close[1:] / close[:-1]  # no pre_close: plain close-to-close
        step[1:] = np.where(ok, close[1:] / np.where(ok, pre[1:], 1.0), fallback)
    return close[0] * np.cumprod(step) if close.size else close


def normalise_rows(frame: pd.DataFrame, *, what: str) -> pd.DataFrame:
    """Bring rows to PRICE_COLUMNS with proper types; raise InputError naming the problem.

    Missing optional columns become NaN; ``date`` becomes a ``datetime.date``; rows are sorted.
    """
    missing = [c for c in ("date", "ticker", "close") if c not in frame.columns]
    if missing:
        raise InputError(f"{what}: missing column(s) {', '.join(missing)}", reason="missing_columns")
    out = pd.DataFrame({"ticker": frame["ticker"].astype(str).str.strip()})
    try:
        out["date"] = pd.to_datetime(frame["date"], format="mixed").dt.date
    except (ValueError, TypeError) as exc:
        raise InputError(f"{what}: unreadable date: {exc}", reason="bad_date") from None
    for column in _NUMERIC:
        if column in frame.columns:
            values = pd.to_numeric(frame[column], errors="coerce")
            bad = values.isna() & frame[column].notna() & (frame[column].astype(str).str.strip() != "")
            if bad.any():
                first = frame.index[bad.to_numpy()][0]
                raise InputError(
                    f"{what}: non-numeric {column} {frame[column][first]!r} (row {first})", reason="bad_number"
                )
            out[column] = values.astype(float)
        else:
            out[column] = np.nan
    if (out["close"] <= 0).any() or (out["adj_close"] <= 0).any():
        raise InputError(f"{what}: prices must be positive", reason="bad_price")
    duplicated = out.duplicated(["ticker", "date"])
    if duplicated.any():
        row = out[duplicated].iloc[0]
        raise InputError(f"{what}: {row['ticker']} has two rows for {row['date']}", reason="duplicate_rows")
    out = out[out["close"].notna()]
    return out[list(PRICE_COLUMNS)].sort_values(["ticker", "date"], ignore_index=True)
