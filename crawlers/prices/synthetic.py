"""Seeded synthetic prices for offline demos and tests: never mistaken for market data.

Every row is labelled ``synthetic`` in its ``source`` column, and that label travels with it into the
study tables. Returns follow a market model: the benchmark (and any index) gets the market factor
m_t ~ N(0.0003, 0.012²); a stock gets α + β m_t + ε_t with α, β, σ drawn per ticker, plus rare suspended
sessions (no row). Series start at a fixed origin on the XSHG calendar, so the same seed gives the same
price for the same ticker and date whatever range is asked (incremental fetches agree). No bar is dated
after today (China time): the calendar knows sessions to the end of its year, prices do not.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from datetime import UTC, date, datetime

import numpy as np
import pandas as pd

from crawlers.prices.base import PriceBatch, normalise_rows
from transforms.models import CHINA_TZ
from transforms.tickers import is_index
from transforms.trading_calendar import exchange_sessions

__all__ = ["SyntheticProvider"]

ORIGIN = np.datetime64("2015-01-05", "D")
_EXCHANGE = {"SS": "SH", "SH": "SH", "SZ": "SZ", "BJ": "BJ"}


class SyntheticProvider:
    name = "synthetic"

    def __init__(self, seed: int = 20211010, *, suspension_rate: float = 0.003, today: date | None = None) -> None:
        """``today``: the last date that gets a bar (default: today in China); later sessions are the future."""
        self.seed = seed
        self.suspension_rate = suspension_rate
        self.today = today
        calendar = exchange_sessions()
        self.sessions = calendar.sessions[calendar.sessions >= ORIGIN]
        market = np.random.default_rng([seed, 0]).normal(0.0003, 0.012, len(self.sessions))
        self.market = market

    def _series(self, ticker: str) -> pd.DataFrame:
        rng = np.random.default_rng([self.seed, zlib.crc32(ticker.encode())])
        symbol, _, suffix = ticker.upper().partition(".")
        exchange = _EXCHANGE.get(suffix)
        n = len(self.sessions)
        if exchange and symbol.isdigit() and is_index(exchange, symbol):  # type: ignore[arg-type]
            returns = self.market + rng.normal(0.0, 0.001, n) * (ticker.upper() != "000300.SS")
            traded = np.ones(n, dtype=bool)
            level = 3000.0
        else:
            alpha, beta, sigma = rng.normal(0.0, 0.0003), rng.uniform(0.6, 1.4), rng.uniform(0.012, 0.03)
            returns = np.clip(alpha + beta * self.market + rng.normal(0.0, sigma, n), -0.095, 0.095)
            traded = rng.random(n) >= self.suspension_rate
            level = float(rng.uniform(5.0, 60.0))
        close = level * np.cumprod(1.0 + returns)
        frame = pd.DataFrame({"date": self.sessions, "ticker": ticker, "close": close})[traded]
        frame["pre_close"] = frame["close"].shift(1)  # the last traded close, as an exchange reports it
        frame["adj_close"] = frame["close"]
        return frame

    def fetch(self, tickers: Sequence[str], start: date, end: date | None = None) -> PriceBatch:
        fetched_at = datetime.now(UTC)
        parts = [self._series(t) for t in dict.fromkeys(tickers)]
        rows = normalise_rows(pd.concat(parts, ignore_index=True), what="synthetic") if parts else None
        if rows is None:
            rows = normalise_rows(pd.DataFrame({"date": [], "ticker": [], "close": []}), what="synthetic")
        # the calendar runs to the end of its last year; prices stop today (the series is still drawn over the
        # whole calendar, so a date's price does not depend on the day it is asked for)
        today = self.today or datetime.now(CHINA_TZ).date()
        last = min(end, today) if end else today
        rows = rows[(rows["date"] >= start) & (rows["date"] <= last)].reset_index(drop=True)
        return PriceBatch(self.name, "synthetic", "synthetic", rows, (), fetched_at)
