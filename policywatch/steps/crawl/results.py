"""What a crawl reports: live progress events while it runs, what the crawl phase hands to the load phase,
and the summary of a run."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal

from policywatch.steps.import_archive import Skip
from policywatch.transforms.errors import FetchError, TerminalError

__all__ = ["CrawlProgress", "CrawlSummary", "StagedCrawl"]


@dataclass(frozen=True, slots=True)
class CrawlProgress:
    stage: str  #: resume | discover | crawl | load
    listed: int
    fetched: int
    failed: int
    loaded: int


@dataclass(frozen=True, slots=True)
class StagedCrawl:
    """What the crawl phase left in the staging folder for the load phase; JSON-ready (an Airflow XCom)."""

    run_dirs: tuple[str, ...]  #: job folders crawled (a resumed one first, then the new one)
    args: dict[str, Any] = field(default_factory=dict)  #: the crawl's arguments, recorded with the run
    resumed_jobs: int = 0
    job_finished: bool = True  #: False when the request budget stopped the job: the next crawl resumes it
    requests: int = 0  #: HTTP requests the crawler made
    listed: int = 0
    fetched: int = 0
    failed: int = 0
    #: why the crawl did not go through (the crawler process died or crashed, Sina is unreachable); None if it did
    problem: str | None = None
    elapsed_s: float = 0.0
    #: transient (killed, unreachable: retry later) | terminal (a crash from a bug or bad configuration)
    problem_kind: Literal["transient", "terminal"] | None = None

    def problem_error(self) -> TerminalError | FetchError | None:
        """The exception the crawl's problem raises: TerminalError for a crash that would happen again (not
        retried), FetchError for one that may not (retried: the retry resumes the job); None without a problem."""
        if not self.problem:
            return None
        if self.problem_kind == "terminal":
            return TerminalError(self.problem)
        return FetchError(self.problem)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["run_dirs"] = list(self.run_dirs)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StagedCrawl:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["run_dirs"] = tuple(values.get("run_dirs") or ())
        return cls(**values)


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
    #: Sina's 7x24 stock tags not stored as links because they are not A-shares: ``market:symbol`` -> times
    zhibo_tags_ignored: dict[str, int] = field(default_factory=dict)

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
            "zhibo_tags_ignored": sum(self.zhibo_tags_ignored.values()),
            "zhibo_tags_ignored_by_tag": dict(self.zhibo_tags_ignored),
            "rss_items": self.rss_items,
            "resumed_jobs": self.resumed_jobs,
            "job_finished": self.job_finished,
            "requests": self.requests,
        }
