"""Yahoo through the whole of yfinance 1.7: only the HTTP transport is replaced (``yahoo_chart.py``).

The provider hands yfinance a ``requests.Session`` whose adapter answers Yahoo's chart API with the v8 JSON
built from the bundled real bars; yfinance's cookie and crumb requests, its URL parameters, JSON parsing,
time-zone handling, ``Adj Close``, the MultiIndex frame and its logged failures all run. Expected values come
from the bundled file itself: closes as traded, returns from its total-return ``adj_close`` (so a dividend
day's return is close / pre-close, not close / previous close).
"""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pytest
import requests
import yfinance.cache
import yfinance.data
from policywatch.crawlers.prices.yahoo import YFinanceProvider, parse_download

from tests.crawlers.yahoo_chart import YahooChartAdapter, bundled, session_open

pytestmark = pytest.mark.filterwarnings("ignore:The inplace keyword:pandas.errors.Pandas4Warning")  # yfinance 1.7


@pytest.fixture
def yahoo(monkeypatch):
    """A fresh yfinance (its singleton session state, response cache and on-disk caches kept out of the test)
    and the adapter that plays Yahoo."""
    monkeypatch.setattr(yfinance.data.SingletonMeta, "_instances", {})
    monkeypatch.setattr(yfinance.cache._TzCacheManager, "_tz_cache", yfinance.cache._TzCacheDummy())
    monkeypatch.setattr(yfinance.cache._CookieCacheManager, "_Cookie_cache", yfinance.cache._CookieCacheDummy())
    yfinance.data.YfData.cache_get.cache_clear()
    adapter = YahooChartAdapter()
    session = requests.Session()
    session.mount("https://", adapter)
    yield adapter, session
    yfinance.data.YfData.cache_get.cache_clear()


def provider(session, **kwargs) -> YFinanceProvider:
    return YFinanceProvider(session=session, threads=False, sleep=lambda s: None, **kwargs)


def expected(ticker: str, first: str, last: str) -> pd.DataFrame:
    frame = bundled()
    rows = frame[(frame["ticker"] == ticker) & (frame["date"] >= first) & (frame["date"] <= last)]
    return rows.reset_index(drop=True)


def test_bars_dates_and_adjusted_returns_come_through_yfinance(yahoo):
    adapter, session = yahoo
    batch = provider(session).fetch(["300024.SZ", "002594.SZ", "000300.SS"], date(2021, 7, 1), date(2021, 10, 12))
    assert batch.failures == () and batch.source == "yfinance" and batch.adjustment == "yahoo_adj_close"
    for ticker in ("300024.SZ", "002594.SZ", "000300.SS"):
        rows = batch.rows[batch.rows["ticker"] == ticker].reset_index(drop=True)
        truth = expected(ticker, "2021-07-01", "2021-10-12")
        # exchange-local dates: the 09:30 bar of 11 October is 01:30 UTC, still the 11th; the holiday has no bar
        assert [d.isoformat() for d in rows["date"]] == truth["date"].tolist()
        assert rows["close"].tolist() == pytest.approx(truth["close"].tolist(), abs=1e-9)
        adjusted = rows["adj_close"].to_numpy()
        total_return = truth["adj_close"].to_numpy()
        assert adjusted[1:] / adjusted[:-1] == pytest.approx(total_return[1:] / total_return[:-1], rel=1e-12)
        assert rows["pre_close"].isna().all()  # Yahoo has no pre-close
    # BYD went ex-dividend on 2021-08-06 (pre-close 299.31 after a 299.46 close): Adj Close carries the dividend
    byd = batch.rows[batch.rows["ticker"] == "002594.SZ"].set_index("date")
    ex, before = date(2021, 8, 6), date(2021, 8, 5)
    # (the bundled index has four decimals: 1e-5 still tells 299.31 from 299.46, 5e-4 apart)
    assert byd.at[ex, "adj_close"] / byd.at[before, "adj_close"] == pytest.approx(303.48 / 299.31, rel=1e-5)
    assert byd.at[ex, "close"] / byd.at[before, "close"] == pytest.approx(303.48 / 299.46, rel=1e-12)
    # the chart request asked for the exchange's midnight of the first day and the one after the last
    charts = [urlsplit(u) for u in adapter.urls if "/v8/finance/chart/300024.SZ" in u and "period1" in u]
    (query,) = [parse_qs(c.query) for c in charts]
    assert int(query["period1"][0]) == session_open("2021-07-01") - 9 * 3600 - 1800
    assert int(query["period2"][0]) == session_open("2021-10-13") - 9 * 3600 - 1800
    assert query["interval"] == ["1d"] and query["events"] == ["div,splits,capitalGains"]


def test_a_bonus_issue_is_a_split_and_the_adjusted_return_spans_it(yahoo):
    _, session = yahoo
    batch = provider(session).fetch(["300832.SZ"], date(2021, 5, 18), date(2021, 5, 24))
    rows = batch.rows.set_index("date")
    # Yahoo's Close is split-adjusted (125.02 × 10/19 the day before); the total return is close / pre-close
    assert rows.at[date(2021, 5, 20), "close"] == pytest.approx(125.02 * 10 / 19, abs=1e-4)
    ratio = rows.at[date(2021, 5, 21), "adj_close"] / rows.at[date(2021, 5, 20), "adj_close"]
    assert ratio == pytest.approx(65.25 / 65.27, rel=1e-5)  # the bundled index has four decimals


def test_unknown_and_beijing_tickers_fail_with_their_reason(yahoo):
    adapter, session = yahoo
    batch = provider(session).fetch(["300024.SZ", "BAD.SS", "430047.BJ"], date(2021, 9, 28), date(2021, 10, 12))
    assert batch.rows["ticker"].unique().tolist() == ["300024.SZ"]
    failures = {f.ticker: f for f in batch.failures}
    assert set(failures) == {"BAD.SS", "430047.BJ"}
    assert failures["BAD.SS"].reason == "not_found" and not failures["BAD.SS"].transient
    assert failures["430047.BJ"].reason == "unsupported"
    assert not any("430047" in url for url in adapter.urls)  # never asked Yahoo for a Beijing ticker


def test_one_bad_bar_fails_that_ticker_not_the_batch(yahoo):
    adapter, session = yahoo
    adapter.script = {"002594.SZ": ["zero_close"]}
    batch = provider(session).fetch(["300024.SZ", "002594.SZ"], date(2021, 9, 28), date(2021, 10, 12))
    assert batch.rows["ticker"].unique().tolist() == ["300024.SZ"]
    (failure,) = batch.failures
    assert (failure.ticker, failure.reason) == ("002594.SZ", "bad_data")
    assert "prices must be positive" in failure.message


def test_rate_limits_are_backed_off_and_retried(yahoo):
    adapter, session = yahoo
    adapter.script = {"300024.SZ": ["rate_limited", "rate_limited", "rate_limited", "ok"]}
    sleeps: list[float] = []
    batch = YFinanceProvider(session=session, threads=False, sleep=sleeps.append, backoff_s=1.5).fetch(
        ["300024.SZ"], date(2021, 9, 28), date(2021, 10, 12)
    )
    assert batch.failures == () and len(batch.rows) == len(expected("300024.SZ", "2021-09-28", "2021-10-12"))
    # yfinance retries a 429 once itself (the other cookie strategy): two HTTP 429s per attempt
    assert sleeps == [1.5]


def test_a_lasting_rate_limit_is_a_transient_failure(yahoo):
    adapter, session = yahoo
    adapter.script = {"300024.SZ": ["rate_limited"]}
    sleeps: list[float] = []
    batch = YFinanceProvider(session=session, threads=True, sleep=sleeps.append, max_retries=2).fetch(
        ["300024.SZ"], date(2021, 9, 28), date(2021, 10, 12)
    )
    (failure,) = batch.failures
    assert failure.reason == "rate_limited" and failure.transient
    assert sleeps == [2.0, 4.0] and len(batch.rows) == 0


def test_an_unreachable_yahoo_is_a_network_failure(yahoo):
    adapter, session = yahoo

    def refuse(request, **kwargs):
        raise requests.ConnectionError("Failed to establish a new connection: [Errno 111] Connection refused")

    adapter.send = refuse
    batch = provider(session, max_retries=0).fetch(["300024.SZ", "000061.SZ"], date(2021, 9, 28))
    assert {f.reason for f in batch.failures} == {"network"} and len(batch.failures) == 2
    assert all(f.transient for f in batch.failures)


def test_tz_aware_frames_keep_the_exchange_date():
    index = pd.DatetimeIndex(["2021-10-11 00:00", "2021-10-12 00:00"]).tz_localize("Asia/Shanghai")
    frame = pd.concat(
        [pd.DataFrame({"Close": [10.74, 10.83], "Adj Close": [10.74, 10.83]}, index=index)],
        axis=1,
        keys=["300024.SZ"],
        names=["Ticker", "Price"],
    )
    frame.columns = frame.columns.swaplevel(0, 1)
    rows, failures = parse_download(frame, ["300024.SZ"], {})
    assert [d.isoformat() for d in rows["date"]] == ["2021-10-11", "2021-10-12"] and failures == []


def test_an_exception_from_the_library_fails_every_ticker():
    def broken(*args, **kwargs):
        raise ConnectionError("curl: (6) Could not resolve host: query2.finance.yahoo.com")

    batch = YFinanceProvider(download=broken, max_retries=0).fetch(["300024.SZ", "000061.SZ"], date(2021, 1, 4))
    assert {f.reason for f in batch.failures} == {"network"} and len(batch.failures) == 2


def test_only_the_rate_limited_tickers_are_asked_again(yahoo):
    adapter, session = yahoo
    adapter.script = {"002594.SZ": ["rate_limited", "rate_limited", "rate_limited", "rate_limited", "ok"]}
    sleeps: list[float] = []
    batch = YFinanceProvider(session=session, threads=False, sleep=sleeps.append, backoff_s=0.5).fetch(
        ["300024.SZ", "002594.SZ"], date(2021, 9, 28), date(2021, 10, 12)
    )
    assert batch.failures == () and sorted(batch.rows["ticker"].unique()) == ["002594.SZ", "300024.SZ"]
    assert len(batch.rows) == sum(len(expected(t, "2021-09-28", "2021-10-12")) for t in ("300024.SZ", "002594.SZ"))
    assert sleeps == [0.5, 1.0]  # two attempts of two HTTP 429s each (yfinance retries a 429 once itself)
    # 300024.SZ once (its time zone, then its bars); 002594.SZ twice refused (two 429s each), then served
    assert dict(adapter.chart_calls) == {"300024.SZ": 2, "002594.SZ": 2 + 2 + 2}


def test_a_rate_limit_with_no_retries_left_is_recorded_with_yahoos_message(yahoo):
    adapter, session = yahoo
    adapter.script = {"300024.SZ": ["rate_limited"]}
    sleeps: list[float] = []
    batch = YFinanceProvider(session=session, threads=False, sleep=sleeps.append, max_retries=0).fetch(
        ["300024.SZ", "000061.SZ"], date(2021, 9, 28), date(2021, 10, 12)
    )
    (failure,) = batch.failures
    assert (failure.ticker, failure.reason) == ("300024.SZ", "rate_limited")
    assert "Too Many Requests" in failure.message
    assert sleeps == [] and batch.rows["ticker"].unique().tolist() == ["000061.SZ"]
