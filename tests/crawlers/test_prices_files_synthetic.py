"""The file provider on the real reference prices, bad files, and the seeded synthetic generator."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from crawlers.prices import make_provider
from crawlers.prices.files import FilePriceProvider, read_price_file
from crawlers.prices.synthetic import SyntheticProvider
from policywatch.reference import BUNDLED_PRICES
from transforms.errors import ConfigError, InputError

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
