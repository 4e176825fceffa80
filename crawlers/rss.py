"""RSS feeds: the bytes are fetched here with a timeout (feedparser has none), then parsed by feedparser.

Polite like the crawler: robots.txt is obeyed, a browser User-Agent and Sina's Referer are sent, and a
retryable answer (403/429/456/5xx, Sina's rate-limit page, a timeout, a cut connection) is retried with
exponential backoff; after Sina's rate-limit page the pause is at least ``rate_limit_backoff_s``. The timeout
bounds the whole download, not each read of the socket. What still fails is a ``FetchError`` whose ``reason``
says why.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
import urllib.robotparser
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from http.client import HTTPException, HTTPResponse
from urllib.parse import urlsplit

import feedparser
from policywatch.crawlers.sina.site import is_rate_limit_page
from policywatch.transforms.errors import FetchError
from policywatch.transforms.sina.feeds import FeedFormatError
from policywatch.transforms.sina.rss_items import RssItem

__all__ = ["FeedFetcher", "parse_feed"]


class _FeedFetchError(FetchError):
    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class FeedFetcher:
    user_agent: str
    referer: str
    timeout_s: float = 20.0
    retry_times: int = 3
    retry_http_codes: Sequence[int] = (403, 408, 429, 456, 500, 502, 503, 504)
    backoff_base_s: float = 2.0
    backoff_max_s: float = 60.0
    rate_limit_backoff_s: float = 60.0  #: the pause after Sina's 456 / Kinsoku page, as in the crawler
    obey_robots: bool = True
    sleep: Callable[[float], None] = time.sleep

    def _get(self, url: str, *, referer: bool = True) -> tuple[int, bytes]:
        headers = {"User-Agent": self.user_agent, "Accept": "application/rss+xml, application/xml, text/xml, */*"}
        if referer:
            headers["Referer"] = self.referer
        request = urllib.request.Request(url, headers=headers)
        deadline = time.monotonic() + self.timeout_s
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as answer:
                return answer.status, _read_by(answer, deadline)
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read() if exc.fp else b""
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):  # no connection within the timeout
                raise TimeoutError(str(exc.reason)) from exc
            raise

    def robots_allow(self, url: str) -> bool:
        parts = urlsplit(url)
        robots = urllib.robotparser.RobotFileParser()
        try:
            status, body = self._get(f"{parts.scheme}://{parts.netloc}/robots.txt", referer=False)
        except (OSError, HTTPException):
            return True  # no robots.txt to be had: as Scrapy, allow
        if status >= 400:
            return True
        robots.parse(body.decode("utf-8", errors="replace").splitlines())
        return robots.can_fetch(self.user_agent, url)

    def fetch(self, url: str) -> bytes:
        """The feed's bytes; FetchError (with ``reason``) when it cannot be had."""
        if urlsplit(url).scheme not in ("http", "https"):
            raise _FeedFetchError(f"{url} is not an http(s) URL", reason="bad_url")
        if self.obey_robots and not self.robots_allow(url):
            raise _FeedFetchError(f"{url} is forbidden by the site's robots.txt", reason="robots_disallowed")
        problem = "unknown"
        for attempt in range(self.retry_times + 1):
            if attempt:
                pause = min(self.backoff_max_s, self.backoff_base_s * 2 ** (attempt - 1))
                self.sleep(max(pause, self.rate_limit_backoff_s) if problem == "rate_limited" else pause)
            try:
                status, body = self._get(url)
            except TimeoutError:
                problem = "timeout"
                continue
            except (urllib.error.URLError, HTTPException, OSError) as exc:
                problem = "truncated" if isinstance(exc, HTTPException) else "connection_failed"
                continue
            if is_rate_limit_page(status, body):
                problem = "rate_limited"
            elif status in self.retry_http_codes:
                problem = f"http_{status}"
            elif status >= 400:
                raise _FeedFetchError(f"{url}: HTTP {status}", reason=f"http_{status}")
            else:
                return body
        raise _FeedFetchError(f"{url}: {problem} after {self.retry_times + 1} attempts", reason=problem)


def _read_by(answer: HTTPResponse, deadline: float) -> bytes:
    """The answer's body, read before ``deadline`` (else TimeoutError). urlopen's timeout applies to each read of
    the socket: a server that sends a byte now and then would keep a plain ``read()`` going for ever."""
    sock = getattr(getattr(answer.fp, "raw", None), "_sock", None)  # to give each read only the time left
    chunks = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the feed took longer than the timeout to download")
        if sock is not None:
            sock.settimeout(left)
        chunk = answer.read1(65536)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _when(entry: feedparser.FeedParserDict) -> datetime | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    return datetime(*parsed[:6], tzinfo=UTC) if parsed else None


def parse_feed(data: bytes, feed_url: str) -> list[RssItem]:
    """The feed's items; FeedFormatError when the bytes are not a feed at all."""
    # our own parser reads the HTML: feedparser must not sanitise away Sina's stock spans and comments
    parsed = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=False)
    if parsed.get("bozo") and not parsed.entries:
        problem = parsed.get("bozo_exception")
        raise FeedFormatError(f"{feed_url} is not an RSS/Atom feed: {problem}", reason="malformed_rss")
    items = []
    for entry in parsed.entries:
        content = entry.get("content") or []
        description = content[0].get("value") if content else entry.get("summary") or entry.get("description") or ""
        items.append(
            RssItem(
                feed=feed_url,
                title=str(entry.get("title") or "").strip(),
                link=str(entry.get("link") or "").strip() or None,
                description=str(description),
                published=_when(entry),
                guid=entry.get("id"),
            )
        )
    return items
