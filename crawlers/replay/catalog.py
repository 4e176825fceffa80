"""The replay's articles: archive posts turned into what Sina would list and serve.

Every post gets a stable made-up publishid (from its file name), a channel among the default ones, a page
template (most modern UTF-8, a seeded share the old GBK template), and its Sina times (``intime`` is the post's
date). Stock links are read from the body's own ``stock_*`` spans, independently of policywatch's parser.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from policywatch.crawlers.archive import discover_posts
from policywatch.transforms.errors import ParseError
from policywatch.transforms.models import CHINA_TZ
from policywatch.transforms.sina.hexo import parse_rfc2822, split_front_matter

__all__ = ["REPLAY_CHANNELS", "ReplayArticle", "load_catalog"]

#: the channels the replay fills (policywatch's defaults); any other channel answers with an empty page
REPLAY_CHANNELS: tuple[tuple[int, int], ...] = ((155, 1686), (155, 1687), (155, 1689), (384, 2519))
_MEDIA = ("证券时报", "中国证券报", "上海证券报", "新华社", "第一财经", "经济参考报", "新浪财经")
_STOCK_SPAN = re.compile(r"<span id=\"?stock_((?:sh|sz|bj)\d{6})\"?>\s*<a[^>]*>([^<]*)</a>", re.IGNORECASE)
_PARAGRAPH = re.compile(r"<p[^>]*>(.*?)</p>", re.S | re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True, slots=True)
class ReplayArticle:
    publishid: str
    title: str
    body_html: str  #: inner HTML of ``#artibody`` as archived
    intime: int  #: unix seconds
    channel: tuple[int, int]
    template: str  #: modern | legacy
    media: str
    stocks: tuple[tuple[str, str], ...]  #: (code, anchor) in order of appearance
    lead: str  #: the first paragraph's text

    @property
    def day(self) -> str:
        return datetime.fromtimestamp(self.intime, CHINA_TZ).strftime("%Y-%m-%d")

    @property
    def path(self) -> str:
        return f"/china/gncj/{self.day}/doc-i{self.publishid}.shtml"


def _digest(text: str, seed: int) -> bytes:
    return hashlib.sha256(f"{seed}:{text}".encode()).digest()


def _publishid(name: str) -> str:
    digest = _digest(name, 0)
    letters = "".join(chr(ord("a") + b % 26) for b in digest[:7])
    digits = f"{int.from_bytes(digest[7:12], 'big') % 10_000_000:07d}"
    return letters + digits


def _lead(body: str) -> str:
    for paragraph in _PARAGRAPH.findall(body):
        text = html.unescape(_TAG.sub("", paragraph)).strip(" \u3000\xa0\n")
        if text and not text.startswith(("原标题", "来源")):
            return text
    return ""


def load_catalog(articles_dir: Path, *, legacy_share: float = 0.2, seed: int = 0) -> list[ReplayArticle]:
    """Every usable post under ``articles_dir``, newest first. Posts without a title, a date or a body are
    left out (the replay serves what Sina would have served)."""
    files, _missing = discover_posts([articles_dir])
    articles: list[ReplayArticle] = []
    for path in files:
        try:
            post = split_front_matter(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ParseError):
            continue
        title = str(post.front_matter.get("title") or "").strip()
        published = parse_rfc2822(post.front_matter.get("date"))
        body = post.body.strip()
        if body.lower().startswith("<div>") and body.lower().endswith("</div>"):
            body = body[5:-6]
        if not title or published is None or not body.strip():
            continue
        name = str(path.relative_to(articles_dir))
        digest = _digest(name, seed)
        stocks = tuple(dict.fromkeys((code.lower(), anchor) for code, anchor in _STOCK_SPAN.findall(body)))
        articles.append(
            ReplayArticle(
                publishid=_publishid(name),
                title=title,
                body_html=body,
                intime=int(published.timestamp()),
                channel=REPLAY_CHANNELS[digest[0] % len(REPLAY_CHANNELS)],
                template="legacy" if digest[1] / 256 < legacy_share else "modern",
                media=_MEDIA[digest[2] % len(_MEDIA)],
                stocks=stocks,
                lead=_lead(body),
            )
        )
    articles.sort(key=lambda a: (-a.intime, a.publishid))
    return articles
