"""``fetch_prices``: which provider gets which tickers from which date, and when a run is retryable."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest
from policywatch.crawlers.prices.base import FetchFailure, PriceBatch, normalise_rows
from policywatch.transforms.errors import FetchError
from policywatch.warehouse.prices import latest_failures
from policywatch.warehouse.store import open_reader

from policywatch.steps.prices import fetch_prices, normalise_ticker


class RecordingProvider:
    def __init__(self, name: str, calls: list, fail_with: str | None = None) -> None:
        self.name, self.calls, self.fail_with = name, calls, fail_with

    def fetch(self, tickers, start, end=None):
        self.calls.append((self.name, list(tickers), start))
        if self.fail_with:
            failures = tuple(FetchFailure(t, self.fail_with, "try later") for t in tickers)
            return PriceBatch(self.name, self.name, "none", normalise_rows(pd.DataFrame(
                {"date": [], "ticker": [], "close": []}), what="t"), failures)  # fmt: skip
        frame = pd.DataFrame(
            [(day, t, 10.0 + i) for t in tickers for i, day in enumerate(["2021-10-08", "2021-10-11"])],
            columns=["date", "ticker", "close"],
        )
        return PriceBatch(self.name, self.name, "none", normalise_rows(frame, what="t"))


def test_tickers_are_normalised():
    assert normalise_ticker(" 600000.sh ") == "600000.SS"
    assert normalise_ticker("300024.SZ") == "300024.SZ"
    assert normalise_ticker("0700.HK") is None and normalise_ticker("AAPL") is None


def test_beijing_goes_to_akshare_and_benchmarks_come_along(settings):
    calls: list = []
    fetch_prices(settings, tickers=["300024.SZ", "430047.BJ"],
                 provider_factory=lambda name: RecordingProvider(name, calls))  # fmt: skip
    by_provider = {name: tickers for name, tickers, _ in calls}
    assert by_provider == {"yfinance": ["300024.SZ", "000300.SS"], "akshare": ["430047.BJ"]}
    assert {start for _, _, start in calls} == {settings.prices.since}


def test_incremental_start_and_explicit_since(settings):
    calls: list = []
    factory = lambda name: RecordingProvider(name, calls)  # noqa: E731
    fetch_prices(settings, tickers=["300024.SZ"], provider_factory=factory)
    calls.clear()
    fetch_prices(settings, tickers=["300024.SZ"], provider_factory=factory)
    assert {start for _, _, start in calls} == {date(2021, 10, 11) - timedelta(days=settings.prices.overlap_days)}
    calls.clear()
    fetch_prices(settings, tickers=["300024.SZ"], since=date(2020, 1, 1), provider_factory=factory)
    assert {start for _, _, start in calls} == {date(2020, 1, 1)}


def test_beijing_without_a_provider_is_recorded(settings):
    settings.prices.beijing_provider = "none"
    summary = fetch_prices(settings, tickers=["430047.BJ"], provider_factory=lambda n: RecordingProvider(n, []))
    assert [(f.ticker, f.reason) for _, f in summary.failures] == [("430047.BJ", "unsupported")]


def test_only_transient_failures_make_the_run_retryable(settings):
    with pytest.raises(FetchError, match="rate_limited"):
        fetch_prices(settings, tickers=["300024.SZ"],
                     provider_factory=lambda n: RecordingProvider(n, [], fail_with="rate_limited"))  # fmt: skip
    summary = fetch_prices(settings, tickers=["300024.SZ"],
                           provider_factory=lambda n: RecordingProvider(n, [], fail_with="not_found"))  # fmt: skip
    assert len(summary.failures) == 2  # the ticker and the benchmark: recorded, not retried


def test_refused_tickers_are_recorded_as_fetch_failures(settings):
    """A Beijing ticker with no Beijing provider and a string that is no ticker never reach a provider; they are
    still rows of price_fetch_failures, so ``events`` says why they have no prices instead of 'never fetched'."""
    settings.prices.beijing_provider = "none"
    fetch_prices(settings, tickers=["430047.BJ", "ABC"], provider_factory=lambda n: RecordingProvider(n, []))
    con = open_reader(settings.db.path)
    try:
        assert latest_failures(con) == {
            "430047.BJ": ("unsupported", "no provider configured for Beijing tickers"),
            "ABC": ("bad_ticker", "'ABC' is not an A-share ticker"),
        }
    finally:
        con.close()


def test_synthetic_fill_takes_its_market_from_the_stored_real_benchmark(settings):
    """The demo's order: real bars first, then synthetic ones for the rest. The synthetic stocks are then
    market-model stocks of the stored *real* CSI 300: regressed on its returns (plain numpy), β averages
    the generator's 1, and the benchmark's real bars are kept, extended only outside their range."""
    import numpy as np

    from policywatch.reference import BUNDLED_PRICES

    fetch_prices(settings, provider="file", file=str(BUNDLED_PRICES), tickers=[], since=date(2020, 10, 1))
    synthetic = [f"{600000 + 7 * i:06d}.SS" for i in range(40)]
    fetch_prices(settings, provider="synthetic", tickers=synthetic, since=date(2020, 6, 1), fill_gaps=True)
    con = open_reader(settings.db.path)
    try:
        frame = con.execute(
            "SELECT ticker, date, adj_close, source FROM prices WHERE date BETWEEN '2020-10-09' AND '2022-01-14'"
        ).df()
    finally:
        con.close()
    bench = frame[frame["ticker"] == "000300.SS"].set_index("date")
    assert set(bench["source"]) == {"file:cn_daily_2020-10_2022-01.csv.gz"}  # real bars untouched
    market = bench["adj_close"].pct_change().iloc[1:]
    closes = frame[frame["ticker"].isin(synthetic)].pivot(index="date", columns="ticker", values="adj_close")
    returns = closes.reindex(bench.index).pct_change(fill_method=None).iloc[1:]
    betas = []
    for ticker in synthetic:
        ok = returns[ticker].notna().to_numpy()
        betas.append(np.polyfit(market.to_numpy()[ok], returns[ticker].to_numpy()[ok], 1)[0])
    assert np.mean(betas) == pytest.approx(1.0, abs=0.12)  # 40 draws of U(0.6, 1.4) plus estimation noise
    assert min(betas) > 0.2  # a stock built on another market factor shows β ≈ 0 here
