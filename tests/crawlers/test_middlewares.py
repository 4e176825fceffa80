"""The retry middleware's decisions on Sina's answers (the backoff itself is measured in the crawl tests)."""

from __future__ import annotations

import pytest
from scrapy import Request, Spider
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawlers.replay.render import KINSOKU_PAGE
from crawlers.sina.middlewares import BackoffRetryMiddleware, RetriesExhausted

PAGE = b"<html><body><div id='artibody'><p>text</p></div></body></html>"


@pytest.fixture
def middleware() -> BackoffRetryMiddleware:
    crawler = get_crawler(Spider, {"RETRY_TIMES": 2, "RETRY_HTTP_CODES": [403, 456, 500]})
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
