"""
### event_study — events and statistics whenever new articles or prices land

Triggered by the assets `policywatch://warehouse/articles` (from `policy_news`) or
`policywatch://warehouse/prices` (from `market_prices`): **events** rebuilds one event per (article, stock
ticker) on its XSHG day 0, then **study** computes the event windows and every statistic (AAR/CAAR, t, Patell,
BMP, Kolari–Pynnönen, Corrado, generalized sign, Wilcoxon) per article, theme, measure and link class into
`study_results`. Both write DuckDB and run in the one-slot pool `policywatch_duckdb`. Param `study_name`
(default from config) names the result set.
"""

from __future__ import annotations

from airflow.sdk import Asset, Param, dag, task

from policywatch.orchestration import tasks
from policywatch.orchestration.airflow import ARTICLES_ASSET, DUCKDB_POOL, PRICES_ASSET, STUDY_ASSET, dag_kwargs

ARTICLES = Asset(ARTICLES_ASSET)
PRICES = Asset(PRICES_ASSET)
STUDY = Asset(STUDY_ASSET)


@dag(
    dag_id="event_study",
    schedule=(ARTICLES | PRICES),
    **dag_kwargs(__doc__),
    params={"study_name": Param(None, type=["null", "string"], description="Result set name")},
)
def event_study():
    @task(pool=DUCKDB_POOL)
    def events(params=None):
        return tasks.events(params)

    @task(pool=DUCKDB_POOL, outlets=[STUDY])
    def study(params=None):
        return tasks.study(params)

    events() >> study()


event_study()
