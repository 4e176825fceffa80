"""Idempotent loading of parsed articles with their raw bytes, links, text codes and measures.

One call is one transaction: a batch lands whole or not at all. Loading the same article again changes
nothing; a changed article replaces every row it owns (article, raw bytes, links, codes, measures), and the
rows linking derived from it are removed with them, so the next ``policywatch link`` links it afresh.

"Changed" is judged by the article's fingerprint: a hash of its raw bytes (and how they were read) and of
every parsed field but the fetch time, plus the parser version. A new title, time or stock link on a page, or
a corrected ``date:`` in a post, is an update even when the text is the same.

An article without a Sina publishid is known by a hash of its title and clean text, which a change in the
parser's cleaning would change. So a record whose raw bytes are already stored keeps the id stored with
them: re-importing an archive after a parser change updates its articles instead of duplicating them.
Two posts with the same title and text but other front matter (two feeds' copies) share that id: the one
stored first stays, the other is a duplicate of it (see ``load_articles``).
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import duckdb
import pyarrow as pa
from policywatch.transforms.models import CHINA_TZ, Article, StockLink
from policywatch.warehouse.arrow_io import insert_rows
from policywatch.warehouse.db import transaction

__all__ = [
    "STOCK_LINKS",
    "ArticleRecord",
    "LoadResult",
    "content_hash",
    "load_articles",
    "raw_sha256",
    "record_fingerprint",
    "stock_link_rows",
]

_CHILD_TABLES = ("article_raw", "stock_links", "text_codes", "sections", "measures", "numbered_list_items")
#: what linking derived from an article: stale once the article changes, so it goes with it (and is re-linked)
_LINKAGE_TABLES = ("measure_themes", "article_tickers", "article_policy", "name_mentions", "linked_articles")
_TS = pa.timestamp("us", tz="UTC")
_STRS = pa.list_(pa.string())

_ARTICLES = pa.schema(
    [
        ("article_id", pa.string()), ("id_source", pa.string()), ("url", pa.string()), ("title", pa.string()),
        ("original_title", pa.string()), ("published_at", _TS), ("published_date_cn", pa.date32()),
        ("source", pa.string()), ("editor", pa.string()), ("keywords", _STRS), ("template", pa.string()),
        ("encoding", pa.string()), ("text", pa.string()), ("paragraphs", _STRS), ("content_hash", pa.string()),
        ("keyword_comment_codes", _STRS), ("links_match_comment", pa.bool_()), ("warnings", _STRS),
        ("origin", pa.string()), ("origin_ref", pa.string()), ("fetched_at", _TS),
        ("parser_version", pa.string()), ("loaded_at", _TS), ("run_id", pa.string()), ("fingerprint", pa.string()),
    ]
)  # fmt: skip
_RAW = pa.schema(
    [
        ("article_id", pa.string()), ("raw_format", pa.string()), ("compression", pa.string()),
        ("raw", pa.binary()), ("raw_size", pa.int64()), ("raw_sha256", pa.string()),
        ("http_charset", pa.string()), ("fetched_at", _TS),
    ]
)  # fmt: skip
#: the ``stock_links`` table: Sina's links of an article and, from the 7x24 feed, its stock tags
STOCK_LINKS = pa.schema(
    [
        ("article_id", pa.string()), ("origin", pa.string()), ("code", pa.string()), ("ticker", pa.string()),
        ("exchange", pa.string()), ("kind", pa.string()), ("anchor_text", pa.string()),
        ("position", pa.int32()), ("paragraph", pa.int32()), ("seen_in", _STRS),
    ]
)  # fmt: skip
_TEXT_CODES = pa.schema(
    [
        ("article_id", pa.string()), ("position", pa.int32()), ("code", pa.string()), ("ticker", pa.string()),
        ("exchange", pa.string()), ("raw", pa.string()), ("explicit_exchange", pa.bool_()),
        ("paragraph", pa.int32()),
    ]
)  # fmt: skip
_SECTIONS = pa.schema(
    [
        ("article_id", pa.string()), ("number", pa.int32()), ("label", pa.string()), ("title", pa.string()),
        ("position", pa.int32()), ("paragraph", pa.int32()),
    ]
)  # fmt: skip
_MEASURES = pa.schema(
    [
        ("article_id", pa.string()), ("ordinal", pa.int32()), ("number", pa.int32()), ("label", pa.string()),
        ("style", pa.string()), ("heading", pa.string()), ("text", pa.string()), ("section", pa.int32()),
        ("section_title", pa.string()), ("position", pa.int32()), ("paragraph", pa.int32()),
    ]
)  # fmt: skip
_LIST_ITEMS = pa.schema(
    [
        ("article_id", pa.string()), ("list_no", pa.int32()), ("ordinal", pa.int32()), ("number", pa.int32()),
        ("label", pa.string()), ("style", pa.string()), ("heading", pa.string()), ("text", pa.string()),
        ("position", pa.int32()),
    ]
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class ArticleRecord:
    """A parsed article with where it came from and the bytes it was parsed from."""

    article: Article
    raw: bytes
    raw_format: str  #: html | hexo | fragment
    origin: str  #: archive | crawl | rss | …
    origin_ref: str | None  #: file path or URL
    http_charset: str | None = None
    #: the SHA-256 of ``raw`` (hex), computed once: stored ids, fingerprints and raw rows all use it
    raw_sha256: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "raw_sha256", raw_sha256(self.raw))


@dataclass(slots=True)
class LoadResult:
    new: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    #: (origin_ref, article_id, message) of records that repeat another one
    duplicates: list[tuple[str, str, str]] = field(default_factory=list)


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def raw_sha256(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def record_fingerprint(record: ArticleRecord) -> str:
    """A hash of what a stored article is made of: the raw bytes, how they were read, and every parsed field
    except the fetch time (a page fetched again with the same bytes is unchanged)."""
    parsed = record.article.to_dict()
    parsed.pop("fetched_at")
    made_of = {
        "raw_sha256": record.raw_sha256,
        "raw_format": record.raw_format,
        "http_charset": record.http_charset,
        "article": parsed,
    }
    return hashlib.sha256(json.dumps(made_of, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def _keep_stored_ids(con: duckdb.DuckDBPyConnection, records: Sequence[ArticleRecord]) -> list[ArticleRecord]:
    """Records with a hash id whose raw bytes are already stored take the id (and id source) stored with them."""
    digests = {r.raw_sha256 for r in records if r.article.id_source == "hash"}
    if not digests:
        return list(records)
    stored: dict[str, list[tuple[str, str]]] = {
        digest: ids
        for digest, ids in con.execute(
            "SELECT r.raw_sha256, list((a.article_id, a.id_source) ORDER BY a.loaded_at, a.article_id)"
            " FROM article_raw r JOIN articles a USING (article_id)"
            " WHERE r.raw_sha256 IN (SELECT unnest(?::VARCHAR[])) GROUP BY r.raw_sha256",
            [sorted(digests)],
        ).fetchall()
    }
    kept: list[ArticleRecord] = []
    for record in records:
        article = record.article
        candidates = stored.get(record.raw_sha256) if article.id_source == "hash" else None
        if candidates and article.article_id not in {article_id for article_id, _ in candidates}:
            article_id, id_source = candidates[0]  # the first stored, should older loads have made several
            record = replace(record, article=replace(article, article_id=article_id, id_source=id_source))
        kept.append(record)
    return kept


def load_articles(con: duckdb.DuckDBPyConnection, records: Sequence[ArticleRecord], *, run_id: str) -> LoadResult:
    """Upsert a batch in one transaction and say what happened to each record.

    An article known only by the hash of its title and text is replaced only by a record from where it was
    stored from (its ``origin_ref``) or made of the same bytes: another file with that title and text (another
    feed's copy, whose front matter differs) is a duplicate of it, else two copies would replace each other on
    every import. An id from Sina (publishid) names one article wherever it was read, so there a change is an
    update from anywhere."""
    result = LoadResult()
    records = _keep_stored_ids(con, records)
    groups: dict[str, list[ArticleRecord]] = {}
    for record in records:
        groups.setdefault(record.article.article_id, []).append(record)
    if not groups:
        return result

    existing = {
        row[0]: (row[1], row[2], row[3], row[4])
        for row in con.execute(
            "SELECT a.article_id, a.fingerprint, a.parser_version, a.origin_ref, r.raw_sha256"
            " FROM articles a LEFT JOIN article_raw r USING (article_id)"
            " WHERE a.article_id IN (SELECT unnest(?::VARCHAR[]))",
            [list(groups)],
        ).fetchall()
    }
    batch: dict[str, ArticleRecord] = {}
    for article_id, group in groups.items():
        stored_ref = existing[article_id][2] if article_id in existing else None
        # of several in this batch, the one from where the stored article came from is the one compared with it
        chosen = next((r for r in group if stored_ref and r.origin_ref == stored_ref), group[0])
        batch[article_id] = chosen
        for record in group:
            if record is not chosen:
                result.duplicates.append(
                    (record.origin_ref or article_id, article_id, f"same article as {chosen.origin_ref} in this import")
                )

    to_write: list[tuple[ArticleRecord, str]] = []
    for article_id, record in batch.items():
        article = record.article
        fingerprint = record_fingerprint(record)
        if article_id in existing:
            old_fingerprint, old_version, old_ref, old_raw = existing[article_id]
            elsewhere = bool(old_ref and record.origin_ref and old_ref != record.origin_ref)
            same = old_fingerprint == fingerprint and old_version == article.parser_version
            copy = elsewhere and article.id_source == "hash" and old_raw != record.raw_sha256
            if same or copy:
                result.unchanged.append(article_id)
                if elsewhere:
                    result.duplicates.append(
                        (record.origin_ref, article_id, f"same article as {old_ref}, already stored")
                    )
                continue
            result.updated.append(article_id)
        else:
            result.new.append(article_id)
        to_write.append((record, fingerprint))

    if not to_write:
        return result
    now = datetime.now(UTC)
    write_ids = [r.article.article_id for r, _ in to_write]
    with transaction(con):
        for table in (*_LINKAGE_TABLES, *_CHILD_TABLES, "articles"):
            con.execute(f"DELETE FROM {table} WHERE article_id IN (SELECT unnest(?::VARCHAR[]))", [write_ids])
        insert_rows(con, "articles", _ARTICLES, (_article_row(r, fp, now, run_id) for r, fp in to_write))
        written = [r for r, _ in to_write]
        insert_rows(con, "article_raw", _RAW, (_raw_row(r) for r in written))
        insert_rows(con, "stock_links", STOCK_LINKS, (row for r in written for row in _link_rows(r.article)))
        insert_rows(con, "text_codes", _TEXT_CODES, (row for r in written for row in _text_code_rows(r.article)))
        insert_rows(con, "sections", _SECTIONS, (row for r in written for row in _section_rows(r.article)))
        insert_rows(con, "measures", _MEASURES, (row for r in written for row in _measure_rows(r.article)))
        insert_rows(con, "numbered_list_items", _LIST_ITEMS, (row for r in written for row in _list_rows(r.article)))
    return result


def _article_row(record: ArticleRecord, fingerprint: str, now: datetime, run_id: str) -> dict:
    a = record.article
    return {
        "article_id": a.article_id,
        "id_source": a.id_source,
        "url": a.url,
        "title": a.title,
        "original_title": a.original_title,
        "published_at": a.published_at,
        "published_date_cn": a.published_at.astimezone(CHINA_TZ).date() if a.published_at else None,
        "source": a.source,
        "editor": a.editor,
        "keywords": list(a.keywords),
        "template": a.template,
        "encoding": a.encoding,
        "text": a.text,
        "paragraphs": list(a.paragraphs),
        "content_hash": content_hash(a.text),
        "keyword_comment_codes": list(a.keyword_comment_codes) if a.keyword_comment_codes is not None else None,
        "links_match_comment": a.links_match_comment,
        "warnings": list(a.warnings),
        "origin": record.origin,
        "origin_ref": record.origin_ref,
        "fetched_at": a.fetched_at,
        "parser_version": a.parser_version,
        "loaded_at": now,
        "run_id": run_id,
        "fingerprint": fingerprint,
    }


def _raw_row(record: ArticleRecord) -> dict:
    return {
        "article_id": record.article.article_id,
        "raw_format": record.raw_format,
        "compression": "zlib",
        "raw": zlib.compress(record.raw, 6),
        "raw_size": len(record.raw),
        "raw_sha256": record.raw_sha256,
        "http_charset": record.http_charset,
        "fetched_at": record.article.fetched_at,
    }


def _link_rows(a: Article) -> list[dict]:
    return stock_link_rows(a.article_id, a.stock_links, origin="sina_link")


def stock_link_rows(article_id: str, links: Sequence[StockLink], *, origin: str) -> list[dict]:
    """``stock_links`` rows of one article's links of one origin (``sina_link``, or the 7x24 tags')."""
    return [
        {
            "article_id": article_id,
            "origin": origin,
            "code": link.code,
            "ticker": link.ticker,
            "exchange": link.exchange,
            "kind": link.kind,
            "anchor_text": link.anchor_text,
            "position": link.position,
            "paragraph": link.paragraph,
            "seen_in": list(link.seen_in),
        }
        for link in links
    ]


def _text_code_rows(a: Article) -> list[dict]:
    return [
        {
            "article_id": a.article_id,
            "position": c.position,
            "code": c.code,
            "ticker": c.ticker,
            "exchange": c.exchange,
            "raw": c.raw,
            "explicit_exchange": c.explicit_exchange,
            "paragraph": c.paragraph,
        }
        for c in a.text_codes
    ]


def _section_rows(a: Article) -> list[dict]:
    return [
        {
            "article_id": a.article_id,
            "number": s.number,
            "label": s.label,
            "title": s.title,
            "position": s.position,
            "paragraph": s.paragraph,
        }
        for s in a.sections
    ]


def _measure_rows(a: Article) -> list[dict]:
    return [
        {
            "article_id": a.article_id,
            "ordinal": m.ordinal,
            "number": m.number,
            "label": m.label,
            "style": m.style,
            "heading": m.heading,
            "text": m.text,
            "section": m.section,
            "section_title": m.section_title,
            "position": m.position,
            "paragraph": m.paragraph,
        }
        for m in a.measures
    ]


def _list_rows(a: Article) -> list[dict]:
    return [
        {
            "article_id": a.article_id,
            "list_no": list_no,
            "ordinal": item.ordinal,
            "number": item.number,
            "label": item.label,
            "style": item.style,
            "heading": item.heading,
            "text": item.text,
            "position": item.position,
        }
        for list_no, numbered in enumerate(a.other_lists, start=1)
        for item in numbered.items
    ]
