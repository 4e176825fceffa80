"""What each staged record of a crawl becomes: listings, RSS items, fetched pages, 7x24 items and failures are
parsed (``parse``) and stored through ``warehouse`` in batches (one transaction each). An item the parser
refuses is a skip, an ``unusable`` fetch, and a row of ``crawl_rejects`` holding its bytes."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from policywatch.crawlers.sina.site import article_key
from policywatch.crawlers.sina.staging import CUT_REASON, StagedRecord
from policywatch.steps.crawl.parse import ParsedItem, parse_page, parse_rss, parse_zhibo, when, zhibo_raw
from policywatch.steps.import_archive import Skip
from policywatch.transforms.errors import InputError
from policywatch.transforms.models import CRAWL_RULE_REASONS, PARSER_VERSION, StockLink
from policywatch.transforms.sina.zhibo import TAG_ORIGIN
from policywatch.warehouse.articles import ArticleRecord, load_articles
from policywatch.warehouse.crawl_rejects import Reject, record_rejects, resolve_rejects
from policywatch.warehouse.crawl_state import FetchOutcome, Listing, record_fetches, record_listings, replace_tag_links
from policywatch.warehouse.runs import record_skip

__all__ = ["RecordLoader", "Tally"]

#: failures that are the crawl's rules or limits at work rather than trouble: reported as skipped, not retried
#: (a ``gap``: 7x24 ids not read yet; ``off_host_redirect``: the page redirects to a host not fetched from)
_SKIP_REASONS = {*CRAWL_RULE_REASONS, "gap"}


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
    #: Sina's 7x24 stock tags that are not A-shares (``market:symbol``), not stored as links
    zhibo_tags_ignored: Counter[str] = field(default_factory=Counter)
    rss_items: int = 0
    filtered: Counter[str] = field(default_factory=Counter)
    skipped: list[Skip] = field(default_factory=list)
    failed: list[Skip] = field(default_factory=list)


@dataclass
class _Batch:
    records: list[ArticleRecord] = field(default_factory=list)
    outcomes: dict[str, FetchOutcome] = field(default_factory=dict)  #: by article id
    tags: dict[str, tuple[StockLink, ...]] = field(default_factory=dict)


class RecordLoader:
    """Turns staged records into stored rows; ``flush`` writes what has been gathered."""

    def __init__(
        self, con: duckdb.DuckDBPyConnection, run_id: str, tally: Tally, *, parser_version: str = PARSER_VERSION
    ) -> None:
        self.con, self.run_id, self.tally, self.parser_version = con, run_id, tally, parser_version
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
        if state not in ("full", "refused"):
            return  # already stored
        raw = str(data.get("description") or "").encode("utf-8")
        kept = {k: v for k, v in data.items() if k not in ("description", "refused")}
        if state == "refused":  # no page to fall back on: refused once, and known from then on
            refused = data.get("refused") or {}
            self.refuse(kept, raw, "fragment", str(refused.get("reason")), str(refused.get("message")))
            return
        try:
            self.add(parse_rss(data), data)
        except InputError as exc:
            self.refuse(kept, raw, "fragment", exc.reason, str(exc))

    def page(self, data: dict[str, Any], record: StagedRecord, run_dir: Path) -> None:
        self.tally.fetched += 1
        try:
            body = record.body(run_dir) or b""
        except OSError as exc:
            self.skip(str(data["url"]), "staging_missing", f"the staged page is gone: {exc}", failed=True)
            return
        try:
            self.add(parse_page(data, body), data)
        except InputError as exc:
            kept = {k: v for k, v in data.items() if k != "file"}
            self.refuse(kept, body, "html", exc.reason, str(exc))

    def zhibo(self, data: dict[str, Any]) -> None:
        self.tally.zhibo_items += 1
        key = f"zhibo:{data['id']}"
        try:
            parsed = parse_zhibo(data)
        except InputError as exc:
            url = data.get("docurl") or str(data["url"])
            self.listings.append(Listing(key, url, "zhibo", None, None, "new"))
            kept = {k: v for k, v in data.items() if k != "raw"}  # the bytes go to the reject as they came
            self.refuse({**kept, "key": key, "url": url}, zhibo_raw(data), "json", exc.reason, str(exc))
            return
        article = parsed.record.article
        self.listings.append(Listing(key, parsed.url, "zhibo", None, article.published_at, "new"))
        self.tally.zhibo_tags_ignored.update(parsed.ignored_tags)
        self.add(parsed, {**data, "attempts": 1})

    def refuse(self, data: dict[str, Any], raw: bytes, raw_format: str, reason: str, message: str) -> None:
        """The parser refused the item: a skip, an ``unusable`` fetch so that this parser does not take it again,
        and its bytes kept in ``crawl_rejects`` for a later parser."""
        url = str(data["url"])
        key = str(data.get("key") or article_key(url))
        at = when(data.get("fetched_at"))
        self.skip(url, reason, message)
        attempts = int(data.get("attempts") or 1)
        record_fetches(self.con, self.run_id, [FetchOutcome(key, url, "unusable", None, reason, message, attempts, at)])
        reject = Reject(
            key, url, raw_format, raw, reason, message, self.parser_version,
            data.get("source"), data.get("http_charset"), data, at,
        )  # fmt: skip
        record_rejects(self.con, self.run_id, [reject])

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

    def add(self, parsed: ParsedItem, data: dict[str, Any]) -> None:
        article = parsed.record.article
        self.batch.records.append(parsed.record)
        attempts = int(data.get("attempts") or 1)
        self.batch.outcomes[article.article_id] = FetchOutcome(
            parsed.key, parsed.url, "stored", article.article_id, None, None, attempts, article.fetched_at
        )
        if parsed.record.origin == "zhibo":
            self.batch.tags[article.article_id] = parsed.tags

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
        stored = list(batch.outcomes.values())
        record_fetches(self.con, self.run_id, stored)
        resolve_rejects(self.con, {o.item_key: o.article_id for o in stored if o.article_id})
        self.tally.zhibo_tag_links += replace_tag_links(self.con, batch.tags, origin=TAG_ORIGIN)
