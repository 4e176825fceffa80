"""Filling gaps behind real prices: stored bars are never replaced, a suspension inside the stored range stays a
gap, and the new rows continue the stored series at its own level (traded close and total-return index alike)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd
import pytest
from policywatch.crawlers.prices.base import PriceBatch
from policywatch.warehouse.prices import load_prices
from policywatch.warehouse.store import open_writer

DAYS = [date(2021, 10, d) for d in (11, 12, 13, 14, 15, 18, 19, 20, 21)]
# the real series trades near 1.50 while its adj_close is a total-return index near 100 (as in the bundled
# file); DAYS[4] is a suspension
REAL = {DAYS[2]: (1.50, 100.0), DAYS[3]: (1.53, 102.0), DAYS[5]: (1.56, 104.0), DAYS[6]: (1.50, 100.0)}
SYNTHETIC = [30.0, 31.0, 32.0, 33.0, 34.0, 35.0, 36.0, 37.0, 38.0]  # close = adj_close, one per DAYS


def real_batch() -> PriceBatch:
    days = sorted(REAL)
    close = [REAL[d][0] for d in days]
    rows = pd.DataFrame(
        {
            "date": days, "ticker": "000816.SZ", "open": close, "high": close, "low": close, "close": close,
            "pre_close": [None, 1.50, 1.53, 1.56], "volume": 1.0, "amount": None,
            "adj_close": [REAL[d][1] for d in days],
        }
    )  # fmt: skip
    return PriceBatch("file", "file:real.csv", "file_adj_close", rows, (), datetime(2026, 1, 1, tzinfo=UTC))


def synthetic_batch(days: list[date] = DAYS, values: list[float] = SYNTHETIC) -> PriceBatch:
    rows = pd.DataFrame(
        {
            "date": days, "ticker": "000816.SZ", "open": values, "high": [v + 0.5 for v in values],
            "low": [v - 0.5 for v in values], "close": values, "pre_close": [None, *values[:-1]],
            "volume": None, "amount": None, "adj_close": values,
        }
    )  # fmt: skip
    return PriceBatch("synthetic", "synthetic", "synthetic", rows, (), datetime(2026, 1, 1, tzinfo=UTC))


def stored(con) -> dict[date, tuple]:
    rows = con.execute(
        "SELECT date, round(close, 6), round(adj_close, 6), round(pre_close, 6), round(high, 6), source"
        " FROM prices ORDER BY date"
    ).fetchall()
    return {row[0]: row[1:] for row in rows}


@pytest.fixture
def con(tmp_path):
    connection = open_writer(tmp_path / "p.duckdb")
    yield connection
    connection.close()


def test_fill_extends_the_series_on_both_sides_at_its_own_level(con):
    load_prices(con, real_batch())
    result = load_prices(con, synthetic_batch(), fill_gaps=True)
    assert (result.new, result.replaced, result.rescaled, result.unjoined) == (4, 0, ("000816.SZ",), ())
    rows = stored(con)
    # before the real bars: joined at the first real bar (close 1.50 vs 32, adj 100 vs 32)
    assert rows[DAYS[0]] == (round(30 * 1.50 / 32, 6), round(30 * 100 / 32, 6), None, round(30.5 * 1.50 / 32, 6),
                             "synthetic")  # fmt: skip
    assert rows[DAYS[1]][:3] == (round(31 * 1.50 / 32, 6), round(31 * 100 / 32, 6), round(30 * 1.50 / 32, 6))
    # after them: joined at the last real bar (close 1.50 vs 36, adj 100 vs 36)
    assert rows[DAYS[7]] == (round(37 * 1.50 / 36, 6), round(37 * 100 / 36, 6), 1.50, round(37.5 * 1.50 / 36, 6),
                             "synthetic")  # fmt: skip
    assert rows[DAYS[8]][:3] == (round(38 * 1.50 / 36, 6), round(38 * 100 / 36, 6), round(37 * 1.50 / 36, 6))
    # real bars untouched
    for day, (close, adj) in REAL.items():
        assert rows[day][:2] == (close, adj) and rows[day][-1] == "file:real.csv"


def test_a_suspension_inside_the_stored_range_stays_a_gap(con):
    load_prices(con, real_batch())
    load_prices(con, synthetic_batch(), fill_gaps=True)
    rows = stored(con)
    assert DAYS[4] not in rows  # the return across it stays the real one, trade to trade: 104 / 102
    assert rows[DAYS[5]][1] / rows[DAYS[3]][1] == pytest.approx(104.0 / 102.0)


def test_the_joins_carry_the_second_sources_returns(con):
    load_prices(con, real_batch())
    load_prices(con, synthetic_batch(), fill_gaps=True)
    rows = stored(con)
    # into the first real bar and out of the last one, for the traded close and the total-return index alike
    assert rows[DAYS[2]][0] / rows[DAYS[1]][0] == pytest.approx(32 / 31, abs=1e-6)
    assert rows[DAYS[2]][1] / rows[DAYS[1]][1] == pytest.approx(32 / 31, abs=1e-6)
    assert rows[DAYS[7]][0] / rows[DAYS[6]][0] == pytest.approx(37 / 36, abs=1e-6)
    assert rows[DAYS[7]][1] / rows[DAYS[6]][1] == pytest.approx(37 / 36, abs=1e-6)


def test_without_a_shared_date_nothing_is_joined(con):
    load_prices(con, real_batch())
    result = load_prices(con, synthetic_batch(DAYS[7:], SYNTHETIC[7:]), fill_gaps=True)
    assert (result.new, result.unjoined) == (0, ("000816.SZ",))
    assert set(stored(con)) == set(REAL)


def test_without_fill_gaps_a_batch_replaces_the_overlap(con):
    load_prices(con, real_batch())
    result = load_prices(con, synthetic_batch())
    assert result.replaced == 4
    assert {row[-1] for row in stored(con).values()} == {"synthetic"}


def test_a_ticker_with_no_stored_bars_is_loaded_as_is(con):
    result = load_prices(con, synthetic_batch(DAYS[:2], SYNTHETIC[:2]), fill_gaps=True)
    assert (result.new, result.rescaled) == (2, ())
    assert stored(con) == {
        DAYS[0]: (30.0, 30.0, None, 30.5, "synthetic"),
        DAYS[1]: (31.0, 31.0, 30.0, 31.5, "synthetic"),
    }
