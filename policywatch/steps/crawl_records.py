"""What each staged record of a crawl becomes: listings, RSS items, fetched pages, 7x24 items and failures are
parsed with policywatch's parser and stored through ``warehouse`` in batches (one transaction each)."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from crawlers.sina.site import article_key
from crawlers.sina.staging import CUT_REASON, StagedRecord
from policywatch.steps.import_archive import Skip
from transforms.errors import InputError
from transforms.models import StockLink
from transforms.rss_items import RssItem, rss_article
from transforms.sina_article import parse_sina_page
from transforms.sina_feeds import ZhiboItem, ZhiboStock
from transforms.zhibo import TAG_ORIGIN, zhibo_article, zhibo_tags
from warehouse.articles import ArticleRecord, load_articles
from warehouse.crawl_state import FetchOutcome, Listing, record_fetches, record_listings, replace_tag_links
from warehouse.runs import record_skip

__all__ = ["RecordLoader", "Tally", "when"]

#: failures that are the crawl's rules or limits at work rather than trouble: reported as skipped, not retried
#: (a ``gap``: the 7x24 feed's page limit was reached before a stored item)
_SKIP_REASONS = {"robots_disallowed", "off_host", "gap"}


@dataclass
class Tally:
    """What a crawl run did, accumulated over the run folders it loads."""

    listed: int = 0
    known: int = 0
    fetched: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    zhibo_items: int = 0
    zhibo_tag_links: int = 0
    zhibo_tags_ignored: int = 0
    rss_items: int = 0
    filtered: Counter[str] = field(default_factory=Counter)
    skipped: list[Skip] = field(default_factory=list)
    failed: list[Skip] = field(default_factory=list)


@dataclass
class _Batch:
    records: list[ArticleRecord] = field(default_factory=list)
    outcomes: dict[str, FetchOutcome] = field(default_factory=dict)  #: by article id
    tags: dict[str, tuple[StockLink, ...]] = field(default_factory=dict)


def when(value: Any) -> datetime | None:
    """An ISO 8601 time from a staged record, or None."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


class RecordLoader:
    """Turns staged records into stored rows; ``flush`` writes what has been gathered."""

    def __init__(self, con: duckdb.DuckDBPyConnection, run_id: str, tally: Tally) -> None:
        self.con, self.run_id, self.tally = con, run_id, tally
        self.batch = _Batch()
        self.listings: list[Listing] = []

    @property
    def pending(self) -> int:
        return len(self.batch.records)

    def skip(self, item: str, reason: str, message: str, *, failed: bool = False) -> None:
        (self.tally.failed if failed else self.tally.skipped).append(Skip(item, reason, message))
        record_skip(self.con, self.run_id, item, reason, message)

    def handle(self, record: StagedRecord, run_dir: Path) -> None:
        data = record.data
        if record.error:
            where = f"{run_dir.name}/{record.source_file}:{record.line}"
            if record.partial:  # the job is over and its writer never came back to cut it off
                self.skip(where, CUT_REASON, f"{record.error}: the crawler stopped while writing it", failed=True)
            else:
                self.skip(where, "staging_corrupt", record.error)
            return
        kind = data.get("kind")
        if kind == "listing":
            self.listing(data)
        elif kind == "rss":
            self.rss(data)
        elif kind == "page":
            self.page(data, record, run_dir)
        elif kind == "zhibo":
            self.zhibo(data)
        elif kind == "failure":
            self.failure(data)

    def listing(self, data: dict[str, Any]) -> None:
        verdict = data.get("state") or "new"
        self.tally.listed += 1
        if verdict == "known":
            self.tally.known += 1
        elif verdict != "new":
            self.tally.filtered[verdict] += 1
        url = str(data["url"])
        self.listings.append(
            Listing(
                data.get("key") or article_key(url),
                url,
                str(data.get("source") or "roll"),
                data.get("title"),
                when(data.get("listed_at")),
                verdict,
            )
        )

    def rss(self, data: dict[str, Any]) -> None:
        self.tally.rss_items += 1
        state = data.get("state")
        if state == "teaser":
            return  # the crawler fetched the item's page and listed it itself
        self.listing({**data, "state": "new" if state in ("full", "refused") else state})
        if state == "refused":  # no page to fall back on: refused once, and known from then on
            refused = data.get("refused") or {}
            self.refuse(str(data["key"]), str(data["url"]), str(refused.get("reason")), str(refused.get("message")))
            return
        if state != "full":
            return  # already stored
        item = RssItem(
            data["feed"],
            data.get("title") or "",
            data.get("url"),
            data.get("description") or "",
            when(data.get("published")),
        )
        try:
            article = rss_article(item, fetched_at=when(data.get("fetched_at")))
        except InputError as exc:
            self.skip(str(data["url"]), exc.reason, str(exc))
            return
        raw = item.description.encode("utf-8")
        self.add(ArticleRecord(article, raw, "fragment", "rss", item.link), data)

    def page(self, data: dict[str, Any], record: StagedRecord, run_dir: Path) -> None:
        self.tally.fetched += 1
        url, key = str(data["url"]), data.get("key") or article_key(str(data["url"]))
        try:
            body = record.body(run_dir) or b""
        except OSError as exc:
            self.skip(url, "staging_missing", f"the staged page is gone: {exc}", failed=True)
            return
        fetched_at = when(data.get("fetched_at"))
        try:
            article = parse_sina_page(
                body,
                url=url,
                fetched_at=fetched_at,
                http_charset=data.get("http_charset"),
                published_hint=when(data.get("listed_at")),
            )
        except InputError as exc:
            self.refuse(key, url, exc.reason, str(exc), attempts=int(data.get("attempts") or 1), at=fetched_at)
            return
        self.add(ArticleRecord(article, body, "html", "crawl", url, data.get("http_charset")), data)

    def refuse(
        self, key: str, url: str, reason: str, message: str, *, attempts: int = 1, at: datetime | None = None
    ) -> None:
        """The parser refused the item: a skip, and an ``unusable`` fetch so that it is not taken again."""
        self.skip(url, reason, message)
        record_fetches(self.con, self.run_id, [FetchOutcome(key, url, "unusable", None, reason, message, attempts, at)])

    def zhibo(self, data: dict[str, Any]) -> None:
        self.tally.zhibo_items += 1
        key = f"zhibo:{data['id']}"
        created = when(data.get("created_at"))
        self.listings.append(Listing(key, data.get("docurl") or str(data["url"]), "zhibo", None, created, "new"))
        if created is None:
            self.skip(key, "malformed_zhibo", "the staged 7x24 item has no creation time")
            return
        item = ZhiboItem(
            int(data["id"]),
            str(data.get("rich_text") or ""),
            created,
            tuple(data.get("tags") or ()),
            tuple(ZhiboStock(*s) for s in data.get("stocks") or ()),
            data.get("docurl"),
        )
        try:
            article = zhibo_article(item, fetched_at=when(data.get("fetched_at")))
        except InputError as exc:
            self.skip(key, exc.reason, str(exc))
            return
        # the flash's own id: its docurl may name the article it announces, whose id is the article's
        article = replace(article, article_id=f"zhibo{item.id}", id_source="zhibo")
        tags = zhibo_tags(item, article)
        self.tally.zhibo_tags_ignored += len(tags.ignored)
        raw = json.dumps({k: v for k, v in data.items() if k != "kind"}, ensure_ascii=False).encode()
        self.add(ArticleRecord(article, raw, "json", "zhibo", key), {**data, "key": key, "attempts": 1})
        self.batch.tags[article.article_id] = tags.links

    def failure(self, data: dict[str, Any]) -> None:
        reason, message = str(data.get("reason") or "unknown"), str(data.get("message") or "")
        url, stage = str(data.get("url") or ""), data.get("stage")
        attempts = int(data.get("attempts") or 1)
        if reason in _SKIP_REASONS:
            self.skip(url, reason, message)
        else:
            self.skip(url, reason, f"{stage or 'fetch'}: {message}", failed=True)
        if stage == "article" or (stage == "staging" and data.get("key")):  # asked for again by the next run
            key = data.get("key") or article_key(url)
            state = "unusable" if reason in _SKIP_REASONS else "failed"
            record_fetches(self.con, self.run_id, [FetchOutcome(key, url, state, None, reason, message, attempts)])

    def add(self, record: ArticleRecord, data: dict[str, Any]) -> None:
        key = data.get("key") or article_key(str(data["url"]))
        self.batch.records.append(record)
        self.batch.outcomes[record.article.article_id] = FetchOutcome(
            key,
            str(data["url"]),
            "stored",
            record.article.article_id,
            None,
            None,
            int(data.get("attempts") or 1),
            record.article.fetched_at,
        )

    def flush(self) -> None:
        record_listings(self.con, self.run_id, self.listings)
        self.listings = []
        batch, self.batch = self.batch, _Batch()
        if not batch.records:
            return
        result = load_articles(self.con, batch.records, run_id=self.run_id)
        self.tally.new += len(result.new)
        self.tally.updated += len(result.updated)
        self.tally.unchanged += len(result.unchanged)
        for item, article_id, message in result.duplicates:
            self.tally.filtered["duplicate"] += 1
            self.skip(item, "duplicate", f"{message} ({article_id})")
        record_fetches(self.con, self.run_id, list(batch.outcomes.values()))
        self.tally.zhibo_tag_links += replace_tag_links(self.con, batch.tags, origin=TAG_ORIGIN)
