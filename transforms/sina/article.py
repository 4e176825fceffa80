"""Parse a Sina Finance article (a full page of any generation, an archive post, or a bare body) into an Article.

Pure: text or bytes in, a frozen ``Article`` out. Failures of a single field become warnings on the
article; only an unusable input (undecodable, truncated, empty) raises ``InputError``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from lxml import etree, html
from policywatch.transforms.errors import ParseError
from policywatch.transforms.linking.text_codes import find_text_codes
from policywatch.transforms.linking.tickers import security_from_code
from policywatch.transforms.models import Article, StockLink, paragraph_starts
from policywatch.transforms.policy.measures import segment_measures
from policywatch.transforms.sina.body import BodyExtract, body_from_fragment, extract_body
from policywatch.transforms.sina.charset import decode_document
from policywatch.transforms.sina.hexo import parse_post_date, split_front_matter
from policywatch.transforms.sina.ids import article_hash_id, page_publishid, publishid_from_url
from policywatch.transforms.sina.templates import (
    CANONICAL_URL,
    GENERIC,
    KEYWORDS,
    PUBLISHED_META,
    PUBLISHID,
    TEMPLATES,
    PageTemplate,
)
from policywatch.transforms.sina.times import page_published_at
from policywatch.transforms.sina.truncation import fragment_cut_reason, page_cut_reason

__all__ = ["parse_archive_post", "parse_body_html", "parse_sina_page"]

_ORIGINAL_TITLE = re.compile(r"^原标题\s*[:：]\s*(.+)$")
_SOURCE_LINE = re.compile(r"^(?:来源|文章来源)\s*[:：]\s*(.{1,30})$")
_TITLE_SUFFIX = re.compile(r"[_|｜\-]\s*(?:新浪财经|新浪网|新浪|手机新浪网).*$")
_WS = re.compile(r"\s+")


def _first_text(doc: etree._Element, xpaths: Sequence[str]) -> str | None:
    for xpath in xpaths:
        for found in doc.xpath(xpath):
            value = found if isinstance(found, str) else found.text_content()
            value = _WS.sub(" ", value).strip(" \u3000\xa0")
            if value:
                return value
    return None


def _first_element(doc: etree._Element, xpaths: Sequence[str]) -> etree._Element | None:
    for xpath in xpaths:
        found = doc.xpath(xpath)
        if found:
            return found[0]
    return None


def _detect(doc: etree._Element) -> PageTemplate:
    for template in TEMPLATES:
        if doc.xpath(template.detect):
            return template
    return GENERIC


def _split_keywords(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    return tuple(dict.fromkeys(k.strip() for k in re.split(r"[,，;；\s]+", value) if k.strip()))


def _post_tags(value: object) -> tuple[str, ...]:
    """Front-matter ``tags``: a YAML list, or one string (``tags: 政策`` or ``tags: 政策, 财政``)."""
    if value is None or value == "":
        return ()
    if isinstance(value, str | int | float):
        return _split_keywords(str(value))
    if isinstance(value, list | tuple):
        return _split_keywords(",".join(str(tag) for tag in value if tag is not None))
    return ()


def parse_sina_page(
    data: bytes | str,
    *,
    url: str | None = None,
    fetched_at: datetime | None = None,
    http_charset: str | None = None,
    published_hint: datetime | None = None,
) -> Article:
    """Parse a full Sina article page of any template generation.

    ``published_hint`` (e.g. the roll API's ``intime``) is used when the page itself shows no time.
    """
    text, encoding, warnings = _decoded(data, http_charset)
    if not text.strip():
        raise ParseError("empty page", reason="empty")
    doc = _parse_document(text)
    template = _detect(doc)
    container = _first_element(doc, template.body)
    if container is None or (template is GENERIC and not doc.xpath("//div[@id='artibody']")):
        raise ParseError(f"no article body (#artibody) on the page ({template.name} template)", reason="no_body")
    cut = page_cut_reason(text)
    if cut:
        raise ParseError(f"truncated page: {cut}", reason="truncated")

    title = _first_text(doc, template.title) or _first_text(doc, GENERIC.title)
    if title:
        title = _TITLE_SUFFIX.sub("", title).strip()
    shown = (_first_text(doc, xpaths) for xpaths in (template.time, GENERIC.time))
    published = page_published_at(shown, _first_text(doc, PUBLISHED_META), warnings)
    if published is None and published_hint is not None:
        published = published_hint
        warnings.append("publication time taken from the listing, not the page")
    source = _first_text(doc, template.source)
    keywords = _split_keywords(_first_text(doc, KEYWORDS))
    return _assemble(
        extract_body(container),
        title=title,
        url=url,
        publishid=page_publishid(
            url,
            _first_text(doc, PUBLISHID),
            (str(found) for xpath in CANONICAL_URL for found in doc.xpath(xpath)),
        ),
        published_at=published,
        source=source,
        keywords=keywords,
        template=template.name,
        encoding=encoding,
        fetched_at=fetched_at,
        warnings=warnings,
    )


def parse_archive_post(data: bytes | str) -> Article:
    """Parse a Hexo archive post (YAML front matter + the inner HTML of ``#artibody``)."""
    text, encoding, warnings = _decoded(data, None)
    post = split_front_matter(text)
    body = post.body.strip()
    if not body:
        raise ParseError("the post has front matter but an empty body", reason="empty_body")
    cut = fragment_cut_reason(body)
    if cut:
        raise ParseError(f"truncated post: {cut}", reason="truncated")
    meta = post.front_matter
    title = str(meta.get("title") or "").strip() or None
    published, date_note = parse_post_date(meta.get("date"))
    if published is None:
        warnings.append(f"the post has no usable date: {date_note}" if date_note else "the post has no usable date")
    elif date_note:
        warnings.append(date_note)
    return _assemble(
        extract_body(body_from_fragment(body)),
        title=title,
        url=str(meta["url"]) if meta.get("url") else None,
        publishid=publishid_from_url(str(meta.get("url") or "")) or None,
        published_at=published,
        source=None,
        keywords=_post_tags(meta.get("tags")),
        template="archive",
        encoding=encoding,
        fetched_at=None,
        warnings=warnings,
    )


def parse_body_html(
    fragment: str,
    *,
    title: str | None,
    url: str | None = None,
    published_at: datetime | None = None,
    source: str | None = None,
    fetched_at: datetime | None = None,
    template: str = "fragment",
) -> Article:
    """Parse a bare body (an RSS item's description: the inner HTML of ``#artibody``) with known metadata."""
    if not fragment.strip():
        raise ParseError("empty body", reason="empty_body")
    return _assemble(
        extract_body(body_from_fragment(fragment)),
        title=title,
        url=url,
        publishid=publishid_from_url(url),
        published_at=published_at,
        source=source,
        keywords=(),
        template=template,
        encoding="utf-8",
        fetched_at=fetched_at,
        warnings=[],
    )


def _decoded(data: bytes | str, http_charset: str | None) -> tuple[str, str, list[str]]:
    if isinstance(data, str):
        return data, "utf-8", []
    decoded = decode_document(data, http_charset)
    return decoded.text, decoded.encoding, list(decoded.warnings)


def _parse_document(text: str) -> etree._Element:
    # lxml refuses str input that carries an XML encoding declaration
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    try:
        return html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise ParseError(f"not parseable as HTML: {exc}", reason="malformed_html") from None


def _assemble(
    body: BodyExtract,
    *,
    title: str | None,
    url: str | None,
    publishid: str | None,
    published_at: datetime | None,
    source: str | None,
    keywords: tuple[str, ...],
    template: str,
    encoding: str,
    fetched_at: datetime | None,
    warnings: list[str],
) -> Article:
    head = _without_head_lines(body.paragraphs)
    paragraphs = head.paragraphs
    if not paragraphs:
        raise ParseError("the article body has no text", reason="empty_body")
    title = title or head.original_title
    if not title:
        raise ParseError("the article has no title", reason="no_title")
    starts = paragraph_starts(paragraphs)
    text = "\n".join(paragraphs)
    comment_codes = body.keyword_comment_codes
    links = _stock_links(body, head.new_index, starts, warnings)
    match_comment = _links_match_comment(links, comment_codes, warnings)
    sections, measures, other_lists = segment_measures(paragraphs, starts)
    if publishid:
        article_id, id_source = publishid, "publishid"
    else:
        article_id, id_source = article_hash_id(title, text), "hash"
    return Article(
        article_id=article_id,
        id_source=id_source,  # type: ignore[arg-type]
        url=url,
        title=title,
        original_title=head.original_title,
        published_at=published_at,
        source=source if head.source is None else source or head.source,
        editor=body.editor,
        keywords=keywords,
        template=template,
        encoding=encoding,
        fetched_at=fetched_at,
        text=text,
        paragraphs=tuple(paragraphs),
        stock_links=tuple(links),
        keyword_comment_codes=tuple(comment_codes) if comment_codes is not None else None,
        links_match_comment=match_comment,
        text_codes=tuple(find_text_codes(text, starts)),
        sections=tuple(sections),
        measures=tuple(measures),
        other_lists=tuple(other_lists),
        warnings=tuple(warnings),
    )


@dataclass(frozen=True, slots=True)
class _Head:
    paragraphs: list[str]  #: the body's paragraphs less the lines taken out
    new_index: dict[int, int]  #: the body's paragraph index → its index among ``paragraphs``
    original_title: str | None  #: from a 原标题 line near the top
    source: str | None  #: from the first 来源 line near the top or the end


def _without_head_lines(body_paragraphs: Sequence[str]) -> _Head:
    """Take out the lines that are metadata, not text: the original title (in the first four paragraphs) and
    the source line (in the first four or the last three)."""
    original_title = source = None
    keep: list[int] = []
    for index, paragraph in enumerate(body_paragraphs):
        head = index < 4
        match = _ORIGINAL_TITLE.match(paragraph) if head else None
        if match and original_title is None:
            original_title = match.group(1).strip()
            continue
        match = _SOURCE_LINE.match(paragraph) if head or index >= len(body_paragraphs) - 3 else None
        if match:
            source = source or match.group(1).strip()
            continue
        keep.append(index)
    new_index = {old: new for new, old in enumerate(keep)}
    return _Head([body_paragraphs[i] for i in keep], new_index, original_title, source)


def _stock_links(
    body: BodyExtract, new_index: dict[int, int], starts: Sequence[int], warnings: list[str]
) -> list[StockLink]:
    """Sina's links in the markup, placed in the text, then the codes only the keyword comment lists."""
    comment_codes = body.keyword_comment_codes
    links: list[StockLink] = []
    seen_codes: set[str] = set()
    for raw in body.links:
        security = security_from_code(raw.code)
        if security is None:
            warnings.append(f"unrecognised stock code {raw.code!r} in a link")
            continue
        paragraph = new_index.get(raw.paragraph) if raw.paragraph is not None else None
        position = starts[paragraph] + (raw.offset or 0) if paragraph is not None else None
        seen = set(raw.seen_in)
        if comment_codes and security.code in comment_codes:
            seen.add("comment")
        seen_codes.add(security.code)
        links.append(
            StockLink(
                code=security.code,
                ticker=security.ticker,
                exchange=security.exchange,
                kind=security.kind,
                anchor_text=raw.anchor_text,
                position=position,
                paragraph=paragraph,
                seen_in=tuple(sorted(seen, key=("span", "href", "comment").index)),  # type: ignore[arg-type]
            )
        )
    for code in comment_codes or ():
        security = security_from_code(code)
        if security is None or security.code in seen_codes:
            continue
        seen_codes.add(security.code)
        links.append(
            StockLink(security.code, security.ticker, security.exchange, security.kind, "", None, None, ("comment",))
        )
    links.sort(key=lambda link: (link.position is None, link.position or 0, link.code))
    return links


def _links_match_comment(
    links: list[StockLink], comment_codes: Sequence[str] | None, warnings: list[str]
) -> bool | None:
    """Whether the keyword comment lists the codes linked in the markup; None without a comment."""
    if comment_codes is None:
        return None
    in_markup = {link.code for link in links if link.seen_in != ("comment",)}
    match_comment = in_markup == set(comment_codes)
    if not match_comment:
        warnings.append("the news_keyword_pub comment and the page's links list different codes")
    return match_comment
