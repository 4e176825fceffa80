"""The crawler process: ``python -m crawlers.sina.run RUN_DIR``.

Runs the roll spider (and the 7x24 spider when the job names a feed) in one Scrapy process, with settings
derived from the job spec. A process of its own because Twisted's reactor cannot restart inside one process.
Exit code 0 when the spiders closed (for any reason, recorded in ``closed-<spider>.json``), 1 otherwise.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawlers.sina.spec import SPEC_FILE, CrawlSpec
from crawlers.sina.spiders.roll import RollSpider
from crawlers.sina.spiders.zhibo import ZhiboSpider

__all__ = ["main", "scrapy_settings"]


def scrapy_settings(spec: CrawlSpec) -> Settings:
    settings = Settings()
    settings.setmodule("crawlers.sina.settings", priority="project")
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
        sys.stderr.write("usage: python -m crawlers.sina.run RUN_DIR\n")
        return 2
    spec_path = Path(argv[1]) / SPEC_FILE
    spec = CrawlSpec.read(spec_path)
    process = CrawlerProcess(scrapy_settings(spec), install_root_handler=True)
    process.crawl(RollSpider, spec_path=str(spec_path))
    if spec.zhibo_url:
        process.crawl(ZhiboSpider, spec_path=str(spec_path))
    if _orphaned():
        return 0  # the application is gone already: leave the job untouched for the next run
    _stop_when_orphaned(process)
    process.start()
    return 0


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
