"""Prices on a session grid → returns, with suspensions handled by rule.

Shapes: ``prices`` is (tickers × sessions) of adjusted prices (total-return adjusted where the source has it),
NaN where the ticker did not trade; ``benchmark`` is (sessions,). A session counts as *observed* for a ticker
when both the ticker and the benchmark have a price: a benchmark gap is a gap for everyone.

The return at an observed session s runs from the previous observed session p(s):

- ``span`` = s − p(s) sessions (1 normally, more after a suspension);
- trade-to-trade rule: the return spans the gap and the benchmark return is compounded over the same
  sessions (P_m(s) / P_m(p(s)) − 1, or its log);
- drop rule: a return with span > 1 is missing.

The first observed session of a ticker has no return.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from transforms.errors import InputError
from transforms.event_study.spec import MissingRule, ReturnKind

__all__ = ["PricePanel", "ReturnPanel", "compute_returns"]


@dataclass(frozen=True, slots=True)
class PricePanel:
    sessions: np.ndarray  #: datetime64[D], sorted, unique
    tickers: tuple[str, ...]
    prices: np.ndarray  #: float64 (len(tickers), len(sessions)), NaN = no trade
    benchmark: np.ndarray  #: float64 (len(sessions),)
    benchmark_ticker: str = "benchmark"

    def __post_init__(self) -> None:
        n_s = len(self.sessions)
        if self.prices.shape != (len(self.tickers), n_s) or self.benchmark.shape != (n_s,):
            raise InputError(
                f"price panel shapes disagree: prices {self.prices.shape}, benchmark {self.benchmark.shape}, "
                f"{len(self.tickers)} tickers × {n_s} sessions",
                reason="bad_panel",
            )
        if n_s > 1 and not np.all(self.sessions[1:] > self.sessions[:-1]):
            raise InputError("sessions must be sorted and unique", reason="bad_panel")
        with np.errstate(invalid="ignore"):
            if np.any(self.prices <= 0) or np.any(self.benchmark <= 0):
                raise InputError("prices must be positive (or NaN for no trade)", reason="bad_price")


@dataclass(frozen=True, slots=True)
class ReturnPanel:
    stock: np.ndarray  #: float64 (tickers × sessions): return ending at the session, NaN if none
    bench: np.ndarray  #: float64 (tickers × sessions): benchmark return over the same span
    span: np.ndarray  #: int32 (tickers × sessions): sessions the return covers (0 when none)
    simple: np.ndarray  #: float64: the stock's simple one-session return (for limit flags), NaN otherwise
    observed: np.ndarray  #: bool (tickers × sessions)


def compute_returns(panel: PricePanel, kind: ReturnKind, missing: MissingRule) -> ReturnPanel:
    prices, bench = panel.prices, panel.benchmark
    n_t, n_s = prices.shape
    observed = np.isfinite(prices) & np.isfinite(bench)[None, :]
    position = np.where(observed, np.arange(n_s, dtype=np.int32)[None, :], -1)
    last = np.maximum.accumulate(position, axis=1)
    prev = np.full((n_t, n_s), -1, dtype=np.int32)
    prev[:, 1:] = last[:, :-1]
    has = observed & (prev >= 0)
    rows = np.nonzero(has)
    p_now = prices[rows]
    p_before = prices[rows[0], prev[rows]]
    m_now = bench[rows[1]]
    m_before = bench[prev[rows]]
    span = np.zeros((n_t, n_s), dtype=np.int32)
    span[rows] = rows[1] - prev[rows]
    stock = np.full((n_t, n_s), np.nan)
    market = np.full((n_t, n_s), np.nan)
    if kind == "log":
        stock[rows] = np.log(p_now / p_before)
        market[rows] = np.log(m_now / m_before)
    else:
        stock[rows] = p_now / p_before - 1.0
        market[rows] = m_now / m_before - 1.0
    simple = np.full((n_t, n_s), np.nan)
    one = span[rows] == 1
    simple[rows[0][one], rows[1][one]] = p_now[one] / p_before[one] - 1.0
    if missing == "drop":
        gap = span > 1
        stock[gap] = np.nan
        market[gap] = np.nan
        span[gap] = 0
    return ReturnPanel(stock, market, span, simple, observed)
