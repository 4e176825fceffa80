"""What the replay answers, in Sina's shapes: article pages of two template generations, roll API pages
(JSON or JSONP, times as strings, ``urls`` as a JSON string), 7x24 feed pages, an RSSHub-style RSS feed."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from xml.sax.saxutils import escape as xml_escape

from policywatch.crawlers.replay.catalog import ReplayArticle
from policywatch.transforms.models import CHINA_TZ

__all__ = [
    "KINSOKU_PAGE",
    "legacy_page",
    "modern_page",
    "redesigned_page",
    "roll_answer",
    "rss_feed",
    "zhibo_answer",
]

#: Sina's rate-limit page, as crawlers meet it (HTTP 456)
KINSOKU_PAGE = (
    b"<html><head><title>Kinsoku jikou desu!</title></head><body><h1>Kinsoku jikou desu!</h1>"
    b"<p>\xe8\xae\xbf\xe9\x97\xae\xe8\xbf\x87\xe4\xba\x8e\xe9\xa2\x91\xe7\xb9\x81</p></body></html>"
)


def _china(intime: int) -> datetime:
    return datetime.fromtimestamp(intime, CHINA_TZ)


def modern_page(article: ReplayArticle, url: str) -> bytes:
    when = _china(article.intime)
    title = escape(article.title)
    page = f"""<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8"/>
<title>{title}_新浪财经_新浪网</title>
<meta name="keywords" content="{escape(article.media)},新浪财经">
<meta property="og:type" content="news" />
<meta property="og:title" content="{title}" />
<meta property="og:url" content="{escape(url)}" />
<meta property="article:published_time" content="{when.isoformat()}" />
<meta property="article:author" content="{escape(article.media)}" />
<meta name="weibo: article:create_at" content="{when:%Y-%m-%d %H:%M:%S}" />
<link rel="canonical" href="{escape(url)}" />
</head>
<body>
<div class="main-content w1240">
<h1 class="main-title">{title}</h1>
<div class="top-bar-wrap"><div class="date-source">
<span class="date">{when:%Y年%m月%d日 %H:%M}</span>
<a href="https://finance.sina.com.cn/" class="source ent-source" target="_blank">{escape(article.media)}</a>
</div></div>
<div class="article-content clearfix"><div class="article-content-left">
<div class="article" id="artibody" data-sudaclick="blk_content">
{article.body_html}
</div>
</div></div>
</div>
</body>
</html>
"""
    return page.encode("utf-8")


def redesigned_page(page: bytes) -> bytes:
    """A modern page after a redesign of Sina's template: the body's container is named differently, so a parser
    that knows only ``#artibody`` refuses the page although the article is all there."""
    return page.replace(b'<div class="article" id="artibody"', b'<div class="article-body-v2" id="art-body"')


def legacy_page(article: ReplayArticle, url: str) -> bytes:
    """The ≤2013 template, declared GB2312 and encoded GB18030 (as Sina's old servers did)."""
    when = _china(article.intime)
    title = escape(article.title)
    page = f"""<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312" />
<title>{title}_新浪财经_新浪网</title>
<meta name="keywords" content="{escape(article.media)}" />
</head>
<body>
<div id="wrap"><div class="blkContainer"><div class="blkContainerSblk">
<h1 id="artibodyTitle">{title}</h1>
<div class="artInfo"><span id="art_source"><span id="media_name"><a href="{escape(url)}">{escape(article.media)}</a>&nbsp;</span></span>&nbsp;&nbsp;<span id="pub_date">{when:%Y年%m月%d日%H:%M}</span></div>
<div class="blkContainerSblkCon" id="artibody">
{article.body_html}
</div>
</div></div></div>
</body>
</html>
"""  # noqa: E501
    return page.encode("gb18030")


def roll_item(article: ReplayArticle, url: str, wapurl: str) -> dict[str, object]:
    """One ``result.data[]`` entry with Sina's field types: times and ids as strings, ``urls`` a JSON string."""
    return {
        "docid": f"comos:{article.publishid}",
        "oid": f"{int(article.publishid[7:]) % 900000 + 100000}",
        "url": url,
        "wapurl": wapurl,
        "urls": json.dumps([url]),
        "title": article.title,
        "stitle": article.title[:16],
        "intro": article.lead[:120],
        "summary": article.lead[:120],
        "wapsummary": article.lead[:60],
        "media_name": article.media,
        "author": "",
        "keywords": ",".join(anchor for _, anchor in article.stocks),
        "ctime": str(article.intime - 60),
        "mtime": str(article.intime),
        "intime": str(article.intime),
        "img": {"u": "", "w": 0, "h": 0},
    }


def roll_answer(
    items: Sequence[dict[str, object]], *, lid: int, total: int, page: int, num: int, callback: str | None
) -> bytes:
    payload = {
        "result": {
            "status": {"code": 0, "msg": "succ"},
            "timestamp": datetime.now(CHINA_TZ).strftime("%a %b %d %H:%M:%S %z %Y"),
            "top": [],
            "lid": str(lid),
            "pdps": [],
            "total": total,
            "start": (page - 1) * num,
            "end": (page - 1) * num + len(items),
            "data": list(items),
        }
    }
    text = json.dumps(payload, ensure_ascii=True, separators=(",", ":")).replace("/", "\\/")
    if callback:
        text = f"try{{{callback}({text});}}catch(e){{}};"
    return text.encode("utf-8")


def zhibo_item(article: ReplayArticle, item_id: int, docurl: str) -> dict[str, object]:
    stocks = [{"market": "cn", "symbol": code, "key": anchor} for code, anchor in article.stocks]
    if item_id % 5 == 0:
        stocks.append({"market": "hk", "symbol": "00700", "key": "腾讯控股"})  # not an A-share: never stored
    ext = {"stocks": stocks, "needPush": False, "docurl": docurl, "docid": docurl.rsplit("doc-", 1)[-1][:15]}
    tags = [{"id": "1", "name": "宏观"}] + ([{"id": "10", "name": "A股"}] if article.stocks else [])
    return {
        "id": item_id,
        "zhibo_id": 152,
        "type": 0,
        "rich_text": f"【{article.title}】{article.lead}",
        "create_time": _china(article.intime).strftime("%Y-%m-%d %H:%M:%S"),
        "update_time": _china(article.intime).strftime("%Y-%m-%d %H:%M:%S"),
        "ext": json.dumps(ext, ensure_ascii=False),
        "tag": tags,
        "is_delete": 0,
    }


def zhibo_answer(items: Sequence[dict[str, object]], *, page: int, page_size: int, total: int) -> bytes:
    payload = {
        "result": {
            "status": {"code": 0, "msg": ""},
            "timestamp": datetime.now(CHINA_TZ).strftime("%a %b %d %H:%M:%S %z %Y"),
            "data": {
                "feed": {
                    "list": list(items),
                    "page_info": {
                        "totalPage": -(-total // page_size),
                        "pageSize": page_size,
                        "page": page,
                        "totalNum": total,
                    },
                }
            },
        }
    }
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")


def rss_feed(entries: Sequence[tuple[ReplayArticle, str, bool]], *, link: str) -> bytes:
    """RSSHub's shape: the description is the inner HTML of ``#artibody`` (or a teaser when ``full`` is False)."""
    items = []
    for article, url, full in entries:
        description = (
            article.body_html.replace("]]>", "]]]]><![CDATA[>") if full else f"<p>{escape(article.lead[:60])}……</p>"
        )
        guid = url or f"urn:replay:{article.publishid}"  # an item without a link still has an id
        items.append(
            f"<item><title>{xml_escape(article.title)}</title><link>{xml_escape(url)}</link>"
            f'<guid isPermaLink="false">{xml_escape(guid)}</guid>'
            f"<pubDate>{format_datetime(datetime.fromtimestamp(article.intime, UTC), usegmt=True)}</pubDate>"
            f"<description><![CDATA[{description}]]></description></item>"
        )
    feed = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        f"<title>新浪财经－国內</title><link>{xml_escape(link)}</link><description>新浪财经－国內</description>"
        + "".join(items)
        + "</channel></rss>"
    )
    return feed.encode("utf-8")
