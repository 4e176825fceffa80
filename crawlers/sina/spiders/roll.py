"""The roll API and the article pages it lists.

Per channel: page 1, 2, … until a page holds articles already stored and nothing new (or, with ``since``,
until it reaches older items), an empty page, or ``max_pages``. Every listed entry is recorded with what
became of it (new, known, off_host, not_article, older, listed_twice); every new finance article on an
allowed host is fetched once, with Sina's Referer and a browser User-Agent.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from policywatch.crawlers.sina.site import ArticleFilter, article_key, roll_page_url
from policywatch.crawlers.sina.spiders.base import PolicySpider, now_iso
from policywatch.transforms.sina.feeds import FeedFormatError, RollItem, parse_roll_answer
from scrapy import Request
from scrapy.http import Response
from twisted.python.failure import Failure

__all__ = ["RollSpider"]


class RollSpider(PolicySpider):
    name = "sina_roll"

    def __init__(self, spec_path: str, **kwargs: Any) -> None:
        super().__init__(spec_path, **kwargs)
        self.filter = ArticleFilter.build(self.spec.allowed_hosts, self.spec.article_url_pattern)
        self.allowed_domains = sorted(self.spec.allowed_hosts)  # Scrapy's offsite guard, behind our own filter
        self.known = set(self.spec.known_keys)
        self.scheduled: set[str] = set()

    async def start(self) -> AsyncIterator[Any]:
        for extra in self.spec.extra_articles:
            for output in self._consider(extra.url, extra.source, extra.title, extra.listed_at, page=None):
                yield output
        for pageid, lid in self.spec.channels:
            yield self._roll_request(pageid, lid, 1)

    def _roll_request(self, pageid: int, lid: int, page: int, *, after_failure: bool = False) -> Request:
        spec = self.spec
        return Request(
            roll_page_url(spec.roll_url, pageid, lid, page, spec.page_size, spec.roll_callback),
            callback=self.parse_roll,
            errback=self.roll_failed,
            headers=self.headers,
            meta={
                "kind": "roll",
                "channel": [pageid, lid],
                "page": page,
                "source": f"roll:{pageid}:{lid}",
                "dont_cache": True,
                "after_failure": after_failure,
            },
        )

    def parse_roll(self, response: Response) -> Iterator[Any]:
        pageid, lid = response.meta["channel"]
        page_no = response.meta["page"]
        source = response.meta["source"]
        try:
            page = parse_roll_answer(response.body, bad_items="keep_going")  # one bad item costs itself only
        except FeedFormatError as exc:  # the page itself is broken
            yield self._listing_failure(response.url, source, exc.reason, str(exc))
            yield from self._after_failure(response.meta)
            return
        for refused in page.refused:
            yield self._listing_failure(response.url, source, refused.reason, str(refused))
        if page.refused and not page.items:  # nothing usable: as a lost page
            yield from self._after_failure(response.meta)
            return
        if not page.items:
            return
        counts = {"new": 0, "known": 0}
        for item in page.items:
            for output in self._consider_roll_item(item, source, page_no):
                if isinstance(output, dict) and output["state"] in counts:
                    counts[output["state"]] += 1
                yield output
        times = [item.listed_at for item in page.items if item.listed_at is not None]
        oldest = min(times) if times else None
        if self.spec.since_epoch is not None:
            keep_going = oldest is not None and oldest.timestamp() >= self.spec.since_epoch
        else:
            # stop where the listing reaches what is stored and brings nothing new
            keep_going = counts["new"] > 0 or counts["known"] == 0
        yield from self._next_page(pageid, lid, page_no, keep_going=keep_going)

    def _next_page(
        self, pageid: int, lid: int, page_no: int, *, keep_going: bool, after_failure: bool = False
    ) -> Iterator[Request]:
        if keep_going and page_no < self.spec.max_pages:
            yield self._roll_request(pageid, lid, page_no + 1, after_failure=after_failure)

    def _after_failure(self, meta: dict[str, Any]) -> Iterator[Request]:
        """A lost page does not say whether older pages hold new articles: look at the next one, but give the
        channel up after two lost pages in a row (the listing, or Sina, is down)."""
        pageid, lid = meta["channel"]
        yield from self._next_page(
            pageid, lid, meta["page"], keep_going=not meta.get("after_failure"), after_failure=True
        )

    def _consider_roll_item(self, item: RollItem, source: str, page_no: int) -> Iterator[Any]:
        listed = item.listed_at.isoformat() if item.listed_at else None
        if self.spec.since_epoch is not None and item.listed_at and item.listed_at.timestamp() < self.spec.since_epoch:
            yield self._listing(item.url, source, item.title, listed, page_no, "older")
            return
        yield from self._consider(item.url, source, item.title, listed, page=page_no)

    def _consider(
        self, url: str, source: str, title: str | None, listed_at: str | None, *, page: int | None
    ) -> Iterator[Any]:
        verdict = self.filter.verdict(url)
        if verdict != "article":
            yield self._listing(url, source, title, listed_at, page, verdict)
            return
        key = article_key(url)
        if key in self.known:
            yield self._listing(url, source, title, listed_at, page, "known", key)
            return
        if key in self.scheduled:
            yield self._listing(url, source, title, listed_at, page, "listed_twice", key)
            return
        self.scheduled.add(key)
        yield self._listing(url, source, title, listed_at, page, "new", key)
        yield Request(
            url,
            callback=self.parse_article,
            errback=self.failed,
            headers=self.headers,
            meta={"kind": "article", "key": key, "source": source, "title": title, "listed_at": listed_at},
        )

    def parse_article(self, response: Response) -> Iterator[dict[str, Any]]:
        meta = response.meta
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
        charset = content_type.partition("charset=")[2].strip(" ;\"'") or None
        yield {
            "kind": "page",
            "url": response.url,
            "key": meta["key"],
            "source": meta["source"],
            "title": meta.get("title"),
            "listed_at": meta.get("listed_at"),
            "status": response.status,
            "http_charset": charset,
            "fetched_at": now_iso(),
            "attempts": meta.get("retry_times", 0) + 1,
            "body": response.body,
        }

    def roll_failed(self, failure: Failure) -> Iterator[Any]:
        yield from self.failed(failure)
        yield from self._after_failure(failure.request.meta)  # type: ignore[attr-defined]

    def _listing(
        self,
        url: str,
        source: str,
        title: str | None,
        listed_at: str | None,
        page: int | None,
        state: str,
        key: str | None = None,
    ) -> dict[str, Any]:
        return {
            "kind": "listing",
            "url": url,
            "key": key,
            "source": source,
            "title": title,
            "listed_at": listed_at,
            "page": page,
            "state": state,
        }

    def _listing_failure(self, url: str, source: str, reason: str, message: str) -> dict[str, Any]:
        return self._failure_record("roll", url, source, reason, message)
