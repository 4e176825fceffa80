"""Before the crawler runs: read the RSS feeds and write the crawler's job spec.

An RSS item whose description is the whole article is staged as it is (``rss.jsonl``) and loaded without a
fetch; a teaser's link goes to the crawler, like an article the roll API lists, and so does the link of a
description that looks whole but that the parser refuses (without a link, the refusal is staged and recorded).
Feeds that cannot be had are staged as failures with their reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from policywatch.config import CrawlSettings
from policywatch.crawlers.rss import FeedFetcher, parse_feed
from policywatch.crawlers.sina.site import article_key
from policywatch.crawlers.sina.spec import CrawlSpec, ExtraArticle
from policywatch.crawlers.sina.staging import StagingWriter
from policywatch.transforms.errors import FetchError, InputError
from policywatch.transforms.sina.rss_items import RssItem, is_full_description, rss_article
from policywatch.warehouse.crawl_state import RetryCandidate

__all__ = ["Discovered", "allowed_hosts", "crawl_spec", "discover_rss", "refreshed_spec"]

#: how to crawl (not what): taken from the current configuration when an unfinished job is resumed
_HOW = (
    "referer",
    "user_agent",
    "download_timeout_s",
    "concurrent_requests",
    "concurrent_per_host",
    "download_delay_s",
    "autothrottle",
    "autothrottle_target_concurrency",
    "autothrottle_max_delay_s",
    "retry_times",
    "retry_http_codes",
    "backoff_base_s",
    "backoff_max_s",
    "rate_limit_backoff_s",
    "obey_robots",
    "http_cache_dir",
    "max_requests",
)


@dataclass(frozen=True, slots=True)
class Discovered:
    stored_keys: frozenset[str]  #: items taken whole from RSS descriptions (or refused for good): not to fetch
    teasers: tuple[ExtraArticle, ...]  #: items whose page must be fetched


def allowed_hosts(crawl: CrawlSettings) -> list[str]:
    """Article hosts from the config plus the hosts of the endpoints: a crawl pointed at a host allows it."""
    hosts = {h.lower() for h in crawl.article_hosts}
    for url in (crawl.roll_url, crawl.zhibo_url):
        host = urlsplit(url).hostname if url else None
        if host:
            hosts.add(host.lower())
    return sorted(hosts)


def discover_rss(crawl: CrawlSettings, run_dir: Path, known: set[str]) -> Discovered:
    if not crawl.rss_feeds:
        return Discovered(frozenset(), ())
    fetcher = FeedFetcher(
        user_agent=crawl.user_agent,
        referer=crawl.referer,
        timeout_s=crawl.rss_timeout_s,
        retry_times=crawl.retry_times,
        retry_http_codes=tuple(crawl.retry_http_codes),
        backoff_base_s=crawl.backoff_base_s,
        backoff_max_s=crawl.backoff_max_s,
        rate_limit_backoff_s=crawl.rate_limit_backoff_s,
        obey_robots=crawl.obey_robots,
    )
    writer = StagingWriter(run_dir, "rss")
    stored: set[str] = set()
    teasers: dict[str, ExtraArticle] = {}
    try:
        for feed in crawl.rss_feeds:
            now = datetime.now(UTC).isoformat()
            try:
                items = parse_feed(fetcher.fetch(feed), feed)
            except (FetchError, InputError) as exc:
                reason = getattr(exc, "reason", None) or type(exc).__name__
                writer.write(
                    {
                        "kind": "failure",
                        "stage": "rss",
                        "url": feed,
                        "key": None,
                        "source": f"rss:{feed}",
                        "reason": reason,
                        "message": str(exc),
                        "attempts": crawl.retry_times + 1,
                        "at": now,
                    }
                )
                continue
            for item in items:
                link = item.link or ""
                key = article_key(link) if link else f"rss:{item.guid or item.title}"
                refused = None
                if key in known or key in stored:
                    state = "known"
                elif is_full_description(item.description, min_chars=crawl.rss_min_chars):
                    refused = _refusal(item)
                    # a description the parser refuses is no article: its page is, when there is a link
                    state = "full" if refused is None else "teaser" if link else "refused"
                else:
                    state = "teaser"
                if state in ("full", "refused"):
                    stored.add(key)
                elif state == "teaser" and link and key not in teasers:
                    published = item.published.isoformat() if item.published else None
                    teasers[key] = ExtraArticle(link, f"rss:{feed}", item.title, published)
                writer.write(
                    {
                        "kind": "rss",
                        "feed": feed,
                        "source": f"rss:{feed}",
                        "url": link or key,
                        "key": key,
                        "state": state,
                        "title": item.title,
                        "published": item.published.isoformat() if item.published else None,
                        "listed_at": item.published.isoformat() if item.published else None,
                        "description": item.description if state in ("full", "refused") else None,
                        "refused": None if refused is None else {"reason": refused.reason, "message": str(refused)},
                        "fetched_at": now,
                    }
                )
    finally:
        writer.close()
    return Discovered(frozenset(stored), tuple(teasers.values()))


def _refusal(item: RssItem) -> InputError | None:
    """Why the parser refuses the item's description as an article, or None when it takes it."""
    try:
        rss_article(item)
    except InputError as exc:
        return exc
    return None


def _extra(items: Iterable[ExtraArticle | RetryCandidate]) -> list[ExtraArticle]:
    out = []
    for item in items:
        if isinstance(item, RetryCandidate):
            listed = item.listed_at.isoformat() if item.listed_at else None
            out.append(ExtraArticle(item.url, "retry", item.title, listed))
        else:
            out.append(item)
    return out


def crawl_spec(
    crawl: CrawlSettings,
    run_dir: Path,
    *,
    since_epoch: float | None,
    known: Iterable[str],
    extra: Sequence[ExtraArticle | RetryCandidate],
    zhibo_known: Iterable[int],
    zhibo_gaps: Sequence[tuple[int | None, int]] = (),
) -> CrawlSpec:
    staging = Path(crawl.staging_dir)
    return CrawlSpec(
        run_dir=str(run_dir),
        roll_url=crawl.roll_url,
        channels=[(c.pageid, c.lid) for c in crawl.channels],
        page_size=crawl.page_size,
        max_pages=crawl.max_pages,
        allowed_hosts=allowed_hosts(crawl),
        article_url_pattern=crawl.article_url_pattern,
        referer=crawl.referer,
        user_agent=crawl.user_agent,
        roll_callback=crawl.roll_callback,
        since_epoch=since_epoch,
        known_keys=sorted(known),
        extra_articles=_extra(extra),
        zhibo_url=crawl.zhibo_url,
        zhibo_pages=crawl.zhibo_pages,
        zhibo_page_size=crawl.zhibo_page_size,
        known_zhibo_ids=sorted(zhibo_known),
        zhibo_gaps=list(zhibo_gaps),
        download_timeout_s=crawl.download_timeout_s,
        concurrent_requests=crawl.concurrent_requests,
        concurrent_per_host=crawl.concurrent_per_host,
        download_delay_s=crawl.download_delay_s,
        autothrottle=crawl.autothrottle,
        autothrottle_target_concurrency=crawl.autothrottle_target_concurrency,
        autothrottle_max_delay_s=crawl.autothrottle_max_delay_s,
        retry_times=crawl.retry_times,
        retry_http_codes=list(crawl.retry_http_codes),
        backoff_base_s=crawl.backoff_base_s,
        backoff_max_s=crawl.backoff_max_s,
        rate_limit_backoff_s=crawl.rate_limit_backoff_s,
        obey_robots=crawl.obey_robots,
        http_cache_dir=str((staging / "httpcache").resolve()) if crawl.http_cache else None,
        max_requests=crawl.max_requests,
    )


def refreshed_spec(spec: CrawlSpec, crawl: CrawlSettings) -> CrawlSpec:
    """An unfinished job's spec with today's politeness and budget: the job (what to crawl) stays the same."""
    current = crawl_spec(crawl, Path(spec.run_dir), since_epoch=None, known=(), extra=(), zhibo_known=())
    return replace(spec, **{name: getattr(current, name) for name in _HOW})
