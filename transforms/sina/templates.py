"""Every selector for Sina's page generations, in one place, so a change on the live site is one edit here.

Each template lists XPath expressions tried in order. ``detect`` decides which template a page is.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CANONICAL_URL", "GENERIC", "KEYWORDS", "PUBLISHED_META", "PUBLISHID", "TEMPLATES", "PageTemplate"]


def _has_class(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


@dataclass(frozen=True, slots=True)
class PageTemplate:
    name: str
    detect: str  #: XPath that matches only on this generation
    title: tuple[str, ...]
    time: tuple[str, ...]
    source: tuple[str, ...]
    body: tuple[str, ...]


_META_TIME = (
    "//meta[@property='article:published_time']/@content",
    "//meta[@name='weibo: article:create_at']/@content",
)

TEMPLATES: tuple[PageTemplate, ...] = (
    PageTemplate(
        name="modern",  # ≈2017 on, UTF-8
        detect=f"//h1[{_has_class('main-title')}] | //div[{_has_class('date-source')}]",
        title=(f"//h1[{_has_class('main-title')}]", "//meta[@property='og:title']/@content"),
        time=(f"//div[{_has_class('date-source')}]//span[{_has_class('date')}]", *_META_TIME),
        source=(
            f"//div[{_has_class('date-source')}]//*[{_has_class('source')}]",
            "//meta[@property='article:author']/@content",
        ),
        body=("//div[@id='artibody']", f"//div[{_has_class('article')}]"),
    ),
    PageTemplate(
        name="legacy",  # 2013 and before, GB2312/GBK
        detect=f"//div[{_has_class('blkContainerSblk')}]",
        title=(f"//div[{_has_class('blkContainerSblk')}]//h1", "//title"),
        time=("//span[@id='pub_date']", *_META_TIME),
        source=("//span[@id='media_name']",),
        body=("//div[@id='artibody']", f"//div[{_has_class('blkContainerSblkCon')}]"),
    ),
    PageTemplate(
        name="2014",  # 2014–2016
        detect="//h1[@id='artibodyTitle']",
        title=("//h1[@id='artibodyTitle']", "//meta[@property='og:title']/@content"),
        time=(
            "//span[@id='pub_date']",
            f"//*[{_has_class('time-source')}]/text()[normalize-space()][1]",
            *_META_TIME,
        ),
        source=(
            "//*[@data-sudaclick='media_name']",
            f"//*[{_has_class('time-source')}]//span//a",
            "//span[@id='media_name']",
            "//meta[@property='article:author']/@content",
        ),
        body=("//div[@id='artibody']",),
    ),
    PageTemplate(
        name="mobile",  # finance.sina.cn
        detect=f"//h1[{_has_class('art_tit_h1')}] | //section[{_has_class('art_content')}]",
        title=(f"//h1[{_has_class('art_tit_h1')}]", "//meta[@property='og:title']/@content", "//title"),
        time=(f"//time[{_has_class('art_time')}]", f"//*[{_has_class('weibo_time')}]", *_META_TIME),
        source=(
            f"//*[{_has_class('weibo_user')}]",
            f"//*[{_has_class('art_source')}]",
            "//meta[@property='article:author']/@content",
        ),
        body=(f"//section[{_has_class('art_content')}]", "//*[@id='artibody']"),
    ),
)

#: fallbacks used when no template matched (a bare page, or one a redesign changed)
GENERIC = PageTemplate(
    name="generic",
    detect="/*",
    title=("//meta[@property='og:title']/@content", "//h1", "//title"),
    time=_META_TIME,
    source=("//meta[@property='article:author']/@content", "//meta[@name='mediaid']/@content"),
    body=("//div[@id='artibody']", "//article", "//body"),
)

KEYWORDS = ("//*[@id='keywords']/@data-wbkey", "//meta[@name='keywords']/@content")
PUBLISHID = ("//meta[@name='publishid']/@content",)
#: the page's own URL (``…/doc-i<publishid>.shtml``), for a page saved without the URL it was fetched from
CANONICAL_URL = ("//meta[@property='og:url']/@content", "//link[@rel='canonical']/@href")
#: the exact publication instant, with seconds and offset (``2021-10-10T20:58:34+08:00``)
PUBLISHED_META = ("//meta[@property='article:published_time']/@content",)
