"""Charset handling with real bytes: Big5 and Latin-1 texts, stray bad bytes in a declared charset."""

from __future__ import annotations

import pytest
from policywatch.transforms.errors import CharsetError
from policywatch.transforms.sina.article import parse_archive_post, parse_sina_page
from policywatch.transforms.sina.charset import decode_document, plausibility

from tests.conftest import PAGES

# A Traditional Chinese news paragraph, as a Taiwan or Hong Kong outlet would write it
TRADITIONAL_TITLE = "行政院會通過產業創新條例修正草案"
TRADITIONAL_PARAGRAPHS = (
    "行政院會今日通過「產業創新條例」部分條文修正草案，將擴大研發投資抵減範圍，"
    "鼓勵企業投資人工智慧、半導體及綠能等關鍵技術。",
    "經濟部表示，修法後預計每年可帶動新臺幣數百億元的投資，並協助中小企業數位轉型。",
)


def big5_page(meta: str = "") -> bytes:
    paragraphs = "".join(f"<p>　　{p}</p>\n" for p in TRADITIONAL_PARAGRAPHS)
    page = (
        f"<!DOCTYPE html>\n<html>\n<head>\n{meta}<title>{TRADITIONAL_TITLE}_新浪財經</title>\n</head>\n<body>\n"
        f'<h1 class="main-title">{TRADITIONAL_TITLE}</h1>\n'
        '<div class="date-source"><span class="date">2021年10月10日 20:58</span></div>\n'
        f'<div class="article" id="artibody">\n{paragraphs}</div>\n</body>\n</html>\n'
    )
    return page.encode("big5")


def test_undeclared_big5_page_is_read_as_big5_not_as_gb18030():
    raw = big5_page()
    raw.decode("gb18030")  # the trap: GB18030 accepts these bytes, as mojibake
    a = parse_sina_page(raw)
    assert a.encoding == "big5"
    assert a.title == TRADITIONAL_TITLE
    assert a.paragraphs == TRADITIONAL_PARAGRAPHS
    assert a.warnings == ()


def test_big5_page_declared_gb2312_is_read_as_big5_with_a_warning():
    a = parse_sina_page(big5_page('<meta charset="gb2312">\n'))
    assert a.encoding == "big5" and a.title == TRADITIONAL_TITLE
    assert a.warnings == ("the declared charset 'gb2312' makes no sense of the bytes: read as big5",)


def test_undeclared_big5_archive_post():
    post = "---\ntitle: " + TRADITIONAL_TITLE + "\ndate: Sun, 10 Oct 2021 12:58:34 GMT\n---\n<div>"
    post += "".join(f"<p>{p}</p>" for p in TRADITIONAL_PARAGRAPHS) + "</div>\n"
    a = parse_archive_post(post.encode("big5"))
    assert (a.encoding, a.title, a.paragraphs) == ("big5", TRADITIONAL_TITLE, TRADITIONAL_PARAGRAPHS)


def test_latin1_post_is_refused_not_stored_as_mojibake():
    post = (
        "---\ntitle: Café Müller à Zürich\ndate: Sun, 10 Oct 2021 12:58:34 GMT\n---\n"
        "<div><p>Le café était très réputé, déjà en 1950. Über alles. Señor Müller.</p></div>\n"
    ).encode("latin-1")
    with pytest.raises(CharsetError) as info:
        parse_archive_post(post)
    assert info.value.reason == "undetectable_charset"
    assert "neither UTF-8, GB18030 nor Big5" in str(info.value)


def test_plausibility_tells_chinese_from_mojibake():
    assert plausibility("国家标准化发展纲要，到2025年。") == 1.0
    assert plausibility("行政院會今日通過「產業創新條例」") == 1.0  # traditional characters count too
    mojibake = "".join(TRADITIONAL_PARAGRAPHS).encode("big5").decode("gb18030")
    assert plausibility(mojibake) < 0.5
    assert plausibility("plain ASCII only") == 1.0


def legacy_page() -> bytes:
    return (PAGES / "legacy_2012_gb2312.shtml").read_bytes()


def test_one_stray_byte_in_a_declared_gb2312_page_is_replaced_with_a_warning():
    raw = legacy_page()
    assert b"charset=gb2312" in raw.lower()
    anchor = "国务院发布".encode("gb18030")
    at = raw.index(anchor)
    damaged = raw[:at] + b"\xff" + raw[at:]
    a = parse_sina_page(damaged)
    assert a.encoding == "gb18030" and a.editor == "张镕"
    assert "\ufffd国务院发布《“十四五”节能减排综合工作方案》" in a.text
    assert f"1 undecodable byte sequence(s) in the gb18030 text replaced by U+FFFD (at byte {at})" in a.warnings


def test_many_bad_bytes_in_a_declared_gb2312_page_are_refused_naming_the_charset():
    raw = legacy_page()
    body = raw.index(b"<p>")
    damaged = raw[:body] + b"<p>" + b"\xff\xfe" * 30 + b"</p>" + raw[body:]
    with pytest.raises(CharsetError) as info:
        parse_sina_page(damaged)
    assert info.value.reason == "charset_mismatch"
    assert "'gb2312'" in str(info.value)


def test_a_cut_inside_the_last_character_is_left_to_the_truncation_check():
    raw = "<p>正文".encode()[:-1]
    decoded = decode_document(raw)
    assert (decoded.text, decoded.encoding, decoded.warnings) == ("<p>正", "utf-8", ())


def test_a_short_gbk_string_in_a_script_of_a_long_utf8_page_is_replaced_not_refused():
    """Ten bad sequences in a page of 12,000 Chinese characters: a stray string, not a page in another charset."""
    raw = (PAGES / "modern_2021_outline.html").read_bytes()
    at = raw.index(b"</head>") + len(b"<script>var t = '")
    script = b"<script>var t = '" + "国家标准化发展纲要".encode("gbk") + b"';</script>"
    damaged = raw.replace(b"</head>", script + b"</head>", 1)
    a = parse_sina_page(damaged, http_charset="utf-8")
    assert (a.encoding, a.article_id, len(a.measures)) == ("utf-8", "ktzscyx9453213", 35)
    # B9 FA BC | D2 B1 (a character) | EA | D7 BC | BB AF B7 A2 | D5 B9 | B8 | D9 | D2 AA: ten bad sequences
    assert a.warnings == (
        f"10 undecodable byte sequence(s) in the utf-8 text replaced by U+FFFD (at byte {at}, {at + 1}, {at + 2})",
    )


def test_a_charset_declared_twice_is_named_once_when_it_does_not_fit():
    gbk = "国家标准化发展纲要".encode("gbk")  # ten sequences that are not UTF-8, see above
    raw = b'<html><head><meta charset="utf-8"></head><body><p>' + gbk + b"</p></body></html>"
    decoded = decode_document(raw, http_charset="UTF-8")
    assert (decoded.text, decoded.encoding) == (raw.decode("gb18030"), "gb18030")
    assert decoded.warnings == (
        "the declared charset 'UTF-8' (10 undecodable byte sequences) does not fit the bytes: read as gb18030",
    )


def test_a_charset_declared_twice_is_named_once_when_the_page_is_refused():
    raw = b'<html><head><meta charset="utf-8"></head><body><p>' + b"\xff\xfe\xfd" * 3 + b"</p></body></html>"
    with pytest.raises(CharsetError) as info:
        decode_document(raw, http_charset="utf-8")
    assert info.value.reason == "charset_mismatch"
    assert str(info.value).startswith(
        "the declared charset 'utf-8' (9 undecodable byte sequences) does not fit the bytes, and neither"
    )


def gbk_page(charset: str) -> bytes:
    return (PAGES / "page_2015_gbk.shtml").read_bytes().replace(b"charset=gb2312", f"charset={charset}".encode())


def test_x_gbk_is_gbk_in_the_header_and_in_the_page():
    """The WHATWG label that Python's codecs lack: honoured, not refused as an unknown charset."""
    from_header = decode_document(gbk_page("utf-8"), http_charset="x-gbk")
    from_meta = decode_document(gbk_page("x-gbk"))
    for decoded in (from_header, from_meta):
        assert (decoded.encoding, decoded.warnings) == ("gb18030", ())
        assert "卫星导航个股表现活跃" in decoded.text


def test_a_meta_charset_inside_a_comment_declares_nothing():
    """Browsers skip comments when they look for the page's charset, and so does the decoding."""
    raw = '<html><head><!-- <meta charset="big5"> --><title>纲要</title></head><body><p>国家标准化发展纲要</p>'
    decoded = decode_document(raw.encode("utf-8"))
    assert (decoded.encoding, decoded.warnings) == ("utf-8", ())


@pytest.mark.xfail(
    strict=True, reason="known: a short undeclared GB18030 text that is also valid UTF-8 is read as UTF-8"
)
def test_a_short_undeclared_gb18030_text_that_is_valid_utf8():
    decoded = decode_document("<p>一</p>".encode("gb18030"))  # D2 BB: also UTF-8 for U+04BB
    assert (decoded.text, decoded.encoding) == ("<p>一</p>", "gb18030")
