"""Yahoo through the real ``yf.download`` (yfinance 1.7): only the per-ticker network call is replaced.

``yfinance.multi`` builds one ``Ticker`` per symbol and calls ``.history()``, which is where Yahoo's chart
API is fetched. The fake below answers as ``PriceHistory.history`` does for daily bars (a tz-aware
``Date`` index in the exchange's zone; Open, High, Low, Close, Adj Close, Volume) or raises the real
yfinance exceptions; everything after it — the MultiIndex frame, the NaN columns of a failed ticker,
the logged reasons — is yfinance's own code.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar

import numpy as np
import pandas as pd
import pytest
import yfinance
import yfinance.multi
from yfinance.exceptions import YFPricesMissingError, YFRateLimitError

from crawlers.prices.yahoo import YFinanceProvider, parse_download

BARS = {  # Yahoo bars of 300024.SZ around the 2021 National Day holiday (close, adj close)
    "2021-09-30": (19.95, 19.81),
    "2021-10-08": (20.00, 19.86),
    "2021-10-11": (19.72, 19.58),
    "2021-10-12": (20.23, 20.09),
}


class FakeHistory:
    _last_error = None


class FakeTicker:
    """Stands in for ``yfinance.Ticker``: the network boundary."""

    script: ClassVar[dict[str, list[str]]] = {}  # ticker → outcomes per call: "ok" | "missing" | "rate_limited"
    calls: ClassVar[list[str]] = []

    def __init__(self, ticker: str) -> None:
        self.ticker = ticker.upper()
        self._price_history = FakeHistory()

    def history(self, **kwargs) -> pd.DataFrame:
        FakeTicker.calls.append(self.ticker)
        plan = FakeTicker.script.get(self.ticker, ["ok"])
        outcome = plan.pop(0) if len(plan) > 1 else plan[0]
        if outcome == "missing":
            raise YFPricesMissingError(self.ticker, f" ({kwargs['interval']} {kwargs['start']} -> {kwargs['end']})")
        if outcome == "rate_limited":
            raise YFRateLimitError()
        index = pd.DatetimeIndex(list(BARS), name="Date").tz_localize("Asia/Shanghai")
        closes = np.array([c for c, _ in BARS.values()])
        return pd.DataFrame(
            {
                "Open": closes,
                "High": closes + 0.1,
                "Low": closes - 0.1,
                "Close": closes,
                "Adj Close": np.array([a for _, a in BARS.values()]),
                "Volume": np.array([100, 200, 300, 400], dtype=np.int64),
            },
            index=index,
        )


@pytest.fixture
def yahoo(monkeypatch):
    monkeypatch.setattr(yfinance.multi, "Ticker", FakeTicker)
    FakeTicker.script, FakeTicker.calls = {}, []
    return FakeTicker


@pytest.mark.filterwarnings("ignore:The inplace keyword:pandas.errors.Pandas4Warning")  # yfinance 1.7 on pandas 3.1
def test_download_shape_is_what_yfinance_builds(yahoo):
    """The MultiIndex (Price × Ticker) frame with NaN columns for the failed ticker, built by hand the way
    yfinance/multi.py does it (concat with keys, names, tz dropped, swaplevel, sorted), equals the real one."""
    yahoo.script = {"BAD.SS": ["missing"]}
    real = yfinance.download(["300024.SZ", "BAD.SS"], start="2021-09-28", end="2021-10-13", auto_adjust=False,
                             progress=False, threads=False, ignore_tz=True, group_by="column")  # fmt: skip
    good = FakeTicker("300024.SZ").history(interval="1d", start=None, end=None)
    good.index = good.index.tz_localize(None)
    bad = pd.DataFrame(
        {c: np.nan for c in ("Open", "High", "Low", "Close", "Adj Close", "Volume")}, index=pd.DatetimeIndex([])
    ).reindex(good.index)
    by_hand = pd.concat([good, bad], axis=1, keys=["300024.SZ", "BAD.SS"], names=["Ticker", "Price"])
    by_hand.columns = by_hand.columns.swaplevel(0, 1)
    by_hand = by_hand.sort_index(level=0, axis=1)
    assert list(real.columns.names) == ["Price", "Ticker"]
    assert real[("Close", "BAD.SS")].isna().all()
    pd.testing.assert_frame_equal(real, by_hand, check_freq=False, check_dtype=False)


def test_bars_failures_and_beijing(yahoo):
    yahoo.script = {"BAD.SS": ["missing"]}
    batch = YFinanceProvider(threads=False).fetch(["300024.SZ", "BAD.SS", "430047.BJ"], date(2021, 9, 28))
    rows = batch.rows
    assert rows["ticker"].unique().tolist() == ["300024.SZ"]
    # exchange-local dates: the bar of 11 October stays on 11 October (UTC would say the 10th)
    assert [d.isoformat() for d in rows["date"]] == list(BARS)
    assert rows["close"].tolist() == [c for c, _ in BARS.values()]
    assert rows["adj_close"].tolist() == [a for _, a in BARS.values()]
    assert rows["pre_close"].isna().all()
    failures = {f.ticker: f for f in batch.failures}
    assert failures["BAD.SS"].reason == "not_found"
    assert "possibly delisted; no price data found" in failures["BAD.SS"].message
    assert failures["430047.BJ"].reason == "unsupported"
    assert batch.source == "yfinance" and batch.adjustment == "yahoo_adj_close"
    assert "430047.BJ" not in yahoo.calls  # never asked Yahoo for a Beijing ticker


def test_rate_limits_are_backed_off_and_retried(yahoo):
    yahoo.script = {"300024.SZ": ["rate_limited", "rate_limited", "ok"]}
    sleeps: list[float] = []
    batch = YFinanceProvider(threads=False, sleep=sleeps.append, backoff_s=1.5).fetch(["300024.SZ"], date(2021, 9, 28))
    assert sleeps == [1.5, 3.0]
    assert len(batch.rows) == 4 and batch.failures == ()


def test_a_lasting_rate_limit_is_a_transient_failure(yahoo):
    yahoo.script = {"300024.SZ": ["rate_limited"]}
    sleeps: list[float] = []
    provider = YFinanceProvider(threads=True, sleep=sleeps.append, max_retries=2)
    batch = provider.fetch(["300024.SZ"], date(2021, 9, 28))
    (failure,) = batch.failures
    assert failure.reason == "rate_limited" and failure.transient
    assert sleeps == [2.0, 4.0] and len(batch.rows) == 0


def test_tz_aware_frames_keep_the_exchange_date():
    index = pd.DatetimeIndex(["2021-10-11 00:00", "2021-10-12 00:00"]).tz_localize("Asia/Shanghai")
    frame = pd.concat(
        [pd.DataFrame({"Close": [19.72, 20.23], "Adj Close": [19.58, 20.09]}, index=index)],
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
