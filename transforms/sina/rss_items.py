"""RSS items as articles: the description of an RSSHub Sina item is the inner HTML of ``#artibody``.

A description that is only a teaser (little text, or ending in an ellipsis or a "read more") is not the
article: the item's page is fetched instead.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import datetime

from policywatch.transforms.models import Article
from policywatch.transforms.sina.article import parse_body_html

__all__ = ["RssItem", "is_full_description", "rss_article"]

_TAG = re.compile(r"<[^>]+>")
_TEASER_END = re.compile(r"(?:…|\.\.\.|阅读全文|查看全文|全文|更多)\s*[>》\]】）)]*\s*$")


@dataclass(frozen=True, slots=True)
class RssItem:
    feed: str
    title: str
    link: str | None
    description: str  #: HTML
    published: datetime | None  #: aware
    guid: str | None = None


def _text(fragment: str) -> str:
    return re.sub(r"\s+", "", html.unescape(_TAG.sub("", fragment))).strip("\u3000\xa0")


def is_full_description(description: str, *, min_chars: int) -> bool:
    """Is the description the whole article, or a teaser whose link must be fetched?"""
    text = _text(description)
    return len(text) >= min_chars and not _TEASER_END.search(text)


def rss_article(item: RssItem, *, fetched_at: datetime | None = None) -> Article:
    """Parse a full description like an archive body; ParseError for an empty or unusable one."""
    return parse_body_html(
        item.description,
        title=item.title or None,
        url=item.link,
        published_at=item.published,
        fetched_at=fetched_at,
        template="rss",
    )
