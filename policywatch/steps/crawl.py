"""The live crawl as one plain function: ``run_crawl(settings, …) -> CrawlSummary``.

1. resume: a job an earlier run left unfinished (stopped by the request budget, killed) is continued from its
   Scrapy job folder and loaded first;
2. discover: RSS feeds are fetched here (bytes with a timeout, then feedparser); full descriptions are kept,
   teasers' links go to the crawler; what is already stored is handed to the crawler as known;
3. fetch: Scrapy runs as a subprocess (``python -m crawlers.sina.run RUN_DIR``) and writes raw pages and
   listing records to staging files;
4. load: the staged pages are parsed by policywatch's parser and stored through ``warehouse`` in batches,
   with what was listed and fetched (``crawl_listings``, ``crawl_fetches``) for the next run.

The database is held only while loading, never while the crawler runs. One crawl at a time per staging folder.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import date, datetime
from datetime import time as dtime
from pathlib import Path
from typing import Any

from crawlers.sina.spec import SPEC_FILE, CrawlSpec
from policywatch.config import Channel, CrawlSettings, Settings
from policywatch.steps.crawl_discover import crawl_spec, discover_rss, refreshed_spec
from policywatch.steps.crawl_jobs import (
    crawler_log_tail,
    exclusive_staging,
    job_finished,
    pending_run_dirs,
    requests_made,
    run_crawler,
)
from policywatch.steps.crawl_load import finalize_run_dir, load_run_dir
from policywatch.steps.crawl_records import Tally
from policywatch.steps.crawl_results import CrawlProgress, CrawlSummary
from transforms.errors import ConfigError, FetchError
from transforms.models import CHINA_TZ
from warehouse.crawl_state import known_item_keys, known_zhibo_ids, retry_candidates
from warehouse.runs import finish_run, start_run
from warehouse.store import open_writer

__all__ = ["CrawlProgress", "CrawlSummary", "effective_crawl_settings", "run_crawl"]


def effective_crawl_settings(
    settings: Settings,
    *,
    roll_url: str | None = None,
    channels: Sequence[Channel | str] | None = None,
    max_pages: int | None = None,
    zhibo_url: str | None = None,
    rss_feeds: Sequence[str] | None = None,
) -> CrawlSettings:
    """The crawl section with command-line overrides applied."""
    update: dict[str, Any] = {}
    if roll_url is not None:
        update["roll_url"] = roll_url
    if channels is not None:
        update["channels"] = [c if isinstance(c, Channel) else Channel.parse(c) for c in channels]
    if max_pages is not None:
        if max_pages < 1:
            raise ConfigError(f"--max-pages must be at least 1, got {max_pages}")
        update["max_pages"] = max_pages
    if zhibo_url is not None:
        update["zhibo_url"] = zhibo_url
    if rss_feeds is not None:
        update["rss_feeds"] = list(rss_feeds)
    crawl = settings.crawl.model_copy(update=update)
    if not crawl.roll_url.startswith(("http://", "https://")):
        raise ConfigError(f"crawl.roll_url must be an http(s) URL, got {crawl.roll_url!r}")
    if not crawl.channels:
        raise ConfigError("crawl.channels is empty: name at least one PAGEID:LID")
    return crawl


def _since_epoch(since: date | datetime | None) -> float | None:
    if since is None:
        return None
    if isinstance(since, datetime):
        return (since if since.tzinfo else since.replace(tzinfo=CHINA_TZ)).timestamp()
    return datetime.combine(since, dtime(0), tzinfo=CHINA_TZ).timestamp()  # a day starts in China


class _Crawl:
    """One ``run_crawl`` call: holds the writer only between crawler processes."""

    def __init__(self, settings: Settings, crawl: CrawlSettings, on_progress: Callable[[CrawlProgress], None] | None):
        self.settings, self.crawl, self.on_progress = settings, crawl, on_progress
        self.tally = Tally()
        self.live = {"listed": 0, "fetched": 0, "failed": 0, "loaded": 0}
        self.requests = 0
        self.con = None
        self.run_id = ""

    def progress(self, stage: str) -> None:
        if self.on_progress:
            self.on_progress(CrawlProgress(stage, **self.live))

    def open(self) -> None:
        self.con = open_writer(self.settings.db.path, lock_timeout=self.settings.db.lock_timeout_s)

    def close(self) -> None:
        if self.con is not None:
            self.con.close()
            self.con = None

    def crawl_process(self, run_dir: Path) -> int:
        """Run the crawler on ``run_dir`` without holding the database; returns the exit code."""
        self.close()
        code = run_crawler(run_dir, self._count)
        self.requests += requests_made(run_dir)
        self.open()
        return code

    def _count(self, event: dict[str, Any]) -> None:
        kind = event.get("kind")
        if kind == "listing":
            self.live["listed"] += 1
        elif kind == "page":
            self.live["fetched"] += 1
        elif kind == "failure":
            self.live["failed"] += 1
        self.progress("crawl")

    def load(self, run_dir: Path) -> None:
        def loaded() -> None:
            self.live["loaded"] += 1
            if self.live["loaded"] % 25 == 0:
                self.progress("load")

        load_run_dir(
            self.con, run_dir, run_id=self.run_id, tally=self.tally, batch_size=self.crawl.batch_size, on_item=loaded
        )
        self.progress("load")

    def finalize(self, run_dir: Path) -> None:
        finalize_run_dir(self.con, run_dir, run_id=self.run_id, tally=self.tally)

    def process_and_load(self, run_dir: Path) -> bool:
        """Run (or resume) the job in ``run_dir`` and load it; True when the job finished."""
        code = self.crawl_process(run_dir)
        self.load(run_dir)
        finished = job_finished(run_dir)
        if code != 0 and not finished:
            tail = crawler_log_tail(run_dir)
            raise FetchError(f"the crawler process exited with code {code}; the next run resumes it. {tail}")
        if finished:
            self.finalize(run_dir)
        return finished


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
    locked or the crawler process dies (the next run resumes its job).
    """
    crawl = effective_crawl_settings(
        settings, roll_url=roll_url, channels=channels, max_pages=max_pages, zhibo_url=zhibo_url, rss_feeds=rss_feeds
    )
    started = time.monotonic()
    staging = Path(crawl.staging_dir).resolve()
    runs_dir = staging / "runs"
    job = _Crawl(settings, crawl, on_progress)
    with exclusive_staging(staging):
        job.open()
        try:
            args = {
                "roll_url": crawl.roll_url,
                "channels": [str(c) for c in crawl.channels],
                "since": since,
                "max_pages": crawl.max_pages,
                "zhibo_url": crawl.zhibo_url,
                "rss_feeds": crawl.rss_feeds,
            }
            job.run_id = start_run(job.con, "crawl", args)
            try:
                resumed, finished = 0, True
                for run_dir in pending_run_dirs(runs_dir):
                    resumed += 1
                    job.progress("resume")
                    if job_finished(run_dir):
                        job.load(run_dir)
                        job.finalize(run_dir)
                    else:
                        refreshed_spec(CrawlSpec.read(run_dir / SPEC_FILE), crawl).write()
                        if job.process_and_load(run_dir):
                            continue
                        finished = False
                        break
                if finished:
                    finished = _fresh_job(job, runs_dir / job.run_id, crawl, _since_epoch(since))
            except BaseException as exc:
                if job.con is not None:  # None when the database could not be reopened after the crawler ran
                    summary = _summary(job, started, resumed=0, finished=False)
                    finish_run(job.con, job.run_id, "failed", summary.counts(), f"{type(exc).__name__}: {exc}")
                raise
            summary = _summary(job, started, resumed=resumed, finished=finished)
            if _unreachable(summary):
                reasons = ", ".join(sorted({s.reason for s in summary.failed}))
                message = f"no listing could be read ({reasons}): Sina (or the network) is unreachable; retry later"
                finish_run(job.con, job.run_id, "failed", summary.counts(), message)
                raise FetchError(message)
            message = None if finished else "stopped by crawl.max_requests; the next run resumes the job"
            finish_run(job.con, job.run_id, summary.status, summary.counts(), message)
            return summary
        finally:
            job.close()


def _fresh_job(job: _Crawl, run_dir: Path, crawl: CrawlSettings, since_epoch: float | None) -> bool:
    retry_runs = crawl.retry_runs
    known = known_item_keys(job.con, retry_runs=retry_runs)
    retries = retry_candidates(job.con, retry_runs=retry_runs)
    zhibo_known = known_zhibo_ids(job.con)
    run_dir.mkdir(parents=True, exist_ok=True)
    job.progress("discover")
    discovered = discover_rss(crawl, run_dir, known)
    spec = crawl_spec(
        crawl,
        run_dir,
        since_epoch=since_epoch,
        known=known | discovered.stored_keys,
        extra=[*discovered.teasers, *retries],
        zhibo_known=zhibo_known,
    )
    spec.write()
    return job.process_and_load(run_dir)


#: failures that say the site could not be reached, as opposed to answers that were wrong
_UNREACHABLE = {"dns_failed", "connection_failed", "timeout", "rate_limited", "truncated", "http_403", "http_429"}


def _unreachable(summary: CrawlSummary) -> bool:
    """Nothing was listed and every failure was the network's or the server's: a retryable run."""
    if summary.listed or summary.zhibo_items or summary.rss_items or not summary.failed:
        return False
    return all(s.reason in _UNREACHABLE or s.reason.startswith("http_5") for s in summary.failed)


def _summary(job: _Crawl, started: float, *, resumed: int, finished: bool) -> CrawlSummary:
    t = job.tally
    status = "ok" if finished and not t.skipped and not t.failed else "partial"
    return CrawlSummary(
        run_id=job.run_id,
        status=status,
        listed=t.listed,
        known=t.known,
        fetched=t.fetched,
        new=t.new,
        updated=t.updated,
        unchanged=t.unchanged,
        filtered=dict(t.filtered),
        skipped=tuple(t.skipped),
        failed=tuple(t.failed),
        zhibo_items=t.zhibo_items,
        zhibo_tag_links=t.zhibo_tag_links,
        rss_items=t.rss_items,
        resumed_jobs=resumed,
        job_finished=finished,
        requests=job.requests,
        elapsed_s=round(time.monotonic() - started, 3),
    )
