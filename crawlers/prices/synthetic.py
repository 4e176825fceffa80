"""Seeded synthetic prices for offline demos and tests: never mistaken for market data.

Every row is labelled ``synthetic`` in its ``source`` column, and that label travels with it into the
study tables. Returns follow a market model against the *study's own benchmark*: a stock gets
R_it = α + β R_mt + ε_it with α ~ N(0, 0.0003²), β ~ U(0.6, 1.4) (mean 1), σ ~ U(1.2%, 3%) drawn per ticker,
ε independent across tickers and days, no planted effect, plus rare suspended sessions (no row). A study of
synthetic events is therefore null on average: abnormal returns are pure noise around zero.

The market factor R_mt is the stored benchmark's real one-session return wherever it is known (``market``:
the benchmark's price levels by date as a study reads them, e.g. the bundled CSI 300 bars in the demo; a
return needs the levels of two consecutive sessions), and a seeded draw N(0.0003, 0.012²) on every other
session; the benchmark ticker itself gets exactly R_mt, other indices
R_mt plus a little noise. Without this a synthetic stock built on its own market factor but studied against
a real benchmark has β ≈ 0 and shares one "abnormal" return with every other synthetic stock on each day:
a fake, highly significant effect on any day the real market moved.

Series start at a fixed origin on the XSHG calendar, so the same seed (and the same stored benchmark) gives
the same price for the same ticker and date whatever range is asked (incremental fetches agree). No bar is
dated after today (China time): the calendar knows sessions to the end of its year, prices do not.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime

import numpy as np
import pandas as pd
from policywatch.crawlers.prices.base import PriceBatch, normalise_rows
from policywatch.transforms.linking.tickers import is_index
from policywatch.transforms.models import CHINA_TZ
from policywatch.transforms.trading_calendar import exchange_sessions

__all__ = ["SyntheticProvider"]

ORIGIN = np.datetime64("2015-01-05", "D")
_EXCHANGE = {"SS": "SH", "SH": "SH", "SZ": "SZ", "BJ": "BJ"}
#: the generator's per-ticker parameters (documented above)
BETA_RANGE = (0.6, 1.4)
SIGMA_RANGE = (0.012, 0.03)
ALPHA_SD = 0.0003


class SyntheticProvider:
    name = "synthetic"

    def __init__(
        self,
        seed: int = 20211010,
        *,
        suspension_rate: float = 0.003,
        today: date | None = None,
        benchmark: str = "000300.SS",
        market: Mapping[date, float] | pd.Series | None = None,
    ) -> None:
        """``today``: the last date that gets a bar (default: today in China); later sessions are the future.
        ``market``: the benchmark's stored price levels by date (real bars); their one-session returns are
        the market factor there, the generator's own seeded draw everywhere else."""
        self.seed = seed
        self.suspension_rate = suspension_rate
        self.today = today
        self.benchmark = benchmark.upper()
        calendar = exchange_sessions()
        self.sessions = calendar.sessions[calendar.sessions >= ORIGIN]
        self.market = np.random.default_rng([seed, 0]).normal(0.0003, 0.012, len(self.sessions))
        #: sessions whose market factor is the given benchmark's return, not the seeded draw
        self.market_given = np.zeros(len(self.sessions), dtype=bool)
        if market is not None and len(market):
            given = pd.Series(market, dtype=float).dropna()
            dates = pd.to_datetime(pd.Index(given.index)).to_numpy().astype("datetime64[D]")
            column = np.searchsorted(self.sessions, dates)
            hit = column < len(self.sessions)
            hit[hit] = self.sessions[column[hit]] == dates[hit]
            level = np.full(len(self.sessions), np.nan)
            level[column[hit]] = given.to_numpy()[hit]
            known = np.r_[False, np.isfinite(level[1:]) & np.isfinite(level[:-1])]
            self.market[known] = level[1:][known[1:]] / level[:-1][known[1:]] - 1.0
            self.market_given = known

    def _series(self, ticker: str) -> pd.DataFrame:
        rng = np.random.default_rng([self.seed, zlib.crc32(ticker.encode())])
        symbol, _, suffix = ticker.upper().partition(".")
        exchange = _EXCHANGE.get(suffix)
        n = len(self.sessions)
        if exchange and symbol.isdigit() and is_index(exchange, symbol):  # type: ignore[arg-type]
            returns = self.market + rng.normal(0.0, 0.001, n) * (ticker.upper() != self.benchmark)
            traded = np.ones(n, dtype=bool)
            level = 3000.0
        else:
            alpha, beta = rng.normal(0.0, ALPHA_SD), rng.uniform(*BETA_RANGE)
            sigma = rng.uniform(*SIGMA_RANGE)
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
        # the calendar runs to the end of its last year; prices stop today (the series is still drawn over the
        # whole calendar, so a date's price does not depend on the day it is asked for)
        today = self.today or datetime.now(CHINA_TZ).date()
        last = min(end, today) if end else today
        lo, hi = np.datetime64(start, "D"), np.datetime64(last, "D")
        parts = [
            frame[(frame["date"] >= lo) & (frame["date"] <= hi)] for frame in map(self._series, dict.fromkeys(tickers))
        ]
        frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame({"date": [], "ticker": [], "close": []})
        rows = normalise_rows(frame, what="synthetic")
        return PriceBatch(self.name, "synthetic", "synthetic", rows, (), fetched_at)
