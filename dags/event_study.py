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

import pendulum
from airflow.sdk import Asset, Param, dag, task

from policywatch.orchestration import tasks
from policywatch.orchestration.airflow import DUCKDB_POOL, default_args

ARTICLES = Asset("policywatch://warehouse/articles")
PRICES = Asset("policywatch://warehouse/prices")
STUDY = Asset("policywatch://warehouse/study")


@dag(
    dag_id="event_study",
    schedule=(ARTICLES | PRICES),
    start_date=pendulum.datetime(2026, 1, 1, tz="Asia/Shanghai"),
    catchup=False,
    max_active_runs=1,
    doc_md=__doc__,
    default_args=default_args(),
    tags=["policywatch"],
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
