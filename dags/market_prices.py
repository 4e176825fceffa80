"""
### market_prices — daily bars for every linked ticker and the benchmarks

Weekdays after the China close: **plan** which provider calls are needed (incremental per ticker; reads DuckDB),
**download** them (no database: batches are staged as Parquet, so network time does not hold the database), and
**load** the staged batches. Every row keeps its source and fetch time; a ticker a provider lacks is recorded in
`price_fetch_failures` with the reason. Yahoo (the default) has no Beijing listings: `.BJ` tickers go to akshare.

`plan` and `load` write DuckDB and run in the one-slot pool `policywatch_duckdb`. Params: `tickers` (default:
every linked stock ticker), `provider` (`yfinance`, `akshare`, `file`, `synthetic`), `since` (`YYYY-MM-DD`),
`fill_gaps` (only add missing dates). Updates the asset `policywatch://warehouse/prices` (which triggers
`event_study`) when new bars landed or a stored series was rebased, not after a fetch that changed nothing.
"""

from __future__ import annotations

from airflow.sdk import AssetAlias, Param, dag, task

from policywatch.orchestration import tasks
from policywatch.orchestration.airflow import DUCKDB_POOL, PRICES_LANDED, dag_kwargs

# load emits policywatch://warehouse/prices through this alias, and only when bars were added or rebased
PRICES = AssetAlias(PRICES_LANDED)


@dag(
    dag_id="market_prices",
    schedule="30 16 * * 1-5",
    **dag_kwargs(__doc__),
    params={
        "tickers": Param(None, type=["null", "array"], description="Tickers (default: every linked one)"),
        "provider": Param(None, type=["null", "string"], enum=[None, "yfinance", "akshare", "file", "synthetic"]),
        "since": Param(None, type=["null", "string"], format="date", description="Fetch from this date"),
        "fill_gaps": Param(False, type="boolean", description="Only add dates with no bar yet"),
    },
)
def market_prices():
    @task(pool=DUCKDB_POOL)
    def plan(params=None):
        return tasks.plan_prices(params)

    @task
    def download(plan, run_id=None):
        return tasks.download_prices(plan, run_id)

    @task(pool=DUCKDB_POOL, outlets=[PRICES])
    def load(plan, staged, params=None, outlet_events=None):
        return tasks.load_prices(plan, staged, params, outlet_events)

    planned = plan()
    load(planned, download(planned))


market_prices()
