"""What a crawl reports: live progress events while it runs, and the summary of a run."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from policywatch.steps.import_archive import Skip

__all__ = ["CrawlProgress", "CrawlSummary"]


@dataclass(frozen=True, slots=True)
class CrawlProgress:
    stage: str  #: resume | discover | crawl | load
    listed: int
    fetched: int
    failed: int
    loaded: int


@dataclass(frozen=True, slots=True)
class CrawlSummary:
    run_id: str
    status: str  #: ok | partial (something skipped or failed, or the job stopped early)
    listed: int  #: entries the listings named
    known: int  #: of them, already stored
    fetched: int  #: article pages fetched
    new: int
    updated: int
    unchanged: int
    filtered: dict[str, int]  #: listed but not wanted: off_host, not_article, older, listed_twice, duplicate
    skipped: tuple[Skip, ...]  #: usable-looking items refused with a reason (parser, robots.txt)
    failed: tuple[Skip, ...]  #: what could not be had even after retries, with the reason
    zhibo_items: int
    zhibo_tag_links: int
    rss_items: int
    resumed_jobs: int
    job_finished: bool  #: False when the request budget stopped the job: the next run resumes it
    requests: int  #: HTTP requests the crawler made
    elapsed_s: float

    def counts(self) -> dict[str, Any]:
        return {
            "listed": self.listed,
            "known": self.known,
            "fetched": self.fetched,
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "filtered": dict(self.filtered),
            "skipped": len(self.skipped),
            "failed": len(self.failed),
            "zhibo_items": self.zhibo_items,
            "zhibo_tag_links": self.zhibo_tag_links,
            "rss_items": self.rss_items,
            "resumed_jobs": self.resumed_jobs,
            "job_finished": self.job_finished,
            "requests": self.requests,
        }
