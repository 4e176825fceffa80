"""The price store: idempotent loading of provider batches, failures with reasons, and reads for studies.

Incremental fetches overlap the stored series by a few sessions. Providers rebase their adjusted close
(Yahoo back-adjusts the whole history at each dividend; the akshare chain starts at the first row asked
for), so the new rows' ``adj_close`` is rescaled to the stored series on the earliest shared date. Scaling
a series by a constant leaves every return unchanged, so the stored history and the new rows join without
a false jump.

With ``fill_gaps`` a batch only extends a ticker's stored series, before its first and after its last bar,
and never replaces a stored bar or fills a date inside the stored range (a missing session there is a real
suspension): real prices stay where they exist and a second source (the synthetic generator in the offline
demo) covers the rest. The new rows are rescaled at the shared date next to them (prices by the close ratio,
``adj_close`` by the adjusted-close ratio), so the joined series has no jump; every row keeps its ``source``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

import duckdb
import pandas as pd
import pyarrow as pa
from policywatch.warehouse.db import transaction

__all__ = [
    "PriceLoad",
    "benchmark_levels",
    "last_price_dates",
    "latest_failures",
    "load_prices",
    "read_prices",
    "record_fetch_failures",
    "tickers_with_prices",
]


class FailureLike(Protocol):
    ticker: str
    reason: str
    message: str


class PriceBatchLike(Protocol):
    """What a provider hands over (``policywatch.crawlers.prices.PriceBatch`` has this shape)."""

    provider: str
    source: str
    adjustment: str
    rows: (
        pd.DataFrame
    )  #: the providers' layout, ``policywatch.crawlers.prices.PRICE_COLUMNS`` (the SQL below names each)
    failures: Sequence[FailureLike]
    fetched_at: datetime


@dataclass(frozen=True, slots=True)
class PriceLoad:
    new: int
    replaced: int
    failures: int
    rescaled: tuple[str, ...]  #: tickers whose new adj_close was rebased onto the stored series
    #: fill_gaps: tickers with stored bars but no date in common with the batch, so nothing to join on (left out)
    unjoined: tuple[str, ...] = ()


def load_prices(
    con: duckdb.DuckDBPyConnection,
    batch: PriceBatchLike,
    *,
    run_id: str | None = None,
    start: date | None = None,
    end: date | None = None,
    fill_gaps: bool = False,
) -> PriceLoad:
    """Upsert a batch's rows (or, with ``fill_gaps``, add only the missing dates) and record its failures,
    in one transaction."""
    rows = batch.rows.copy()
    rows["adjustment"] = batch.adjustment
    rows["source"] = batch.source
    rows["fetched_at"] = pd.Timestamp(batch.fetched_at)
    rows["run_id"] = run_id
    table = pa.Table.from_pandas(rows, preserve_index=False)
    with transaction(con):
        new = replaced = 0
        rescaled: tuple[str, ...] = ()
        unjoined: tuple[str, ...] = ()
        if len(rows) and fill_gaps:
            con.register("_price_batch", table)
            try:
                new, rescaled, unjoined = _fill_gaps(con)
            finally:
                con.unregister("_price_batch")
        elif len(rows):
            con.register("_price_batch", table)
            try:
                ratios = con.execute(
                    """
                    SELECT n.ticker, arg_min(p.adj_close / n.adj_close, n.date) AS ratio
                    FROM _price_batch n JOIN prices p USING (ticker, date)
                    WHERE n.adj_close IS NOT NULL AND p.adj_close IS NOT NULL
                    GROUP BY n.ticker
                    """
                ).fetchall()
                rescaled = tuple(sorted(t for t, ratio in ratios if abs(ratio - 1.0) > 1e-9))
                replaced = con.execute(
                    "SELECT count(*) FROM _price_batch n JOIN prices p USING (ticker, date)"
                ).fetchall()[0][0]
                new = len(rows) - replaced
                con.execute("CREATE OR REPLACE TEMP TABLE _price_ratio (ticker VARCHAR, ratio DOUBLE)")
                if ratios:
                    con.executemany("INSERT INTO _price_ratio VALUES (?, ?)", ratios)
                con.execute(
                    """
                    INSERT OR REPLACE INTO prices
                    SELECT n.ticker, n.date, n.open, n.high, n.low, n.close, n.pre_close, n.volume, n.amount,
                           n.adj_close * coalesce(r.ratio, 1.0), n.adjustment, n.source, n.fetched_at, n.run_id
                    FROM _price_batch n LEFT JOIN _price_ratio r USING (ticker)
                    """
                )
                con.execute("DROP TABLE _price_ratio")
            finally:
                con.unregister("_price_batch")
        record_fetch_failures(
            con, batch.provider, batch.failures, attempted_at=batch.fetched_at, run_id=run_id, start=start, end=end
        )
    return PriceLoad(new, replaced, len(batch.failures), rescaled, unjoined)


def _fill_gaps(con: duckdb.DuckDBPyConnection) -> tuple[int, tuple[str, ...], tuple[str, ...]]:
    """Insert the batch rows of each ticker that lie before its first or after its last stored bar, rescaled
    to the stored series; returns (rows inserted, tickers rescaled, tickers left unjoined).

    A date *inside* a ticker's stored range is never filled: a missing session there is a real suspension
    (or a gap the first source has a reason for), and a bar from another source would invent a return.
    Prices are joined at the shared date nearest to the side they extend: rows before the stored range at
    the earliest shared date, rows after it at the latest. ``adj_close`` is scaled by the ratio of the
    adjusted closes there and open/high/low/close/pre_close by the ratio of the traded closes, so both
    series continue at the stored level (they differ when the stored adj_close is a total-return index).
    A ticker with stored bars but no shared date cannot be joined without a false jump: its rows are left
    out and the ticker is reported.
    """
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _range AS
        SELECT ticker, min(date) AS first_date, max(date) AS last_date FROM prices
        WHERE ticker IN (SELECT DISTINCT ticker FROM _price_batch) GROUP BY ticker
        """
    )
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _join AS
        WITH shared AS (
            SELECT n.ticker, n.date, p.close / n.close AS close_ratio,
                   CASE WHEN n.adj_close > 0 THEN p.adj_close / n.adj_close END AS adj_ratio
            FROM _price_batch n JOIN prices p USING (ticker, date)
            WHERE n.close > 0
        )
        SELECT ticker,
               arg_min(close_ratio, date) AS close_before, arg_min(adj_ratio, date) AS adj_before,
               arg_max(close_ratio, date) AS close_after, arg_max(adj_ratio, date) AS adj_after
        FROM shared GROUP BY ticker
        """
    )
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _gap AS
        SELECT n.*,
               CASE WHEN r.ticker IS NULL THEN 1.0 WHEN n.date < r.first_date THEN j.close_before
                    ELSE j.close_after END AS close_ratio,
               CASE WHEN r.ticker IS NULL THEN 1.0 WHEN n.date < r.first_date THEN j.adj_before
                    ELSE j.adj_after END AS adj_ratio,
               r.ticker IS NOT NULL AND j.ticker IS NULL AS unjoined
        FROM _price_batch n LEFT JOIN _range r USING (ticker) LEFT JOIN _join j USING (ticker)
        WHERE r.ticker IS NULL OR n.date < r.first_date OR n.date > r.last_date
        """
    )
    con.execute(
        """
        INSERT INTO prices
        SELECT ticker, date, open * close_ratio, high * close_ratio, low * close_ratio, close * close_ratio,
               pre_close * close_ratio, volume, amount, adj_close * adj_ratio,
               adjustment, source, fetched_at, run_id
        FROM _gap WHERE NOT unjoined
        """
    )
    new = con.execute("SELECT count(*) FROM _gap WHERE NOT unjoined").fetchall()[0][0]
    rescaled = con.execute(
        "SELECT DISTINCT ticker FROM _gap WHERE NOT unjoined"
        " AND (abs(close_ratio - 1.0) > 1e-9 OR abs(adj_ratio - 1.0) > 1e-9) ORDER BY 1"
    ).fetchall()
    unjoined = con.execute("SELECT DISTINCT ticker FROM _gap WHERE unjoined ORDER BY 1").fetchall()
    for table in ("_range", "_join", "_gap"):
        con.execute(f"DROP TABLE {table}")
    return new, tuple(t for (t,) in rescaled), tuple(t for (t,) in unjoined)


def record_fetch_failures(
    con: duckdb.DuckDBPyConnection,
    provider: str,
    failures: Sequence[FailureLike],
    *,
    attempted_at: datetime,
    run_id: str | None = None,
    start: date | None = None,
    end: date | None = None,
) -> int:
    """Rows in ``price_fetch_failures`` for tickers a provider could not deliver, or that were refused before
    any call (not an A-share ticker, no provider for Beijing): ``events`` names the last one per ticker."""
    if failures:
        con.executemany(
            "INSERT INTO price_fetch_failures VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [[f.ticker, provider, f.reason, f.message, start, end, attempted_at, run_id] for f in failures],
        )
    return len(failures)


def last_price_dates(con: duckdb.DuckDBPyConnection, tickers: Sequence[str]) -> dict[str, date]:
    if not tickers:
        return {}
    rows = con.execute(
        "SELECT ticker, max(date) FROM prices WHERE ticker IN (SELECT unnest(?)) GROUP BY ticker", [list(tickers)]
    ).fetchall()
    return dict(rows)


def tickers_with_prices(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {t for (t,) in con.execute("SELECT DISTINCT ticker FROM prices").fetchall()}


def latest_failures(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, str]]:
    """The most recent failure (reason, message) per ticker."""
    rows = con.execute(
        "SELECT ticker, arg_max(reason, attempted_at), arg_max(message, attempted_at)"
        " FROM price_fetch_failures GROUP BY ticker"
    ).fetchall()
    return {t: (reason, message) for t, reason, message in rows}


def read_prices(
    con: duckdb.DuckDBPyConnection,
    tickers: Sequence[str],
    *,
    start: date | None = None,
    end: date | None = None,
) -> pd.DataFrame:
    """Long rows (ticker, date, close, pre_close, adj_close, source) for ``tickers``, sorted."""
    cursor = con.execute(
        """
        SELECT ticker, date, close, pre_close, adj_close, source FROM prices
        WHERE ticker IN (SELECT unnest(?))
          AND (?::DATE IS NULL OR date >= ?::DATE) AND (?::DATE IS NULL OR date <= ?::DATE)
        ORDER BY ticker, date
        """,
        [list(tickers), start, start, end, end],
    )
    rows = cursor.fetchall()
    return pd.DataFrame(rows, columns=["ticker", "date", "close", "pre_close", "adj_close", "source"])


def benchmark_levels(
    con: duckdb.DuckDBPyConnection, ticker: str, *, adjustment: str = "total_return", exclude_source: str = "synthetic"
) -> pd.Series:
    """The stored price level of ``ticker`` by date, as a study reads it (``adj_close`` when every row has one
    and ``adjustment`` is total_return, else the close), leaving out rows from ``exclude_source``: the series
    the synthetic generator takes its market factor from."""
    frame = read_prices(con, [ticker])
    frame = frame[frame["source"] != exclude_source]
    use_adjusted = adjustment == "total_return" and frame["adj_close"].notna().all()
    level = frame["adj_close" if use_adjusted else "close"].astype(float)
    return pd.Series(level.to_numpy(), index=frame["date"].to_numpy(), dtype=float)
