"""``fetch_prices``: which provider gets which tickers from which date, and when a run is retryable."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from crawlers.prices.base import FetchFailure, PriceBatch, normalise_rows
from policywatch.steps.prices import fetch_prices, normalise_ticker
from transforms.errors import FetchError
from warehouse.prices import latest_failures
from warehouse.store import open_reader


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
