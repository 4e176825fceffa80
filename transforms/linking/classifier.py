"""Judging each stock link Sina's auto-linker inserted: a company mention, a name collision, an index, or a
theme stock (a generic word whose company is in that very business).

Sina links a stock wherever its short name appears as a plain substring, so a link is evidence to weigh,
never a fact. The judgement reads the words around the link: an organisation word that completes the
company's name (太平洋 + 证券), a fund product it opens (长城证券中短债), a longer word it sits inside
(中国动力 in 中国动力电池), whether the name is an ordinary word (机器人, 农产品, 老百姓), and market or
corporate words that only fit a company (涨停, 公告, 首席分析师…认为, the stock code).

A generic word is a theme stock when the company is in the business the text speaks of: the word itself names
a theme (机器人, 太阳能), or the measure it sits in (the numbered item; outside measures, its paragraph) names a
theme a board of the company defines: 农产品 in a measure on 冷链物流 is the field of 000061, which runs farm
produce markets and cold-chain logistics and sits in the board 冷链物流; in a measure on grain supply it is the
ordinary word.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Literal

from policywatch.transforms.linking.company_context import (
    company_cues,
    facility_words_around,
    fund_name_at,
    organisation_suffix,
)
from policywatch.transforms.linking.context import LinkingContext
from policywatch.transforms.models import Article, StockLink

__all__ = ["LinkClass", "LinkJudgement", "classify_stock_link", "theme_scope"]

LinkClass = Literal["mention", "name_collision", "index", "theme_stock"]


@dataclass(frozen=True, slots=True)
class LinkJudgement:
    link_class: LinkClass
    reason: str
    confidence: float  #: that the article is about this company
    theme_id: str | None = None


def classify_stock_link(
    link: StockLink,
    text: str,
    day: date | None,
    ctx: LinkingContext,
    *,
    company_spans: Collection[tuple[int, int]] = (),
    scope: tuple[int, int] | None = None,
    source: str | None = None,
) -> LinkJudgement:
    """Judge one link in ``text`` (the article's clean text) of an article published on ``day`` (China date).

    ``scope``: the span of the measure (or paragraph) the link sits in, where a theme may be named for a generic
    word (see ``theme_scope``); ``source``: the article's source line, which the parser set aside."""
    record = ctx.master.get(link.code)
    if link.kind == "index":
        name = record.name_on(day) if record else link.anchor_text
        return LinkJudgement("index", f"{link.code} is an index ({name}), not a company", 0.0)
    anchor = link.anchor_text
    if link.position is None or not anchor:
        return _unplaced(anchor, source)
    name = record.name_on(day) if record else anchor
    who = f"{name} ({link.ticker})"
    start, end = link.position, link.position + len(anchor)
    cues = company_cues(text, start, end, other_company_spans=company_spans)
    named = _named_by_form(link, text, ctx, cues, who)
    if named:
        return named
    common = ctx.lexicon.common_word(anchor)
    if common is None:
        why = f"'{anchor}' is the company's distinctive short name"
        if record and anchor != name:
            why = f"'{anchor}' was linked for {who}"
        return LinkJudgement("mention", _join(why, cues), 0.9)
    if cues:
        return LinkJudgement("mention", _join(f"'{anchor}' is also {common}, but here it names {who}", cues), 0.8)
    # a port's, an airport's or an expressway's name says the facility only where its words are around
    # (宁波港吞吐量, 从天津港出发); elsewhere it is the listed operator (上海临港与…签署, 宁沪高速拟发行…)
    facility = ctx.lexicon.facility(anchor)
    if facility and not facility_words_around(text, start, end):
        return LinkJudgement(
            "mention",
            f"'{anchor}' may also name {facility.what}, but nothing around it speaks of {facility.what}: "
            f"it names {who}",
            0.8,
        )
    # the facility itself is no field of business: 京沪高铁开通 is the line, not high-speed rail
    theme = None if facility else _theme_of_field(link, text, ctx, common, who, scope)
    if theme:
        return theme
    curated = [
        t.id for t in ctx.taxonomy.themes for m in t.members if m.ticker == link.ticker and m.source == "curated"
    ]
    tail = f"; it is a curated pick of theme {', '.join(curated)} without a board behind it" if curated else ""
    return LinkJudgement(
        "name_collision",
        f"'{anchor}' is {common}; here it is used in that sense and nothing around it names the company {who}{tail}",
        0.1,
    )


def _unplaced(anchor: str, source: str | None) -> LinkJudgement:
    """A link with no words in the text: listed only in Sina's keyword comment, or linked in a line the parser
    set aside (the original-title or the source line)."""
    if not anchor:
        return LinkJudgement("mention", "only listed in Sina's keyword comment: there are no linked words to read", 0.3)
    if source and anchor in source:
        return LinkJudgement(
            "name_collision",
            f"'{anchor}' was linked inside the source line's '{source}': the outlet the article comes from, "
            "not a company it speaks of",
            0.1,
        )
    return LinkJudgement("mention", f"'{anchor}' was linked in the original title, which the text does not repeat", 0.5)


def _named_by_form(link: StockLink, text: str, ctx: LinkingContext, cues: list[str], who: str) -> LinkJudgement | None:
    """What the words right at the name decide on their own: a fund product it opens, a longer word or proper
    name it sits inside, or an organisation word that completes the company's name."""
    anchor = link.anchor_text
    start, end = link.position or 0, (link.position or 0) + len(anchor)
    strong = [c for c in cues if c.startswith("the code")]
    fund = fund_name_at(text, start, end)
    if fund and not strong:
        return LinkJudgement(
            "name_collision", f"'{anchor}' opens the fund name '{fund}': a fund product, not the listed company", 0.1
        )
    longer = ctx.lexicon.longer_word(text, start, end)
    inside = (
        f"'{anchor}' sits inside the longer word '{longer.word}' ({longer.what}), which is not the company {who}"
        if longer
        else ""
    )
    if longer and longer.definite:
        return LinkJudgement("name_collision", inside, 0.1)
    suffix = organisation_suffix(text, end, ctx.boards.industry_names(link.code[2:]))
    if suffix:
        return LinkJudgement("mention", _join(f"'{anchor}{suffix}' is the company's own name", cues), 0.9)
    if longer and not cues:
        return LinkJudgement("name_collision", inside, 0.1)
    return None


def _theme_of_field(
    link: StockLink, text: str, ctx: LinkingContext, common: str, who: str, scope: tuple[int, int] | None
) -> LinkJudgement | None:
    """The generic word as the field of a theme the company is in by a board: a theme the word itself names
    (机器人), or, for a common noun of the general lexicon (not a place such as 中关村, not a curated phrase
    such as 线上线下), a theme its measure names (农产品 in a measure on 冷链物流)."""
    anchor = link.anchor_text
    in_business = ctx.themes_of_company(link.code[2:])
    named = [(m, "") for m in ctx.matcher.match(anchor)]
    if scope and ctx.lexicon.common_noun(anchor):
        where = text[scope[0] : scope[1]]
        named += [(m, f"its measure names {'、'.join(m.terms)}: ") for m in ctx.matcher.match(where)]
    for match, said in named:
        if match.theme_id in in_business:
            theme = ctx.taxonomy.get(match.theme_id)
            return LinkJudgement(
                "theme_stock",
                f"'{anchor}' is {common}; here it names the field, not the company, but {said}{who} is in that "
                f"business ({in_business[match.theme_id]}; theme {theme.id} {theme.name_zh})",
                0.5,
                theme.id,
            )
    return None


def theme_scope(article: Article, link: StockLink) -> tuple[int, int] | None:
    """Where a theme must be named for a generic word at ``link`` to be a theme stock: the numbered measure the
    link sits in, or outside measures its paragraph."""
    if link.position is None:
        return None
    for measure in article.measures:
        end = measure.position + len(measure.label) + len(measure.text)
        if measure.position <= link.position < end:
            return measure.position, end
    if link.paragraph is None:
        return None
    start = sum(len(p) + 1 for p in article.paragraphs[: link.paragraph])
    return start, start + len(article.paragraphs[link.paragraph])


def _join(reason: str, cues: list[str]) -> str:
    return f"{reason}: {'; '.join(cues)}" if cues else reason
