"""
### policy_news — crawl Sina Finance, link, alert

Several times a day (China time): **crawl** Sina's roll API, 7x24 feed and RSS feeds (Scrapy runs as its own
process and writes raw pages to staging files), **load** what was staged (parsed and stored), **link** the new
articles (Sina's links judged, themes per measure, tickers, policy scores), **alert** on new policies that
touch the watchlist's themes, tickers or keywords (once per article, rule and channel), and **record_alerts**
into DuckDB. When a delivery fails, `alert` fails after noting it (the run shows red) and its retries send the
failed ones again; what still fails is sent on the next run.

`crawl` and `alert` write only files (staging files; the alert journal): they run outside the pool, reading
the database briefly. `load`, `link` and `record_alerts` write DuckDB and run in the one-slot pool
`policywatch_duckdb`; `record_alerts` is a teardown, so it records whatever `alert` did.
Transient errors (network, Sina's rate limits, a held database lock) are retried with backoff (a retried crawl
resumes its job); bad configuration or input fails at once.
Params override the crawl for one run: `roll_url`, `channels` (`["155:1689"]`), `since` (`YYYY-MM-DD`),
`max_pages`, `zhibo_url` (`""` to skip 7x24), `rss_feeds`, and `alert_since` (alert on older articles,
e.g. after a backfill). When `link` linked new or changed articles it updates the asset
`policywatch://warehouse/articles`, which triggers `event_study`; a run that found nothing new does not.
"""

from __future__ import annotations

from airflow.sdk import AssetAlias, Param, dag, task

from policywatch.orchestration import tasks
from policywatch.orchestration.airflow import ARTICLES_LANDED, DUCKDB_POOL, dag_kwargs

# link emits policywatch://warehouse/articles through this alias, and only when it linked something
ARTICLES = AssetAlias(ARTICLES_LANDED)


@dag(
    dag_id="policy_news",
    schedule="0 8,12,17,21 * * *",
    **dag_kwargs(__doc__),
    params={
        "roll_url": Param(None, type=["null", "string"], description="Roll API URL (default: config)"),
        "channels": Param(None, type=["null", "array"], description='Channels as "PAGEID:LID"'),
        "since": Param(None, type=["null", "string"], format="date", description="Only items published since"),
        "max_pages": Param(None, type=["null", "integer"], minimum=1),
        "zhibo_url": Param(None, type=["null", "string"], description='7x24 feed URL ("" to skip)'),
        "rss_feeds": Param(None, type=["null", "array"]),
        "alert_since": Param(None, type=["null", "string"], format="date", description="Alert on articles since"),
    },
)
def policy_news():
    @task  # staging files only: the long Scrapy run does not hold the writers' slot
    def crawl(params=None):
        return tasks.crawl(params)

    @task(pool=DUCKDB_POOL)
    def load(staged, params=None):
        return tasks.load(staged, params)

    @task(pool=DUCKDB_POOL, outlets=[ARTICLES])
    def link(params=None, outlet_events=None):
        return tasks.link(params, outlet_events)

    @task  # network time outside the writers' pool: outcomes go to a journal
    def alert(params=None, run_id=None):
        return tasks.alert(params, run_id)

    @task(pool=DUCKDB_POOL)
    def record_alerts(params=None):
        return tasks.record_alerts(params)

    # a teardown: it records whatever alert did (failures too); the run's state is alert's
    load(crawl()) >> link() >> alert() >> record_alerts().as_teardown()


policy_news()
