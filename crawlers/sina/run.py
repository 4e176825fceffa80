"""The crawler process: ``python -m policywatch.crawlers.sina.run RUN_DIR``.

Runs the roll spider (and the 7x24 spider when the job names a feed) in one Scrapy process, with settings
derived from the job spec. A process of its own because Twisted's reactor cannot restart inside one process.

Exit code 0 when the spiders closed (for any reason, recorded in ``closed-<spider>.json``); 3
(``EXIT_CRASHED``) when a spider could not run at all because of an exception (a bug, or a job it cannot
work with: it would fail the same way again), recorded in ``crashed-<spider>.json`` with the exception's line
and its traceback; 1 for an exception outside the spiders; a negative code when a signal killed it.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

from policywatch.crawlers.sina.spec import SPEC_FILE, CrawlSpec
from policywatch.crawlers.sina.spiders.roll import RollSpider
from policywatch.crawlers.sina.spiders.zhibo import ZhiboSpider
from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings
from twisted.python.failure import Failure

__all__ = ["CRASH_PREFIX", "EXIT_CRASHED", "main", "scrapy_settings"]

EXIT_CRASHED = 3
CRASH_PREFIX = "crashed-"  #: ``crashed-<spider>.json``: the exception a spider could not run for


def scrapy_settings(spec: CrawlSpec) -> Settings:
    settings = Settings()
    settings.setmodule("policywatch.crawlers.sina.settings", priority="project")
    values: dict[str, Any] = {
        "POLICYWATCH_RUN_DIR": spec.run_dir,
        "USER_AGENT": spec.user_agent,
        "DEFAULT_REQUEST_HEADERS": {
            "Accept": "text/html,application/xhtml+xml,application/json;q=0.9,*/*;q=0.8",
            "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.6",
            "Referer": spec.referer,
        },
        "DOWNLOAD_TIMEOUT": spec.download_timeout_s,
        "CONCURRENT_REQUESTS": spec.concurrent_requests,
        "CONCURRENT_REQUESTS_PER_DOMAIN": spec.concurrent_per_host,
        "DOWNLOAD_DELAY": spec.download_delay_s,
        "AUTOTHROTTLE_ENABLED": spec.autothrottle,
        "AUTOTHROTTLE_START_DELAY": spec.download_delay_s,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": spec.autothrottle_target_concurrency,
        "AUTOTHROTTLE_MAX_DELAY": max(spec.autothrottle_max_delay_s, spec.download_delay_s),
        "RETRY_TIMES": spec.retry_times,
        "RETRY_HTTP_CODES": spec.retry_http_codes,
        "POLICYWATCH_BACKOFF_BASE": spec.backoff_base_s,
        "POLICYWATCH_BACKOFF_MAX": spec.backoff_max_s,
        "POLICYWATCH_RATE_LIMIT_BACKOFF": spec.rate_limit_backoff_s,
        "ROBOTSTXT_OBEY": spec.obey_robots,
        "HTTPCACHE_ENABLED": bool(spec.http_cache_dir),
        "HTTPCACHE_DIR": spec.http_cache_dir or "httpcache",
        "CLOSESPIDER_PAGECOUNT": spec.max_requests,
        "LOG_FILE": str(Path(spec.run_dir) / "scrapy.log"),
        "LOG_LEVEL": spec.log_level,
    }
    settings.setdict(values, priority="cmdline")
    return settings


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        sys.stderr.write("usage: python -m policywatch.crawlers.sina.run RUN_DIR\n")
        return 2
    spec_path = Path(argv[1]) / SPEC_FILE
    spec = CrawlSpec.read(spec_path)
    for old in Path(spec.run_dir).glob(f"{CRASH_PREFIX}*.json"):
        old.unlink()  # an earlier process's: this one may get further
    process = CrawlerProcess(scrapy_settings(spec))
    crashed: dict[str, Failure] = {}

    def crash(failure: Failure, name: str) -> None:
        crashed[name] = failure  # kept for the record below, instead of Twisted's "Unhandled error"

    for spider in (RollSpider, *((ZhiboSpider,) if spec.zhibo_url else ())):
        process.crawl(spider, spec_path=str(spec_path)).addErrback(crash, spider.name)
    if _orphaned():
        return 0  # the application is gone already: leave the job untouched for the next run
    _stop_when_orphaned(process)
    process.start()
    for name, failure in crashed.items():
        _record_crash(Path(spec.run_dir), name, failure)
    return EXIT_CRASHED if crashed else 0


def _record_crash(run_dir: Path, spider: str, failure: Failure) -> None:
    text = failure.getTraceback()
    line = f"{type(failure.value).__module__}.{type(failure.value).__qualname__}: {failure.value}"
    line = line.removeprefix("builtins.")
    sys.stderr.write(f"the spider {spider} could not run:\n{text}\n")
    path = run_dir / f"{CRASH_PREFIX}{spider}.json"
    path.write_text(json.dumps({"error": line, "traceback": text}), encoding="utf-8")


def _launcher() -> int:
    # the launcher's pid, passed along: getppid() could already be the adoptive parent
    return int(os.environ.get("POLICYWATCH_PARENT_PID") or os.getppid())


def _orphaned() -> bool:
    return os.getppid() != _launcher()


def _stop_when_orphaned(process: CrawlerProcess) -> None:
    """Stop gracefully (the job folder keeps what is left for the next run) when the application that
    started this process dies: a killed Airflow task must not leave a crawler running on its own."""
    from twisted.internet import reactor

    def watch() -> None:
        while not _orphaned():
            time.sleep(1.0)
        while not reactor.running:  # type: ignore[attr-defined]  # a stop before the start would be lost
            time.sleep(0.1)
        reactor.callFromThread(process.stop)  # type: ignore[attr-defined]

    threading.Thread(target=watch, name="orphan-watch", daemon=True).start()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
