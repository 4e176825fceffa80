"""The 7x24 live feed (``zhibo``): short items with Sina's structured stock tags. Pages 1… until an item
already stored appears or ``zhibo_pages`` is reached; no page fetches beyond the feed itself."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from scrapy import Request
from scrapy.http import Response

from crawlers.sina.site import zhibo_page_url
from crawlers.sina.spiders.base import PolicySpider, now_iso
from transforms.sina_feeds import FeedFormatError, parse_zhibo_answer

__all__ = ["ZhiboSpider"]


class ZhiboSpider(PolicySpider):
    name = "sina_zhibo"

    def __init__(self, spec_path: str, **kwargs: Any) -> None:
        super().__init__(spec_path, **kwargs)
        self.known = set(self.spec.known_zhibo_ids)

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
        if page.items and not reached_known and page_no < self.spec.zhibo_pages:
            yield self._page_request(page_no + 1)
