"""The own matcher: companies Sina did not link, judged by the words around them."""

from __future__ import annotations

from datetime import date

import pytest

from tests.transforms.linking_cases import DAY, found


def mentions(text: str, context, day=DAY) -> dict[str, str]:
    return {m.code: m.evidence for m in found(text, context, day)}


def confidences(text: str, context, day=DAY) -> dict[str, float]:
    return {m.code: m.confidence for m in found(text, context, day)}


def test_all_occurrences_and_tables(linking_context):
    text = "宁德时代发布业绩。\n公司\t营收\n宁德时代\t1000亿\n比亚迪\t2000亿"
    found = mentions(text, linking_context)
    assert set(found) == {"sz300750", "sz002594"}
    assert "2 occurrences" in found["sz300750"] and "named in a table" in found["sz300750"]


def test_common_words_need_the_company_around_them(linking_context):
    assert mentions("农产品价格上涨，老百姓的菜篮子更贵了。", linking_context) == {}
    found = mentions("老百姓（603883）股价大涨，农产品公告称将回购股份。", linking_context)
    assert set(found) == {"sh603883", "sz000061"}
    assert "the code （603883） follows" in found["sh603883"]


def test_a_name_inside_a_longer_word_is_not_the_company(linking_context):
    assert "sh600482" not in mentions("中国动力电池产业创新联盟今日成立。", linking_context)
    assert "sh600482" in mentions("中国动力公告称，公司一季度净利增长。", linking_context)


def test_the_company_name_with_its_industry_word(linking_context):
    found = mentions("太平洋证券则表示，由于计提资产减值造成公司亏损。", linking_context)
    assert "'太平洋证券' is the company's own name" in found["sh601099"]
    assert mentions("太平洋上空形成台风。", linking_context) == {}


def test_a_fund_named_after_a_broker_is_not_the_broker(linking_context):
    assert "sz002939" not in mentions(
        "南华瑞恒中短债、长城证券中短债、天弘增利等多只中短债基金录得负收益。", linking_context
    )


def test_point_in_time_names(linking_context):
    # 中国重工 was listed in 2021 and absorbed in 2025
    assert "sh601989" in mentions("中国重工发布公告，拟与中国船舶换股合并。", linking_context)
    assert "sh601989" not in mentions("中国重工发布公告，拟与中国船舶换股合并。", linking_context, date(2026, 11, 1))


def test_confidence_follows_the_evidence_not_its_wording(linking_context):
    # "东吴证券（601555）认为": the code right after the name: company words around it, 0.85
    assert confidences("东吴证券（601555）认为，券商板块估值处于低位。", linking_context) == {"sh601555": 0.85}
    # "东吴证券的总部在苏州": a distinctive name, nothing around it that only a company has: 0.75
    assert confidences("东吴证券的总部在苏州。", linking_context) == {"sh601555": 0.75}
    # "太平洋证券则表示": the company's own full name: 0.85
    assert confidences("太平洋证券则表示，公司亏损。", linking_context) == {"sh601099": 0.85}


def test_the_strongest_occurrence_sets_the_confidence(linking_context):
    # first alone, then with its code: the second occurrence is the better evidence
    text = "东吴证券的总部在苏州。\n东吴证券（601555）公告称，拟回购股份。"
    (mention,) = found(text, linking_context)
    assert mention.confidence == 0.85 and "（601555）" in mention.evidence and "2 occurrences" in mention.evidence


@pytest.mark.parametrize(
    "text",
    [
        "很多老百姓认为，看病贵的问题还没有解决。",  # "很多老百姓认为": ordinary people
        "老百姓表示，菜价比去年稳定。",  # "老百姓表示": people say
        "受天气影响，农产品价格上涨5%。",  # "农产品价格上涨5%": the price of produce
        "机器人行业预计今年增长两成。",  # "机器人行业预计": the robot industry
    ],
)
def test_generic_verbs_and_prices_are_not_company_words(text, linking_context):
    # none of these names a listed company
    assert mentions(text, linking_context) == {}


def test_only_distinctive_names_make_a_list_of_companies(linking_context):
    # "老百姓、农产品和机器人": three ordinary words in a row, no company among them
    assert mentions("老百姓、农产品和机器人都是常用词。", linking_context) == {}
    # "贵州茅台、老百姓等": 贵州茅台 is a company, so the pharmacy chain listed with it is one too
    found = mentions("贵州茅台、老百姓等个股表现活跃。", linking_context)
    assert "listed together with the companies 贵州茅台" in found["sh603883"]


@pytest.mark.parametrize(
    "text",
    [
        # the regulator, the banking association, Shibor, the construction association
        "中国银行保险监督管理委员会发布通知。",
        "中国银行业协会发布报告。",
        "上海银行间同业拆放利率上行。",
        "中国建筑业协会发布数据。",
    ],
)
def test_institutions_and_terms_that_contain_a_short_name(text, linking_context):
    # no company among them
    assert mentions(text, linking_context) == {}


def test_a_carmakers_sales_name_the_carmaker(linking_context):
    # "长安汽车销量增长": the carmaker's sales
    assert set(mentions("长安汽车销量增长20%。", linking_context)) == {"sz000625"}


def test_a_broker_analyst_is_not_a_fund(linking_context):
    # "中信证券债券首席分析师明明认为": the broker's chief bond analyst, so the broker itself
    found = mentions("中信证券债券首席分析师明明认为，债市将走强。", linking_context)
    assert "followed by 首席" in found["sh600030"]


@pytest.mark.parametrize(
    "text",
    [
        # a forum held in Lujiazui and at Financial Street, a city, a scenic area, a port's throughput, a
        # railway line's traffic, and two everyday phrases
        "陆家嘴论坛今天开幕。",
        "连云港市发布通知。",
        "张家界景区游客增多。",
        "金融街论坛召开。",
        "宁波港吞吐量增长。",
        "大秦铁路运量下降。",
        "新世界的大门已经打开。",
        "人们走进新天地。",
    ],
)
def test_places_and_facilities_are_not_companies_by_themselves(text, linking_context):
    # no company is named
    assert mentions(text, linking_context) == {}


def test_a_facility_name_with_company_words_is_the_company(linking_context):
    # "大秦铁路公告称": the listed railway operator 601006 announces
    assert "followed by 公告" in mentions("大秦铁路公告称，10月运量同比增长。", linking_context)["sh601006"]
    # "连云港（601008）": the port operator, by its code
    assert "sh601008" in mentions("连云港（601008）今日涨停。", linking_context)
