"""The 7x24 live feed (``zhibo``): short items with Sina's structured stock tags, no page fetches beyond the
feed itself.

The read goes from the newest item down to the newest stored one, then on to the gaps earlier runs left
(``policywatch.crawlers.sina.zhibo_paging`` steers it, within ``zhibo_pages`` pages). Each item is emitted as the exact
JSON text Sina sent (``raw``), with its id and fetch time: the loader parses it, and a newer parser can parse
it again. Each page asked for is emitted too (``zhibo_page``: its ids, or why it could not be read), and the
end of the read (``zhibo_end``), so that the loader knows which ids were not read: nothing is passed over
silently.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from policywatch.crawlers.sina.site import zhibo_page_url
from policywatch.crawlers.sina.spiders.base import PolicySpider, now_iso
from policywatch.crawlers.sina.zhibo_page import split_zhibo_page
from policywatch.crawlers.sina.zhibo_paging import PageResult, ZhiboPager
from policywatch.transforms.sina.feeds import FeedFormatError
from scrapy import Request
from scrapy.http import Response
from twisted.python.failure import Failure

__all__ = ["ZhiboSpider"]


class ZhiboSpider(PolicySpider):
    name = "sina_zhibo"

    def __init__(self, spec_path: str, **kwargs: Any) -> None:
        super().__init__(spec_path, **kwargs)
        self.known = set(self.spec.known_zhibo_ids)

    async def start(self) -> AsyncIterator[Any]:
        if not self.spec.zhibo_url:
            return
        spec = self.spec
        pager = ZhiboPager.start(
            pages=spec.zhibo_pages,
            page_size=spec.zhibo_page_size,
            newest_stored=max(self.known, default=None),  # None on a first crawl: nothing to be continuous with
            gaps=spec.zhibo_gaps,
        )
        yield self._page_request(pager.first_page(), pager)

    def _page_request(self, page: int, pager: ZhiboPager) -> Request:
        return Request(
            zhibo_page_url(self.spec.zhibo_url, page, self.spec.zhibo_page_size),
            callback=self.parse_feed,
            errback=self.page_failed,
            headers=self.headers,
            # the pager may read a page twice (to read on from it in order); the first request of the run is left
            # to the duplicate filter, so that a resumed job does not start a second read beside the resumed one
            dont_filter=pager.s.used > 0,
            meta={"kind": "zhibo", "page": page, "source": "zhibo", "dont_cache": True, "pager": pager.dump()},
        )

    def parse_feed(self, response: Response) -> Iterator[Any]:
        page = response.meta["page"]
        pager = ZhiboPager.restore(response.meta["pager"])
        try:
            items = split_zhibo_page(response.body)
        except FeedFormatError as exc:
            yield self._failure(response.url, exc.reason, str(exc))
            yield from self._steer(pager.lost(page, exc.reason), pager, response.url)
            return
        fetched_at = now_iso()
        ids = []
        for index, item in enumerate(items):
            if item.id is None:
                message = f"page {page} item {index} has no usable id: {item.raw[:200]}"
                yield self._failure(response.url, "malformed_zhibo", message)
                continue
            ids.append(item.id)
            if item.id in self.known:
                continue
            self.known.add(item.id)
            yield {
                "kind": "zhibo",
                "url": response.url,
                "id": item.id,
                "state": "new",
                "page": page,
                "raw": item.raw,
                "fetched_at": fetched_at,
            }
        if items and not ids:  # nothing on the page can be placed in the feed
            yield from self._steer(pager.lost(page, "malformed_zhibo"), pager, response.url)
        else:
            yield from self._steer(pager.read(page, ids), pager, response.url)

    def page_failed(self, failure: Failure) -> Iterator[Any]:
        record = self._request_failure(failure)
        reason = record["reason"]
        yield record
        request = failure.request  # type: ignore[attr-defined]
        pager = ZhiboPager.restore(request.meta["pager"])
        yield from self._steer(pager.lost(request.meta["page"], reason), pager, request.url)

    def _steer(self, result: PageResult, pager: ZhiboPager, url: str) -> Iterator[Any]:
        yield {"kind": "zhibo_page", "url": url, **result.record, "at": now_iso()}
        if result.next_page is not None:
            yield self._page_request(result.next_page, pager)
        else:
            yield {"kind": "zhibo_end", "url": url, "reason": result.end, "pages": pager.s.used, "at": now_iso()}

    def _failure(self, url: str, reason: str, message: str) -> dict[str, Any]:
        return self._failure_record("zhibo", url, "zhibo", reason, message)
