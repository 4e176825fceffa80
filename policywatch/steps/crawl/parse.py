"""Staged crawl records as articles, in one place for the loader and for the re-parse of stored rejects.

A fetched page, an RSS description and a 7x24 item each come as a staged record (a dict) plus raw bytes; here
they become an ``ArticleRecord`` ready for ``policywatch.warehouse.articles.load_articles``, or the parser's InputError.
Each kind keeps its bytes in one format (``html``, ``fragment``, ``json``) so that a refused item can be parsed
again from ``crawl_rejects`` exactly as it was staged.

A 7x24 item's bytes (``json``) are ``{"url": <feed page>, "fetched_at": <ISO time>, "item": <the item>}``, where
the item is the JSON text Sina sent, byte for byte (every field: ``update_time``, tag ids, all of ``ext``).
Items staged or stored before the crawler kept them raw hold the staged record instead; both parse.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from policywatch.crawlers.sina.site import article_key
from policywatch.transforms.errors import ParseError
from policywatch.transforms.models import StockLink
from policywatch.transforms.sina.article import parse_sina_page
from policywatch.transforms.sina.feeds import ZhiboItem, ZhiboStock, parse_zhibo_item
from policywatch.transforms.sina.rss_items import RssItem, rss_article
from policywatch.transforms.sina.zhibo import zhibo_article, zhibo_tags
from policywatch.warehouse.articles import ArticleRecord

__all__ = ["ParsedItem", "parse_page", "parse_raw", "parse_rss", "parse_zhibo", "when", "zhibo_raw"]


@dataclass(frozen=True, slots=True)
class ParsedItem:
    record: ArticleRecord
    key: str  #: the item's key in crawl_fetches
    url: str
    tags: tuple[StockLink, ...] = ()  #: a 7x24 item's structured stock tags
    ignored_tags: tuple[str, ...] = ()  #: ``market:symbol`` of the tags that are not A-shares


def when(value: Any) -> datetime | None:
    """An ISO 8601 time from a staged record, or None."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def parse_page(data: dict[str, Any], body: bytes) -> ParsedItem:
    """A fetched article page (raw format ``html``)."""
    url = str(data["url"])
    article = parse_sina_page(
        body,
        url=url,
        fetched_at=when(data.get("fetched_at")),
        http_charset=data.get("http_charset"),
        published_hint=when(data.get("listed_at")),
    )
    record = ArticleRecord(article, body, "html", "crawl", url, data.get("http_charset"))
    return ParsedItem(record, data.get("key") or article_key(url), url)


def parse_rss(data: dict[str, Any]) -> ParsedItem:
    """An RSS item whose description is the article (raw format ``fragment``: the description)."""
    item = RssItem(
        data["feed"],
        data.get("title") or "",
        data.get("url"),
        data.get("description") or "",
        when(data.get("published")),
    )
    article = rss_article(item, fetched_at=when(data.get("fetched_at")))
    record = ArticleRecord(article, item.description.encode("utf-8"), "fragment", "rss", item.link)
    return ParsedItem(record, str(data.get("key") or data["url"]), str(data["url"]))


def zhibo_raw(data: dict[str, Any]) -> bytes:
    """A 7x24 item's bytes as stored (raw format ``json``): Sina's item as sent, with its page and fetch time."""
    if isinstance(data.get("raw"), str):  # staged by the crawler: the item's text, exactly as received
        head = json.dumps({"url": data.get("url"), "fetched_at": data.get("fetched_at")}, ensure_ascii=False)
        return f'{head[:-1]}, "item": {data["raw"]}}}'.encode()
    if "item" in data:  # already in the stored shape (its own bytes are kept where they are at hand)
        return json.dumps(data, ensure_ascii=False).encode()
    # staged before the crawler kept items raw: the staged record without its kind
    return json.dumps({k: v for k, v in data.items() if k != "kind"}, ensure_ascii=False).encode()


def _sina_item(item: Any) -> ZhiboItem:
    """One of Sina's 7x24 items (its JSON text, or the object), read by the feed's own parser."""
    if isinstance(item, str):
        try:
            item = json.loads(item)
        except json.JSONDecodeError:  # not one JSON value
            raise ParseError("the stored 7x24 item is not one JSON object", reason="malformed_zhibo") from None
    return parse_zhibo_item(item, "the item")


def _staged_item(data: dict[str, Any]) -> ZhiboItem:
    """An item staged (or stored) before the crawler kept items raw: the fields it parsed then."""
    created = when(data.get("created_at"))
    if created is None:
        raise ParseError("the staged 7x24 item has no creation time", reason="malformed_zhibo")
    return ZhiboItem(
        int(data["id"]),
        str(data.get("rich_text") or ""),
        created,
        tuple(data.get("tags") or ()),
        tuple(ZhiboStock(*s) for s in data.get("stocks") or ()),
        data.get("docurl"),
    )


def parse_zhibo(data: dict[str, Any], raw: bytes | None = None) -> ParsedItem:
    """A 7x24 item, always under its own id ``zhibo<id>``: its docurl may name the article it announces.

    ``data`` is the staged record (``raw``: the item's text) or the stored bytes read as JSON (``item``);
    ``raw`` the stored bytes themselves, kept as they are (else they are made from ``data``)."""
    if "raw" in data:
        item = _sina_item(data["raw"])
    elif "item" in data:
        item = _sina_item(data["item"])
    else:
        item = _staged_item(data)
    key = f"zhibo:{item.id}"
    article = zhibo_article(item, fetched_at=when(data.get("fetched_at")))
    article = replace(article, article_id=f"zhibo{item.id}", id_source="zhibo")  # type: ignore[arg-type]
    tags = zhibo_tags(item, article)
    record = ArticleRecord(article, raw if raw is not None else zhibo_raw(data), "json", "zhibo", key)
    return ParsedItem(record, key, item.docurl or str(data["url"]), tags.links, tags.ignored)


def parse_raw(raw_format: str, record: dict[str, Any], raw: bytes) -> ParsedItem:
    """An item from its stored bytes and record (a reject parsed again)."""
    if raw_format == "html":
        return parse_page(record, raw)
    if raw_format == "fragment":
        return parse_rss({**record, "description": raw.decode("utf-8")})
    if raw_format == "json":
        return parse_zhibo(json.loads(raw), raw)
    raise ParseError(f"no parser for raw format {raw_format!r}", reason="unknown_raw_format")
