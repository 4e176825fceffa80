"""Every real archive sample, with expectations written from reading the posts (not from the parser)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from policywatch.transforms.models import CHINA_TZ
from policywatch.transforms.sina.article import parse_archive_post

from tests.conftest import sample_path


def parse(prefix: str):
    return parse_archive_post(sample_path(prefix).read_bytes())


def links(article) -> dict[str, str]:
    return {link.code: link.anchor_text for link in article.stock_links}


def test_outline_metadata():
    a = parse("00_")
    assert a.title.startswith("重磅！中央发文，建立健全碳达峰碳中和标准")
    assert a.original_title.endswith("35项举措构建标准化发展蓝图")
    # front matter: Sun, 10 Oct 2021 12:58:34 GMT = 20:58:34 in Beijing
    assert a.published_at == datetime(2021, 10, 10, 12, 58, 34, tzinfo=UTC)
    assert a.published_at.astimezone(CHINA_TZ).hour == 20
    assert a.editor == "彭佳兵"
    assert a.template == "archive"
    assert a.id_source == "hash" and a.article_id.startswith("h")
    assert "原标题" not in a.text  # kept as a field, not as text
    assert a.paragraphs[0] == "我国标准化发展蓝图正式出炉！"


def test_outline_links_with_exact_positions():
    a = parse("00_")
    assert links(a) == {
        "sz300024": "机器人",
        "sz300832": "新产业",
        "sz000061": "农产品",
        "sz000816": "智慧农业",
    }
    assert [link.code for link in a.stock_links] == [
        "sz300024",
        "sz300832",
        "sz000061",
        "sz000816",
    ]  # text order
    for link in a.stock_links:
        assert a.text[link.position : link.position + len(link.anchor_text)] == link.anchor_text
        assert link.kind == "stock" and link.exchange == "SZ"
        assert link.seen_in == ("span", "href", "comment")
    robot = a.stock_links[0]
    assert robot.ticker == "300024.SZ"
    assert "新能源汽车、智能网联汽车和机器人等领域关键技术标准" in a.paragraphs[robot.paragraph]
    assert a.keyword_comment_codes == ("sz000061", "sz000816", "sz300024", "sz300832")
    assert a.links_match_comment is True


def test_outline_measures_sections_and_summary_are_separate():
    a = parse("00_")
    assert len(a.sections) == 9
    assert [s.title for s in a.sections][:3] == [
        "总体要求",
        "推动标准化与科技创新互动发展",
        "提升产业标准化水平",
    ]
    assert a.sections[-1].title == "组织实施"
    assert len(a.measures) == 35
    assert [m.number for m in a.measures] == list(range(1, 36))
    third = a.measures[2]
    assert (third.label, third.heading, third.section) == ("（三）", "加强关键技术领域标准研究", 2)
    assert third.section_title == "推动标准化与科技创新互动发展"
    assert third.text.startswith("加强关键技术领域标准研究。在人工智能、量子信息、生物技术等领域")
    assert "机器人等领域关键技术标准" in third.text
    assert a.measures[0].heading == "指导思想" and a.measures[0].section == 1
    assert a.measures[10].heading == "建立健全碳达峰、碳中和标准" and a.measures[10].section == 4
    last = a.measures[-1]
    assert (last.label, last.heading, last.section) == ("（三十五）", "完善配套政策", 9)
    assert last.text.endswith("重大事项及时向党中央、国务院请示报告。")
    # the measure (二) spans the paragraphs up to the next section: its goals for 2025
    assert "国际标准转化率达到85%以上" in a.measures[1].text
    # the ten-point summary at the top is its own list
    (summary,) = a.other_lists
    assert [item.number for item in summary.items] == list(range(1, 11))
    assert summary.items[0].text.startswith("加强关键技术领域标准研究，在人工智能")
    assert summary.items[-1].text == "探索开展行政管理标准建设和应用试点，完善市场要素交易标准"
    assert all(item.section is None for item in summary.items)
    assert all(m.position < len(a.text) for m in a.measures)
    assert a.text[third.position : third.position + 5] == "（三）加强"


def test_outline_noise_is_gone():
    a = parse("00_")
    for noise in ("appendQr", "海量资讯、精准解读", "责任编辑", "border:1px", "{", "&#123;"):
        assert noise not in a.text


def test_brokers_and_taipingyang_inside_broker_name():
    a = parse("01_")
    assert len(a.stock_links) == 13
    assert links(a)["sh601099"] == "太平洋"
    taiping = next(link for link in a.stock_links if link.code == "sh601099")
    assert a.text[taiping.position : taiping.position + 5] == "太平洋证券"
    assert links(a)["sz300059"] == "东方财富"
    assert "瓜分6666元" not in a.text  # the account-opening QR promo
    assert a.links_match_comment is True


def test_empty_keyword_comment_is_an_empty_set_not_a_missing_one():
    a = parse("02_")
    assert a.stock_links == ()
    assert a.keyword_comment_codes == ()
    assert a.links_match_comment is True


def test_fifteen_links_with_star_market_and_unlinked_hk_names():
    a = parse("03_")
    assert len(a.stock_links) == 15
    assert {"sh688185", "sh688536", "sh688599", "sh688116"} <= set(links(a))
    assert next(lk for lk in a.stock_links if lk.code == "sh688185").ticker == "688185.SS"
    assert "腾讯" in a.text and "美团" in a.text
    assert not any(anchor in ("腾讯", "美团", "台积电") for anchor in links(a).values())


def test_ad_list_blocks_are_dropped():
    a = parse("04_")
    assert "百万读者都在看" not in a.text
    assert "鳄鱼" not in a.text
    assert "本期编辑" not in a.text
    assert "留抵退税" in a.text


def test_laobaixing_false_positive_is_still_extracted_as_a_link():
    a = parse("05_")
    assert links(a) == {"sh601377": "兴业证券", "sh603883": "老百姓"}


def test_futures_qr_block_and_no_links():
    a = parse("06_")
    assert a.stock_links == ()
    assert "期货开户" not in a.text and "text-align" not in a.text


def test_short_state_council_policy():
    a = parse("07_")
    assert a.stock_links == ()
    assert "国务院发布《“十四五”节能减排综合工作方案》" in a.text
    assert a.editor == "王蒙"


def test_kaiti_font_spans_keep_their_text():
    a = parse("08_")
    assert links(a) == {"sh600109": "国金证券", "sh601211": "国泰君安"}
    assert a.paragraphs[0] == "财联社记者 张晓翀"


def test_link_inside_a_fund_name():
    a = parse("09_")
    assert links(a) == {"sz002939": "长城证券"}


def test_beijing_links_text_code_and_unterminated_ad_list():
    a = parse("10_")
    assert links(a) == {
        "bj838275": "驱动力",
        "sh601728": "中国电信",
        "bj871245": "威博液压",
        "sh601066": "中信建投",
        "sh688303": "大全能源",
        "sh600905": "三峡能源",
    }
    bj = next(link for link in a.stock_links if link.code == "bj838275")
    assert (bj.ticker, bj.exchange, bj.kind) == ("838275.BJ", "BJ", "stock")
    (code,) = a.text_codes
    assert (code.ticker, code.exchange, code.explicit_exchange) == ("601728.SS", "SH", True)
    assert a.text[code.position : code.position + 9] == "601728.SH"
    assert "财经日历重磅上线" not in a.text  # the unterminated article_adlist comment
    assert "瓜分6666元" not in a.text
    assert a.links_match_comment is True


@pytest.mark.parametrize("prefix", [f"{n:02d}_" for n in range(11)])
def test_every_sample_round_trips_to_json(prefix):
    import json

    a = parse(prefix)
    data = json.loads(json.dumps(a.to_dict(), ensure_ascii=False))
    assert data["published_at"].endswith("+08:00")
    assert {"article_id", "title", "stock_links", "text_codes", "measures", "text"} <= set(data)
