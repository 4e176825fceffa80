"""Sina's links judged in single sentences, each class read from the sentence by hand.

Sina links a short name wherever it appears as a plain substring (first occurrence only); these sentences
put a link where Sina's linker would put it and say what the words mean there.
"""

from __future__ import annotations

from datetime import date

import pytest

from transforms.link_classifier import classify_stock_link
from transforms.models import StockLink
from transforms.tickers import security_from_code

DAY = date(2021, 10, 11)
M, C, T = "mention", "name_collision", "theme_stock"


def judge(text: str, code: str, anchor: str, context, day=DAY):
    """The judgement of a Sina link to ``code`` on the first ``anchor`` in ``text``."""
    security = security_from_code(code)
    link = StockLink(code, security.ticker, security.exchange, security.kind, anchor, text.index(anchor), 0, ("span",))
    return classify_stock_link(link, text, day, context)


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
    assert judge(text, code, anchor, linking_context).link_class == expected
