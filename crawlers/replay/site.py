"""What the replay serves, built once from the catalogue and shared by the server's threads: the roll API's
listings per channel (with another host's story and a topic page mixed in, as on Sina), the 7x24 items, the
faults to inject, and the log of every request answered."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field

from policywatch.crawlers.replay.catalog import ReplayArticle
from policywatch.crawlers.replay.faults import FaultPlan
from policywatch.crawlers.replay.render import roll_item, zhibo_item

__all__ = ["ROLL_PATH", "RSS_PATH", "ZHIBO_PATH", "ZHIBO_QUERY", "ReplaySite", "RequestRecord", "number_of", "page_of"]

ROLL_PATH = "/api/roll/get"
ZHIBO_PATH = "/api/zhibo/feed"
RSS_PATH = "/rss/sina/finance/china"
ZHIBO_QUERY = "zhibo_id=152&tag_id=0&dire=f&dpc=1"


@dataclass(frozen=True, slots=True)
class RequestRecord:
    path: str  #: with the query
    route: str  #: roll | article | zhibo | rss | robots | other (pending while being answered)
    status: int
    fault: str | None
    referer: str | None
    user_agent: str | None


def number_of(query: Mapping[str, str], name: str, default: int, *, most: int | None = None) -> int:
    """A positive whole number from the query string (``default`` when missing or not one)."""
    text = query.get(name) or ""
    value = max(1, int(text)) if text.isdecimal() else default
    return min(value, most) if most else value


def page_of(query: Mapping[str, str]) -> int:
    return number_of(query, "page", 1)


def _twin_id(publishid: str) -> str:
    """Another valid publishid derived from one (for a 7x24 item's page or another site's story)."""
    return publishid[:7][::-1] + publishid[7:][::-1]


@dataclass
class ReplaySite:
    """Everything the handler needs, shared by its threads."""

    articles: list[ReplayArticle]
    base_url: str
    offsite_base: str
    faults: FaultPlan
    slow_s: float
    robots_disallow: tuple[str, ...]
    fail_paths: Mapping[str, int]
    rss_items: int
    zhibo_docurl: str = "twin"  #: twin: a 7x24 page of its own | article: the article's own page
    rss_untitled: frozenset[str] = frozenset()  #: article paths whose RSS item comes without a title
    rss_unlinked: frozenset[str] = frozenset()  #: article paths whose RSS item comes without a link
    redesigned: frozenset[str] = frozenset()  #: article paths served in a template the parser does not know
    #: 7x24 pages that answer badly: page number -> ``malformed`` (a JSON answer cut short) or an HTTP status
    zhibo_broken: dict[int, str | int] = field(default_factory=dict)
    zhibo_hidden: int = 0  #: the newest 7x24 items not published yet (``ReplayHandle.publish_zhibo``)
    redirects: Mapping[str, str] = field(default_factory=dict)  #: article path -> where a 302 sends it
    by_path: dict[str, ReplayArticle] = field(default_factory=dict)
    listings: dict[tuple[int, int], list[dict[str, object]]] = field(default_factory=dict)
    zhibo: list[dict[str, object]] = field(default_factory=list)
    log: list[RequestRecord] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, article: ReplayArticle) -> str:
        return self.base_url + article.path

    def build(self) -> None:
        self.by_path = {a.path: a for a in self.articles}
        for index, article in enumerate(self.articles):
            entries = self.listings.setdefault(article.channel, [])
            wap = f"{self.base_url}/{article.day}/detail-i{article.publishid}.d.html"
            entries.append(roll_item(article, self.url(article), wap))
            if index % 5 == 2:  # a technology story in a finance feed: another host
                other = f"{self.offsite_base}/tech/{article.day}/doc-i{_twin_id(article.publishid)}.shtml"
                entries.append({**roll_item(article, other, other), "title": f"科技：{article.title[:20]}"})
            if index % 7 == 3:  # a topic page on the right host, but not an article
                topic = f"{self.base_url}/zt_d/topic{index}/"
                entries.append({**roll_item(article, topic, topic), "title": f"专题：{article.title[:20]}"})
        count = len(self.articles)
        for index, article in enumerate(self.articles):
            item_id = 4_000_000 + count - index  # newer items have larger ids, as on Sina
            docurl = f"https://finance.sina.com.cn/7x24/{article.day}/doc-i{_twin_id(article.publishid)}.shtml"
            if self.zhibo_docurl == "article":  # a flash that links the article it announces
                docurl = self.url(article)
            self.zhibo.append(zhibo_item(article, item_id, docurl))
