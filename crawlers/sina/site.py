"""What the crawler knows about Sina's site beyond configuration: how its listing URLs are built, which URLs
are finance articles, and what its rate-limit and broken answers look like. One place to edit when Sina changes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from policywatch.transforms.sina.ids import publishid_from_url
from policywatch.transforms.sina.truncation import page_cut_reason

__all__ = [
    "RATE_LIMIT_MARKERS",
    "ArticleFilter",
    "article_key",
    "host_set",
    "is_rate_limit_page",
    "looks_truncated",
    "roll_page_url",
    "with_query",
    "zhibo_page_url",
]

#: Sina's rate-limit page ("Kinsoku jikou desu!" = 禁則事項です), served with HTTP 456 and sometimes 200
RATE_LIMIT_MARKERS = (b"Kinsoku jikou desu",)
RATE_LIMIT_STATUS = 456


def with_query(url: str, **params: object) -> str:
    """``url`` with ``params`` set (replacing any it already has), keeping the others in order."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    query += [(k, str(v)) for k, v in params.items() if v is not None]
    return urlunsplit(parts._replace(query=urlencode(query)))


def roll_page_url(roll_url: str, pageid: int, lid: int, page: int, num: int, callback: str = "") -> str:
    """``…/api/roll/get?pageid=155&lid=1686&k=&num=50&page=1`` (``&callback=…`` for JSONP)."""
    return with_query(roll_url, pageid=pageid, lid=lid, k="", num=num, page=page, callback=callback or None)


def zhibo_page_url(zhibo_url: str, page: int, page_size: int) -> str:
    return with_query(zhibo_url, page=page, page_size=page_size)


def article_key(url: str) -> str:
    """The identity of an article across its URLs: Sina's publishid, else the URL without scheme and query."""
    publishid = publishid_from_url(url)
    if publishid:
        return publishid
    parts = urlsplit(url.strip())
    return f"{parts.hostname or ''}{parts.path}"


def host_set(hosts: Iterable[str]) -> frozenset[str]:
    """Host names to match exactly (``tech.sina.com.cn`` is another site than ``finance.sina.com.cn``): lower
    case, empty ones left out."""
    return frozenset(h.lower() for h in hosts if h)


Verdict = Literal["article", "off_host", "not_article"]


@dataclass(frozen=True)
class ArticleFilter:
    """Keeps only finance article URLs on allowed hosts (exact host names: ``tech.sina.com.cn`` is another site)."""

    hosts: frozenset[str]
    path_pattern: re.Pattern[str]

    @classmethod
    def build(cls, hosts: Iterable[str], path_pattern: str) -> ArticleFilter:
        return cls(host_set(hosts), re.compile(path_pattern))

    def verdict(self, url: str) -> Verdict:
        parts = urlsplit(url.strip())
        if parts.scheme not in ("http", "https") or (parts.hostname or "").lower() not in self.hosts:
            return "off_host"
        return "article" if self.path_pattern.search(parts.path) else "not_article"


def is_rate_limit_page(status: int, body: bytes) -> bool:
    if status == RATE_LIMIT_STATUS:
        return True
    head = body[:4096]
    return any(marker in head for marker in RATE_LIMIT_MARKERS)


def looks_truncated(body: bytes) -> bool:
    """An article page cut short in transfer, by the parser's own rule (it would refuse the page): no
    ``</html>``, or something left open after it. Comments and scripts after ``</html>`` are normal."""
    return page_cut_reason(body) is not None
