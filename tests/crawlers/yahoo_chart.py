"""Yahoo Finance at the HTTP layer: a ``requests`` transport adapter that answers yfinance's own requests.

yfinance 1.7 sends every request through the session of its ``YfData`` singleton (``data.py``): a cookie from
``fc.yahoo.com``, a crumb from ``/v1/test/getcrumb``, the consent page on a retry, then the chart API
``query2.finance.yahoo.com/v8/finance/chart/{symbol}`` (``range=1d`` for the time zone, ``period1``/
``period2`` for the bars) and, for a symbol without a time zone, ``/v10/finance/quoteSummary``. A
``requests.Session`` with this adapter mounted is handed to ``yf.download(session=…)``; everything above the
socket is yfinance's: the cookie and crumb dance, URL and parameter building, JSON parsing, time zones, the
``Adj Close`` column, the MultiIndex frame and the logged failures.

Answers are Yahoo's v8 chart shape (``chart.result[0]``: ``meta`` with ``exchangeTimezoneName``
``Asia/Shanghai``, ``timestamp[]`` at the 09:30 open, ``indicators.quote[0]`` open/high/low/close/volume,
``indicators.adjclose[0].adjclose``, ``events.dividends``/``events.splits``), built from the bundled real bars:
``adjclose`` is their total-return index rescaled so the latest bar equals its close (Yahoo's convention), a
dividend is the gap between the previous close and the exchange's ex-rights pre-close, and a bonus issue is a
split whose ratio Yahoo back-applies to earlier closes. Unknown symbols get Yahoo's 404 JSON; a scripted 429
answers "Too Many Requests" as Yahoo does.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import requests
from requests.adapters import BaseAdapter

from policywatch.reference import BUNDLED_PRICES

__all__ = ["SPLITS", "YahooChartAdapter", "bundled", "session_open"]

#: bonus issues as Yahoo records them: symbol → (ex-date, numerator, denominator)
SPLITS = {"300832.SZ": ("2021-05-21", 19.0, 10.0)}
_CHART = re.compile(r"^/v8/finance/chart/(?P<symbol>[^/?]+)$")
_QUOTE = re.compile(r"^/v10/finance/quoteSummary/(?P<symbol>[^/?]+)$")
_REASONS = {200: "OK", 404: "Not Found", 429: "Too Many Requests"}


def bundled() -> pd.DataFrame:
    return pd.read_csv(BUNDLED_PRICES, dtype={"ticker": str})


def session_open(day: str) -> int:
    """Yahoo's timestamp of a daily A-share bar: the 09:30 open in Asia/Shanghai, as epoch seconds."""
    return int(pd.Timestamp(f"{day} 09:30", tz="Asia/Shanghai").timestamp())


def chart_result(rows: pd.DataFrame, symbol: str, *, first: int | None, last: int | None) -> dict:
    """``chart.result[0]`` for the bars of ``rows`` (one ticker, all dates) in [first, last)."""
    rows = rows.reset_index(drop=True).copy()
    rows["ts"] = [session_open(d) for d in rows["date"]]
    factor = pd.Series(1.0, index=rows.index)
    splits = {}
    if symbol in SPLITS:
        day, numerator, denominator = SPLITS[symbol]
        factor[rows["date"] < day] = denominator / numerator  # Yahoo's Close is split-adjusted
        splits[str(session_open(day))] = {
            "date": session_open(day), "numerator": numerator, "denominator": denominator,
            "splitRatio": f"{numerator:g}:{denominator:g}",
        }  # fmt: skip
    dividends = {}
    previous = rows["close"].shift(1) * factor.shift(1)
    gap = previous - rows["pre_close"]
    for i in rows.index[gap > 0.005]:
        dividends[str(rows.at[i, "ts"])] = {"amount": round(float(gap[i]), 4), "date": int(rows.at[i, "ts"])}
    adjclose = rows["adj_close"] * (rows["close"].iloc[-1] / rows["adj_close"].iloc[-1])
    if first is None:  # range=1d: the latest bar only
        chosen = rows.index[-1:]
    else:
        chosen = rows.index[(rows["ts"] >= first) & (rows["ts"] < (last if last is not None else 2**40))]
    index = symbol.startswith(("000300", "000001.SS", "399"))
    latest = int(rows["ts"].iloc[-1])
    period = {"timezone": "CST", "start": latest, "end": latest + 19800, "gmtoffset": 28800}
    result = {
        "meta": {
            "currency": "CNY", "symbol": symbol, "exchangeName": "SHH" if symbol.endswith(".SS") else "SHZ",
            "fullExchangeName": "Shanghai" if symbol.endswith(".SS") else "Shenzhen",
            "instrumentType": "INDEX" if index else "EQUITY", "firstTradeDate": 1262309400,
            "regularMarketTime": latest + 19800, "hasPrePostMarketData": False, "gmtoffset": 28800,
            "timezone": "CST", "exchangeTimezoneName": "Asia/Shanghai",
            "regularMarketPrice": float(rows["close"].iloc[-1]), "chartPreviousClose": float(rows["close"].iloc[0]),
            "priceHint": 2, "currentTradingPeriod": {"pre": period, "regular": period, "post": period},
            "dataGranularity": "1d", "range": "1d" if first is None else "",
            "validRanges": ["1d", "5d", "1mo", "3mo", "6mo", "1y", "2y", "5y", "10y", "ytd", "max"],
        },
        "timestamp": [int(t) for t in rows.loc[chosen, "ts"]],
        "indicators": {
            "quote": [
                {
                    "open": [round(v, 4) for v in rows.loc[chosen, "open"] * factor[chosen]],
                    "high": [round(v, 4) for v in rows.loc[chosen, "high"] * factor[chosen]],
                    "low": [round(v, 4) for v in rows.loc[chosen, "low"] * factor[chosen]],
                    "close": [round(v, 4) for v in rows.loc[chosen, "close"] * factor[chosen]],
                    "volume": [int(v) for v in rows.loc[chosen, "volume"] / factor[chosen]],
                }
            ],
            "adjclose": [{"adjclose": adjclose[chosen].tolist()}],
        },
    }  # fmt: skip
    in_range = {k: v for k, v in dividends.items() if int(k) in set(result["timestamp"])}
    events = {}
    if in_range:
        events["dividends"] = in_range
    if splits and any(int(k) in set(result["timestamp"]) for k in splits):
        events["splits"] = splits
    if events:
        result["events"] = events
    return result


@dataclass
class YahooChartAdapter(BaseAdapter):
    """Serves the bundled bars as Yahoo would. ``script[symbol]``: per chart request, ``"ok"``,
    ``"rate_limited"`` (HTTP 429) or ``"zero_close"`` (one bar with a close of 0); the last entry repeats."""

    frame: pd.DataFrame = field(default_factory=bundled)
    script: dict[str, list[str]] = field(default_factory=dict)
    urls: list[str] = field(default_factory=list)
    chart_calls: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def __post_init__(self) -> None:
        super().__init__()

    def send(self, request, **kwargs) -> requests.Response:
        self.urls.append(request.url)
        parts = urlsplit(request.url)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if parts.hostname == "fc.yahoo.com":  # Yahoo answers 404 and sets its cookie
            return self._answer(request, 404, b"<html><body>404</body></html>", "text/html")
        if parts.path == "/v1/test/getcrumb":
            return self._answer(request, 200, b"k7xQ0Ux9m2B", "text/plain;charset=utf-8")
        if parts.hostname == "guce.yahoo.com":
            return self._answer(request, 200, b"<html><body>consent</body></html>", "text/html")
        if match := _QUOTE.match(parts.path):
            body = {"quoteSummary": {"result": None, "error": {
                "code": "Not Found", "description": f"Quote not found for symbol: {match['symbol']}"}}}  # fmt: skip
            return self._json(request, 404, body)
        if match := _CHART.match(parts.path):
            return self._chart(request, match["symbol"], query)
        return self._answer(request, 404, b"Not Found", "text/plain")

    def _chart(self, request, symbol: str, query: dict[str, str]) -> requests.Response:
        rows = self.frame[self.frame["ticker"] == symbol]
        if rows.empty:
            body = {"chart": {"result": None, "error": {
                "code": "Not Found", "description": "No data found, symbol may be delisted"}}}  # fmt: skip
            return self._json(request, 404, body)
        plan = self.script.get(symbol, ["ok"])
        outcome = plan[min(self.chart_calls[symbol], len(plan) - 1)]
        self.chart_calls[symbol] += 1
        if outcome == "rate_limited":
            return self._answer(request, 429, b"Too Many Requests\r\n", "text/html")
        first = int(query["period1"]) if "period1" in query else None
        last = int(query["period2"]) if "period2" in query else None
        result = chart_result(rows, symbol, first=first, last=last)
        if outcome == "zero_close" and first is not None:
            result["indicators"]["quote"][0]["close"][1] = 0.0  # Yahoo does serve zero bars now and then
        return self._json(request, 200, {"chart": {"result": [result], "error": None}})

    def _json(self, request, status: int, body: dict) -> requests.Response:
        return self._answer(request, status, json.dumps(body).encode(), "application/json;charset=utf-8")

    @staticmethod
    def _answer(request, status: int, body: bytes, content_type: str) -> requests.Response:
        response = requests.Response()
        response.status_code = status
        response.reason = _REASONS.get(status, "")
        response._content = body
        response.url = request.url
        response.request = request
        response.encoding = "utf-8"
        response.headers["Content-Type"] = content_type
        return response

    def close(self) -> None:
        pass
