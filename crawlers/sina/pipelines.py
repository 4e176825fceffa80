"""The one item pipeline: every item goes to the run's staging files (never to the database), and a
one-line progress event goes to stdout for the application that started the crawler process."""

from __future__ import annotations

import json
import resource
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from policywatch.crawlers.sina.staging import StagingWriter, write_closed
from scrapy import signals

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

__all__ = ["PROGRESS_PREFIX", "StagingPipeline"]

#: stdout lines starting with this carry a JSON progress event
PROGRESS_PREFIX = "PW "
_STATS_KEPT = (
    "downloader/request_count",
    "downloader/response_count",
    "item_scraped_count",
    "retry/count",
    "retry/max_reached",
    "robotstxt/forbidden",
    "elapsed_time_seconds",
)
_STATS_PREFIXES = ("policywatch/", "retry/reason_count/", "spider_exceptions/")


class StagingPipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.run_dir = Path(crawler.settings["POLICYWATCH_RUN_DIR"])
        self.writer: StagingWriter | None = None
        self.progress = True

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StagingPipeline:
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self) -> None:
        assert self.crawler.spider is not None
        self.writer = StagingWriter(self.run_dir, f"items-{self.crawler.spider.name}")

    def process_item(self, item: dict[str, Any]) -> dict[str, Any]:
        assert self.writer is not None
        record = dict(item)
        body = record.pop("body", None)
        self.writer.write(record, body)
        if self.progress:
            event = {"kind": record["kind"], "state": record.get("state"), "reason": record.get("reason")}
            try:
                sys.stdout.write(PROGRESS_PREFIX + json.dumps(event) + "\n")
                sys.stdout.flush()
            except OSError:  # nobody reads the progress any more; the staged record is what counts
                self.progress = False
        return {"kind": record["kind"]}  # the body stays out of Scrapy's logs and memory

    def spider_closed(self, spider: Spider, reason: str) -> None:
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        kept = {k: v for k, v in stats.items() if k in _STATS_KEPT or k.startswith(_STATS_PREFIXES)}
        kept["policywatch/peak_rss_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # the process's peak
        write_closed(self.run_dir, spider.name, reason, kept)
        if self.writer is not None:
            self.writer.close()
