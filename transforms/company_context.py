"""Reading the words around a company name: do they say the company, or an ordinary word?

Each detector returns a short phrase a reader can check ("the code (601728.SH) follows", "followed by 涨超, a
market move"), or None. Used to judge Sina's links and the names the own matcher finds.
"""

from __future__ import annotations

import re
from collections.abc import Collection

__all__ = [
    "company_cues",
    "fund_name_at",
    "organisation_suffix",
    "sentence_bounds",
]

#: words right after a name that make it the company's own full name
_UNIVERSAL_SUFFIXES = ("股份有限公司", "有限公司", "股份", "集团", "控股")
#: suffix word → the industry board stems it must agree with (太平洋 + 证券 is the broker 太平洋证券)
_INDUSTRY_SUFFIXES = {
    "证券": ("证券",),
    "银行": ("银行",),
    "保险": ("保险",),
    "药业": ("药", "医"),
    "医药": ("药", "医"),
    "制药": ("药",),
    "电器": ("电", "家电"),
    "汽车": ("汽车",),
    "能源": ("能源", "电力", "光伏", "风电", "煤", "油", "气"),
    "科技": (),  # any company may call itself 科技; accepted without an industry check
}
#: market and corporate words that only make sense about a listed company
_MARKET_AFTER = re.compile(
    r"^[^，,、；;。：:]{0,6}?(涨停|跌停|涨超|跌超|涨幅|跌幅|大涨|大跌|股价|市值|收涨|收跌|上涨\d|下跌\d|一度涨|一度跌|"
    r"公告|董事长|总经理|董秘|净利|营收|营业收入|业绩|年报|半年报|季报|股东|持股|回购|增持|减持|分红|"
    r"首席|分析师|研报|研究所|团队|认为|表示|指出|预计|称|发布了|旗下|子公司|"
    r"募资|上市|发行股票|公开发行|IPO|获证监会|注册)"
)
_MARKET_BEFORE = re.compile(
    r"(公司|企业|集团|券商|个股|龙头|概念股|股份|上市公司|A股|港股|其中|包括|如|比如|例如|以及|子公司)[：:，,]?$"
)
_CODE_AFTER = re.compile(r"^\s*[（(]\s*(?:\d{6})(?:\s*[.．]\s*(?:SH|SZ|SS|BJ))?\s*[）)]", re.IGNORECASE)
_FUND_SUFFIX = re.compile(
    r"^(中短债|短债|纯债|债券|信用债|利率债|增利|增强|混合|灵活配置|成长|价值|精选|优选|稳健|指数|ETF|LOF|FOF|货币|理财|"
    r"[A-Z]?[A-Z]$)"
)
_SENTENCE_END = re.compile(r"[。！？；!?;\n]")


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    left = max((m.end() for m in _SENTENCE_END.finditer(text, 0, start)), default=0)
    right_match = _SENTENCE_END.search(text, end)
    return left, right_match.start() if right_match else len(text)


def organisation_suffix(text: str, end: int, industries: Collection[str]) -> str | None:
    """The organisation word right after a name, when it makes the company's full name."""
    after = text[end : end + 8]
    for suffix in _UNIVERSAL_SUFFIXES:
        if after.startswith(suffix):
            return suffix
    for suffix, stems in _INDUSTRY_SUFFIXES.items():
        if after.startswith(suffix) and (not stems or any(stem in ind for stem in stems for ind in industries)):
            return suffix
    return None


def fund_name_at(text: str, end: int) -> str | None:
    """The fund name a company name opens (``长城证券中短债``), when a fund product follows it."""
    left, right = sentence_bounds(text, end, end)
    if "基金" not in text[left:right] and "债" not in text[left:right]:
        return None
    tail = re.split(r"[、，,。；;\s（(]", text[end:right], maxsplit=1)[0]
    if tail and _FUND_SUFFIX.match(tail):
        start = max(left, text.rfind("、", left, end) + 1, text.rfind("，", left, end) + 1)
        return text[start : end + len(tail)]
    return None


def company_cues(
    text: str, start: int, end: int, *, other_company_spans: Collection[tuple[int, int]] = ()
) -> list[str]:
    """Evidence, in the same sentence, that the name at ``text[start:end]`` means the listed company."""
    cues: list[str] = []
    after, before = text[end : end + 24], text[max(0, start - 12) : start]
    code = _CODE_AFTER.match(after)
    if code:
        cues.append(f"the code {code.group(0).strip()} follows")
    market = _MARKET_AFTER.match(_SENTENCE_END.split(after, maxsplit=1)[0])
    if market:
        cues.append(f"followed by {market.group(1)}")
    described = _MARKET_BEFORE.search(_SENTENCE_END.split(before)[-1])
    if described:
        cues.append(f"introduced by {described.group(1)}")
    left, right = sentence_bounds(text, start, end)
    neighbours = [
        (s, e)
        for s, e in other_company_spans
        if left <= s < right and (s, e) != (start, end) and _listed_together(text, (start, end), (s, e))
    ]
    if neighbours:
        names = "、".join(text[s:e] for s, e in sorted(neighbours)[:3])
        cues.append(f"listed together with the companies {names}")
    return cues


def _listed_together(text: str, a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Two names in one enumeration: only separators (、 和 与 及 以及 ，) between them."""
    (_, first_end), (second_start, _) = sorted([a, b])
    between = text[first_end:second_start]
    return len(between) <= 3 and re.fullmatch(r"[、，,和与及以]*|以及", between) is not None
