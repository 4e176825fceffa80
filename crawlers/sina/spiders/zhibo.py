"""The 7x24 live feed (``zhibo``): short items with Sina's structured stock tags. Pages 1… until an item
already stored appears or ``zhibo_pages`` is reached; no page fetches beyond the feed itself.

Reaching ``zhibo_pages`` before a stored item is a gap: the items between the last one read and the newest
stored one were never read. It is recorded (a ``failure`` record of reason ``gap``), not passed over.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from scrapy import Request
from scrapy.http import Response

from crawlers.sina.site import zhibo_page_url
from crawlers.sina.spiders.base import PolicySpider, now_iso
from transforms.sina_feeds import FeedFormatError, ZhiboItem, parse_zhibo_answer

__all__ = ["ZhiboSpider"]


class ZhiboSpider(PolicySpider):
    name = "sina_zhibo"

    def __init__(self, spec_path: str, **kwargs: Any) -> None:
        super().__init__(spec_path, **kwargs)
        self.known = set(self.spec.known_zhibo_ids)
        self.newest_known = max(self.known, default=None)  #: None on a first crawl: nothing to be continuous with

    async def start(self) -> AsyncIterator[Any]:
        if self.spec.zhibo_url:
            yield self._page_request(1)

    def _page_request(self, page: int) -> Request:
        return Request(
            zhibo_page_url(self.spec.zhibo_url, page, self.spec.zhibo_page_size),
            callback=self.parse_feed,
            errback=self.failed,
            headers=self.headers,
            meta={"kind": "zhibo", "page": page, "source": "zhibo", "dont_cache": True},
        )

    def parse_feed(self, response: Response) -> Iterator[Any]:
        page_no = response.meta["page"]
        try:
            page = parse_zhibo_answer(response.body)
        except FeedFormatError as exc:
            yield {
                "kind": "failure",
                "stage": "zhibo",
                "url": response.url,
                "key": None,
                "source": "zhibo",
                "reason": exc.reason,
                "message": str(exc),
                "attempts": 1,
                "at": now_iso(),
            }
            return
        reached_known = False
        for item in page.items:
            if item.id in self.known:
                reached_known = True
                continue
            self.known.add(item.id)
            yield {
                "kind": "zhibo",
                "url": response.url,
                "id": item.id,
                "state": "new",
                "rich_text": item.rich_text,
                "created_at": item.created_at.isoformat(),
                "tags": list(item.tags),
                "stocks": [[s.market, s.symbol, s.key] for s in item.stocks],
                "docurl": item.docurl,
                "fetched_at": now_iso(),
            }
        if not page.items or reached_known:
            return
        if page_no < self.spec.zhibo_pages:
            yield self._page_request(page_no + 1)
        elif self.newest_known is not None:
            yield self._gap(response.url, page.items[-1])

    def _gap(self, url: str, oldest: ZhiboItem) -> dict[str, Any]:
        spec = self.spec
        read = spec.zhibo_pages * spec.zhibo_page_size
        return {
            "kind": "failure",
            "stage": "zhibo",
            "url": url,
            "key": None,
            "source": "zhibo",
            "reason": "gap",
            "message": (
                f"7x24: {spec.zhibo_pages} pages of {spec.zhibo_page_size} read (down to item {oldest.id} of"
                f" {oldest.created_at.isoformat()}) without reaching a stored item (newest stored:"
                f" {self.newest_known}): items between ids {self.newest_known} and {oldest.id} were not read"
                f" ({read} items a run at most: raise crawl.zhibo_pages or crawl more often)"
            ),
            "attempts": 1,
            "at": now_iso(),
        }
