"""Load one crawl job folder: every staged record not loaded before goes through ``RecordLoader`` in batches,
and a finished job is closed: what it listed but never got becomes a failure (retried by later runs).

Loading is incremental and idempotent: ``loaded.json`` remembers how far each staging file was loaded, so a
job that is resumed later loads only its new records, and loading twice stores nothing twice.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb

from crawlers.sina.site import article_key
from crawlers.sina.staging import LOADED_MARKER, read_records
from policywatch.steps.crawl_records import RecordLoader, Tally
from policywatch.steps.import_archive import Skip
from warehouse.crawl_state import FetchOutcome, record_fetches
from warehouse.runs import record_skip

__all__ = ["OFFSETS_FILE", "finalize_run_dir", "load_run_dir", "unfinished_articles"]

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
) -> None:
    """Load every record of ``run_dir`` not loaded before."""
    loader = RecordLoader(con, run_id, tally)
    offsets = _read_offsets(run_dir)
    pending: dict[str, int] = {}
    for record in read_records(run_dir):
        if record.line <= offsets.get(record.source_file, 0):
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


def unfinished_articles(run_dir: Path) -> list[tuple[str, str]]:
    """``(key, url)`` of articles the job listed as new but neither fetched nor reported failing: requests a
    stopped job never got to, or lost in flight."""
    listed: dict[str, str] = {}
    done: set[str] = set()
    for record in read_records(run_dir):
        data = record.data
        kind = data.get("kind")
        key = data.get("key") or (article_key(str(data["url"])) if data.get("url") else None)
        if key is None:
            continue
        if kind == "listing" and data.get("state") == "new":
            listed.setdefault(key, str(data["url"]))
        elif kind in ("page", "failure", "rss"):
            done.add(key)
    return [(key, url) for key, url in listed.items() if key not in done]


def finalize_run_dir(con: duckdb.DuckDBPyConnection, run_dir: Path, *, run_id: str, tally: Tally) -> None:
    """The job is over: what it listed but never got is a failure, retried by later runs."""
    outcomes = []
    for key, url in unfinished_articles(run_dir):
        message = "listed, but the job ended before its page was fetched"
        tally.failed.append(Skip(url, "interrupted", message))
        record_skip(con, run_id, url, "interrupted", message)
        outcomes.append(FetchOutcome(key, url, "failed", None, "interrupted", message, 0))
    record_fetches(con, run_id, outcomes)
    (run_dir / LOADED_MARKER).write_text(run_id, encoding="utf-8")
    for folder in ("pages", "job"):
        shutil.rmtree(run_dir / folder, ignore_errors=True)  # the raw bytes are in article_raw now
