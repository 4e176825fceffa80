"""Politeness and robustness in the download path: retries with backoff, Sina's rate-limit page, redirects
that stay on the allowed hosts, a cache policy that never stores a broken answer.

Backoff is per host: a retryable answer doubles the host's download delay (from ``POLICYWATCH_BACKOFF_BASE`` up
to ``POLICYWATCH_BACKOFF_MAX``); Sina's 456 / "Kinsoku jikou desu!" page sets it to at least
``POLICYWATCH_RATE_LIMIT_BACKOFF`` at once. Good answers let AutoThrottle (or, without it, halving) bring the
delay back down. A request whose retries are used up ends in ``RetriesExhausted`` with the reason, which the
spider's errback reports.

A redirect to a host the spider does not allow ends in ``OffHostRedirect`` naming the target, reported by the
errback too: Scrapy's own offsite filter would drop the redirected request without calling any errback.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from policywatch.crawlers.sina.site import is_rate_limit_page, looks_truncated
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware, RedirectMiddleware
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import DownloadTimeoutError, IgnoreRequest, ResponseDataLossError
from scrapy.extensions.httpcache import DummyPolicy
from scrapy.utils.httpobj import urlparse_cached

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response
    from scrapy.settings import BaseSettings

__all__ = [
    "BackoffRetryMiddleware",
    "HostMetaRefreshMiddleware",
    "HostRedirectMiddleware",
    "OffHostRedirect",
    "RetriesExhausted",
    "SinaCachePolicy",
    "answer_problem",
]

logger = logging.getLogger(__name__)
_OVERLOAD_EXCEPTIONS = (DownloadTimeoutError, TimeoutError, ResponseDataLossError)


class RetriesExhausted(IgnoreRequest):
    """The last retry still got a retryable answer."""

    def __init__(self, reason: str, attempts: int, status: int | None) -> None:
        super().__init__(f"{reason} after {attempts} attempts" + (f" (last HTTP {status})" if status else ""))
        self.reason = reason
        self.attempts = attempts
        self.status = status


class OffHostRedirect(IgnoreRequest):
    """The answer redirects to a host the crawl does not allow: not followed, and final (asking again would
    only be sent there again)."""

    def __init__(self, url: str, target: str, reason: object) -> None:
        super().__init__(f"{url} redirects ({reason}) to {target}, on a host the crawl does not fetch from")
        self.target = target


def answer_problem(request: Request, response: Response, retry_codes: set[int]) -> str | None:
    """Why an answer must be retried, or None when it is usable."""
    if is_rate_limit_page(response.status, response.body):
        return "rate_limited"
    if response.status in retry_codes:
        return f"http_{response.status}"
    if request.meta.get("kind") == "article" and response.status == 200 and looks_truncated(response.body):
        return "truncated"
    return None


class BackoffRetryMiddleware(RetryMiddleware):
    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.base = settings.getfloat("POLICYWATCH_BACKOFF_BASE", 2.0)
        self.cap = settings.getfloat("POLICYWATCH_BACKOFF_MAX", 60.0)
        self.rate_limit = settings.getfloat("POLICYWATCH_RATE_LIMIT_BACKOFF", 60.0)
        self.floor = settings.getfloat("DOWNLOAD_DELAY")
        self.autothrottle = settings.getbool("AUTOTHROTTLE_ENABLED")

    def process_response(self, request: Request, response: Response) -> Request | Response:
        if request.meta.get("dont_retry", False):
            return response
        problem = answer_problem(request, response, self.retry_http_codes)
        if problem is None:
            self._relax(request)
            return response
        self._back_off(request, problem)
        retry = self._retry(request, problem)
        if retry is not None:
            return retry
        raise RetriesExhausted(problem, request.meta.get("retry_times", 0) + 1, response.status)

    def process_exception(self, request: Request, exception: Exception) -> Request | Response | None:
        retry = super().process_exception(request, exception)
        # a slow answer says the host is loaded; a failed DNS lookup or refused connection says nothing of the
        # kind, and backing off would only make an unreachable host take hours to give up on
        if retry is not None and isinstance(exception, _OVERLOAD_EXCEPTIONS):
            self._back_off(request, "timeout")
        return retry

    def _slot(self, request: Request):
        try:
            engine = self.crawler.engine
        except RuntimeError:  # not crawling (yet): nothing to slow down
            return None
        downloader = engine.downloader
        return downloader.slots.get(downloader.get_slot_key(request))

    def _back_off(self, request: Request, problem: str) -> None:
        slot = self._slot(request)
        if slot is None:
            return
        new = min(max(slot.delay * 2, self.base), max(self.cap, self.floor))
        if problem == "rate_limited":  # Sina asks for a long pause: the doubling's cap does not shorten it
            new = max(new, self.rate_limit)
        stats = self.crawler.stats
        if stats is not None:
            stats.inc_value(f"policywatch/backoff/{problem}")
            stats.max_value("policywatch/backoff_max_delay_s", new)
        if new > slot.delay:
            logger.info("backing off %s: %s, delay %.2fs → %.2fs", request.url, problem, slot.delay, new)
            slot.delay = new

    def _relax(self, request: Request) -> None:
        if self.autothrottle:
            return  # AutoThrottle lowers the delay from the latencies it sees
        slot = self._slot(request)
        if slot is not None and slot.delay > self.floor:
            slot.delay = max(self.floor, slot.delay / 2)


class _StayOnHosts:
    """Follow a redirect only to a host of the spider's ``redirect_hosts`` (exact names, as the article filter
    has them; none: any host)."""

    crawler: Crawler

    def _redirect(self, redirected: Request, request: Request, reason: object) -> Request:
        hosts = getattr(self.crawler.spider, "redirect_hosts", None)
        host = (urlparse_cached(redirected).hostname or "").lower()
        if hosts and host not in hosts:
            stats = self.crawler.stats
            if stats is not None:
                stats.inc_value("policywatch/off_host_redirect")
            raise OffHostRedirect(request.url, redirected.url, reason)
        return super()._redirect(redirected, request, reason)  # type: ignore[misc]


class HostRedirectMiddleware(_StayOnHosts, RedirectMiddleware):
    pass


class HostMetaRefreshMiddleware(_StayOnHosts, MetaRefreshMiddleware):
    pass


class SinaCachePolicy(DummyPolicy):
    """Cache article pages only when they are whole: never a rate-limit page or a cut transfer."""

    def should_cache_response(self, response: Response, request: Request) -> bool:
        if not super().should_cache_response(response, request):
            return False
        return answer_problem(request, response, set(self.ignore_http_codes)) is None
