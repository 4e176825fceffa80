"""The job description the application hands to the crawler process, as one JSON file in the run folder.

Plain values only: the crawler process does not read policywatch's configuration or the database. What is
already stored arrives here as ``known_keys`` so that nothing is fetched twice: only what the job can meet (the
articles of the listing's horizon, the newest 7x24 ids), so that a spec stays small as the database grows.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

__all__ = ["SPEC_FILE", "CrawlSpec", "ExtraArticle"]

SPEC_FILE = "spec.json"


@dataclass(frozen=True, slots=True)
class ExtraArticle:
    """An article page to fetch that a listing other than the roll API named (an RSS item's link)."""

    url: str
    source: str
    title: str | None = None
    listed_at: str | None = None  #: ISO 8601


@dataclass(frozen=True, slots=True)
class CrawlSpec:
    run_dir: str
    roll_url: str
    channels: list[tuple[int, int]]
    page_size: int
    max_pages: int
    allowed_hosts: list[str]
    article_url_pattern: str
    referer: str
    user_agent: str
    roll_callback: str = ""
    since_epoch: float | None = None
    known_keys: list[str] = field(default_factory=list)
    extra_articles: list[ExtraArticle] = field(default_factory=list)
    zhibo_url: str = ""
    zhibo_pages: int = 1
    zhibo_page_size: int = 20
    known_zhibo_ids: list[int] = field(default_factory=list)
    #: (low, high) ids not read yet, strictly between low (None: no lower bound) and high
    zhibo_gaps: list[tuple[int | None, int]] = field(default_factory=list)
    download_timeout_s: float = 20.0
    concurrent_requests: int = 8
    concurrent_per_host: int = 2
    download_delay_s: float = 0.5
    autothrottle: bool = True
    autothrottle_target_concurrency: float = 1.0
    autothrottle_max_delay_s: float = 60.0
    retry_times: int = 5
    retry_http_codes: list[int] = field(default_factory=lambda: [403, 408, 429, 456, 500, 502, 503, 504])
    backoff_base_s: float = 2.0
    backoff_max_s: float = 60.0
    rate_limit_backoff_s: float = 60.0
    obey_robots: bool = True
    http_cache_dir: str | None = None
    max_requests: int = 0
    log_level: str = "INFO"

    def write(self) -> Path:
        path = Path(self.run_dir) / SPEC_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self), ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)
        return path

    @classmethod
    def read(cls, path: str | Path) -> CrawlSpec:
        data: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
        known = {f.name for f in fields(cls)}
        data = {k: v for k, v in data.items() if k in known}
        data["channels"] = [tuple(c) for c in data.get("channels", [])]
        data["zhibo_gaps"] = [tuple(g) for g in data.get("zhibo_gaps", [])]
        data["extra_articles"] = [ExtraArticle(**e) for e in data.get("extra_articles", [])]
        return cls(**data)
