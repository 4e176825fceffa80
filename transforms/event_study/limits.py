"""Daily price limits (涨跌停) of the Chinese exchanges, to flag limit-up and limit-down days.

A return that hits the limit is censored: the price could not move further that day, so an abnormal
return on such a day understates the reaction. The engine flags these days; it does not drop them.

Rules (fraction of the previous close):
- Beijing Stock Exchange (``.BJ``): 30%;
- STAR Market (688/689): 20%; ChiNext (300/301): 20% from 2020-08-24, before that 10% (5% for ST);
- other Shanghai/Shenzhen A-shares: 10%, or 5% for ST / *ST names;
- indices and anything else: no limit.
First days after listing (no limit) and B shares are not modelled.

Which days are flagged:

- with the exchange's previous close (``pre_close``, ex-rights; akshare and files have it): the limit prices
  are pre_close × (1 ± limit) rounded half up to the cent, as the exchanges compute them, and a day is
  limit-up when the close is at (or above) the upper one, limit-down at (or below) the lower one — exact;
- without it (Yahoo): the fallback is the one-session return of the study's series, flagged at
  |return| ≥ limit − 0.5 pp. The half point covers the cent rounding for prices of 1 CNY and more, but it
  also flags a +9.6% day that stopped short of the limit, and it uses the total return (a dividend day's
  return is not the price move the limit applies to): read it as "at or near the limit".

``is_st_name`` tells an ST name (5% limit) by its prefix: ``ST`` or ``*ST``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

__all__ = [
    "CHINEXT_REFORM",
    "TOLERANCE",
    "board_codes",
    "is_st_name",
    "limit_flags",
    "limit_flags_from_prices",
    "limit_price",
    "price_limits",
]

CHINEXT_REFORM = np.datetime64("2020-08-24", "D")
TOLERANCE = 0.005

NONE, MAIN, CHINEXT, STAR, BEIJING = 0, 1, 2, 3, 4
_ST = re.compile(r"^\*?ST")


def is_st_name(name: str | None) -> bool:
    """``ST康美``, ``*ST海航``: special treatment (5% limit). A name merely containing the letters is not."""
    return name is not None and _ST.match(name.strip().upper()) is not None


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


def limit_price(pre_close: np.ndarray, fraction: np.ndarray, side: int) -> np.ndarray:
    """The exchange's limit price: pre_close × (1 ± fraction) rounded half up to the cent (element-wise).

    The product is nudged by 1e-7 cents before rounding so that a price exactly on the half cent, which
    binary floating point may store a hair below it, rounds up as the exchange's decimal arithmetic does."""
    with np.errstate(invalid="ignore"):
        raw = np.asarray(pre_close, dtype=float) * (1.0 + side * np.asarray(fraction, dtype=float)) * 100.0
        return np.floor(raw + 0.5 + 1e-7) / 100.0


def limit_flags_from_prices(close: np.ndarray, pre_close: np.ndarray, limits: np.ndarray) -> np.ndarray:
    """+1 where the close reached the limit-up price, -1 the limit-down price, else 0 (int8, element-wise);
    0 where the close, the pre-close or the limit is unknown. Prices are compared to within a tenth of a cent."""
    up_price, down_price = limit_price(pre_close, limits, +1), limit_price(pre_close, limits, -1)
    with np.errstate(invalid="ignore"):
        up = close >= up_price - 1e-3
        down = close <= down_price + 1e-3
    return up.astype(np.int8) - down.astype(np.int8)
