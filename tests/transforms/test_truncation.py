"""Whole or cut short: pages with trailing comments and scripts after </html>, pages and posts cut mid-body."""

from __future__ import annotations

import pytest
from policywatch.transforms.errors import ParseError
from policywatch.transforms.sina.article import parse_archive_post, parse_sina_page
from policywatch.transforms.sina.truncation import fragment_cut_reason, page_cut_reason

from tests.conftest import PAGES, sample_path

OUTLINE_URL = "https://finance.sina.com.cn/china/gncj/2021-10-10/doc-iktzscyx9453213.shtml"
TRAILERS = [
    b"<!-- published at 2021-10-10 20:58:34, cache sh-02 -->\n",
    b'<script type="text/javascript">var _sinaStat = {page: "article"};</script>\n',
    b"<!-- cache -->\n<script>(function(){ if (a < b) { track(); } })();</script>\n<noscript><img src=x></noscript>\n",
]


def outline_page() -> bytes:
    return (PAGES / "modern_2021_outline.html").read_bytes()


@pytest.mark.parametrize("trailer", TRAILERS)
def test_a_whole_page_with_comments_or_scripts_after_the_html_end_is_parsed(trailer):
    raw = outline_page()
    assert raw.rstrip().endswith(b"</html>")
    a = parse_sina_page(raw + trailer, url=OUTLINE_URL)
    assert a.article_id == "ktzscyx9453213" and len(a.measures) == 35
    assert page_cut_reason(raw + trailer) is None


def test_a_page_cut_in_the_middle_of_its_body_is_refused():
    raw = outline_page()
    cut = raw[: raw.rindex("加强关键技术领域标准研究".encode())]  # in the body (the first is in the <title>)
    with pytest.raises(ParseError, match="stops before </html>") as info:
        parse_sina_page(cut, url=OUTLINE_URL)
    assert info.value.reason == "truncated"


@pytest.mark.parametrize(
    ("tail", "why"),
    [
        (b"<!-- cache sh-02, generated in ", "inside a comment"),
        (b'<script type="text/javascript">var _sinaStat = {pa', "inside a <script> element"),
        (b'<img src="https://beacon.sina.com.cn/a.gif?x=1', "inside a tag"),
    ],
)
def test_a_page_cut_in_what_follows_the_html_end_is_refused(tail, why):
    raw = outline_page() + tail
    assert page_cut_reason(raw) == f"the page stops {why} after </html>"
    with pytest.raises(ParseError) as info:
        parse_sina_page(raw, url=OUTLINE_URL)
    assert info.value.reason == "truncated"


def test_an_html_end_inside_a_script_does_not_make_a_cut_page_whole():
    raw = outline_page()
    head_end = raw.index(b"</head>")
    with_string = raw[:head_end] + b"<script>document.write('</html>');</script>" + raw[head_end:]
    assert page_cut_reason(with_string) is None
    cut = with_string[: with_string.rindex("加强关键技术领域标准研究".encode())]
    assert page_cut_reason(cut) == "the page's <head> or <body> goes on after its last </html>"


POST_HEAD = "---\ntitle: 国常会部署稳就业\ndate: Sun, 10 Oct 2021 12:58:34 GMT\n---\n"
UNWRAPPED_BODY = (
    '<p cms-style="font-L">　　国务院总理主持召开国务院常务会议，部署进一步做好稳就业工作。</p>\n'
    '<p cms-style="font-L">　　会议指出，<font cms-style="font-L">要落实好减税降费政策</font>，支持市场主体。</p>\n'
)


def test_a_whole_post_without_a_div_wrapper_is_parsed():
    a = parse_archive_post((POST_HEAD + UNWRAPPED_BODY).encode())
    assert a.paragraphs == (
        "国务院总理主持召开国务院常务会议，部署进一步做好稳就业工作。",
        "会议指出，要落实好减税降费政策，支持市场主体。",
    )


@pytest.mark.parametrize(
    ("cut_before", "why"),
    [
        ("支持市场主体", "the body stops in the middle of its text"),
        ("，支持市场主体", "the body's <p> is never closed"),  # inside the second <p>, right after </font>
        ("要落实好", "the body's <font> is never closed"),  # right after <font …>
        ('cms-style="font-L">要落实好', "the body stops inside a tag"),
    ],
)
def test_a_post_without_a_div_wrapper_cut_in_its_body_is_refused(cut_before, why):
    body = UNWRAPPED_BODY[: UNWRAPPED_BODY.index(cut_before)]
    assert fragment_cut_reason(body) == why
    with pytest.raises(ParseError) as info:
        parse_archive_post((POST_HEAD + body).encode())
    assert info.value.reason == "truncated"


def test_a_wrapped_post_cut_after_a_closed_paragraph_is_refused():
    raw = sample_path("07_").read_bytes()
    end = raw.index(b"</p>", len(raw) // 2) + len(b"</p>")
    assert fragment_cut_reason(raw[:end].decode().split("---\n", 2)[2]) == "the body's <div> is never closed"


def test_every_real_sample_is_whole():
    from tests.conftest import SAMPLES

    for path in sorted(SAMPLES.glob("[0-9]*.md")):
        body = path.read_text(encoding="utf-8").split("---\n", 2)[2]
        assert fragment_cut_reason(body.strip()) is None, path.name
    for path in sorted(PAGES.iterdir()):
        assert page_cut_reason(path.read_bytes()) is None, path.name


def test_a_wrapped_post_with_a_comment_after_its_div_is_whole():
    a = parse_archive_post((POST_HEAD + "<div>" + UNWRAPPED_BODY + "</div>\n<!-- archived by RSSHub -->\n").encode())
    assert len(a.paragraphs) == 2


@pytest.mark.parametrize(
    "ending",
    [
        "\n（完）",
        "责任编辑：张三",
        "\n责任编辑：张三 SF006",
        "\n编辑：李四",
        "\n更多内容请见新浪财经。",
        "\n（本文来自新浪财经）",
        "\n“稳就业就是稳民生。”",
    ],
)
def test_a_post_ending_in_a_whole_line_of_plain_text_is_whole(ending):
    body = UNWRAPPED_BODY.rstrip("\n") + ending
    assert fragment_cut_reason(body) is None
    a = parse_archive_post((POST_HEAD + body + "\n").encode())
    assert a.paragraphs[:2] == (
        "国务院总理主持召开国务院常务会议，部署进一步做好稳就业工作。",
        "会议指出，要落实好减税降费政策，支持市场主体。",
    )


@pytest.mark.parametrize("ending", ["\n会议强调，要", "\n会议强调，", "责任编辑：张三。会议强调"])
def test_a_post_whose_trailing_text_stops_mid_sentence_is_refused(ending):
    body = UNWRAPPED_BODY.rstrip("\n") + ending
    assert fragment_cut_reason(body) == "the body stops in the middle of its text"
