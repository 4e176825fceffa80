"""Clean text, paragraphs and stock links from the article body (``#artibody`` or an archive post's HTML).

One walk over the DOM builds the paragraphs and, at the same time, records where each stock link's anchor
text sits in them, so positions are exact. Noise is dropped before its text is read: ad-list comments
(comments end at the first ``-->``, which also closes Sina's unterminated ``<!--article_adlist[``), video
lists, QR/account-opening promos, promo blockquotes, styles and scripts. The editor line is kept as a field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree, html

__all__ = ["BodyExtract", "RawLink", "extract_body"]

_BLOCK_TAGS = frozenset(
    {
        "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "table", "thead", "tbody", "tfoot", "tr",
        "blockquote", "section", "article", "center", "pre", "dd", "dt", "dl", "figure", "figcaption", "header",
        "footer", "caption",
    }
)  # fmt: skip
_BREAK_TAGS = frozenset({"br", "hr"})
_CELL_TAGS = frozenset({"td", "th"})
_DROP_TAGS = frozenset(
    {
        "script", "style", "noscript", "iframe", "img", "video", "audio", "object", "embed", "svg", "canvas", "form",
        "input", "button", "select", "textarea", "map", "link", "meta", "head", "title",
    }
)  # fmt: skip
#: class names of promotional or structural blocks inside ``#artibody``
_NOISE_CLASSES = frozenset(
    {
        "video-2017",
        "app-kaihu-qr",
        "appendQr_wrap",
        "appendQr_normal",
        "appendQr_normal_txt",
        "app-qihuo-kaihu-qr",
        "otherContent_01",
        "article-notice",
        "ct_hqimg",
        "hqimg_wrapper",
    }
)
_NOISE_IDS = frozenset({"app-qihuo-kaihu-qr", "left_hzh_ad", "sinaads"})
#: comment-delimited ranges whose content is noise: ``<!--video-list-->…<!--/video-list-->``
_COMMENT_RANGES = ("video-list", "微博列表", "Hd begin")
_KEYWORD_COMMENT = re.compile(r"news_keyword_pub\s*,\s*([a-z_]+)\s*,\s*([^\s>]*)")
_STOCK_SPAN_ID = re.compile(r"^stock_([a-z]{2}\d{6})$", re.IGNORECASE)
_HK_SPAN_ID = re.compile(r"^hkstock_(hk\d{5})$", re.IGNORECASE)
_REALSTOCK_HREF = re.compile(r"/realstock/company/([a-z]{2}\d{6})/", re.IGNORECASE)
_HK_HREF = re.compile(r"/hkstock/quotes/(\d{5})\.html", re.IGNORECASE)
_EDITOR = re.compile(r"^\s*(?:责任编辑|编辑)\s*[:：]\s*(.+?)\s*$")
_WS = re.compile(r"[ \t\r\n\f\v\xa0]+")
_STRIP = " \t\r\n\f\v\xa0\u3000\u200b\ufeff"


@dataclass(slots=True)
class RawLink:
    """A link as seen in the markup, before normalisation."""

    code: str
    anchor_text: str
    paragraph: int | None
    offset: int | None  #: offset inside the paragraph's final text
    seen_in: set[str] = field(default_factory=set)


@dataclass(slots=True)
class BodyExtract:
    paragraphs: list[str]
    links: list[RawLink]
    editor: str | None
    keyword_comment_codes: list[str] | None


def _classes(el: etree._Element) -> set[str]:
    return set((el.get("class") or "").split())


def _is_noise(el: etree._Element) -> bool:
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag in _DROP_TAGS:
        return True
    if _classes(el) & _NOISE_CLASSES or (el.get("id") or "") in _NOISE_IDS:
        return True
    # promo blockquotes carry no paragraphs of the article; a quoted passage keeps its <p>
    return tag == "blockquote" and el.find(".//p") is None


def _stock_code_of(el: etree._Element) -> tuple[str, str] | None:
    """``(code, how)`` if the element is a stock span or a stock link."""
    tag = el.tag
    if tag == "span":
        ident = el.get("id") or ""
        match = _STOCK_SPAN_ID.match(ident)
        if match:
            return match.group(1).lower(), "span"
        match = _HK_SPAN_ID.match(ident)
        if match:
            return match.group(1).lower(), "span"
    elif tag == "a":
        href = el.get("href") or ""
        match = _REALSTOCK_HREF.search(href)
        if match:
            return match.group(1).lower(), "href"
        match = _HK_HREF.search(href)
        if match:
            return "hk" + match.group(1), "href"
    return None


class _Walker:
    """Collects paragraphs; a paragraph is the text between block boundaries."""

    def __init__(self) -> None:
        self.paragraphs: list[str] = []
        self._buf: list[str] = []
        self._len = 0
        self._pending: list[tuple[RawLink, int]] = []  # links in the open paragraph, with raw offsets
        self.links: list[RawLink] = []
        self.editor: str | None = None
        self.comments: list[str] = []

    # -- text buffer -------------------------------------------------------------------------------
    def add(self, text: str | None) -> None:
        if not text:
            return
        text = _WS.sub(" ", text)
        if text.startswith(" ") and (self._len == 0 or self._buf[-1].endswith(" ")):
            text = text[1:]
        if text:
            self._buf.append(text)
            self._len += len(text)

    def flush(self) -> None:
        raw = "".join(self._buf)
        stripped = raw.lstrip(_STRIP)
        lead = len(raw) - len(stripped)
        stripped = stripped.rstrip(_STRIP)
        editor = _EDITOR.match(stripped) if stripped else None
        if editor and len(stripped) < 40:
            self.editor = self.editor or editor.group(1)
            stripped = ""
        index = len(self.paragraphs) if stripped else None
        for link, raw_offset in self._pending:
            if index is not None:
                link.paragraph = index
                link.offset = max(0, min(raw_offset - lead, len(stripped)))
            self.links.append(link)
        if stripped:
            self.paragraphs.append(stripped)
        self._buf, self._len, self._pending = [], 0, []

    # -- walk --------------------------------------------------------------------------------------
    def walk(self, el: etree._Element) -> None:
        if not isinstance(el.tag, str):  # comments and processing instructions
            if isinstance(el, etree._Comment):
                self.comments.append(el.text or "")
            return
        if _is_noise(el):
            return
        tag = el.tag.lower()
        if "article-editor" in _classes(el):
            text = _WS.sub(" ", el.text_content()).strip(_STRIP)
            match = _EDITOR.match(text)
            self.editor = (match.group(1) if match else text) or self.editor
            return
        if tag in _BREAK_TAGS:
            self.flush()
            return
        block = tag in _BLOCK_TAGS
        if block:
            self.flush()
        stock = _stock_code_of(el)
        start = self._len
        if tag in _CELL_TAGS and self._len:
            self.add("\t")
        self.add(el.text)
        skipping = False
        for child in el:
            if isinstance(child, etree._Comment):
                marker = (child.text or "").strip()
                if marker in _COMMENT_RANGES:
                    skipping = True
                elif marker.lstrip("/").strip() in _COMMENT_RANGES:
                    skipping = False
                    self.add(child.tail)
                    continue
            if skipping:
                continue
            self.walk(child)
            self.add(child.tail)
        if stock is not None:
            code, how = stock
            anchor = "".join(self._buf)[start:] if self._len > start else ""
            link = RawLink(code=code, anchor_text=anchor.strip(_STRIP), paragraph=None, offset=None, seen_in={how})
            self._pending.append((link, start + (len(anchor) - len(anchor.lstrip(_STRIP)))))
        if block:
            self.flush()


def _merge_links(raw: list[RawLink]) -> list[RawLink]:
    """One link per code: a span and its inner ``<a>`` are one link; nested links lend their text."""
    merged: dict[str, RawLink] = {}
    for link in raw:
        seen = merged.get(link.code)
        if seen is None:
            merged[link.code] = link
            continue
        seen.seen_in |= link.seen_in
        if not seen.anchor_text and link.anchor_text:
            seen.anchor_text, seen.paragraph, seen.offset = link.anchor_text, link.paragraph, link.offset
    # a code whose own markup is empty (Sina's nested index links) takes the text around it
    for link in merged.values():
        if link.anchor_text:
            continue
        for other in merged.values():
            if (
                other.anchor_text
                and other.paragraph == link.paragraph
                and link.offset is not None
                and other.offset is not None
                and 0 <= link.offset - other.offset <= len(other.anchor_text)
            ):
                link.anchor_text, link.offset = other.anchor_text, other.offset
                break
    return list(merged.values())


def _keyword_comment(comments: list[str]) -> list[str] | None:
    """The codes listed in ``<!-- news_keyword_pub,stock,… -->``: [] when empty, None when there is none."""
    for comment in comments:
        match = _KEYWORD_COMMENT.search(comment)
        if match:
            return [code.strip().lower() for code in match.group(2).split("&") if code.strip()]
    return None


def extract_body(container: etree._Element) -> BodyExtract:
    """Walk ``container`` (the body element) and return its paragraphs, links, editor and keyword comment."""
    walker = _Walker()
    walker.walk(container)
    walker.flush()
    codes = _keyword_comment(walker.comments)
    return BodyExtract(
        paragraphs=walker.paragraphs,
        links=_merge_links(walker.links),
        editor=walker.editor,
        keyword_comment_codes=codes,
    )


def body_from_fragment(fragment: str) -> etree._Element:
    """Parse an HTML fragment (an archive post or an RSS description) into one container element."""
    return html.fragment_fromstring(fragment, create_parent="div")
