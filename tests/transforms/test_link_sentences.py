"""Sina's links judged in single sentences, each class read from the sentence by hand.

Sina links a short name wherever it appears as a plain substring (first occurrence only); these sentences
put a link where Sina's linker would put it and say what the words mean there. Each is judged twice: the
link's class, and whether the own matcher finds the company (it should exactly when the class is
``mention``); the fund names are judged by the link alone, with the reason that names the fund.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.transforms.linking_cases import C, M, T, check, judge, judge_both


@pytest.mark.parametrize(
    ("text", "code", "anchor", "expected"),
    [
        # ordinary people who think, say, expect: generic verbs say nothing about the pharmacy chain 603883
        ("很多老百姓认为，看病贵的问题还没有解决。", "sh603883", "老百姓", C),
        ("老百姓表示，菜价比去年稳定。", "sh603883", "老百姓", C),
        # the price of farm produce, not the stock of 000061
        ("受天气影响，农产品价格上涨5%。", "sz000061", "农产品", C),
        # the robot industry's outlook, not the company 300024
        ("机器人行业预计今年增长两成。", "sz300024", "机器人", T),
        # words that only fit a listed company
        ("老百姓股价大涨，公司公告称一季度净利增长。", "sh603883", "老百姓", M),
        ("农产品午后涨停，成交额放大。", "sz000061", "农产品", M),
        ("老百姓董事长谢子龙表示，门店将继续扩张。", "sh603883", "老百姓", M),
    ],
)
def test_company_words_not_generic_verbs(text, code, anchor, expected, linking_context):
    check(text, code, anchor, expected, linking_context)


@pytest.mark.parametrize(
    ("text", "code", "anchor", "expected"),
    [
        # the banking and insurance regulator, the banking association, the banking industry: not Bank of China
        ("中国银行保险监督管理委员会发布通知，规范理财业务。", "sh601988", "中国银行", C),
        ("中国银行业协会发布报告称，不良率保持稳定。", "sh601988", "中国银行", C),
        ("中国银行业协会首席经济学家巴曙松表示，息差承压。", "sh601988", "中国银行", C),
        # Shibor, the interbank rate: not Bank of Shanghai
        ("上海银行间同业拆放利率全线上行。", "sh601229", "上海银行", C),
        # the construction industry's association: not China State Construction
        ("中国建筑业协会发布数据，建筑业总产值增长。", "sh601668", "中国建筑", C),
        # an industry alliance of battery makers: not China Shipbuilding's power unit 600482
        ("中国动力电池产业创新联盟发布数据，10月装车量同比增长。", "sh600482", "中国动力", C),
        ("中国动力电池装车量连续增长。", "sh600482", "中国动力", C),
        # the carmakers' own sales, results and business: the companies themselves
        ("长安汽车销量增长20%，自主品牌表现亮眼。", "sz000625", "长安汽车", M),
        ("长城汽车销量同比下降。", "sh601633", "长城汽车", M),
        ("中国建筑业绩稳健增长，新签合同额创新高。", "sh601668", "中国建筑", M),
        ("中国银行业务收入增长。", "sh601988", "中国银行", M),
        # the ocean, and the broker whose short name is 太平洋
        ("横跨太平洋的航线恢复运营。", "sh601099", "太平洋", C),
        ("太平洋上空形成台风。", "sh601099", "太平洋", C),
        ("太平洋证券则表示，由于计提资产减值造成公司亏损。", "sh601099", "太平洋", M),
    ],
)
def test_names_inside_longer_words_are_judged(text, code, anchor, expected, linking_context):
    check(text, code, anchor, expected, linking_context)


@pytest.mark.parametrize(
    ("text", "code", "anchor", "expected", "fund"),
    [
        # a fund list: 长城证券中短债 is a fund product (sample 09), its share class A is part of its name
        (
            "南华瑞恒中短债、长城证券中短债、天弘增利等多只中短债基金录得负收益。",
            "sz002939",
            "长城证券",
            C,
            "长城证券中短债",
        ),
        ("长城证券中短债A近一月下跌0.5%，在同类基金中靠后。", "sz002939", "长城证券", C, "长城证券中短债A"),
        # the broker's chief bond analyst and its index investment department: the broker itself
        ("中信证券债券首席分析师明明认为，债市将走强。", "sh600030", "中信证券", M, None),
        ("中信证券指数化投资部负责人表示，指数基金规模仍在增长。", "sh600030", "中信证券", M, None),
    ],
)
def test_fund_names_need_a_fund_shape(text, code, anchor, expected, fund, linking_context):
    judgement = judge(text, code, anchor, linking_context)
    assert judgement.link_class == expected
    if fund:
        assert f"the fund name '{fund}'" in judgement.reason


@pytest.mark.parametrize(
    ("text", "code", "anchor", "expected"),
    [
        ("陆家嘴论坛今天开幕，多位监管负责人发言。", "sh600663", "陆家嘴", C),  # a forum named after the district
        ("连云港市出台政策支持港口物流。", "sh601008", "连云港", C),  # the city
        ("鄂尔多斯市将建设零碳产业园。", "sh600295", "鄂尔多斯", C),  # the city (Sina links it to 600295)
        ("宁波港吞吐量连续增长。", "sh601018", "宁波港", C),  # the port itself
        ("大秦铁路运量同比下降。", "sh601006", "大秦铁路", C),  # the railway line
        ("大秦铁路公告称，10月运量同比增长。", "sh601006", "大秦铁路", M),  # the listed operator announces
        ("宁德时代市占率继续提升。", "sz300750", "宁德时代", M),  # 市占率 is its market share, not a city
    ],
)
def test_places_and_facilities(text, code, anchor, expected, linking_context):
    check(text, code, anchor, expected, linking_context)


def test_a_curated_longer_word_makes_a_name_inside_it_a_collision(linking_context):
    """generic_names.yaml's ``longer_words``, for what no rule finds: a name inside a listed word is not the
    company there, whatever the rules would say."""
    text = "中国银行研究院发布报告称，经济稳步复苏。"
    assert judge_both(text, "sh601988", "中国银行", linking_context) == (M, True)  # by the rules: the bank's own
    lexicon = replace(linking_context.lexicon, longer={"中国银行研究院": "a research institute"})
    curated = replace(linking_context, lexicon=lexicon)
    assert judge_both(text, "sh601988", "中国银行", curated) == (C, False)
    assert "a research institute" in judge(text, "sh601988", "中国银行", curated).reason
