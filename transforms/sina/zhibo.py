"""A 7x24 (``zhibo``) item as an article, with Sina's structured stock tags as links of their own origin.

The item's ``docurl`` (its page on finance.sina.com.cn/7x24/) gives the publishid when it has one; otherwise
the id is ``zhibo<id>``. Tags of markets other than the A-share exchanges (HK, US, FX) are not links here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from html import escape

from policywatch.transforms.linking.tickers import security_from_code, security_from_symbol
from policywatch.transforms.models import Article, StockLink
from policywatch.transforms.sina.article import parse_body_html
from policywatch.transforms.sina.feeds import ZhiboItem

__all__ = ["TAG_ORIGIN", "ZhiboTags", "zhibo_article", "zhibo_tags"]

#: ``stock_links.origin`` of a structured 7x24 tag
TAG_ORIGIN = "zhibo_tag"
_HEADLINE = re.compile(r"^【(?P<title>[^】]{2,120})】")
_SENTENCE = re.compile(r"^(?P<title>.{4,60}?[。！？!?；;])")
_HAS_MARKUP = re.compile(r"<\s*(?:p|div|br)\b", re.IGNORECASE)
_A_SHARE = {"SH", "SZ", "BJ"}


@dataclass(frozen=True, slots=True)
class ZhiboTags:
    links: tuple[StockLink, ...]
    ignored: tuple[str, ...]  #: ``market:symbol`` of tags that are not A-shares (or not codes at all)


def _title(text: str) -> str:
    match = _HEADLINE.match(text) or _SENTENCE.match(text)
    return match.group("title").strip() if match else text[:40].strip()


def zhibo_article(item: ZhiboItem, *, fetched_at: datetime | None = None) -> Article:
    """The item as an Article (template ``zhibo``); raises ParseError when it has no text."""
    text = item.rich_text.strip()
    fragment = text if _HAS_MARKUP.search(text) else f"<p>{escape(text, quote=False)}</p>"
    article = parse_body_html(
        fragment,
        title=_title(re.sub(r"<[^>]+>", "", text)),
        url=item.docurl,
        published_at=item.created_at,
        source="新浪财经",
        fetched_at=fetched_at,
        template="zhibo",
    )
    if article.id_source == "hash":
        # the feed's own id is stable; a hash of an edited flash would not be
        article = replace(article, article_id=f"zhibo{item.id}", id_source="zhibo")
    return article


def zhibo_tags(item: ZhiboItem, article: Article) -> ZhiboTags:
    """Sina's stock tags of the item as links; their anchor is the tag's ``key`` (the name Sina shows)."""
    links: dict[str, StockLink] = {}
    ignored: list[str] = []
    for stock in item.stocks:
        security = None
        if stock.market in ("cn", "sh", "sz", "bj", ""):
            security = security_from_code(stock.symbol) or security_from_symbol(stock.symbol)
        if security is None or security.exchange not in _A_SHARE:
            ignored.append(f"{stock.market}:{stock.symbol}")
            continue
        if security.code in links:
            continue
        position = article.text.find(stock.key) if stock.key else -1
        paragraph = None
        if position >= 0:
            paragraph = article.text.count("\n", 0, position)
        links[security.code] = StockLink(
            code=security.code,
            ticker=security.ticker,
            exchange=security.exchange,
            kind=security.kind,
            anchor_text=stock.key,
            position=position if position >= 0 else None,
            paragraph=paragraph,
            seen_in=("tag",),
        )
    return ZhiboTags(tuple(links.values()), tuple(ignored))
