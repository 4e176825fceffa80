"""What every policywatch spider shares: the job spec, polite headers, a per-spider job folder, and an errback
that turns any failure into a record with a short reason."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import scrapy
from policywatch.crawlers.sina.middlewares import OffHostRedirect, RetriesExhausted
from policywatch.crawlers.sina.site import RATE_LIMIT_STATUS, host_set
from policywatch.crawlers.sina.spec import CrawlSpec
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.settings import BaseSettings
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import ConnectError
from twisted.internet.error import TimeoutError as TwistedTimeoutError
from twisted.python.failure import Failure

__all__ = ["PolicySpider", "failure_reason", "now_iso"]


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


def failure_reason(failure: Failure) -> tuple[str, str]:
    """``(reason, message)`` for a request that could not be completed."""
    exc = failure.value
    if isinstance(exc, RetriesExhausted):
        return exc.reason, str(exc)
    if isinstance(exc, OffHostRedirect):
        return "off_host_redirect", str(exc)
    if isinstance(exc, HttpError):
        status = exc.response.status
        return ("rate_limited" if status == RATE_LIMIT_STATUS else f"http_{status}"), f"HTTP {status} (not retried)"
    if isinstance(exc, IgnoreRequest):
        text = str(exc)
        if "robots.txt" in text:
            return "robots_disallowed", "forbidden by the site's robots.txt"
        if "offsite" in text.lower():
            return "off_host", text
        return "ignored", text or type(exc).__name__
    if isinstance(exc, DownloadTimeoutError | TwistedTimeoutError | TimeoutError):
        return "timeout", f"no answer within the download timeout: {exc}"
    if isinstance(exc, ResponseDataLossError):
        return "truncated", f"the transfer was cut short: {exc}"
    if isinstance(exc, CannotResolveHostError):
        return "dns_failed", str(exc)
    if isinstance(exc, DownloadConnectionRefusedError | ConnectError):
        return "connection_failed", str(exc)
    return type(exc).__name__, str(exc) or type(exc).__name__


class PolicySpider(scrapy.Spider):
    """Reads its job from ``spec_path``; each spider keeps its own resumable job folder in the run folder."""

    def __init__(self, spec_path: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.spec = CrawlSpec.read(spec_path)
        self.headers = {"Referer": self.spec.referer}
        #: hosts a redirect may lead to (``policywatch.crawlers.sina.middlewares``): the ones the crawl fetches from
        self.redirect_hosts = host_set(self.spec.allowed_hosts)

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        run_dir = settings.get("POLICYWATCH_RUN_DIR")
        if run_dir:
            settings.set("JOBDIR", str(Path(run_dir) / "job" / cls.name), priority="spider")

    def _failure_record(
        self,
        stage: str,
        url: str,
        source: str | None,
        reason: str,
        message: str,
        *,
        key: str | None = None,
        attempts: int = 1,
    ) -> dict[str, Any]:
        """The record of something that could not be had: a request that failed, or an answer that is unusable."""
        return {
            "kind": "failure",
            "stage": stage,
            "url": url,
            "key": key,
            "source": source,
            "reason": reason,
            "message": message,
            "attempts": attempts,
            "at": now_iso(),
        }

    def _request_failure(self, failure: Failure) -> dict[str, Any]:
        """The failure record of a request that could not be completed (logged)."""
        request = failure.request  # type: ignore[attr-defined]
        reason, message = failure_reason(failure)
        attempts = request.meta.get("retry_times", 0) + 1
        self.logger.info("failed %s: %s (%s)", request.url, reason, message)
        return self._failure_record(
            request.meta.get("kind", "unknown"),
            request.url,
            request.meta.get("source"),
            reason,
            message,
            key=request.meta.get("key"),
            attempts=attempts,
        )

    def failed(self, failure: Failure) -> Any:
        yield self._request_failure(failure)
