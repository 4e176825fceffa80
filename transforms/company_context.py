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
#: corporate words that only make sense about a listed company (a generic verb such as 认为, 表示, 预计 or a
#: price word does not: 很多老百姓认为…, 农产品价格上涨…, 机器人行业预计…)
_CORPORATE_AFTER = re.compile(
    r"^(?P<gap>[^，,、；;。：:]{0,6}?)(?P<cue>公告|董事长|总经理|总裁|董秘|董事会|控股股东|股东|持股|股价|市值|"
    r"净利|营收|营业收入|业绩|年报|半年报|季报|回购|增持|减持|分红|派息|停牌|复牌|首席|分析师|研报|旗下|子公司|"
    r"募资|公开发行|发行股票|IPO|获证监会|涨停|跌停|涨超|跌超|涨逾|跌逾|收涨|收跌|一度涨|一度跌|封板|高开|低开)"
)
#: price moves that fit anything with a price (上涨, 大跌, 涨幅): a stock's only after a trading-session word
_MOVE_AFTER = re.compile(
    r"^(?P<gap>[^，,、；;。：:]{0,4}?)(?P<session>股价|股票|早盘|盘中|午后|尾盘|开盘|收盘)[^，,、；;。：:]{0,4}?"
    r"(?P<cue>上涨|下跌|大涨|大跌|涨幅|跌幅|走高|走低|拉升|跳水)"
)
#: a gap that makes the name a field or a commodity, not a company (农产品价格…, 机器人行业…)
_FIELD_GAP = re.compile(r"价格|价|行业|产业|企业|领域|市场|板块|概念|类")
_MARKET_BEFORE = re.compile(r"(公司|企业|集团|券商|个股|龙头|概念股|上市公司|A股|港股|子公司)[：:，,]?$")
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
    clause = _SENTENCE_END.split(after, maxsplit=1)[0]
    for pattern in (_CORPORATE_AFTER, _MOVE_AFTER):
        market = pattern.match(clause)
        if market and not _FIELD_GAP.search(market.group("gap")):
            session = market.groupdict().get("session")
            cues.append(f"followed by {session + '…' if session else ''}{market.group('cue')}")
            break
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
