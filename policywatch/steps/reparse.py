"""Re-parse stored raw pages with the current parser: a parser fix does not need a re-crawl.

Every stored article keeps the bytes it was parsed from (``article_raw``, compressed). Articles parsed by an
older parser (or the ones named, or all) are parsed again from those bytes, keep their id, and are loaded like
any update: rows that changed are replaced, and linking runs again for them on the next ``policywatch link``.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from policywatch.config import Settings
from policywatch.steps.crawl.parse import parse_zhibo
from policywatch.steps.import_archive import Skip
from policywatch.transforms.errors import InputError
from policywatch.transforms.models import PARSER_VERSION, Article
from policywatch.transforms.sina.article import parse_archive_post, parse_body_html, parse_sina_page
from policywatch.warehouse.articles import ArticleRecord, load_articles
from policywatch.warehouse.runs import finish_run, record_skip, start_run
from policywatch.warehouse.store import open_writer

__all__ = ["ReparseSummary", "reparse_articles"]


@dataclass(slots=True)
class ReparseSummary:
    run_id: str
    checked: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[Skip] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {"checked": self.checked, "updated": self.updated, "unchanged": self.unchanged,
                "skipped": len(self.skipped)}  # fmt: skip


def parse_stored(raw: bytes, raw_format: str, stored: dict[str, Any]) -> Article:
    """Parse the stored bytes of one article again, the way they were parsed when it was loaded."""
    if raw_format == "hexo":
        return parse_archive_post(raw)
    if raw_format == "html":
        return parse_sina_page(
            raw,
            url=stored["url"] or stored["origin_ref"],
            fetched_at=stored["fetched_at"],
            http_charset=stored["http_charset"],
            published_hint=stored["published_at"],
        )
    if raw_format == "fragment":
        return parse_body_html(
            raw.decode("utf-8"),
            title=stored["title"],
            url=stored["url"],
            published_at=stored["published_at"],
            source=stored["source"],
            fetched_at=stored["fetched_at"],
            template=stored["template"],
        )
    if raw_format == "json":  # a 7x24 item, as staged by the crawler
        return parse_zhibo(json.loads(raw)).record.article
    raise InputError(f"no parser for stored raw format {raw_format!r}", reason="unknown_raw_format")


def reparse_articles(
    settings: Settings, *, article_ids: Sequence[str] | None = None, everything: bool = False, batch_size: int = 200
) -> ReparseSummary:
    """Re-parse the articles parsed by an older parser (default), the ones named, or all of them."""
    con = open_writer(settings.db.path, lock_timeout=settings.db.lock_timeout_s)
    try:
        run_id = start_run(con, "reparse", {"article_ids": list(article_ids or []), "all": everything})
        summary = ReparseSummary(run_id)
        try:
            if article_ids:
                ids = [r[0] for r in con.execute(
                    "SELECT article_id FROM articles WHERE article_id IN (SELECT unnest(?::VARCHAR[]))",
                    [list(article_ids)],
                ).fetchall()]  # fmt: skip
                for missing in sorted(set(article_ids) - set(ids)):
                    _skip(con, summary, missing, "not_found", f"no stored article has the id {missing!r}")
            elif everything:
                ids = [r[0] for r in con.execute("SELECT article_id FROM articles ORDER BY 1").fetchall()]
            else:
                ids = [r[0] for r in con.execute(
                    "SELECT article_id FROM articles WHERE parser_version <> ? ORDER BY 1", [PARSER_VERSION]
                ).fetchall()]  # fmt: skip
            for offset in range(0, len(ids), batch_size):
                _reparse_batch(con, summary, ids[offset : offset + batch_size])
        except BaseException as exc:
            finish_run(con, run_id, "failed", summary.counts(), f"{type(exc).__name__}: {exc}")
            raise
        finish_run(con, run_id, "partial" if summary.skipped else "ok", summary.counts())
        return summary
    finally:
        con.close()


def _reparse_batch(con, summary: ReparseSummary, ids: list[str]) -> None:
    cursor = con.execute(
        """
        SELECT a.article_id, a.id_source, a.url, a.origin, a.origin_ref, a.title, a.published_at, a.source,
               a.template, a.fetched_at, r.raw_format, r.raw, r.http_charset
        FROM articles a LEFT JOIN article_raw r USING (article_id)
        WHERE a.article_id IN (SELECT unnest(?::VARCHAR[]))
        ORDER BY a.article_id
        """,
        [ids],
    )
    columns = [d[0] for d in cursor.description]
    records = []
    for row in cursor.fetchall():
        stored = dict(zip(columns, row, strict=True))
        summary.checked += 1
        if stored["raw"] is None:
            _skip(con, summary, stored["article_id"], "no_raw", "the raw bytes of this article were not stored")
            continue
        raw = zlib.decompress(stored["raw"])
        try:
            article = parse_stored(raw, stored["raw_format"], stored)
        except InputError as exc:
            _skip(con, summary, stored["article_id"], exc.reason, f"the current parser refuses it: {exc}")
            continue
        # the id stays: a hash id would change with the text, and other tables know the article by it
        article = replace(article, article_id=stored["article_id"], id_source=stored["id_source"])
        records.append(
            ArticleRecord(
                article, raw, stored["raw_format"], stored["origin"], stored["origin_ref"], stored["http_charset"]
            )
        )
    result = load_articles(con, records, run_id=summary.run_id)
    summary.updated += len(result.updated)
    summary.unchanged += len(result.unchanged)


def _skip(con, summary: ReparseSummary, item: str, reason: str, message: str) -> None:
    summary.skipped.append(Skip(item, reason, message))
    record_skip(con, summary.run_id, item, reason, message)
