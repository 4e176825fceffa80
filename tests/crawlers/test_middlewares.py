"""The download middlewares' decisions on Sina's answers: what is retried, the delays a host is given, where a
redirect may lead."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from policywatch.crawlers.replay.render import KINSOKU_PAGE
from policywatch.crawlers.sina.middlewares import (
    BackoffRetryMiddleware,
    HostRedirectMiddleware,
    OffHostRedirect,
    RetriesExhausted,
)
from scrapy import Request, Spider
from scrapy.core.downloader import Slot
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

PAGE = b"<html><body><div id='artibody'><p>text</p></div></body></html>"


@pytest.fixture
def middleware() -> BackoffRetryMiddleware:
    crawler = get_crawler(Spider, {"RETRY_TIMES": 2, "RETRY_HTTP_CODES": [403, 429, 456, 500]})
    crawler.spider = crawler._create_spider("test")
    return BackoffRetryMiddleware.from_crawler(crawler)


def answer(request: Request, status: int = 200, body: bytes = PAGE) -> HtmlResponse:
    return HtmlResponse(request.url, status=status, body=body, request=request)


def exhaust(middleware, request, status, body):
    for _ in range(2):
        request = middleware.process_response(request, answer(request, status, body))
        assert isinstance(request, Request)
    with pytest.raises(RetriesExhausted) as info:
        middleware.process_response(request, answer(request, status, body))
    return info.value


def test_a_good_page_passes(middleware):
    request = Request("http://127.0.0.1/doc", meta={"kind": "article"})
    response = answer(request)
    assert middleware.process_response(request, response) is response


@pytest.mark.parametrize(
    ("status", "body", "reason"),
    [
        (456, KINSOKU_PAGE, "rate_limited"),
        (200, KINSOKU_PAGE, "rate_limited"),  # the rate-limit page served as a success
        (500, PAGE, "http_500"),
        (403, PAGE, "http_403"),
        (429, PAGE, "http_429"),  # too many requests
        (200, PAGE[:30], "truncated"),  # an article page cut before </html>
    ],
)
def test_retryable_answers_are_retried_then_reported_with_the_reason(middleware, status, body, reason):
    request = Request("http://127.0.0.1/doc", meta={"kind": "article"})
    error = exhaust(middleware, request, status, body)
    assert (error.reason, error.attempts, error.status) == (reason, 3, status)
    assert f"{reason} after 3 attempts" in str(error)


def test_a_whole_page_with_a_trailing_comment_and_script_is_not_retried(middleware):
    request = Request("http://127.0.0.1/doc", meta={"kind": "article"})
    body = PAGE + b"\n<!-- sh-02 2021-10-10 20:58:34 -->\n<script>var _sinaStat = {page: 1};</script>\n"
    response = answer(request, 200, body)
    assert middleware.process_response(request, response) is response


def test_a_short_listing_answer_is_not_judged_as_a_page(middleware):
    request = Request("http://127.0.0.1/api/roll/get", meta={"kind": "roll"})
    response = answer(request, 200, b'{"result": {}}')
    assert middleware.process_response(request, response) is response


def test_not_found_is_not_retried(middleware):
    request = Request("http://127.0.0.1/doc", meta={"kind": "article"})
    response = answer(request, 404)
    assert middleware.process_response(request, response) is response


def slowed(settings: dict, *, delay: float) -> tuple[BackoffRetryMiddleware, Slot]:
    """A middleware whose crawler downloads through one slot (the host's), starting at ``delay``."""
    crawler = get_crawler(Spider, {"RETRY_TIMES": 50, "RETRY_HTTP_CODES": [429, 456, 500, 503], **settings})
    crawler.spider = crawler._create_spider("test")
    slot = Slot(concurrency=2, delay=delay)
    crawler.engine = SimpleNamespace(downloader=SimpleNamespace(slots={"host": slot}, get_slot_key=lambda r: "host"))
    return BackoffRetryMiddleware.from_crawler(crawler), slot


def delays(middleware, slot, answers) -> list[float]:
    """The slot's delay after each answer, retrying the same request."""
    request, seen = Request("http://127.0.0.1/doc", meta={"kind": "article"}), []
    for status, body in answers:
        result = middleware.process_response(request, answer(request, status, body))
        request = result if isinstance(result, Request) else request
        seen.append(slot.delay)
    return seen


BACKOFF = {"DOWNLOAD_DELAY": 0.5, "AUTOTHROTTLE_ENABLED": False, "POLICYWATCH_BACKOFF_BASE": 2.0,
           "POLICYWATCH_BACKOFF_MAX": 60.0, "POLICYWATCH_RATE_LIMIT_BACKOFF": 60.0}  # fmt: skip


def test_a_retried_host_waits_2_4_8_seconds_up_to_the_cap_then_comes_back_down():
    middleware, slot = slowed(BACKOFF, delay=0.5)
    assert delays(middleware, slot, [(503, PAGE)] * 7) == [2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0]
    # good answers halve it again (without AutoThrottle, which otherwise lowers it from the latencies it sees)
    assert delays(middleware, slot, [(200, PAGE)] * 8) == [30.0, 15.0, 7.5, 3.75, 1.875, 0.9375, 0.5, 0.5]


def test_a_429_backs_off_like_any_retryable_answer():
    middleware, slot = slowed(BACKOFF, delay=0.5)
    assert delays(middleware, slot, [(429, PAGE), (429, PAGE)]) == [2.0, 4.0]


def test_sinas_rate_limit_page_sets_the_rate_limit_backoff_at_once():
    middleware, slot = slowed(BACKOFF, delay=0.5)
    assert delays(middleware, slot, [(456, KINSOKU_PAGE)]) == [60.0]
    middleware, slot = slowed(BACKOFF, delay=4.0)
    assert delays(middleware, slot, [(200, KINSOKU_PAGE)]) == [60.0]  # also when it comes as a 200
    # a rate-limit backoff above the doubling's cap is not cut to it; a 503 after it does not shorten it; with
    # AutoThrottle on, good answers leave the delay to AutoThrottle
    longer = {**BACKOFF, "POLICYWATCH_RATE_LIMIT_BACKOFF": 300.0, "AUTOTHROTTLE_ENABLED": True}
    middleware, slot = slowed(longer, delay=0.5)
    assert delays(middleware, slot, [(456, KINSOKU_PAGE), (503, PAGE), (200, PAGE)]) == [300.0, 300.0, 300.0]


def test_a_redirect_to_another_host_is_refused_with_its_target():
    crawler = get_crawler(Spider)
    crawler.spider = crawler._create_spider("test")
    crawler.spider.redirect_hosts = frozenset({"finance.sina.com.cn", "finance.sina.cn"})
    redirects = HostRedirectMiddleware.from_crawler(crawler)
    request = Request("https://finance.sina.com.cn/china/gncj/2021-10-10/doc-iktzscyx9453213.shtml")
    mobile = "https://finance.sina.cn/2021-10-10/detail-iktzscyx9453213.d.html"
    moved = HtmlResponse(request.url, status=301, headers={"Location": mobile}, request=request)
    assert redirects.process_response(request, moved).url == mobile  # an allowed host: followed
    elsewhere = "https://tech.sina.com.cn/i/2021-10-10/doc-iktzscyx9453213.shtml"
    away = HtmlResponse(request.url, status=302, headers={"Location": elsewhere}, request=request)
    with pytest.raises(OffHostRedirect) as info:
        redirects.process_response(request, away)
    assert info.value.target == elsewhere and elsewhere in str(info.value)
