"""The file provider on the real reference prices, bad files, and the seeded synthetic generator."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
from policywatch.crawlers.prices import make_provider
from policywatch.crawlers.prices.files import FilePriceProvider, read_price_file
from policywatch.crawlers.prices.synthetic import SyntheticProvider
from policywatch.transforms.errors import ConfigError, InputError
from policywatch.transforms.event_study import EventTable, Groups, PricePanel, StudySpec, run_event_study
from policywatch.transforms.event_study.report import TESTS

from policywatch.reference import BUNDLED_PRICES

REFERENCE = BUNDLED_PRICES


def test_reference_file_returns_come_from_the_adjusted_close():
    batch = FilePriceProvider(REFERENCE).fetch(["300832.SZ", "000816.SZ", "000300.SS", "600000.SS"], date(2020, 10, 9))
    assert batch.source == "file:cn_daily_2020-10_2022-01.csv.gz" and batch.adjustment == "file_adj_close"
    rows = batch.rows.set_index(["ticker", "date"])
    # the bonus issue of 2021-05-21: close 65.25 after 125.02, pre-close 65.27
    before, on = rows.loc[("300832.SZ", date(2021, 5, 20))], rows.loc[("300832.SZ", date(2021, 5, 21))]
    assert on["adj_close"] / before["adj_close"] - 1 == pytest.approx(65.25 / 65.27 - 1, abs=2e-5)
    assert on["close"] / before["close"] - 1 == pytest.approx(-0.478, abs=1e-3)  # the false move a close shows
    assert (batch.rows["ticker"] == "000816.SZ").sum() == 311  # one suspended session: no row, no NaN
    assert [(f.ticker, f.reason) for f in batch.failures] == [("600000.SS", "not_found")]
    assert not any(d == date(2021, 10, 4) for d in batch.rows["date"])  # National Day holiday


def test_pre_close_without_adj_close_builds_the_chain(tmp_path):
    path = tmp_path / "px.csv"
    path.write_text(
        "date,ticker,close,pre_close\n"
        "2021-05-20,300832.SZ,125.02,126.75\n2021-05-21,300832.SZ,65.25,65.27\n2021-05-24,300832.SZ,63.46,65.25\n"
    )
    rows, adjustment = read_price_file(path)
    assert adjustment == "pre_close_chain"
    assert rows["adj_close"].tolist() == pytest.approx(
        [125.02, 125.02 * 65.25 / 65.27, 125.02 * 65.25 / 65.27 * 63.46 / 65.25]
    )


def test_parquet_and_plain_close(tmp_path):
    frame = pd.DataFrame({"date": ["2021-01-04", "2021-01-05"], "ticker": ["600000.SS"] * 2, "close": [10.0, 10.5]})
    frame.to_parquet(tmp_path / "px.parquet")
    rows, adjustment = read_price_file(tmp_path / "px.parquet")
    assert adjustment == "none" and rows["adj_close"].isna().all() and rows["close"].tolist() == [10.0, 10.5]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("date,ticker\n2021-01-04,600000.SS\n", "missing_columns"),
        ("date,ticker,close\n2021-01-04,600000.SS,abc\n", "bad_number"),
        ("date,ticker,close\n2021-01-04,600000.SS,-1\n", "bad_price"),
        ("date,ticker,close\n2021-01-04,600000.SS,1\n2021-01-04,600000.SS,2\n", "duplicate_rows"),
        ("date,ticker,close\nyesterday,600000.SS,1\n", "bad_date"),
        ("date,ticker,close\n", "empty"),
    ],
)
def test_bad_price_files_say_what_is_wrong(tmp_path, text, reason):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(InputError) as caught:
        read_price_file(path)
    assert caught.value.reason == reason


def test_missing_file_and_unknown_provider(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        read_price_file(tmp_path / "nope.csv")
    with pytest.raises(ConfigError, match="unknown price provider"):
        make_provider("bloomberg")
    with pytest.raises(ConfigError, match="needs a file"):
        make_provider("file")


def test_synthetic_prices_are_labelled_seeded_and_consistent_across_ranges():
    provider = SyntheticProvider(seed=7)
    whole = provider.fetch(["300024.SZ", "000300.SS"], date(2021, 9, 1), date(2021, 10, 29)).rows
    part = provider.fetch(["300024.SZ"], date(2021, 10, 8), date(2021, 10, 15)).rows
    assert set(whole["ticker"]) == {"300024.SZ", "000300.SS"}
    assert provider.fetch(["300024.SZ"], date(2021, 9, 1)).source == "synthetic"
    merged = part.merge(whole, on=["ticker", "date"], suffixes=("", "_whole"))
    assert len(merged) == len(part) and (merged["close"] == merged["close_whole"]).all()
    assert not any(date(2021, 10, 1) <= d <= date(2021, 10, 7) for d in whole["date"])  # XSHG sessions only
    other = SyntheticProvider(seed=8).fetch(["300024.SZ"], date(2021, 10, 8), date(2021, 10, 15)).rows
    assert not (other["close"].to_numpy() == part["close"].to_numpy()).all()


def test_synthetic_prices_stop_today_in_china():
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    rows = SyntheticProvider(seed=7).fetch(["300024.SZ", "000300.SS"], date(2026, 1, 5)).rows
    assert rows["date"].max() <= today  # the calendar itself runs to the end of its year
    # a fixed "today" (2021-10-12, a Tuesday): the last bar is that day's, and it is the same price as asked later
    early = SyntheticProvider(seed=7, today=date(2021, 10, 12)).fetch(["000300.SS"], date(2021, 10, 8)).rows
    assert early["date"].tolist() == [date(2021, 10, 8), date(2021, 10, 11), date(2021, 10, 12)]
    later = SyntheticProvider(seed=7).fetch(["000300.SS"], date(2021, 10, 8), date(2021, 10, 12)).rows
    assert early["close"].tolist() == later["close"].tolist()


def _real_csi300() -> pd.Series:
    frame = pd.read_csv(REFERENCE, dtype={"ticker": str})
    rows = frame[frame["ticker"] == "000300.SS"]
    return pd.Series(rows["adj_close"].to_numpy(), index=pd.to_datetime(rows["date"]).dt.date.to_numpy())


def test_synthetic_stocks_follow_the_real_benchmark_they_are_studied_against():
    """With the stored CSI 300 given, synthetic stocks are R = α + βR_m + ε on its *real* returns: least squares
    on the real index returns (plain numpy here) finds the generator's β (U(0.6, 1.4), mean 1) on average, and the
    residuals of different stocks share no common daily component."""
    csi = _real_csi300()
    real = csi.to_numpy()[1:] / csi.to_numpy()[:-1] - 1.0
    tickers = [f"{600000 + 3 * i:06d}.SS" for i in range(200)]
    rows = SyntheticProvider(seed=11, market=csi, today=date(2022, 1, 14)).fetch(tickers, date(2020, 10, 9)).rows
    closes = rows.pivot(index="date", columns="ticker", values="close").reindex(list(csi.index))
    returns = (closes / closes.shift(1) - 1.0).iloc[1:].to_numpy()  # NaN around a suspended session
    betas, residuals = [], np.full(returns.shape, np.nan)
    for j in range(returns.shape[1]):
        ok = np.isfinite(returns[:, j])
        beta, alpha = np.polyfit(real[ok], returns[ok, j], 1)
        betas.append(beta)
        residuals[ok, j] = returns[ok, j] - alpha - beta * real[ok]
    assert np.mean(betas) == pytest.approx(1.0, abs=0.06)  # sd of the mean of 200 U(0.6, 1.4) draws: 0.016
    # no common "abnormal" return: the cross-sectional mean residual per day is noise of sd ≈ σ̄/√200
    daily = np.nanmean(residuals, axis=1)
    sigma = np.nanstd(residuals, axis=0).mean()
    assert np.std(daily) < 1.5 * sigma / np.sqrt(len(tickers))


def test_without_a_stored_benchmark_the_generator_draws_its_own_market_and_the_index_is_that_market():
    provider = SyntheticProvider(seed=7)
    assert not provider.market_given.any()
    rows = provider.fetch(["000300.SS"], date(2021, 9, 1), date(2021, 10, 29)).rows
    close = rows["close"].to_numpy()
    first = int(np.searchsorted(provider.sessions, np.datetime64("2021-09-01")))
    assert close[1:] / close[:-1] - 1 == pytest.approx(provider.market[first + 1 : first + len(close)], abs=1e-12)


def test_a_synthetic_study_against_the_real_benchmark_is_null():
    """Many synthetic events on the real CSI 300 sessions, one group of 20 stocks per day 0 (~170 days, 300
    stocks in turn): every test rejects at about its nominal 5% (binomial sd with ~170 groups: 1.7 points; the
    bound 11% is 3.5 sd), and the estimated β average the generator's 1."""
    csi = _real_csi300()
    sessions = np.array(pd.to_datetime(pd.Index(csi.index)).to_numpy(), dtype="datetime64[D]")
    per_day, days = 20, np.arange(125, len(sessions) - 6)
    tickers = [f"{600000 + i:06d}.SS" for i in range(300)]
    rows = SyntheticProvider(seed=3, market=csi, today=date(2022, 1, 14)).fetch(tickers, date(2020, 10, 9)).rows
    closes = rows.pivot(index="date", columns="ticker", values="close").reindex(list(csi.index))[tickers]
    panel = PricePanel(sessions, tuple(tickers), closes.to_numpy().T, csi.to_numpy(), "000300.SS")
    n = per_day * len(days)
    day0 = np.repeat(days, per_day)
    events = EventTable(np.array([f"e{i}" for i in range(n)], dtype=object), np.arange(n) % len(tickers), day0)
    groups = Groups(np.full(n, "day", dtype=object), day0.astype(str).astype(object), np.arange(n))
    spec = StudySpec(estimation=(-120, -11), window=(-5, 5), car_windows=((0, 0), (-1, 1), (0, 5)),
                     min_estimation=100, exclude_other_events=False)  # fmt: skip
    result = run_event_study(panel, events, spec, groups)
    assert result.kept.mean() > 0.99
    assert np.mean(result.beta[result.kept]) == pytest.approx(1.0, abs=0.05)
    rows_ = result.group_types == "day"
    zero = int(np.flatnonzero(result.rel_days == 0)[0])
    for _, p in TESTS:
        for values in (result.days[p][rows_, zero], result.window_stats[p][rows_, result.windows.index((-1, 1))]):
            rate = float(np.mean(values < 0.05))
            assert rate <= 0.11, (p, rate)  # a common synthetic factor the benchmark lacks makes it ~100%
