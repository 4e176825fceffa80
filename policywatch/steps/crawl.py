"""The live crawl in two phases, and both as one call.

- ``crawl_to_staging(settings, …) -> StagedCrawl``: the crawl phase (``crawl_fetch``). Scrapy runs as its own
  process and writes raw pages and listing records to ``crawl.staging_dir``; the database is only read, once
  and briefly, for what is already known. Runs outside Airflow's DuckDB writers' pool.
- ``load_staged(settings, staged) -> CrawlSummary``: the load phase (``crawl_load``). The staged pages are parsed
  by policywatch's parser and stored through ``warehouse`` in batches, with what was listed and fetched
  (``crawl_listings``, ``crawl_fetches``) for the next crawl. The one writer: runs inside the pool.
- ``run_crawl(settings, …) -> CrawlSummary``: both, for the command line and the demo.

Each takes the staging folder's lock: one crawl or load at a time per staging folder.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path

from policywatch.config import Channel, Settings
from policywatch.steps.crawl_fetch import effective_crawl_settings, fetch_to_staging
from policywatch.steps.crawl_jobs import exclusive_staging
from policywatch.steps.crawl_load import load_staged_jobs
from policywatch.steps.crawl_results import CrawlProgress, CrawlSummary, StagedCrawl

__all__ = [
    "CrawlProgress",
    "CrawlSummary",
    "StagedCrawl",
    "crawl_to_staging",
    "effective_crawl_settings",
    "load_staged",
    "run_crawl",
]


def _staging(settings: Settings) -> Path:
    return Path(settings.crawl.staging_dir).resolve()


def crawl_to_staging(
    settings: Settings,
    *,
    roll_url: str | None = None,
    channels: Sequence[Channel | str] | None = None,
    since: date | datetime | None = None,
    max_pages: int | None = None,
    zhibo_url: str | None = None,
    rss_feeds: Sequence[str] | None = None,
    on_progress: Callable[[CrawlProgress], None] | None = None,
) -> StagedCrawl:
    """The crawl phase alone: fetch into the staging folder, write nothing to the database.

    Raises ConfigError for bad settings, DatabaseLockedError (retryable) when a writer holds the database past
    ``db.lock_timeout_s``, TransientError when another crawl uses the staging folder. A crawler process that
    died or an unreachable site is reported in ``StagedCrawl.problem``.
    """
    with exclusive_staging(_staging(settings)):
        return fetch_to_staging(
            settings,
            roll_url=roll_url,
            channels=channels,
            since=since,
            max_pages=max_pages,
            zhibo_url=zhibo_url,
            rss_feeds=rss_feeds,
            on_progress=on_progress,
        )


def load_staged(
    settings: Settings,
    staged: StagedCrawl | None = None,
    *,
    on_progress: Callable[[CrawlProgress], None] | None = None,
) -> CrawlSummary:
    """The load phase alone: store every staged job not loaded yet and record the run in ``runs``.

    Raises DatabaseLockedError (retryable) when the database stays locked, FetchError (retryable) after
    storing when ``staged.problem`` says the crawl must be retried.
    """
    with exclusive_staging(_staging(settings)):
        return load_staged_jobs(settings, staged, on_progress=on_progress)


def run_crawl(
    settings: Settings,
    *,
    roll_url: str | None = None,
    channels: Sequence[Channel | str] | None = None,
    since: date | datetime | None = None,
    max_pages: int | None = None,
    zhibo_url: str | None = None,
    rss_feeds: Sequence[str] | None = None,
    on_progress: Callable[[CrawlProgress], None] | None = None,
) -> CrawlSummary:
    """Crawl Sina (or whatever ``roll_url`` points at), store what is new, and say what happened.

    Records a row in ``runs`` and a row in ``skips`` for every item skipped or failed, with its reason.
    Raises ConfigError for bad settings, DatabaseLockedError/FetchError (retryable) when the database is
    locked, the site is unreachable or the crawler process dies (the next run resumes its job).
    """
    with exclusive_staging(_staging(settings)):
        staged = fetch_to_staging(
            settings,
            roll_url=roll_url,
            channels=channels,
            since=since,
            max_pages=max_pages,
            zhibo_url=zhibo_url,
            rss_feeds=rss_feeds,
            on_progress=on_progress,
        )
        return load_staged_jobs(settings, staged, on_progress=on_progress)
