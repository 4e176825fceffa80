"""Long price rows → the engine's session × ticker panel, keeping where every price came from.

Returns use ``adj_close`` when the whole series of a ticker has it (total-return adjusted: dividends,
splits, bonus issues) and the ``adjustment`` setting asks for it; otherwise the traded close.
A row dated on a day that is not a session of the study's calendar is left out and counted.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from policywatch.transforms.errors import InputError
from policywatch.transforms.event_study import PricePanel

__all__ = ["PanelBuild", "build_panel"]


@dataclass(frozen=True, slots=True)
class PanelBuild:
    panel: PricePanel
    source_code: np.ndarray  #: int16 (tickers × sessions): index into ``sources``, -1 = no row
    sources: tuple[str, ...]
    unadjusted: tuple[str, ...]  #: tickers whose returns use the traded close
    off_calendar_rows: int  #: rows dated on a non-session, left out


def build_panel(
    rows: pd.DataFrame, sessions: np.ndarray, benchmark: str, *, adjustment: str = "total_return"
) -> PanelBuild:
    """``rows``: ticker, date, close, adj_close, source and optionally pre_close (any order). ``sessions``:
    datetime64[D], sorted. The traded close and the pre-close go into the panel too (exact limit days)."""
    if benchmark not in set(rows["ticker"]):
        raise InputError(
            f"the benchmark {benchmark} has no prices between {sessions[0]} and {sessions[-1]}: "
            "fetch it (policywatch prices fetch) or name another with --benchmark",
            reason="no_benchmark_prices",
        )
    tickers, ticker_code = np.unique(rows["ticker"].to_numpy(dtype=str), return_inverse=True)
    dates = pd.to_datetime(rows["date"]).to_numpy().astype("datetime64[D]")
    column = np.searchsorted(sessions, dates)
    on_session = (column < len(sessions)) & (sessions[np.minimum(column, len(sessions) - 1)] == dates)
    close = rows["close"].to_numpy(dtype=float)
    adjusted = rows["adj_close"].to_numpy(dtype=float)
    # per ticker: the adjusted close only if every row of the series has one (a half-adjusted series lies)
    complete = np.bincount(ticker_code, weights=np.isnan(adjusted).astype(float), minlength=len(tickers)) == 0
    use_adjusted = complete & (adjustment == "total_return")
    value = np.where(use_adjusted[ticker_code], adjusted, close)
    prices = np.full((len(tickers), len(sessions)), np.nan)
    prices[ticker_code[on_session], column[on_session]] = value[on_session]
    source_names, source_index = np.unique(rows["source"].astype(str).to_numpy(), return_inverse=True)
    source_code = np.full((len(tickers), len(sessions)), -1, dtype=np.int16)
    source_code[ticker_code[on_session], column[on_session]] = source_index[on_session]
    traded = np.full(prices.shape, np.nan)
    traded[ticker_code[on_session], column[on_session]] = close[on_session]
    pre_close = np.full(prices.shape, np.nan)
    if "pre_close" in rows.columns:
        pre = pd.to_numeric(rows["pre_close"], errors="coerce").to_numpy(dtype=float)
        pre_close[ticker_code[on_session], column[on_session]] = pre[on_session]
    bench_row = int(np.flatnonzero(tickers == benchmark)[0])
    panel = PricePanel(
        sessions, tuple(tickers.tolist()), prices, prices[bench_row].copy(), benchmark, traded, pre_close
    )
    return PanelBuild(
        panel=panel,
        source_code=source_code,
        sources=tuple(source_names.tolist()),
        unadjusted=tuple(tickers[~use_adjusted].tolist()),
        off_calendar_rows=int((~on_session).sum()),
    )
