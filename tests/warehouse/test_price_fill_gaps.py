"""Filling gaps behind real prices: stored bars are never replaced; new runs join the stored series."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd
import pytest

from crawlers.prices.base import PriceBatch
from warehouse.prices import load_prices
from warehouse.store import open_writer

DAYS = [date(2021, 10, d) for d in (11, 12, 13, 14, 15, 18, 19)]


def batch(source: str, days: list[date], adj: list[float]) -> PriceBatch:
    rows = pd.DataFrame(
        {
            "date": days, "ticker": "300024.SZ", "open": adj, "high": adj, "low": adj, "close": adj,
            "pre_close": [None] * len(days), "volume": 1.0, "amount": None, "adj_close": adj,
        }
    )  # fmt: skip
    return PriceBatch(source, source, source, rows, (), datetime(2026, 1, 1, tzinfo=UTC))


def stored(con) -> list[tuple]:
    return con.execute("SELECT date, round(adj_close, 6), source FROM prices ORDER BY date").fetchall()


def test_fill_gaps_keeps_real_bars_and_joins_both_ends(tmp_path):
    con = open_writer(tmp_path / "p.duckdb")
    load_prices(con, batch("file:real.csv", DAYS[2:5], [10.0, 11.0, 12.0]))
    result = load_prices(con, batch("synthetic", DAYS, [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]), fill_gaps=True)
    assert result.new == 4 and result.replaced == 0 and result.rescaled == ("300024.SZ",)
    # before the real bars: scaled by 10/3 (the ratio at the first real bar); after: by 12/5 (at the last)
    assert stored(con) == [
        (DAYS[0], round(1 * 10 / 3, 6), "synthetic"),
        (DAYS[1], round(2 * 10 / 3, 6), "synthetic"),
        (DAYS[2], 10.0, "file:real.csv"),
        (DAYS[3], 11.0, "file:real.csv"),
        (DAYS[4], 12.0, "file:real.csv"),
        (DAYS[5], 14.4, "synthetic"),
        (DAYS[6], 16.8, "synthetic"),
    ]
    # the synthetic return of the first filled day after the real bars is kept: 6/5
    (after, last_real), *_ = con.execute(
        "SELECT max(adj_close) FILTER (WHERE date = ?), max(adj_close) FILTER (WHERE date = ?) FROM prices",
        [DAYS[5], DAYS[4]],
    ).fetchall()
    assert after / last_real == pytest.approx(6.0 / 5.0)


def test_without_fill_gaps_a_batch_replaces_the_overlap(tmp_path):
    con = open_writer(tmp_path / "p.duckdb")
    load_prices(con, batch("file:real.csv", DAYS[2:5], [10.0, 11.0, 12.0]))
    result = load_prices(con, batch("synthetic", DAYS, [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]))
    assert result.replaced == 3
    assert {source for _, _, source in stored(con)} == {"synthetic"}


def test_a_ticker_with_no_stored_bars_is_loaded_as_is(tmp_path):
    con = open_writer(tmp_path / "p.duckdb")
    result = load_prices(con, batch("synthetic", DAYS[:2], [1.0, 2.0]), fill_gaps=True)
    assert result.new == 2 and result.rescaled == ()
    assert stored(con) == [(DAYS[0], 1.0, "synthetic"), (DAYS[1], 2.0, "synthetic")]
