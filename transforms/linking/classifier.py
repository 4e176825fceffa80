"""Judging each stock link Sina's auto-linker inserted: a company mention, a name collision, an index, or a
theme stock (a generic word whose company is in that very business).

Sina links a stock wherever its short name appears as a plain substring, so a link is evidence to weigh,
never a fact. The judgement reads the words around the link: an organisation word that completes the
company's name (太平洋 + 证券), a fund product it opens (长城证券中短债), a longer word it sits inside
(中国动力 in 中国动力电池), whether the name is an ordinary word (机器人, 农产品, 老百姓), and market or
corporate words that only fit a company (涨停, 公告, 首席分析师…认为, the stock code).
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
from policywatch.transforms.models import StockLink

__all__ = ["LinkClass", "LinkJudgement", "classify_stock_link"]

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
) -> LinkJudgement:
    """Judge one link in ``text`` (the article's clean text) of an article published on ``day`` (China date)."""
    record = ctx.master.get(link.code)
    if link.kind == "index":
        name = record.name_on(day) if record else link.anchor_text
        return LinkJudgement("index", f"{link.code} is an index ({name}), not a company", 0.0)
    anchor = link.anchor_text
    if link.position is None or not anchor:
        return LinkJudgement("mention", "only listed in Sina's keyword comment: there are no linked words to read", 0.3)
    name = record.name_on(day) if record else anchor
    who = f"{name} ({link.ticker})"
    start, end = link.position, link.position + len(anchor)
    industries = ctx.boards.industry_names(link.code[2:])
    cues = company_cues(text, start, end, other_company_spans=company_spans)
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
    suffix = organisation_suffix(text, end, industries)
    if suffix:
        return LinkJudgement("mention", _join(f"'{anchor}{suffix}' is the company's own name", cues), 0.9)
    if longer and not cues:
        return LinkJudgement("name_collision", inside, 0.1)
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
    in_business = {} if facility else ctx.themes_of_company(link.code[2:])
    for match in ctx.matcher.match(anchor):
        if match.theme_id in in_business:
            theme = ctx.taxonomy.get(match.theme_id)
            return LinkJudgement(
                "theme_stock",
                f"'{anchor}' is {common}; here it names the field, not the company, but {who} is in that "
                f"business ({in_business[match.theme_id]}; theme {theme.id} {theme.name_zh})",
                0.5,
                theme.id,
            )
    curated = [
        t.id for t in ctx.taxonomy.themes for m in t.members if m.ticker == link.ticker and m.source == "curated"
    ]
    tail = f"; it is a curated pick of theme {', '.join(curated)} without a board behind it" if curated else ""
    return LinkJudgement(
        "name_collision",
        f"'{anchor}' is {common}; here it is used in that sense and nothing around it names the company {who}{tail}",
        0.1,
    )


def _join(reason: str, cues: list[str]) -> str:
    return f"{reason}: {'; '.join(cues)}" if cues else reason
