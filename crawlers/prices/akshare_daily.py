"""Daily bars from akshare (East Money's kline API): covers Shanghai, Shenzhen *and* Beijing.

Stocks: ``ak.stock_zh_a_hist(symbol="300024", period="daily", start_date="20210101", end_date=…, adjust="")``
returns the columns 日期, 股票代码, 开盘, 收盘, 最高, 最低, 成交量 (lots of 100 shares), 成交额 (CNY), 振幅,
涨跌幅 (%), 涨跌额, 换手率. Indices: ``ak.stock_zh_index_daily_em(symbol="sh000300", …)`` returns
date, open, close, high, low, volume, amount.

Adjustment (explicit): bars are fetched unadjusted; the exchange's ex-rights previous close is
收盘 − 涨跌额, and ``adj_close`` is the total-return chain of close / pre_close (base: the first close).
A bonus issue moves pre_close, not the chain, so returns stay right across it.
Network failures are retried with exponential backoff, then recorded as ``network`` failures (transient: a
scheduler retries the run). An answer akshare cannot parse is final, never retried: ``not_found`` when East
Money has no data for the symbol, ``bad_data`` otherwise (see :func:`failure_reason`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime

import numpy as np
import pandas as pd
import requests
from policywatch.crawlers.prices.backoff import backoff
from policywatch.crawlers.prices.base import FetchFailure, PriceBatch, chain_adjusted, normalise_rows
from policywatch.transforms.linking.tickers import is_index
from tenacity import retry_if_exception

__all__ = ["AkshareProvider", "failure_reason"]

_STOCK_COLUMNS = {"日期": "date", "开盘": "open", "收盘": "close", "最高": "high", "最低": "low", "成交额": "amount"}
_EXCHANGE = {"SS": "SH", "SH": "SH", "SZ": "SZ", "BJ": "BJ"}


class AkshareProvider:
    name = "akshare"

    def __init__(
        self,
        *,
        stock_hist: Callable[..., pd.DataFrame] | None = None,
        index_hist: Callable[..., pd.DataFrame] | None = None,
        max_retries: int = 3,
        backoff_s: float = 2.0,
        sleep: Callable[[float], None] = time.sleep,
        timeout: float = 15.0,
    ) -> None:
        self._stock_hist = stock_hist
        self._index_hist = index_hist
        self.max_retries = max_retries
        self.backoff_s = backoff_s
        self.sleep = sleep
        self.timeout = timeout

    def _functions(self) -> tuple[Callable[..., pd.DataFrame], Callable[..., pd.DataFrame]]:
        if self._stock_hist is None or self._index_hist is None:
            import akshare  # heavy import: only when akshare is used

            self._stock_hist = self._stock_hist or akshare.stock_zh_a_hist
            self._index_hist = self._index_hist or akshare.stock_zh_index_daily_em
        return self._stock_hist, self._index_hist

    def fetch(self, tickers: Sequence[str], start: date, end: date | None = None) -> PriceBatch:
        fetched_at = datetime.now(UTC)
        stock_hist, index_hist = self._functions()
        parts: list[pd.DataFrame] = []
        failures: list[FetchFailure] = []
        begin, finish = start.strftime("%Y%m%d"), (end or date(2050, 1, 1)).strftime("%Y%m%d")
        for ticker in dict.fromkeys(tickers):
            symbol, _, suffix = ticker.upper().partition(".")
            exchange = _EXCHANGE.get(suffix)
            if exchange is None or not symbol.isdigit():
                failures.append(FetchFailure(ticker, "unsupported", f"akshare covers A-shares only, not {ticker}"))
                continue
            index = is_index(exchange, symbol)  # type: ignore[arg-type]
            try:
                if index:
                    raw = self._retry(
                        index_hist, symbol=f"{exchange.lower()}{symbol}", start_date=begin, end_date=finish
                    )
                else:
                    raw = self._retry(
                        stock_hist,
                        symbol=symbol,
                        period="daily",
                        start_date=begin,
                        end_date=finish,
                        adjust="",
                        timeout=self.timeout,
                    )
            except Exception as exc:  # akshare raises whatever its parsing hits: sort it out
                reason = failure_reason(exc)
                detail = "East Money has no data for it" if reason == "not_found" else f"{type(exc).__name__}: {exc}"
                failures.append(FetchFailure(ticker, reason, f"akshare {ticker}: {detail}"))
                continue
            if raw is None or raw.empty:
                failures.append(FetchFailure(ticker, "not_found", "akshare returned no bars in the range"))
                continue
            try:
                parts.append(_index_rows(raw, ticker) if index else _stock_rows(raw, ticker))
            except (KeyError, ValueError) as exc:
                failures.append(FetchFailure(ticker, "bad_data", f"unexpected akshare columns: {exc}"))
        rows = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["date", "ticker", "close"])
        return PriceBatch(
            self.name, "akshare", "pre_close_chain", normalise_rows(rows, what="akshare"), tuple(failures), fetched_at
        )

    def _retry(self, function: Callable[..., pd.DataFrame], **kwargs) -> pd.DataFrame:
        """Retry network failures with exponential backoff; an answer that cannot be parsed is final."""
        retrying = backoff(
            retry=retry_if_exception(_is_network),
            max_retries=self.max_retries,
            backoff_s=self.backoff_s,
            sleep=self.sleep,
        )
        return retrying(function, **kwargs)


def _is_network(exc: BaseException) -> bool:
    return failure_reason(exc) == "network"


def failure_reason(exc: BaseException) -> str:
    """``network`` (retry later) for the transport; ``not_found`` when East Money answered ``"data": null``
    (akshare then subscripts None: a symbol it does not have); ``bad_data`` for any other answer akshare could
    not parse (not JSON, missing keys, other columns), which a retry would not change."""
    if isinstance(exc, ValueError):  # includes requests' and json's JSONDecodeError: not an answer to parse
        return "bad_data"
    if isinstance(exc, requests.RequestException | OSError):
        return "network"
    if isinstance(exc, TypeError) and "'NoneType' object is not subscriptable" in str(exc):
        return "not_found"
    return "bad_data"


def _stock_rows(raw: pd.DataFrame, ticker: str) -> pd.DataFrame:
    frame = raw.sort_values("日期")
    out = pd.DataFrame({target: frame[source].to_numpy() for source, target in _STOCK_COLUMNS.items()})
    out["ticker"] = ticker
    out["volume"] = frame["成交量"].to_numpy(dtype=float) * 100.0  # lots → shares
    close = out["close"].to_numpy(dtype=float)
    out["pre_close"] = np.round(close - frame["涨跌额"].to_numpy(dtype=float), 4)
    out["adj_close"] = chain_adjusted(close, out["pre_close"].to_numpy())
    return out


def _index_rows(raw: pd.DataFrame, ticker: str) -> pd.DataFrame:
    frame = raw.sort_values("date")
    out = frame[["date", "open", "high", "low", "close", "volume", "amount"]].reset_index(drop=True)
    out["ticker"] = ticker
    close = out["close"].to_numpy(dtype=float)
    out["pre_close"] = np.r_[np.nan, close[:-1]]
    out["adj_close"] = close
    return out
