"""Import archive posts (files or folders) into the warehouse, one transaction per batch."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import TypeVar

from policywatch.config import Settings
from policywatch.crawlers.archive import discover_posts, read_posts
from policywatch.transforms.errors import InputError
from policywatch.transforms.sina.article import parse_archive_post
from policywatch.warehouse.articles import ArticleRecord, load_articles
from policywatch.warehouse.runs import finish_run, record_skip, start_run
from policywatch.warehouse.store import open_writer

__all__ = ["ImportSummary", "Skip", "import_archive"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Skip:
    item: str
    reason: str
    message: str


@dataclass(slots=True)
class ImportSummary:
    run_id: str
    found: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[Skip] = field(default_factory=list)

    @property
    def status(self) -> str:
        return "partial" if self.skipped else "ok"

    def counts(self) -> dict[str, int]:
        return {
            "found": self.found,
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": len(self.skipped),
        }


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def import_archive(
    paths: Iterable[str | Path],
    settings: Settings,
    *,
    on_start: Callable[[int], None] | None = None,
    on_item: Callable[[Path], None] | None = None,
) -> ImportSummary:
    """Parse every post under ``paths`` and load it; unusable posts are recorded as skips with a reason.

    Posts are known by their absolute path (symlinks resolved), so the same archive named relative or absolute,
    in one call or two, is the same set of files, not duplicates of each other.
    """
    paths = list(paths)
    found, missing = discover_posts(paths)
    files = list(dict.fromkeys(path.resolve() for path in found))
    con = open_writer(settings.db.path, lock_timeout=settings.db.lock_timeout_s)
    try:
        run_id = start_run(con, "import-archive", {"paths": [str(p) for p in paths]})
        summary = ImportSummary(run_id=run_id, found=len(files))
        skip = _skipper(con, summary)
        for path in missing:
            skip(str(path), "not_found", f"{path} does not exist")
        if on_start:
            on_start(len(files))
        try:
            for chunk in _chunks(read_posts(files), settings.archive.batch_size):
                records: list[ArticleRecord] = []
                for post in chunk:
                    if on_item:
                        on_item(post.path)
                    if post.data is None:
                        skip(str(post.path), "unreadable", post.error or "cannot read")
                        continue
                    try:
                        article = parse_archive_post(post.data)
                    except InputError as exc:
                        skip(str(post.path), exc.reason, str(exc))
                        continue
                    records.append(ArticleRecord(article, post.data, "hexo", "archive", str(post.path)))
                result = load_articles(con, records, run_id=run_id)
                summary.new += len(result.new)
                summary.updated += len(result.updated)
                summary.unchanged += len(result.unchanged)
                for item, _article_id, message in result.duplicates:
                    skip(item, "duplicate", message)
        except BaseException as exc:
            finish_run(con, run_id, "failed", summary.counts(), f"{type(exc).__name__}: {exc}")
            raise
        finish_run(con, run_id, summary.status, summary.counts())
        return summary
    finally:
        con.close()


def _skipper(con, summary: ImportSummary) -> Callable[[str, str, str], None]:
    def skip(item: str, reason: str, message: str) -> None:
        summary.skipped.append(Skip(item, reason, message))
        record_skip(con, summary.run_id, item, reason, message)

    return skip
