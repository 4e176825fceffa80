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
from policywatch.transforms.errors import InputError
from policywatch.transforms.event_study.spec import MissingRule, ReturnKind

__all__ = ["PricePanel", "ReturnPanel", "compute_returns"]


@dataclass(frozen=True, slots=True)
class PricePanel:
    sessions: np.ndarray  #: datetime64[D], sorted, unique
    tickers: tuple[str, ...]
    prices: np.ndarray  #: float64 (len(tickers), len(sessions)), NaN = no trade
    benchmark: np.ndarray  #: float64 (len(sessions),)
    benchmark_ticker: str = "benchmark"
    #: optional, same shape as ``prices``: the traded close and the exchange's ex-rights previous close, NaN
    #: where unknown. Limit days are read from them exactly (close at the rounded limit price of pre_close).
    close: np.ndarray | None = None
    pre_close: np.ndarray | None = None

    def __post_init__(self) -> None:
        n_s = len(self.sessions)
        shape = (len(self.tickers), n_s)
        extra = [a.shape for a in (self.close, self.pre_close) if a is not None and a.shape != shape]
        if self.prices.shape != shape or self.benchmark.shape != (n_s,) or extra:
            raise InputError(
                f"price panel shapes disagree: prices {self.prices.shape}, benchmark {self.benchmark.shape}, "
                f"close/pre_close {extra}, {len(self.tickers)} tickers × {n_s} sessions",
                reason="bad_panel",
            )
        if n_s > 1 and not np.all(self.sessions[1:] > self.sessions[:-1]):
            raise InputError("sessions must be sorted and unique", reason="bad_panel")
        with np.errstate(invalid="ignore"):
            if np.any(self.prices <= 0) or np.any(self.benchmark <= 0):
                raise InputError("prices must be positive (or NaN for no trade)", reason="bad_price")


@dataclass(frozen=True, slots=True)
class ReturnPanel:
    """Returns on the session grid, with ``pad`` unobserved sessions added on both sides (so every window
    read is in range). Column ``pad + s`` is session ``s`` of the panel.

    The benchmark return over a stock's span is not stored per stock: it is the benchmark's one-session
    return where the span is 1, and :meth:`bench_over` compounds the benchmark level over longer spans.
    """

    stock: np.ndarray  #: float64 (tickers × padded sessions): return ending at the session, NaN if none
    span: np.ndarray  #: int32: sessions the return covers (0 when none)
    observed: np.ndarray  #: bool: stock and benchmark both have a price
    bench_one: np.ndarray  #: float64 (padded sessions,): the benchmark's one-session return
    bench_level: np.ndarray  #: float64 (padded sessions,): benchmark prices, NaN in the padding
    kind: ReturnKind = "simple"
    pad: int = 0

    def bench_over(self, column: np.ndarray, span: np.ndarray) -> np.ndarray:
        """Benchmark return ending at padded ``column`` over ``span`` sessions (NaN where span is 0)."""
        one = self.bench_one[column]
        longer = span > 1
        if not longer.any():
            return np.where(span == 1, one, np.nan)
        start = np.where(longer, column - span, column)
        with np.errstate(invalid="ignore", divide="ignore"):
            compounded = _transform(self.bench_level[column] / self.bench_level[start], self.kind)
        return np.where(span == 1, one, np.where(longer, compounded, np.nan))

    def simple_from(self, returns: np.ndarray, span: np.ndarray) -> np.ndarray:
        """One-session simple returns (for limit flags) from returns of this panel's kind."""
        simple = np.expm1(returns) if self.kind == "log" else returns
        return np.where(span == 1, simple, np.nan)


def compute_returns(panel: PricePanel, kind: ReturnKind, missing: MissingRule, pad: int = 0) -> ReturnPanel:
    prices, bench = panel.prices, panel.benchmark
    n_t, n_s = prices.shape
    width = n_s + 2 * pad
    inner = slice(pad, pad + n_s)
    observed = np.zeros((n_t, width), dtype=bool)
    observed[:, inner] = np.isfinite(prices) & np.isfinite(bench)[None, :]
    stock = np.full((n_t, width), np.nan)
    span = np.zeros((n_t, width), dtype=np.int32)
    bench_one = np.full(width, np.nan)
    bench_level = np.full(width, np.nan)
    bench_level[inner] = bench
    if n_s > 1:
        # returns between adjacent sessions: the whole panel in a few dense passes, written in place
        after = slice(pad + 1, pad + n_s)
        both = observed[:, after] & observed[:, pad : pad + n_s - 1]
        target = stock[:, after]
        with np.errstate(invalid="ignore", divide="ignore"):
            bench_one[after] = _transform(bench[1:] / bench[:-1], kind)
            np.divide(prices[:, 1:], prices[:, :-1], out=target)
            if kind == "log":
                np.log(target, out=target)
            else:
                np.subtract(target, 1.0, out=target)
        np.copyto(target, np.nan, where=~both)
        span[:, after] = both
    if missing == "trade_to_trade":
        _spanning_returns(prices, observed[:, inner], kind, stock[:, inner], span[:, inner])
    return ReturnPanel(stock, span, observed, bench_one, bench_level, kind, pad)


def _transform(ratio: np.ndarray, kind: ReturnKind) -> np.ndarray:
    return np.log(ratio) if kind == "log" else ratio - 1.0


def _spanning_returns(prices, observed, kind, stock, span) -> None:
    """Fill, in place, the returns that span a gap (trade-to-trade) for the tickers that have one."""
    n_s = prices.shape[1]
    count = observed.sum(axis=1)
    first = np.argmax(observed, axis=1)
    last = n_s - 1 - np.argmax(observed[:, ::-1], axis=1)
    rows = np.flatnonzero((count > 0) & (count < last - first + 1))
    if rows.size == 0:
        return
    seen = observed[rows]
    columns = np.arange(n_s, dtype=np.int64)
    latest = np.maximum.accumulate(np.where(seen, columns[None, :], -1), axis=1)
    prev = np.full(seen.shape, -1, dtype=np.int64)
    prev[:, 1:] = latest[:, :-1]
    gap = seen & (prev >= 0) & (prev < columns[None, :] - 1)
    r, c = np.nonzero(gap)
    p = prev[r, c]
    with np.errstate(invalid="ignore", divide="ignore"):
        stock[rows[r], c] = _transform(prices[rows[r], c] / prices[rows[r], p], kind)
    span[rows[r], c] = c - p
