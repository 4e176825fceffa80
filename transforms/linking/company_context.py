"""Reading the words around a company name: do they say the company, or an ordinary word?

Each detector returns a short phrase a reader can check ("the code (601728.SH) follows", "followed by 涨超, a
market move"), or None. Used to judge Sina's links and the names the own matcher finds.
"""

from __future__ import annotations

import re
from collections.abc import Collection

__all__ = [
    "company_cues",
    "facility_words_around",
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
    "大药房": ("药", "医"),  # 老百姓大药房, 益丰大药房: a pharmacy chain's trading name
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
    r"募资|定增|中标|公开发行|发行股票|IPO|获证监会|涨停|跌停|涨超|跌超|涨逾|跌逾|收涨|收跌|一度涨|一度跌|封板|高开|低开)"
)
#: price moves that fit anything with a price (上涨, 大跌, 涨幅): a stock's only after a trading-session word
_MOVE_AFTER = re.compile(
    r"^(?P<gap>[^，,、；;。：:]{0,4}?)(?P<lead>股价|股票|早盘|盘中|午后|尾盘|开盘|收盘)[^，,、；;。：:]{0,4}?"
    r"(?P<cue>上涨|下跌|大涨|大跌|涨幅|跌幅|走高|走低|拉升|跳水)"
)
#: a company's act of disclosure: publishing its results or filings (山东高速发布2021年业绩快报), the period
#: or the filing's name between the verb and the filing
_ACT_AFTER = re.compile(
    r"^(?P<gap>[^，,、；;。：:]{0,4}?)(?P<lead>发布|披露|公布|预披露)[^，,、；;。：:]{0,12}?"
    r"(?P<cue>公告|业绩|年报|年度报告|半年报|季报|快报|预告|财报)"
)
#: words right after a facility's name, past a period (今年, 10月), that speak of the facility itself
#: (宁波港吞吐量, 大秦铁路今年运量, 白云机场T3航站楼, 京沪高铁开通, 京沪高铁辅助通道), of a part of it (广州港南沙港区,
#: 连云港连云港区) or of works on it (日照港转型升级工程), not of the company that runs it
_FACILITY_AFTER = re.compile(
    r"^(?:今年|去年|全年|上半年|下半年|前三季度|[一二三四]季度|\d{4}年|\d{1,2}(?:[-—~至]\d{1,2})?月份?|本月|当月|上月|"
    r"日均|单日|累计|同期)*"
    r"(?:[A-Z]?\d{1,2}号?)?(?:旅客|货物|集装箱|原油)?(?:吞吐量|运量|客运量|货运量|发送量|客流|车流|航线|航班|航站楼|"
    r"跑道|起降|港口|码头|港区|泊位|航道|锚地|沿线|路段|收费站|服务区|全线|通车|开通|列车|班列|车次|运送|"
    r"扩建|改扩建|拥堵|油井|产量|(?:辅助|主)?通道)"
    r"|^[\u4e00-\u9fff]{1,4}?(?:港区|作业区|航站区)"
    r"|^[\u4e00-\u9fff]{0,4}?(?:改造|升级|扩建|扩容|扩能|整治|建设)工程"
)
#: words right before a facility's name that put something in it or on its way (从天津港出发, 乘坐京沪高铁)
_FACILITY_BEFORE = re.compile(
    r"(?:(?<![正现存实所])在|从|(?<![已曾])经|经由|途经|抵达|到达|驶入|驶离|驶往|进出|前往|飞往|飞抵|停靠|靠泊|乘坐|"
    r"搭乘|沿着|直达|通往|(?<!截)至)$"
)
#: a gap that makes the name a field or a commodity, not a company (农产品价格…, 机器人行业…)
_FIELD_GAP = re.compile(r"价格|价|行业|产业|企业|领域|市场|板块|概念|类")
_MARKET_BEFORE = re.compile(r"(公司|企业|集团|券商|个股|龙头|概念股|上市公司|A股|港股|子公司)[：:，,]?$")
#: a ranking's line of share moves: 新希望： 下跌35.2%；, 万科（A股）：下跌32.7%
_SHARE_MOVE_AFTER = re.compile(r"^(?:[（(][A-Z港美]股[)）])?\s*[：:]\s*(?P<cue>(?:上涨|下跌|涨|跌)\s*\d+(?:\.\d+)?%)")
_CODE_AFTER = re.compile(r"^\s*[（(]\s*(?:\d{6})(?:\s*[.．]\s*(?:SH|SZ|SS|BJ))?\s*[）)]", re.IGNORECASE)
#: a fund product named after a company: the name, a few words of the product's own (稳健增利) and its holding
#: period (一年持有, 两年持有期), the fund type, then the fund's ending (型, 基金, a share class A/C) and a
#: boundary. 长城证券中短债A and 中信证券红利价值一年持有混合A are funds; 中信证券债券首席分析师 (the broker's bond
#: analyst) and 中信证券指数化投资部 (a department) are not.
_FUND_NAME = re.compile(
    r"(?P<middle>[\u4e00-\u9fff]{0,6}?(?:[一二三六九两]个?[月年]|\d{1,3}个?[月天年])?"
    r"(?:持有期?|定期开放|定开|滚动持有)?)"
    r"(?:超短债|中短债|短债|纯债|信用债|利率债|可转债|债券|灵活配置|偏股混合|偏债混合|混合|指数增强|指数|"
    r"ETF联接|ETF|LOF|FOF|QDII|货币)"
    r"型?(?:证券投资)?(?:发起式)?(?:基金)?(?:[（(](?:LOF|QDII|FOF)[)）])?(?:[A-E]类|[A-E](?![A-Za-z]))?"
    r"(?=$|[、，,。；;：:\s（(）)“”\"]|等|和|与|及|近|今年|年内|以来|本周|上周|本月|当月|收益|净值|份额|规模|回撤|"
    r"录得|下跌|上涨|基金|产品)"
)
#: words that make the "middle" the company's own doing, not a product's name (中信证券旗下中短债产品)
_NOT_A_FUND_MIDDLE = re.compile(r"的|旗下|发行|推出|管理|承销|首席|分析|研究|团队|部")
_FUNDS_IN_SENTENCE = re.compile(r"基金|债|ETF|LOF|FOF|混合[A-E]?|持有期|净值")
_SENTENCE_END = re.compile(r"[。！？；!?;\n]")
#: the rest of a list that makes it a list of stocks: …等机场股, …、深圳机场板块
#: what may follow a name in the words of a company: its corporate acts, its share moves, its business acts
_COMPANY_AFTER = (_CORPORATE_AFTER, _MOVE_AFTER, _ACT_AFTER)
_STOCKS_AFTER = re.compile(r"^(?:[、和与及][^，,。；;、]{1,6}?)*等?[^，,。；;]{0,4}?(?:个股|股票|股|板块|概念)")
#: a facility or a place of the kind listed with ports and airports (珠海机场, 深圳港西部, 南沙港区, 前海合作区)
_FACILITY_OR_PLACE = (
    r"[\u4e00-\u9fff]{1,6}?(?:国际机场|机场|空港|港区|港口|码头|港|火车站|高铁站|车站|铁路|高铁|高速|园区|公园|"
    r"新区|开发区|保税区|合作区)"
)
#: the rest of a list whose end says its items are facilities: …、日照岚山、连云港港…等20万吨级及以上航道建设,
#: …、防城港企沙等矿石码头工程, …等港口集疏运系统 (the item the name opens may go on: 连云港连云)
_FACILITY_LIST_END = re.compile(
    r"[^，,。；;、]{0,6}?(?:[、和与及][^，,。；;、]{1,8}?)+等[^，,。；;、]{0,10}?"
    r"(?:航道|港口|码头|港区|泊位|机场|枢纽|集疏运|铁路|高速公路)"
)


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


def fund_name_at(text: str, start: int, end: int) -> str | None:
    """The fund name that the company name at ``text[start:end]`` opens (``长城证券中短债A``), or None."""
    left, right = sentence_bounds(text, start, end)
    if not _FUNDS_IN_SENTENCE.search(text, left, right):
        return None
    fund = _FUND_NAME.match(text[:right], end)
    if fund is None or _NOT_A_FUND_MIDDLE.search(fund.group("middle")):
        return None
    return text[start : fund.end()]


def company_cues(
    text: str, start: int, end: int, *, other_company_spans: Collection[tuple[int, int]] = ()
) -> list[str]:
    """Evidence, in the same sentence, that the name at ``text[start:end]`` means the listed company."""
    cues: list[str] = []
    after, before = text[end : end + 24], text[max(0, start - 12) : start]
    code = _CODE_AFTER.match(after)
    if code:
        cues.append(f"the code {code.group(0).strip()} follows")
    move = _SHARE_MOVE_AFTER.match(after)
    if move:
        cues.append(f"its share move follows ({move.group('cue')})")
    clause = _SENTENCE_END.split(after, maxsplit=1)[0]
    for pattern in _COMPANY_AFTER:
        market = pattern.match(clause)
        if market and not _FIELD_GAP.search(market.group("gap")):
            lead = market.groupdict().get("lead")
            cues.append(f"followed by {lead + '…' if lead else ''}{market.group('cue')}")
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


def facility_words_around(text: str, start: int, end: int) -> bool:
    """Do the words around the name at ``text[start:end]``, a facility's (宁波港, 白云机场, 京沪高铁), speak of
    the facility itself: what follows (吞吐量, 运量, 航线, 港区), what comes before (从…, 乘坐…), or the
    facilities and places listed with it (宁波港、上海港; 珠海机场、珠海港; …等航道建设)?"""
    if _FACILITY_AFTER.match(text[end : end + 20]):
        return True
    clause_start = max(text.rfind(mark, 0, start) for mark in "。！？；!?;\n，,：:") + 1
    if _FACILITY_BEFORE.search(text, clause_start, start):
        return True
    # a list of facilities and places: 宁波港、上海港、深圳港 and 与珠海机场、珠海港功能协调 list the port with other
    # facilities; 上海机场、白云机场涨超3% and 上海机场、白云机场等机场股 list stocks: what follows the list decides
    rest = text[end : end + 12]
    neighbour = re.match(rf"[、和与及]\s*{_FACILITY_OR_PLACE}", rest)
    if neighbour:
        rest = text[end + neighbour.end() : end + neighbour.end() + 12]
    elif not re.search(rf"{_FACILITY_OR_PLACE}[、和与及]$", text[max(0, start - 10) : start]):
        # 推进锦州港、唐山京唐、曹妃甸…等20万吨级及以上航道建设: a list that ends in works of ports is of ports
        return _FACILITY_LIST_END.match(text, end) is not None
    return not (_STOCKS_AFTER.match(rest) or any(p.match(rest) for p in _COMPANY_AFTER))


def _listed_together(text: str, a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Two names in one enumeration: only separators (、 和 与 及 以及 ，) between them."""
    (_, first_end), (second_start, _) = sorted([a, b])
    between = text[first_end:second_start]
    return len(between) <= 3 and re.fullmatch(r"[、，,和与及以]*|以及", between) is not None
