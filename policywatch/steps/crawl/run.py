"""The live crawl in two phases, and both as one call.

- ``crawl_to_staging(settings, …) -> StagedCrawl``: the crawl phase (``fetch``). Scrapy runs as its own
  process and writes raw pages and listing records to ``crawl.staging_dir``; the database is only read, once
  and briefly, for what is already known. Runs outside Airflow's DuckDB writers' pool.
- ``load_staged(settings, staged) -> CrawlSummary``: the load phase (``load``). The staged pages are parsed
  by policywatch's parser and stored through ``warehouse`` in batches, with what was listed and fetched
  (``crawl_listings``, ``crawl_fetches``) for the next crawl. The one writer: runs inside the pool.
- ``run_crawl(settings, …) -> CrawlSummary``: both, for the command line and the demo.

Each takes the staging folder's lock: one crawl or load at a time per staging folder.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Unpack

from policywatch.config import Settings
from policywatch.steps.crawl.fetch import CrawlOptions, effective_crawl_settings, fetch_to_staging
from policywatch.steps.crawl.jobs import exclusive_staging
from policywatch.steps.crawl.load import load_staged_jobs
from policywatch.steps.crawl.results import CrawlProgress, CrawlSummary, StagedCrawl

__all__ = [
    "CrawlOptions",
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
    on_progress: Callable[[CrawlProgress], None] | None = None,
    **options: Unpack[CrawlOptions],
) -> StagedCrawl:
    """The crawl phase alone: fetch into the staging folder, write nothing to the database.

    Raises ConfigError for bad settings, DatabaseLockedError (retryable) when a writer holds the database past
    ``db.lock_timeout_s``, TransientError when another crawl uses the staging folder. A crawler process that
    died or crashed, or an unreachable site, is reported in ``StagedCrawl.problem`` (``problem_kind``:
    transient or terminal).
    """
    with exclusive_staging(_staging(settings)):
        return fetch_to_staging(settings, on_progress=on_progress, **options)


def load_staged(
    settings: Settings,
    staged: StagedCrawl | None = None,
    *,
    on_progress: Callable[[CrawlProgress], None] | None = None,
) -> CrawlSummary:
    """The load phase alone: store every staged job not loaded yet and record the run in ``runs``.

    Raises DatabaseLockedError (retryable) when the database stays locked; after storing, FetchError
    (retryable) or TerminalError (a crash from a bug or bad configuration) when ``staged.problem`` says so.
    """
    with exclusive_staging(_staging(settings)):
        return load_staged_jobs(settings, staged, on_progress=on_progress)


def run_crawl(
    settings: Settings,
    *,
    on_progress: Callable[[CrawlProgress], None] | None = None,
    **options: Unpack[CrawlOptions],
) -> CrawlSummary:
    """Crawl Sina (or whatever ``roll_url`` points at), store what is new, and say what happened.

    ``options`` override ``[crawl]`` for this run (:class:`CrawlOptions`: roll_url, channels, since, max_pages,
    zhibo_url, rss_feeds). Records a row in ``runs`` and one in ``skips`` per item skipped or failed, with why.
    Raises ConfigError for bad settings, DatabaseLockedError/FetchError (retryable) when the database is
    locked, the site is unreachable or the crawler process dies (the next run resumes its job), TerminalError
    when the crawler crashes on a bug or a configuration it cannot work with.
    """
    with exclusive_staging(_staging(settings)):
        staged = fetch_to_staging(settings, on_progress=on_progress, **options)
        return load_staged_jobs(settings, staged, on_progress=on_progress)
