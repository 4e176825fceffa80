"""The load phase: store what the crawl phase staged. Every record of a job folder not loaded before goes
through ``RecordLoader`` in batches, and a finished job is closed: what it listed but never got becomes a
failure (retried by later runs). This is the only part of a crawl that writes the database.

Loading is incremental and idempotent: ``loaded.json`` remembers how far each staging file was loaded, so a
job that is resumed later loads only its new records, and loading twice stores nothing twice.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import duckdb

from policywatch.config import Settings
from policywatch.crawlers.sina.site import article_key
from policywatch.crawlers.sina.staging import LOADED_MARKER, StagedRecord, read_records
from policywatch.steps.crawl.gaps import close_zhibo_read
from policywatch.steps.crawl.jobs import job_finished, pending_run_dirs, prune_run_dirs
from policywatch.steps.crawl.records import RecordLoader, Tally
from policywatch.steps.crawl.results import CrawlProgress, CrawlSummary, StagedCrawl
from policywatch.steps.import_archive import Skip
from policywatch.warehouse.crawl_state import FetchOutcome, record_fetches
from policywatch.warehouse.runs import finish_run, record_skip, start_run
from policywatch.warehouse.store import open_writer

__all__ = ["OFFSETS_FILE", "finalize_run_dir", "load_run_dir", "load_staged_jobs", "unfinished_articles"]

OFFSETS_FILE = "loaded.json"


def _read_offsets(run_dir: Path) -> dict[str, int]:
    path = run_dir / OFFSETS_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def _save_offsets(run_dir: Path, offsets: dict[str, int]) -> None:
    path = run_dir / OFFSETS_FILE
    path.with_suffix(".tmp").write_text(json.dumps(offsets), encoding="utf-8")
    path.with_suffix(".tmp").replace(path)


def load_run_dir(
    con: duckdb.DuckDBPyConnection,
    run_dir: Path,
    *,
    run_id: str,
    tally: Tally,
    batch_size: int,
    on_item: Callable[[], None] | None = None,
    final: bool = False,
) -> None:
    """Load every record of ``run_dir`` not loaded before. A last line cut short is left alone unless the job
    is over (``final``): the job's writer cuts it off and reports it when the job resumes."""
    loader = RecordLoader(con, run_id, tally)
    offsets = _read_offsets(run_dir)
    pending: dict[str, int] = {}
    for record in read_records(run_dir):
        if record.line <= offsets.get(record.source_file, 0) or (record.partial and not final):
            continue
        loader.handle(record, run_dir)
        pending[record.source_file] = record.line
        if loader.pending >= batch_size:
            loader.flush()
            offsets.update(pending)
            _save_offsets(run_dir, offsets)
        if on_item:
            on_item()
    loader.flush()
    offsets.update(pending)
    _save_offsets(run_dir, offsets)


def unfinished_articles(run_dir: Path, records: Iterable[StagedRecord] | None = None) -> list[tuple[str, str]]:
    """``(key, url)`` of articles the job listed as new but neither fetched nor reported failing: requests a
    stopped job never got to, or lost in flight. ``records``: the job's staged records, when they are at hand
    (else they are read from ``run_dir``)."""
    listed: dict[str, str] = {}
    done: set[str] = set()
    for record in read_records(run_dir) if records is None else records:
        data = record.data
        kind = data.get("kind")
        key = data.get("key") or (article_key(str(data["url"])) if data.get("url") else None)
        if key is None:
            continue
        if kind == "listing" and data.get("state") == "new":
            listed.setdefault(key, str(data["url"]))
        elif kind in ("page", "failure") or (kind == "rss" and data.get("state") != "teaser"):
            done.add(key)  # a teaser's page is the crawler's to fetch: listed as new, done once fetched
    return [(key, url) for key, url in listed.items() if key not in done]


def finalize_run_dir(con: duckdb.DuckDBPyConnection, run_dir: Path, *, run_id: str, tally: Tally) -> None:
    """The job is over: what it listed but never got is a failure, retried by later runs, and what its 7x24 read
    left unread is a gap, read by later runs."""
    records = list(read_records(run_dir))
    outcomes = []
    for key, url in unfinished_articles(run_dir, records):
        message = "listed, but the job ended before its page was fetched"
        tally.failed.append(Skip(url, "interrupted", message))
        record_skip(con, run_id, url, "interrupted", message)
        outcomes.append(FetchOutcome(key, url, "failed", None, "interrupted", message, 0))
    record_fetches(con, run_id, outcomes)
    close_zhibo_read(con, run_dir, run_id=run_id, tally=tally, records=records)
    (run_dir / LOADED_MARKER).write_text(run_id, encoding="utf-8")
    for folder in ("pages", "job"):
        shutil.rmtree(run_dir / folder, ignore_errors=True)  # the raw bytes are in article_raw now


def _summary(tally: Tally, staged: StagedCrawl | None, run_id: str, started: float, finished: bool) -> CrawlSummary:
    status = "ok" if finished and not tally.skipped and not tally.failed else "partial"
    return CrawlSummary(
        run_id=run_id,
        status=status,
        listed=tally.listed,
        known=tally.known,
        fetched=tally.fetched,
        new=tally.new,
        updated=tally.updated,
        unchanged=tally.unchanged,
        filtered=dict(tally.filtered),
        skipped=tuple(tally.skipped),
        failed=tuple(tally.failed),
        zhibo_items=tally.zhibo_items,
        zhibo_tag_links=tally.zhibo_tag_links,
        zhibo_tags_ignored=dict(tally.zhibo_tags_ignored.most_common()),
        rss_items=tally.rss_items,
        resumed_jobs=staged.resumed_jobs if staged else 0,
        job_finished=finished,
        requests=staged.requests if staged else 0,
        elapsed_s=round((staged.elapsed_s if staged else 0.0) + time.monotonic() - started, 3),
    )


def load_staged_jobs(
    settings: Settings,
    staged: StagedCrawl | None = None,
    *,
    on_progress: Callable[[CrawlProgress], None] | None = None,
) -> CrawlSummary:
    """Store every job folder not loaded yet (the caller holds the staging lock) and record the run in ``runs``
    (command ``crawl``), with a skip for every item skipped or failed.

    ``staged`` is what the crawl phase reported: its counts go into the summary, and its ``problem`` makes the
    run ``failed`` and, once the staged records are stored, raises FetchError (retryable) or, for a crash that
    would happen again (``problem_kind`` terminal), TerminalError.
    """
    started = time.monotonic()
    runs_dir = Path(settings.crawl.staging_dir).resolve() / "runs"
    live = {"listed": 0, "fetched": 0, "failed": 0, "loaded": 0}
    if staged:  # the crawl phase's counts carry on
        live.update(listed=staged.listed, fetched=staged.fetched, failed=staged.failed)
    tally = Tally()

    def progress() -> None:
        if on_progress:
            on_progress(CrawlProgress("load", **live))

    def loaded() -> None:
        live["loaded"] += 1
        if live["loaded"] % 25 == 0:
            progress()

    con = open_writer(settings.db.path, lock_timeout=settings.db.lock_timeout_s)
    try:
        run_id = start_run(con, "crawl", staged.args if staged else {"load_only": True})
        finished = True
        try:
            for run_dir in pending_run_dirs(runs_dir):
                done = job_finished(run_dir)
                load_run_dir(
                    con,
                    run_dir,
                    run_id=run_id,
                    tally=tally,
                    batch_size=settings.crawl.batch_size,
                    on_item=loaded,
                    final=done,
                )
                progress()
                if done:
                    finalize_run_dir(con, run_dir, run_id=run_id, tally=tally)
                finished = finished and done
            crawl = settings.crawl
            prune_run_dirs(runs_dir, keep_days=crawl.keep_runs_days, keep_last=crawl.keep_runs)
        except BaseException as exc:
            summary = _summary(tally, staged, run_id, started, False)
            finish_run(con, run_id, "failed", summary.counts(), f"{type(exc).__name__}: {exc}")
            raise
        summary = _summary(tally, staged, run_id, started, finished)
        if staged and (error := staged.problem_error()):
            finish_run(con, run_id, "failed", summary.counts(), staged.problem)
            raise error
        message = None if finished else "stopped by crawl.max_requests; the next run resumes the job"
        finish_run(con, run_id, summary.status, summary.counts(), message)
        return summary
    finally:
        con.close()
