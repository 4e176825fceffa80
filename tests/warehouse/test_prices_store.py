"""The price store: idempotent upserts, the adjusted-close rebase on an incremental overlap, atomic batches."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

import pandas as pd
import pytest
from policywatch.crawlers.prices.base import FetchFailure, PriceBatch, normalise_rows
from policywatch.warehouse.prices import last_price_dates, latest_failures, load_prices, read_prices
from policywatch.warehouse.store import open_writer


def batch(rows, *, failures=(), source="yfinance") -> PriceBatch:
    frame = pd.DataFrame(rows, columns=["date", "ticker", "close", "adj_close"])
    return PriceBatch("yfinance", source, "yahoo_adj_close", normalise_rows(frame, what="test"), tuple(failures),
                      datetime(2021, 10, 15, tzinfo=UTC))  # fmt: skip


@pytest.fixture
def con(tmp_path):
    connection = open_writer(tmp_path / "p.duckdb")
    yield connection
    connection.close()


def test_loading_twice_changes_nothing(con):
    first = batch([("2021-10-08", "300024.SZ", 20.0, 19.8), ("2021-10-11", "300024.SZ", 19.7, 19.5)])
    assert load_prices(con, first).new == 2
    again = load_prices(con, first)
    assert (again.new, again.replaced, again.rescaled) == (0, 2, ())
    assert con.execute("SELECT count(*), min(source), min(adjustment) FROM prices").fetchall() == [
        (2, "yfinance", "yahoo_adj_close")
    ]
    assert last_price_dates(con, ["300024.SZ", "000061.SZ"]) == {"300024.SZ": date(2021, 10, 11)}


def test_an_incremental_fetch_is_rebased_onto_the_stored_series(con):
    load_prices(con, batch([("2021-10-08", "300024.SZ", 20.0, 19.8), ("2021-10-11", "300024.SZ", 19.7, 19.5)]))
    # a dividend since: Yahoo now reports the whole history 2% lower; the new day is after the dividend
    later = batch([("2021-10-11", "300024.SZ", 19.7, 19.11), ("2021-10-12", "300024.SZ", 20.2, 19.992)])
    result = load_prices(con, later)
    assert result.rescaled == ("300024.SZ",) and (result.new, result.replaced) == (1, 1)
    stored = read_prices(con, ["300024.SZ"])
    adj = stored["adj_close"].tolist()
    assert adj[1] == pytest.approx(19.5)  # the overlap keeps the stored scale
    assert adj[2] / adj[1] == pytest.approx(19.992 / 19.11)  # and the new return is the provider's


def test_failures_are_rows_with_reasons(con):
    failed = batch([], failures=[FetchFailure("BAD.SS", "not_found", "possibly delisted")])
    assert load_prices(con, failed, start=date(2021, 1, 1)).failures == 1
    assert latest_failures(con) == {"BAD.SS": ("not_found", "possibly delisted")}
    assert con.execute("SELECT count(*) FROM prices").fetchall() == [(0,)]


def test_a_failing_batch_leaves_nothing_behind(con):
    good = batch([("2021-10-08", "300024.SZ", 20.0, 19.8)])
    broken = dataclasses.replace(good, failures=(FetchFailure("X.SS", "not_found", "x"),), provider=None)
    with pytest.raises(Exception, match="NOT NULL"):
        load_prices(con, broken)  # the failure row violates NOT NULL: the price rows roll back with it
    assert con.execute("SELECT count(*) FROM prices").fetchall() == [(0,)]
