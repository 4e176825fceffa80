from __future__ import annotations

import pytest
from policywatch.transforms.models import paragraph_starts
from policywatch.transforms.policy.measures import chinese_numeral, segment_measures


def segment(paragraphs: list[str]):
    return segment_measures(paragraphs, paragraph_starts(paragraphs))


@pytest.mark.parametrize(
    ("text", "value"),
    [("一", 1), ("十", 10), ("十一", 11), ("二十", 20), ("三十五", 35), ("九十九", 99), ("一百零二", 102),
     ("两", 2), ("", None), ("甲", None)],
)  # fmt: skip
def test_chinese_numerals(text, value):
    assert chinese_numeral(text) == value


def test_numbering_that_restarts_in_each_section():
    sections, measures, others = segment(
        [
            "一、总体要求",
            "（一）指导思想。坚持稳中求进。",
            "（二）基本原则。统筹兼顾。",
            "二、重点任务",
            "（一）扩大有效投资。加快项目建设。",
            "这一段是（一）的续文。",
            "（二）促进消费。发放消费券。",
            "（三）稳定就业。",
        ]
    )
    assert [(s.number, s.title) for s in sections] == [(1, "总体要求"), (2, "重点任务")]
    assert [(m.ordinal, m.number, m.section, m.heading) for m in measures] == [
        (1, 1, 1, "指导思想"),
        (2, 2, 1, "基本原则"),
        (3, 1, 2, "扩大有效投资"),
        (4, 2, 2, "促进消费"),
        (5, 3, 2, "稳定就业"),
    ]
    assert measures[2].text == "扩大有效投资。加快项目建设。\n这一段是（一）的续文。"
    assert others == []


def test_regulation_articles_with_chapters():
    sections, measures, _ = segment(
        [
            "第一章 总则",
            "第一条 为了规范管理，制定本办法。",
            "第二条 本办法适用于全国。",
            "第二章 附则",
            "第三条 本办法自发布之日起施行。",
        ]
    )
    assert [s.title for s in sections] == ["总则", "附则"]
    assert [(m.label, m.style, m.section) for m in measures] == [
        ("第一条", "article", 1),
        ("第二条", "article", 1),
        ("第三条", "article", 2),
    ]
    assert measures[0].heading == "为了规范管理，制定本办法"


def test_arabic_items_inside_a_measure_belong_to_its_text():
    _, measures, others = segment(
        [
            "（一）加强基础设施。包括：",
            "1、建设5G基站。",
            "2、建设数据中心。",
            "（二）完善政策。",
            "1、财政支持。",
            "2、金融支持。",
        ]
    )
    assert [m.heading for m in measures] == ["加强基础设施", "完善政策"]
    assert measures[0].text == "加强基础设施。包括：\n1、建设5G基站。\n2、建设数据中心。"
    assert measures[1].text == "完善政策。\n1、财政支持。\n2、金融支持。"
    assert others == []


def test_arabic_list_alone_is_the_principal_list():
    _, measures, others = segment(
        [
            "会议确定：",
            "1、实施留抵退税。",
            "2、支持中小企业。",
            "3、稳定市场预期。",
            "会议还强调了其他事项。",
        ]
    )
    assert [(m.number, m.heading) for m in measures] == [
        (1, "实施留抵退税"),
        (2, "支持中小企业"),
        (3, "稳定市场预期"),
    ]
    assert measures[-1].text == "稳定市场预期。"  # what follows the last item is commentary, not the item
    assert others == []


def test_summary_list_before_the_full_text_is_kept_apart():
    _, measures, others = segment(
        ["重点如下：", "1、甲方面", "2、乙方面", "全文如下：", "（一）甲。内容。", "（二）乙。内容。"]
    )
    assert [m.label for m in measures] == ["（一）", "（二）"]
    (summary,) = others
    assert [i.text for i in summary.items] == ["甲方面", "乙方面"]


def test_dates_amounts_and_lone_markers_are_not_items():
    sections, measures, others = segment(
        ["2021.10 发布", "1.5亿元投资", "一、二线城市房价平稳。", "3、只有一个编号的段落"]
    )
    assert (sections, measures, others) == ([], [], [])
