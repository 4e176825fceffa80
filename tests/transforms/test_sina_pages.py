"""Full pages of every template generation, built around real markup (see fixtures/sina/build_pages.py)."""

from __future__ import annotations

from datetime import datetime

import pytest
from policywatch.transforms.errors import CharsetError, ParseError
from policywatch.transforms.models import CHINA_TZ
from policywatch.transforms.sina.article import parse_sina_page

from tests.conftest import PAGES

OUTLINE_URL = "https://finance.sina.com.cn/china/gncj/2021-10-10/doc-iktzscyx9453213.shtml"


def page(name: str) -> bytes:
    return (PAGES / name).read_bytes()


def test_modern_page_fields():
    a = parse_sina_page(page("modern_2021_outline.html"), url=OUTLINE_URL)
    assert (a.article_id, a.id_source) == ("ktzscyx9453213", "publishid")
    assert a.template == "modern" and a.encoding == "utf-8"
    assert a.title.startswith("重磅！中央发文") and not a.title.endswith("新浪网")
    # the page shows 20:58; its article:published_time says 2021-10-10T20:58:34+08:00, the same minute
    assert a.published_at == datetime(2021, 10, 10, 20, 58, 34, tzinfo=CHINA_TZ)
    assert a.source == "证券时报"
    assert a.editor == "彭佳兵"
    assert a.keywords == ("标准化", "纲要")
    assert [link.code for link in a.stock_links] == ["sz300024", "sz300832", "sz000061", "sz000816"]
    assert len(a.measures) == 35 and a.measures[2].heading == "加强关键技术领域标准研究"
    for noise in ("视频：标准化发展纲要解读", "热门推荐", "关键词", "ARTICLE_DATA", "font-size"):
        assert noise not in a.text


def test_modern_page_and_archive_post_agree_on_the_article():
    from policywatch.transforms.sina.article import parse_archive_post

    from tests.conftest import sample_path

    on_page = parse_sina_page(page("modern_2021_outline.html"), url=OUTLINE_URL)
    archived = parse_archive_post(sample_path("00_").read_bytes())
    assert on_page.text == archived.text
    assert on_page.stock_links == archived.stock_links
    assert on_page.measures == archived.measures


def test_2015_gbk_page_with_unquoted_attributes():
    raw = page("page_2015_gbk.shtml")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    a = parse_sina_page(raw)
    assert a.template == "2014" and a.encoding == "gb18030"
    assert a.title == "卫星导航个股表现活跃 数字政通涨停"
    assert a.published_at == datetime(2015, 3, 16, 10, 32, tzinfo=CHINA_TZ)
    assert a.source == "和讯网"
    assert a.editor == "赵彦"
    assert a.id_source == "hash"  # the page's publishid meta is not a Sina id and is ignored
    anchors = {link.code: link.anchor_text for link in a.stock_links}
    assert anchors == {
        "sz300075": "数字政通",
        "sz002405": "四维图新",
        "sz300053": "欧比特",
        "sz002383": "合众思壮",
        "sz002465": "海格通信",
        "sz300036": "超图软件",
    }
    # the comment lists them unsorted; the set still matches
    assert a.keyword_comment_codes[0] == "sz300036" and a.links_match_comment is True
    assert a.text.startswith("和讯股票消息 周一卫星导航个股表现活跃")


def test_legacy_page_declared_gb2312_holds_gbk_characters():
    raw = page("legacy_2012_gb2312.shtml")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("gb2312")  # 镕 is outside GB2312: a strict decoder fails
    a = parse_sina_page(raw)
    assert a.template == "legacy" and a.encoding == "gb18030"
    assert a.editor == "张镕"
    assert a.source == "证券日报"
    assert a.published_at == datetime(2012, 1, 25, 7, 40, tzinfo=CHINA_TZ)
    assert a.title == '"十四五"节能减排综合工作方案出炉 部署十大重点工程'
    assert "国务院发布《“十四五”节能减排综合工作方案》" in a.text
    assert a.keyword_comment_codes is None and a.links_match_comment is None


def test_mobile_page_with_unquoted_attributes():
    a = parse_sina_page(page("mobile_2021.html"))
    assert a.template == "mobile"
    assert a.title == "休闲食品企业加码线下渠道"
    assert a.source == "中国经济网"
    assert a.published_at == datetime(2021, 5, 20, 9, 12, tzinfo=CHINA_TZ)
    assert [(link.code, link.anchor_text) for link in a.stock_links] == [
        ("sz002557", "洽洽食品"),
        ("sz300783", "三只松鼠"),
    ]
    assert a.paragraphs[0] == "同年，洽洽食品、三只松鼠、良品铺子等休闲食品企业也在加码线下门店。"


def test_nested_index_links_beijing_stock_and_codes_in_text():
    a = parse_sina_page(page("nested_index_links.html"))
    by_code = {link.code: link for link in a.stock_links}
    assert set(by_code) == {"sh000300", "sz399300", "sh000001", "bj838275"}
    for code in ("sh000300", "sz399300"):  # both matched the same words
        assert by_code[code].kind == "index" and by_code[code].anchor_text == "沪深300"
        assert a.text[by_code[code].position : by_code[code].position + 5] == "沪深300"
    assert by_code["sh000300"].ticker == "000300.SS" and by_code["sz399300"].ticker == "399300.SZ"
    assert by_code["sh000001"].kind == "index" and by_code["sh000001"].anchor_text == "上证指数"
    assert by_code["bj838275"].kind == "stock" and by_code["bj838275"].ticker == "838275.BJ"
    assert a.links_match_comment is True
    assert [(c.ticker, c.explicit_exchange) for c in a.text_codes] == [
        ("600519.SS", True),
        ("000858.SZ", False),
    ]


def test_nested_index_links_in_the_documented_form():
    """Inside the sh000300 span: an empty <a> wrapping <span id="stock_sz399300"></span>, then an <a> with the text."""
    a = parse_sina_page(page("nested_index_links_empty_a.html"))
    assert a.paragraphs[0] == "截至收盘，沪深300指数上涨0.52%，上证指数上涨0.32%。"
    by_code = {link.code: link for link in a.stock_links}
    assert set(by_code) == {"sh000300", "sz399300", "sh000001", "bj838275"}
    for code in ("sh000300", "sz399300"):  # the empty one takes the words it sits on
        link = by_code[code]
        assert (link.kind, link.anchor_text, link.paragraph, link.position) == ("index", "沪深300", 0, 5)
        assert link.seen_in == ("span", "href", "comment")
    assert (by_code["sh000001"].anchor_text, by_code["sh000001"].position) == ("上证指数", 20)
    assert by_code["bj838275"].ticker == "838275.BJ"
    assert a.links_match_comment is True


def test_charset_from_http_header_wins_over_a_wrong_meta():
    raw = page("page_2015_gbk.shtml").replace(b"charset=gb2312", b"charset=utf-8")
    a = parse_sina_page(raw, http_charset="GBK")
    assert a.encoding == "gb18030" and a.title == "卫星导航个股表现活跃 数字政通涨停"


def test_wrong_meta_charset_falls_back_to_the_bytes():
    raw = page("page_2015_gbk.shtml").replace(b"charset=gb2312", b"charset=utf-8")
    a = parse_sina_page(raw)  # declared UTF-8, is GBK: decoding tries the next candidates, never Latin-1
    assert a.title == "卫星导航个股表现活跃 数字政通涨停"


def test_unknown_charset_on_non_utf8_bytes_is_a_clear_error():
    raw = page("page_2015_gbk.shtml").replace(b"charset=gb2312", b"charset=x-no-such-charset")
    with pytest.raises(CharsetError, match="x-no-such-charset") as info:
        parse_sina_page(raw)
    assert info.value.reason == "unknown_charset"


def test_unknown_charset_on_utf8_bytes_uses_utf8():
    raw = page("mobile_2021.html").replace(b'charset="utf-8"', b'charset="x-no-such-charset"')
    raw = raw.replace(b'<meta charset="utf-8">', b'<meta charset="x-no-such-charset">')
    assert parse_sina_page(raw).title == "休闲食品企业加码线下渠道"


def test_truncated_page_is_refused():
    raw = page("modern_2021_outline.html")
    with pytest.raises(ParseError) as info:
        parse_sina_page(raw[: len(raw) // 2])
    assert info.value.reason == "truncated"


def test_binary_garbage_is_refused():
    import random

    rng = random.Random(7)
    noise = bytes(rng.randrange(256) for _ in range(5000))
    with pytest.raises(CharsetError) as info:
        parse_sina_page(noise)
    assert info.value.reason == "binary"


def test_empty_page_is_refused():
    with pytest.raises(CharsetError) as info:
        parse_sina_page(b"  \n")
    assert info.value.reason == "empty"


def test_page_without_article_body_is_refused():
    with pytest.raises(ParseError) as info:
        parse_sina_page(b"<html><head><title>404</title></head><body><p>not found</p></body></html>")
    assert info.value.reason == "no_body"


def test_malformed_html_still_yields_the_text():
    broken = (
        "<html><head><meta charset='utf-8'><title>t</title></head><body><h1 class='main-title'>标题</h1>"
        "<div id='artibody' class='article'><p>第一段<b>加粗<p>第二段 <span id=stock_sz300024><a "
        "href=https://finance.sina.com.cn/realstock/company/sz300024/nc.shtml>机器人</a>等</div></body></html>"
    ).encode()
    a = parse_sina_page(broken)
    assert a.paragraphs[0].startswith("第一段加粗")
    assert [(link.code, link.anchor_text) for link in a.stock_links] == [("sz300024", "机器人")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2021-10-10T20:58:34", datetime(2021, 10, 10, 20, 58, 34, tzinfo=CHINA_TZ)),  # ISO, no offset: China time
        ("2021-10-10 20:58", datetime(2021, 10, 10, 20, 58, tzinfo=CHINA_TZ)),
        ("2021年10月10日 20:58", datetime(2021, 10, 10, 20, 58, tzinfo=CHINA_TZ)),
        ("2012年01月25日07:40", datetime(2012, 1, 25, 7, 40, tzinfo=CHINA_TZ)),
        ("2021-10-10T12:58:34Z", datetime(2021, 10, 10, 20, 58, 34, tzinfo=CHINA_TZ)),
    ],
)
def test_page_times(text, expected):
    from policywatch.transforms.sina.times import parse_china_time

    assert parse_china_time(text) == expected


def test_a_page_with_a_date_and_no_time_says_so():
    raw = (
        page("modern_2021_outline.html")
        .replace("2021年10月10日 20:58".encode(), "2021年10月10日".encode())
        .replace(b'content="2021-10-10T20:58:34+08:00"', b'content=""')
        .replace(b'content="2021-10-10 20:58:34"', b'content=""')
    )
    a = parse_sina_page(raw)
    assert a.published_at == datetime(2021, 10, 10, tzinfo=CHINA_TZ)
    assert "without a time" in " ".join(a.warnings)


def test_a_saved_page_takes_sinas_id_from_its_own_url():
    raw = page("modern_2021_outline.html")
    a = parse_sina_page(raw)  # no URL given: the page names itself in og:url and link rel=canonical
    assert (a.article_id, a.id_source, a.url) == ("ktzscyx9453213", "publishid", None)
    canonical_only = raw.replace(b'<meta property="og:url"', b'<meta property="og:x"')
    assert parse_sina_page(canonical_only).article_id == "ktzscyx9453213"
    og_only = raw.replace(b'<link rel="canonical"', b'<link rel="alternate"')
    assert parse_sina_page(og_only).article_id == "ktzscyx9453213"
    neither = og_only.replace(b'<meta property="og:url"', b'<meta property="og:x"')
    assert parse_sina_page(neither).id_source == "hash"


def test_a_shown_time_that_disagrees_with_the_meta_time_is_kept_with_a_warning():
    raw = page("modern_2021_outline.html").replace(b"2021-10-10T20:58:34+08:00", b"2021-10-11T09:00:00+08:00")
    a = parse_sina_page(raw, url=OUTLINE_URL)
    assert a.published_at == datetime(2021, 10, 10, 20, 58, tzinfo=CHINA_TZ)
    assert a.warnings == (
        "the page shows 2021-10-10T20:58:00+08:00 but its article:published_time says 2021-10-11T09:00:00+08:00: "
        "kept the time it shows",
    )


def test_a_page_with_a_date_only_and_a_meta_time_of_that_day_takes_the_meta_time():
    raw = page("modern_2021_outline.html").replace("2021年10月10日 20:58".encode(), "2021年10月10日".encode())
    a = parse_sina_page(raw, url=OUTLINE_URL)
    assert a.published_at == datetime(2021, 10, 10, 20, 58, 34, tzinfo=CHINA_TZ)
    assert a.warnings == ()
