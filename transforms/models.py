"""Typed records produced by the parsers, and the paragraph positions they share. Frozen: a parsed article never
changes after the fact."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

__all__ = [
    "CHINA_TZ",
    "CRAWL_RULE_REASONS",
    "PARSER_VERSION",
    "Article",
    "Measure",
    "NumberedList",
    "Section",
    "Security",
    "StockLink",
    "TextCode",
    "paragraph_of",
    "paragraph_starts",
]

#: bumped whenever parsing output changes; stored with every parsed row so stale rows can be re-parsed
PARSER_VERSION = "2026.11.3"
#: Sina shows China time; instants are stored in UTC and shown in China time
CHINA_TZ = ZoneInfo("Asia/Shanghai")
#: why the crawl left a listed item alone by its own rules (robots.txt, allowed hosts), saying nothing of the
#: site's health or the parser: known whatever the parser version, never fetched again, reported as skipped
CRAWL_RULE_REASONS = ("robots_disallowed", "off_host", "off_host_redirect")


def paragraph_starts(paragraphs: Sequence[str]) -> list[int]:
    """Where each paragraph starts in the article's text, the paragraphs joined by one newline each."""
    starts, offset = [], 0
    for paragraph in paragraphs:
        starts.append(offset)
        offset += len(paragraph) + 1
    return starts


def paragraph_of(position: int, starts: Sequence[int]) -> int:
    """The paragraph that holds ``position`` of the text, given ``paragraph_starts``."""
    return max(0, bisect_right(starts, position) - 1)


Exchange = Literal["SH", "SZ", "BJ", "HK"]
SecurityKind = Literal["stock", "index"]
LinkSeenIn = Literal["span", "href", "comment", "tag"]


@dataclass(frozen=True, slots=True)
class Security:
    """A security identified from a Sina code or a code written in text."""

    code: str  #: Sina's form, market prefix kept: ``sz300024``, ``sh000001`` (an index), ``bj838275``
    symbol: str  #: the exchange's own code: ``300024``
    exchange: Exchange
    ticker: str  #: Yahoo-style: ``300024.SZ``, ``600000.SS``, ``838275.BJ``
    kind: SecurityKind


@dataclass(frozen=True, slots=True)
class StockLink:
    """One stock link Sina's auto-linker inserted into an article."""

    code: str
    ticker: str
    exchange: Exchange
    kind: SecurityKind
    anchor_text: str  #: the linked words, e.g. ``机器人``; empty when Sina linked nothing visible
    position: int | None  #: offset of the anchor in ``Article.text``; None if only listed in the comment
    paragraph: int | None  #: index into ``Article.paragraphs``
    seen_in: tuple[LinkSeenIn, ...]  #: where the code was found in the markup


@dataclass(frozen=True, slots=True)
class TextCode:
    """A stock code written in the article text, e.g. ``（601728.SH）``."""

    code: str  #: Sina form, ``sh601728``
    symbol: str
    exchange: Exchange
    ticker: str
    raw: str  #: the matched text as written
    explicit_exchange: bool  #: the text named the exchange (``.SH``) instead of it being inferred
    position: int
    paragraph: int


@dataclass(frozen=True, slots=True)
class Section:
    """A numbered section heading such as ``二、推动标准化与科技创新互动发展``."""

    number: int
    label: str  #: ``二、``
    title: str
    position: int
    paragraph: int


@dataclass(frozen=True, slots=True)
class Measure:
    """A numbered item: ``（三）加强关键技术领域标准研究。…`` or ``1、…``."""

    ordinal: int  #: 1-based order in its list, unique within the list even if numbering restarts
    number: int  #: the number as written (三 → 3)
    label: str  #: ``（三）``, ``1、``, ``第五条``
    style: Literal["paren", "arabic", "article"]
    heading: str  #: the first sentence, without the label
    text: str  #: the full text, without the label
    section: int | None  #: number of the enclosing section, if any
    section_title: str | None
    position: int
    paragraph: int


@dataclass(frozen=True, slots=True)
class NumberedList:
    """A numbered list that is not the article's principal list of measures (e.g. a summary)."""

    style: Literal["paren", "arabic", "article"]
    items: tuple[Measure, ...]


@dataclass(frozen=True, slots=True)
class Article:
    """A parsed Sina article. ``text`` is the paragraphs joined by newlines; positions index into it."""

    article_id: str
    id_source: Literal["publishid", "hash", "zhibo"]
    url: str | None
    title: str
    original_title: str | None
    published_at: datetime | None  #: timezone-aware
    source: str | None
    editor: str | None
    keywords: tuple[str, ...]
    template: str  #: which page generation or archive format was parsed
    encoding: str
    fetched_at: datetime | None
    text: str
    paragraphs: tuple[str, ...]
    stock_links: tuple[StockLink, ...]
    keyword_comment_codes: tuple[str, ...] | None  #: codes in ``<!-- news_keyword_pub,… -->``, None if absent
    links_match_comment: bool | None  #: does the comment's code set equal the links' set
    text_codes: tuple[TextCode, ...]
    sections: tuple[Section, ...]
    measures: tuple[Measure, ...]
    other_lists: tuple[NumberedList, ...]
    warnings: tuple[str, ...] = field(default=())
    parser_version: str = PARSER_VERSION

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: instants in ISO 8601, shown in China time with their offset."""
        data = asdict(self)
        for key in ("published_at", "fetched_at"):
            value = getattr(self, key)
            data[key] = value.astimezone(CHINA_TZ).isoformat() if value is not None else None
        return data
