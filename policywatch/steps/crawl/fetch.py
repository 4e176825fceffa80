"""The crawl phase: fetch into staging files, never writing the database.

1. resume: a job an earlier crawl left unfinished (stopped by the request budget, killed) is continued from
   its Scrapy job folder;
2. read what is known: stored and given-up articles, failures to retry, the newest 7x24 ids. One short
   read-only look at the database (it waits up to ``db.lock_timeout_s`` for a writer, then fails as
   transient), plus what jobs not loaded yet have staged;
3. discover: RSS feeds are fetched (bytes with a timeout, then feedparser); full descriptions are staged,
   teasers' links go to the crawler;
4. fetch: Scrapy runs as a subprocess (``python -m policywatch.crawlers.sina.run RUN_DIR``) and writes raw pages and
   listing records to the job folder.

The load phase (``load.load_staged``) stores what was staged; ``run.run_crawl`` runs both.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any, TypedDict

from policywatch.config import Channel, CrawlSettings, Settings
from policywatch.crawlers.sina.spec import SPEC_FILE, CrawlSpec
from policywatch.crawlers.sina.zhibo_page import zhibo_feed_key
from policywatch.steps.crawl.discover import crawl_spec, discover_rss, refreshed_spec
from policywatch.steps.crawl.jobs import (
    CrawlerProblem,
    crawler_problem,
    job_finished,
    pending_run_dirs,
    requests_made,
    run_crawler,
    staged_keys,
    unreachable_problem,
)
from policywatch.steps.crawl.results import CrawlProgress, StagedCrawl
from policywatch.steps.crawl.sources import plan_sources
from policywatch.transforms.errors import ConfigError
from policywatch.transforms.models import CHINA_TZ
from policywatch.warehouse.crawl_state import (
    RetryCandidate,
    ZhiboGap,
    known_item_keys,
    known_zhibo_ids,
    open_zhibo_gaps,
    retry_candidates,
)
from policywatch.warehouse.store import open_reader

__all__ = ["KnownState", "effective_crawl_settings", "fetch_to_staging", "read_known_state"]

log = logging.getLogger(__name__)


def effective_crawl_settings(
    settings: Settings,
    *,
    roll_url: str | None = None,
    channels: Sequence[Channel | str] | None = None,
    max_pages: int | None = None,
    zhibo_url: str | None = None,
    rss_feeds: Sequence[str] | None = None,
) -> CrawlSettings:
    """The crawl section with command-line overrides applied; sources the run does not name follow the ones it
    names (:func:`plan_sources`), each move logged as a warning."""
    plan = plan_sources(
        configured_roll=settings.crawl.roll_url,
        configured_zhibo=settings.crawl.zhibo_url,
        configured_rss=settings.crawl.rss_feeds,
        roll_url=roll_url,
        zhibo_url=zhibo_url,
        rss_feeds=rss_feeds,
    )
    for note in plan.notes:
        log.warning("crawl source %s", note)
    update: dict[str, Any] = {"roll_url": plan.roll_url, "zhibo_url": plan.zhibo_url, "rss_feeds": list(plan.rss_feeds)}
    if channels is not None:
        update["channels"] = [c if isinstance(c, Channel) else Channel.parse(c) for c in channels]
    if max_pages is not None:
        if max_pages < 1:
            raise ConfigError(f"--max-pages must be at least 1, got {max_pages}")
        update["max_pages"] = max_pages
    crawl = settings.crawl.model_copy(update=update)
    if not crawl.roll_url.startswith(("http://", "https://")):
        raise ConfigError(f"crawl.roll_url must be an http(s) URL, got {crawl.roll_url!r}")
    if not crawl.channels:
        raise ConfigError("crawl.channels is empty: name at least one PAGEID:LID")
    try:
        re.compile(crawl.article_url_pattern)
    except re.error as exc:  # the crawler would crash on it, run after run
        raise ConfigError(f"crawl.article_url_pattern is not a regular expression: {exc}") from None
    return crawl


def _since_epoch(since: date | datetime | None) -> float | None:
    if since is None:
        return None
    if isinstance(since, datetime):
        return (since if since.tzinfo else since.replace(tzinfo=CHINA_TZ)).timestamp()
    return datetime.combine(since, dtime(0), tzinfo=CHINA_TZ).timestamp()  # a day starts in China


@dataclass(frozen=True, slots=True)
class KnownState:
    """What the next job must know from the database."""

    keys: frozenset[str] = frozenset()  #: article keys not to fetch
    retries: tuple[RetryCandidate, ...] = ()  #: failed fetches to ask for again
    zhibo_ids: frozenset[int] = frozenset()  #: stored 7x24 items (the feed is read down to one of them)
    zhibo_gaps: tuple[ZhiboGap, ...] = ()  #: 7x24 ids earlier reads left unread (the feed is read down to them)


def _horizon(crawl: CrawlSettings, since_epoch: float | None) -> datetime:
    """How far back the crawler needs to know stored articles: the listing reaches back about as far."""
    start = datetime.now(UTC) - timedelta(days=crawl.known_horizon_days)
    if since_epoch is not None:
        start = min(start, datetime.fromtimestamp(since_epoch, UTC) - timedelta(days=1))
    return start


def read_known_state(settings: Settings, crawl: CrawlSettings, *, since_epoch: float | None = None) -> KnownState:
    """One short read-only look at the database; no database yet is a first crawl. Only what the job can meet
    is read, so a job's spec stays small however large the database grows."""
    if not Path(settings.db.path).exists():
        return KnownState()
    con = open_reader(settings.db.path, lock_timeout=settings.db.lock_timeout_s)
    try:
        gaps = tuple(open_zhibo_gaps(con, zhibo_feed_key(crawl.zhibo_url))) if crawl.zhibo_url else ()
        down_to = min((g.low if g.low is not None else g.high for g in gaps), default=None)
        return KnownState(
            frozenset(known_item_keys(con, retry_runs=crawl.retry_runs, since=_horizon(crawl, since_epoch))),
            tuple(retry_candidates(con, retry_runs=crawl.retry_runs)),
            frozenset(known_zhibo_ids(con, limit=crawl.zhibo_pages * crawl.zhibo_page_size, down_to=down_to)),
            gaps,
        )
    finally:
        con.close()


def _job_id() -> str:
    return f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"


@dataclass
class _Live:
    on_progress: Callable[[CrawlProgress], None] | None
    counts: dict[str, int] = field(default_factory=lambda: {"listed": 0, "fetched": 0, "failed": 0, "loaded": 0})

    def progress(self, stage: str) -> None:
        if self.on_progress:
            self.on_progress(CrawlProgress(stage, **self.counts))

    def event(self, event: dict[str, Any]) -> None:
        name = {"listing": "listed", "page": "fetched", "failure": "failed"}.get(str(event.get("kind")))
        if name:
            self.counts[name] += 1
        self.progress("crawl")


def _run_job(run_dir: Path, live: _Live) -> tuple[bool, int, CrawlerProblem | None]:
    """Run (or resume) the job in ``run_dir``: whether it finished, the requests made, and what went wrong with
    the crawler process, if anything (transient or terminal)."""
    log = run_dir / "stderr.log"
    log_from = log.stat().st_size if log.exists() else 0  # a resumed job's log holds earlier processes' too
    code = run_crawler(run_dir, live.event)
    finished = job_finished(run_dir)
    return finished, requests_made(run_dir), crawler_problem(run_dir, code, finished=finished, log_from=log_from)


class CrawlOptions(TypedDict, total=False):
    """One run's overrides of ``[crawl]`` (the command line's options, the DAG's params)."""

    roll_url: str | None
    channels: Sequence[Channel | str] | None
    since: date | datetime | None  #: only items published since
    max_pages: int | None
    zhibo_url: str | None  #: "" skips the 7x24 feed
    rss_feeds: Sequence[str] | None


def fetch_to_staging(
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
    """Crawl into ``crawl.staging_dir`` without writing the database; the caller holds the staging lock.

    A crawler process that died, or a site that could not be reached at all, is reported in ``problem`` rather
    than raised, so that a caller can still load what was staged; ``problem_kind`` says whether it is
    ``transient`` (killed, unreachable: retry) or ``terminal`` (a crash from a bug or bad configuration). Raises
    ConfigError for bad settings and DatabaseLockedError (retryable) when a writer holds the database past the
    lock timeout.
    """
    crawl = effective_crawl_settings(
        settings, roll_url=roll_url, channels=channels, max_pages=max_pages, zhibo_url=zhibo_url, rss_feeds=rss_feeds
    )
    args = {
        "roll_url": crawl.roll_url,
        "channels": [str(c) for c in crawl.channels],
        "since": since.isoformat() if since else None,
        "max_pages": crawl.max_pages,
        "zhibo_url": crawl.zhibo_url,
        "rss_feeds": crawl.rss_feeds,
    }
    started = time.monotonic()
    runs_dir = Path(crawl.staging_dir).resolve() / "runs"
    live = _Live(on_progress)
    jobs = _Jobs()
    pending = pending_run_dirs(runs_dir)
    _resume_unfinished(pending, crawl, live, jobs)
    if jobs.finished:
        _start_job(runs_dir / _job_id(), settings, crawl, since, pending, live, jobs)
    problem = _worst_problem(jobs)
    return StagedCrawl(
        run_dirs=tuple(str(p) for p in jobs.crawled),
        args=args,
        resumed_jobs=jobs.resumed,
        job_finished=jobs.finished,
        requests=jobs.requests,
        listed=live.counts["listed"],
        fetched=live.counts["fetched"],
        failed=live.counts["failed"],
        problem=problem.message if problem else None,
        problem_kind=problem.kind if problem else None,
        elapsed_s=round(time.monotonic() - started, 3),
    )


@dataclass
class _Jobs:
    """The jobs this crawl ran, in order, and what they came to."""

    crawled: list[Path] = field(default_factory=list)
    problems: list[CrawlerProblem] = field(default_factory=list)
    resumed: int = 0
    requests: int = 0
    finished: bool = True  #: the last job run finished (True when none was run)

    def run(self, run_dir: Path, live: _Live) -> None:
        self.finished, made, problem = _run_job(run_dir, live)
        self.requests += made
        self.crawled.append(run_dir)
        self.problems += [problem] if problem else []


def _resume_unfinished(pending: list[Path], crawl: CrawlSettings, live: _Live, jobs: _Jobs) -> None:
    """Continue the jobs an earlier crawl left unfinished, oldest first, until one stops unfinished again."""
    for run_dir in pending:
        if job_finished(run_dir):
            continue  # staged whole, waiting for the load
        jobs.resumed += 1
        live.progress("resume")
        refreshed_spec(CrawlSpec.read(run_dir / SPEC_FILE), crawl).write()
        jobs.run(run_dir, live)
        if not jobs.finished:
            break


def _start_job(
    run_dir: Path,
    settings: Settings,
    crawl: CrawlSettings,
    since: date | datetime | None,
    pending: list[Path],
    live: _Live,
    jobs: _Jobs,
) -> None:
    """A new job: what is stored or staged is left out, RSS discovered first, then the crawler run."""
    known = read_known_state(settings, crawl, since_epoch=_since_epoch(since))
    staged, staged_zhibo = staged_keys(pending)
    run_dir.mkdir(parents=True, exist_ok=True)
    live.progress("discover")
    discovered = discover_rss(crawl, run_dir, set(known.keys) | staged)
    crawl_spec(
        crawl,
        run_dir,
        since_epoch=_since_epoch(since),
        known=known.keys | staged | discovered.stored_keys,
        extra=[*discovered.teasers, *known.retries],
        zhibo_known=known.zhibo_ids | staged_zhibo,
        zhibo_gaps=[(g.low, g.high) for g in known.zhibo_gaps],
    ).write()
    jobs.run(run_dir, live)


def _worst_problem(jobs: _Jobs) -> CrawlerProblem | None:
    """What went wrong, if anything: a site never reached counts when the crawler itself reported nothing."""
    problems = list(jobs.problems)
    if not problems and (unreachable := unreachable_problem(jobs.crawled)):
        problems.append(CrawlerProblem(unreachable, "transient"))
    # a crash that will happen again outweighs one that may not
    return next((p for p in problems if p.kind == "terminal"), problems[0] if problems else None)
