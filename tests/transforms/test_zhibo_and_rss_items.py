"""7x24 items as articles with their stock tags; RSS descriptions: whole articles versus teasers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from policywatch.transforms.errors import ParseError
from policywatch.transforms.models import CHINA_TZ
from policywatch.transforms.sina.article import parse_archive_post
from policywatch.transforms.sina.feeds import ZhiboItem, ZhiboStock
from policywatch.transforms.sina.hexo import split_front_matter
from policywatch.transforms.sina.rss_items import RssItem, is_full_description, rss_article
from policywatch.transforms.sina.zhibo import zhibo_article, zhibo_tags

from tests.conftest import sample_path

DOCURL = "https://finance.sina.com.cn/7x24/2019-10-19/doc-iicezuev3218731.shtml"


def flash(**changes) -> ZhiboItem:
    values = {
        "id": 4973888,
        "rich_text": "【机器人概念走强】人形机器人板块午后拉升，机器人涨停。在岸人民币兑美元收盘报6.7956。",
        "created_at": datetime(2026, 7, 7, 16, 31, 33, tzinfo=CHINA_TZ),
        "tags": ("焦点",),
        "stocks": (
            ZhiboStock("cn", "sz300024", "机器人"),
            ZhiboStock("foreign", "fx_scnhusd", ""),
            ZhiboStock("hk", "00700", "腾讯控股"),
            ZhiboStock("cn", "600519", "贵州茅台"),
        ),
        "docurl": DOCURL,
    }
    values.update(changes)
    return ZhiboItem(**values)


def test_a_flash_is_an_article_named_by_its_headline():
    article = zhibo_article(flash())
    assert article.title == "机器人概念走强"
    assert article.article_id == "icezuev3218731"  # Sina's publishid from the item's own page
    assert article.published_at.astimezone(UTC) == datetime(2026, 7, 7, 8, 31, 33, tzinfo=UTC)
    assert article.template == "zhibo"
    assert article.text.startswith("【机器人概念走强】")


def test_without_a_page_the_feed_id_is_the_article_id():
    article = zhibo_article(flash(docurl=None))
    assert article.article_id == "zhibo4973888"
    assert article.id_source == "zhibo"


def test_stock_tags_are_a_share_links_with_the_tag_name_as_anchor():
    item = flash()
    article = zhibo_article(item)
    tags = zhibo_tags(item, article)
    assert [(link.code, link.ticker, link.anchor_text) for link in tags.links] == [
        ("sz300024", "300024.SZ", "机器人"),
        ("sh600519", "600519.SS", "贵州茅台"),  # a bare symbol gets its exchange from its prefix
    ]
    first = tags.links[0]
    assert article.text[first.position : first.position + 3] == "机器人"
    assert tags.links[1].position is None  # named in the tag, not in the text
    assert tags.ignored == ("foreign:fx_scnhusd", "hk:00700")


def test_an_empty_flash_is_refused():
    with pytest.raises(ParseError):
        zhibo_article(flash(rich_text="   "))


def _outline_item(description: str) -> RssItem:
    return RssItem(
        feed="https://rsshub.app/sina/finance/china/1686",
        title="重磅！中央发文",
        link="https://finance.sina.com.cn/china/gncj/2021-10-10/doc-iktzscyx9453213.shtml",
        description=description,
        published=datetime(2021, 10, 10, 12, 58, 34, tzinfo=UTC),
    )


def test_a_full_rss_description_parses_like_the_archive_body():
    body = split_front_matter(sample_path("00_").read_text(encoding="utf-8")).body
    assert is_full_description(body, min_chars=200)
    article = rss_article(_outline_item(body))
    archived = parse_archive_post(sample_path("00_").read_bytes())
    assert article.article_id == "ktzscyx9453213"
    assert article.text == archived.text
    assert [link.code for link in article.stock_links] == ["sz300024", "sz300832", "sz000061", "sz000816"]
    assert len(article.measures) == 35


@pytest.mark.parametrize(
    "teaser",
    [
        "<p>中共中央、国务院印发《国家标准化发展纲要》……</p>",
        "<p>" + "标准化" * 100 + "...</p>",
        "<p>" + "标准化" * 100 + "<a href='x'>阅读全文</a></p>",
        "",
    ],
)
def test_teasers_are_not_full_articles(teaser):
    assert not is_full_description(teaser, min_chars=200)
