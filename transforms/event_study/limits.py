"""Daily price limits (涨跌停) of the Chinese exchanges, to flag limit-up and limit-down days.

A return that hits the limit is censored: the price could not move further that day, so an abnormal
return on such a day understates the reaction. The engine flags these days; it does not drop them.

Rules (fraction of the previous close):
- Beijing Stock Exchange (``.BJ``): 30%;
- STAR Market (688/689): 20%; ChiNext (300/301): 20% from 2020-08-24, before that 10% (5% for ST);
- other Shanghai/Shenzhen A-shares: 10%, or 5% for ST / *ST names;
- indices and anything else: no limit.
First days after listing (no limit) and B shares are not modelled. Limit prices are rounded to the cent,
so a limit day's return can fall short of the fraction by half a cent over the price: a day is flagged when
|return| ≥ limit − 0.005 (exact for prices of 1 CNY and more).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["CHINEXT_REFORM", "TOLERANCE", "board_codes", "limit_flags", "price_limits"]

CHINEXT_REFORM = np.datetime64("2020-08-24", "D")
TOLERANCE = 0.005

NONE, MAIN, CHINEXT, STAR, BEIJING = 0, 1, 2, 3, 4


def board_codes(tickers: Sequence[str]) -> np.ndarray:
    """The board of each ticker (int8): 0 none/index, 1 main board, 2 ChiNext, 3 STAR, 4 Beijing."""
    out = np.zeros(len(tickers), dtype=np.int8)
    for i, ticker in enumerate(tickers):
        symbol, _, suffix = ticker.upper().partition(".")
        if suffix == "BJ":
            out[i] = BEIJING
        elif suffix in ("SS", "SH") and symbol.startswith(("688", "689")):
            out[i] = STAR
        elif suffix == "SZ" and symbol.startswith(("300", "301")):
            out[i] = CHINEXT
        elif (suffix in ("SS", "SH") and symbol.startswith("60")) or (suffix == "SZ" and symbol.startswith("00")):
            out[i] = MAIN
    return out


def price_limits(board: np.ndarray, is_st: np.ndarray, dates: np.ndarray) -> np.ndarray:
    """Limit fraction per event (rows) and date (columns); NaN where no limit applies.

    ``board`` and ``is_st`` are per row (N,), ``dates`` datetime64[D] of shape (N, W).
    """
    board = np.asarray(board)[:, None]
    st = np.asarray(is_st, dtype=bool)[:, None]
    main = np.where(st, 0.05, 0.10)
    chinext = np.where(dates >= CHINEXT_REFORM, 0.20, main)
    out = np.full(dates.shape, np.nan)
    out = np.where(board == MAIN, main, out)
    out = np.where(board == CHINEXT, chinext, out)
    out = np.where(board == STAR, 0.20, out)
    return np.where(board == BEIJING, 0.30, out)


def limit_flags(simple_returns: np.ndarray, limits: np.ndarray) -> np.ndarray:
    """+1 limit-up, -1 limit-down, 0 otherwise (int8), element-wise; NaN returns or limits give 0."""
    with np.errstate(invalid="ignore"):
        up = simple_returns >= limits - TOLERANCE
        down = simple_returns <= -(limits - TOLERANCE)
    return up.astype(np.int8) - down.astype(np.int8)
