"""What the crawler knows of Sina's site: which URLs are finance articles, listing URLs, broken answers."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from policywatch.crawlers.sina.site import (
    ArticleFilter,
    article_key,
    is_rate_limit_page,
    looks_truncated,
    roll_page_url,
    zhibo_page_url,
)

from policywatch.config import CrawlSettings

SINA = ArticleFilter.build(["finance.sina.com.cn", "finance.sina.cn"], CrawlSettings().article_url_pattern)


@pytest.mark.parametrize(
    ("url", "verdict"),
    [
        ("https://finance.sina.com.cn/china/gncj/2021-10-10/doc-iktzscyx9453213.shtml", "article"),
        ("http://finance.sina.com.cn/roll/2021-10-10/doc-iktzscyx9453213.shtml", "article"),
        ("https://finance.sina.cn/2021-10-10/detail-iktzscyx9453213.d.html", "article"),
        ("https://tech.sina.com.cn/i/2021-10-10/doc-iktzscyx9453213.shtml", "off_host"),
        ("https://news.sina.com.cn/c/2021-10-10/doc-iktzscyx9453213.shtml", "off_host"),
        ("https://finance.sina.com.cn.evil.example/doc-iktzscyx9453213.shtml", "off_host"),
        ("ftp://finance.sina.com.cn/doc-iktzscyx9453213.shtml", "off_host"),
        ("https://video.sina.com.cn/p/finance/2021-10-10/detail-iktzscyx9453213.d.html", "off_host"),
        ("https://finance.sina.com.cn/zt_d/standard2021/", "not_article"),
        ("https://finance.sina.com.cn/china/gncj/2021-10-10/doc-iktzscyx9453213.shtml.bak", "not_article"),
    ],
)
def test_only_finance_articles_on_allowed_hosts(url, verdict):
    assert SINA.verdict(url) == verdict


def test_an_article_is_one_key_on_desktop_and_mobile():
    desktop = "https://finance.sina.com.cn/china/gncj/2021-10-10/doc-iktzscyx9453213.shtml"
    mobile = "https://finance.sina.cn/2021-10-10/detail-iktzscyx9453213.d.html"
    assert article_key(desktop) == article_key(mobile) == "ktzscyx9453213"
    assert article_key("https://finance.sina.com.cn/zt_d/x/?from=roll") == "finance.sina.com.cn/zt_d/x/"


def test_listing_urls_carry_sinas_parameters():
    url = roll_page_url("https://feed.mix.sina.com.cn/api/roll/get", 155, 1689, 3, 50, "cb")
    parts = urlsplit(url)
    assert parts.netloc == "feed.mix.sina.com.cn" and parts.path == "/api/roll/get"
    assert parse_qs(parts.query, keep_blank_values=True) == {
        "pageid": ["155"], "lid": ["1689"], "k": [""], "num": ["50"], "page": ["3"], "callback": ["cb"],
    }  # fmt: skip
    zhibo = zhibo_page_url("https://zhibo.sina.com.cn/api/zhibo/feed?zhibo_id=152&page=9", 2, 20)
    assert parse_qs(urlsplit(zhibo).query) == {"zhibo_id": ["152"], "page": ["2"], "page_size": ["20"]}


def test_rate_limit_pages_and_cut_pages_are_recognised():
    kinsoku = b"<html><head><title>Kinsoku jikou desu!</title></head><body>Kinsoku jikou desu!</body></html>"
    assert is_rate_limit_page(456, b"")
    assert is_rate_limit_page(200, kinsoku)
    assert not is_rate_limit_page(200, b"<html><body>ok</body></html>")
    assert looks_truncated(b"<html><body><p>half an arti")
    assert not looks_truncated(b"<html><body></body></html>\n")


@pytest.mark.parametrize(
    "tail",
    [
        b"\n<!-- published 2021-10-10 20:58:34 sh-02 -->\n",
        b'\n<script type="text/javascript">var _sinaStat = {page: "article"};</script>\n',
        b"\n<!-- cache -->\n<script>if (a < b) { track(); }</script>\n",
    ],
)
def test_a_whole_page_with_comments_or_scripts_after_the_html_end_is_not_cut(tail):
    assert not looks_truncated(b"<html><body><p>an article</p></body></html>" + tail)


def test_a_page_cut_after_its_html_end_or_before_it_is_cut():
    assert looks_truncated(b"<html><body><p>an article</p></body></html>\n<!-- cache sh-02, generat")
    assert looks_truncated(b"<html><body><p>an article</p></body></html>\n<script>var _sinaStat = {pa")
    assert looks_truncated(b"<html><head><title>t</title></head><body><div id=artibody><p>half an arti")
