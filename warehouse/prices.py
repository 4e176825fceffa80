"""The price store: idempotent loading of provider batches, failures with reasons, and reads for studies.

Incremental fetches overlap the stored series by a few sessions. Providers rebase their adjusted close
(Yahoo back-adjusts the whole history at each dividend; the akshare chain starts at the first row asked
for), so the new rows' ``adj_close`` is rescaled to the stored series on the earliest shared date. Scaling
a series by a constant leaves every return unchanged, so the stored history and the new rows join without
a false jump.

With ``fill_gaps`` a batch only fills the dates a ticker has no bar for, and never replaces a stored bar:
real prices stay where they exist and a second source (the synthetic generator in the offline demo) covers
the rest. Each run of new rows is rescaled to the stored bar next to it (the one before it, else the one
after), so the joined series has no jump; every row keeps its own ``source``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

import duckdb
import pandas as pd
import pyarrow as pa

from warehouse.db import transaction

__all__ = [
    "PriceLoad",
    "last_price_dates",
    "latest_failures",
    "load_prices",
    "read_prices",
    "tickers_with_prices",
]


#: the columns a batch's rows carry (the providers' layout)
PRICE_COLUMNS = ("date", "ticker", "open", "high", "low", "close", "pre_close", "volume", "amount", "adj_close")


class FailureLike(Protocol):
    ticker: str
    reason: str
    message: str


class PriceBatchLike(Protocol):
    """What a provider hands over (``crawlers.prices.PriceBatch`` has this shape)."""

    provider: str
    source: str
    adjustment: str
    rows: pd.DataFrame
    failures: Sequence[FailureLike]
    fetched_at: datetime


@dataclass(frozen=True, slots=True)
class PriceLoad:
    new: int
    replaced: int
    failures: int
    rescaled: tuple[str, ...]  #: tickers whose new adj_close was rebased onto the stored series


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
    rows = batch.rows[list(PRICE_COLUMNS)].copy()
    rows["adjustment"] = batch.adjustment
    rows["source"] = batch.source
    rows["fetched_at"] = pd.Timestamp(batch.fetched_at)
    rows["run_id"] = run_id
    table = pa.Table.from_pandas(rows, preserve_index=False)
    with transaction(con):
        new = replaced = 0
        rescaled: tuple[str, ...] = ()
        if len(rows) and fill_gaps:
            con.register("_price_batch", table)
            try:
                new, rescaled = _fill_gaps(con)
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
        if batch.failures:
            con.executemany(
                "INSERT INTO price_fetch_failures VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    [f.ticker, batch.provider, f.reason, f.message, start, end, batch.fetched_at, run_id]
                    for f in batch.failures
                ],
            )
    return PriceLoad(new, replaced, len(batch.failures), rescaled)


def _fill_gaps(con: duckdb.DuckDBPyConnection) -> tuple[int, tuple[str, ...]]:
    """Insert the batch rows whose (ticker, date) has no bar yet, each rescaled at its nearest stored bar."""
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _anchor AS
        SELECT n.ticker, n.date, p.adj_close / n.adj_close AS ratio
        FROM _price_batch n JOIN prices p USING (ticker, date)
        WHERE n.adj_close IS NOT NULL AND p.adj_close IS NOT NULL AND n.adj_close <> 0
        """
    )
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _gap AS
        SELECT n.*
        FROM _price_batch n ANTI JOIN prices p USING (ticker, date)
        """
    )
    con.execute(
        """
        INSERT INTO prices
        SELECT g.ticker, g.date, g.open, g.high, g.low, g.close, g.pre_close, g.volume, g.amount,
               g.adj_close * coalesce(
                   (SELECT a.ratio FROM _anchor a WHERE a.ticker = g.ticker AND a.date < g.date
                    ORDER BY a.date DESC LIMIT 1),
                   (SELECT a.ratio FROM _anchor a WHERE a.ticker = g.ticker AND a.date > g.date
                    ORDER BY a.date LIMIT 1),
                   1.0),
               g.adjustment, g.source, g.fetched_at, g.run_id
        FROM _gap g
        """
    )
    new = con.execute("SELECT count(*) FROM _gap").fetchall()[0][0]
    rescaled = con.execute(
        "SELECT DISTINCT ticker FROM _anchor WHERE abs(ratio - 1.0) > 1e-9 AND ticker IN (SELECT ticker FROM _gap)"
        " ORDER BY 1"
    ).fetchall()
    con.execute("DROP TABLE _anchor")
    con.execute("DROP TABLE _gap")
    return new, tuple(t for (t,) in rescaled)


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
    """Long rows (ticker, date, close, adj_close, source) for ``tickers``, sorted."""
    cursor = con.execute(
        """
        SELECT ticker, date, close, adj_close, source FROM prices
        WHERE ticker IN (SELECT unnest(?))
          AND (?::DATE IS NULL OR date >= ?::DATE) AND (?::DATE IS NULL OR date <= ?::DATE)
        ORDER BY ticker, date
        """,
        [list(tickers), start, start, end, end],
    )
    rows = cursor.fetchall()
    return pd.DataFrame(rows, columns=["ticker", "date", "close", "adj_close", "source"])
