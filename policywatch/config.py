"""Typed configuration, one lookup order for every setting:

1. defaults below;
2. a TOML file: ``--config PATH``, else ``$POLICYWATCH_CONFIG``, else ``./policywatch.toml`` if it exists;
3. environment variables ``POLICYWATCH__SECTION__KEY`` (e.g. ``POLICYWATCH__DB__PATH``);
4. the shortcut ``POLICYWATCH_DB`` for the database path;
5. command-line options (``--db``).

Secrets (SMTP passwords, webhook tokens) are only read from the environment, never from the file.
"""

from __future__ import annotations

import os
import tomllib
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, SettingsError

from policywatch.transforms.errors import ConfigError

__all__ = [
    "AlertSettings",
    "Channel",
    "CrawlSettings",
    "DatabaseSettings",
    "ImportSettings",
    "LinkingSettings",
    "PricesSettings",
    "Settings",
    "StudySettings",
    "load_settings",
]

DEFAULT_CONFIG_FILE = Path("policywatch.toml")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DatabaseSettings(_Section):
    path: Path = Path("data/policywatch.duckdb")
    #: seconds a writer waits for another process's lock before giving up with a retryable error
    lock_timeout_s: float = Field(default=30.0, ge=0)


class ImportSettings(_Section):
    #: posts per transaction
    batch_size: int = Field(default=200, ge=1, le=100_000)


class Channel(_Section):
    """One roll-API channel: ``pageid`` and ``lid`` (written ``155:1689`` on the command line)."""

    pageid: int = Field(ge=1)
    lid: int = Field(ge=1)

    @classmethod
    def parse(cls, text: str) -> Channel:
        pageid, sep, lid = text.strip().partition(":")
        if not sep or not pageid.isdecimal() or not lid.isdecimal():
            raise ConfigError(f"channel {text!r} is not PAGEID:LID (e.g. 155:1689)")
        return cls(pageid=int(pageid), lid=int(lid))

    def __str__(self) -> str:
        return f"{self.pageid}:{self.lid}"


#: policy-heavy finance channels: 国内财经, 宏观经济, 部委动态 (pageid 155) and the finance roll (pageid 384)
DEFAULT_CHANNELS = [Channel(pageid=155, lid=1686), Channel(pageid=155, lid=1687), Channel(pageid=155, lid=1689),
                    Channel(pageid=384, lid=2519)]  # fmt: skip


class CrawlSettings(_Section):
    """The live crawl. Every Sina endpoint and host is here, so a change on Sina's side is one edit."""

    roll_url: str = "https://feed.mix.sina.com.cn/api/roll/get"
    channels: list[Channel] = Field(default_factory=lambda: list(DEFAULT_CHANNELS))
    #: items per roll page (Sina's ``num``, at most 50)
    page_size: int = Field(default=50, ge=1, le=50)
    #: roll pages per channel per run at most
    max_pages: int = Field(default=10, ge=1, le=1000)
    #: ask the roll API for JSONP with this callback name (empty: plain JSON)
    roll_callback: str = ""
    #: hosts whose article pages may be fetched; the hosts of roll_url and zhibo_url are added
    article_hosts: list[str] = Field(default_factory=lambda: ["finance.sina.com.cn", "finance.sina.cn"])
    #: URL path of a finance article (desktop ``doc-i….shtml`` and mobile ``detail-i….d.html``)
    article_url_pattern: str = r"/(?:doc|detail)-i[a-z]{7}\d{7}(?:\.shtml|\.d\.html)$"
    #: the 7x24 feed (empty: not crawled); page and page_size are added per request
    zhibo_url: str = "https://zhibo.sina.com.cn/api/zhibo/feed?zhibo_id=152&tag_id=0&dire=f&dpc=1"
    #: the feed is read from its newest item down to a stored one, at most zhibo_pages x zhibo_page_size items
    #: (1,000: the 11-hour overnight pause between policy_news runs at up to ~90 flashes an hour); stopping at
    #: the limit first is recorded as a ``gap`` skip
    zhibo_pages: int = Field(default=20, ge=1, le=100)
    zhibo_page_size: int = Field(default=50, ge=1, le=100)
    #: RSS feeds (RSSHub's Sina routes such as https://rsshub.app/sina/finance/china/1689, or other policy feeds)
    rss_feeds: list[str] = Field(default_factory=list)
    #: an RSS description with less text than this is a teaser: the item's page is fetched instead
    rss_min_chars: int = Field(default=200, ge=0)
    referer: str = "https://finance.sina.com.cn/"
    user_agent: str = (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"
    )
    download_timeout_s: float = Field(default=20.0, gt=0)
    rss_timeout_s: float = Field(default=20.0, gt=0)
    concurrent_requests: int = Field(default=8, ge=1, le=256)
    concurrent_per_host: int = Field(default=2, ge=1, le=64)
    download_delay_s: float = Field(default=0.5, ge=0)
    autothrottle: bool = True
    autothrottle_target_concurrency: float = Field(default=1.0, gt=0)
    autothrottle_max_delay_s: float = Field(default=60.0, gt=0)
    retry_times: int = Field(default=5, ge=0, le=50)
    retry_http_codes: list[int] = Field(default_factory=lambda: [403, 408, 429, 456, 500, 502, 503, 504, 522, 524])
    #: a retried host waits base · 2^n seconds between requests (capped), and rate_limit_backoff_s after a 456
    backoff_base_s: float = Field(default=2.0, ge=0)
    backoff_max_s: float = Field(default=60.0, ge=0)
    rate_limit_backoff_s: float = Field(default=60.0, ge=0)
    obey_robots: bool = True
    #: raw pages wait here between the crawler process and the loader; interrupted jobs resume from here
    staging_dir: Path = Path("data/staging/crawl")
    #: loaded job folders (records, logs) are kept this many days, and the newest keep_runs of them always
    keep_runs_days: int = Field(default=14, ge=0)
    keep_runs: int = Field(default=5, ge=0)
    #: the crawler is told the articles published, listed or fetched in this many days (or since --since):
    #: the roll API lists recent items; an older stored article listed again is fetched once more, unchanged
    known_horizon_days: int = Field(default=60, ge=1)
    http_cache: bool = False
    #: stop a run after this many responses (0: no limit); the next run resumes the job where it stopped
    max_requests: int = Field(default=0, ge=0)
    #: an article whose fetch failed is tried again in this many later runs before it is given up
    retry_runs: int = Field(default=3, ge=0)
    #: parsed pages per load transaction
    batch_size: int = Field(default=100, ge=1, le=100_000)

    @field_validator("channels", mode="before")
    @classmethod
    def _channels_as_text(cls, value: Any) -> Any:
        """Channels may be written ``"155:1686,155:1689"`` or ``["155:1686"]`` as well as tables."""
        if isinstance(value, str):
            value = [part for part in value.split(",") if part.strip()]
        if isinstance(value, list):
            return [Channel.parse(v) if isinstance(v, str) else v for v in value]
        return value


class LinkingSettings(_Section):
    #: the theme taxonomy; None = the bundled policywatch/data/themes.yaml
    themes_file: Path | None = None
    #: where ``policywatch reference refresh`` writes newer securities snapshots (merged with the bundled ones)
    reference_dir: Path = Path("data/reference")
    #: articles per transaction when linking
    batch_size: int = Field(default=200, ge=1, le=100_000)


class AlertSettings(_Section):
    #: the watchlist file (rules and channels); see policywatch/data/watchlist.example.yaml
    watchlist: Path | None = None


class PricesSettings(_Section):
    #: yfinance (Yahoo, batched) | akshare (East Money; covers Beijing) | file (prices.file) | synthetic (demo)
    provider: Literal["yfinance", "akshare", "file", "synthetic"] = "yfinance"
    #: Yahoo has no Beijing listings: .BJ tickers go to this provider instead ("none": record them as failures)
    beijing_provider: Literal["akshare", "file", "synthetic", "none"] = "akshare"
    #: always fetched besides the linked tickers (CSI 300 first: the default study benchmark)
    benchmarks: list[str] = Field(default_factory=lambda: ["000300.SS"])
    #: total_return: returns from adj_close (dividends and splits); none: from the traded close
    adjustment: Literal["total_return", "none"] = "total_return"
    #: first date fetched for a ticker with no stored prices
    since: date = date(2015, 1, 1)
    #: an incremental fetch starts this many days before the last stored date (adj_close is rebased on them)
    overlap_days: int = Field(default=10, ge=1, le=366)
    file: Path | None = None
    synthetic_seed: int = 20211010
    batch_size: int = Field(default=50, ge=1, le=500)
    max_retries: int = Field(default=4, ge=0, le=10)
    backoff_s: float = Field(default=2.0, ge=0)
    #: downloaded batches wait here (Parquet) between the Airflow download task and the load task
    staging_dir: Path = Path("data/staging/prices")


class StudySettings(_Section):
    #: results are stored under this name; rerunning a study replaces its rows
    name: str = "default"
    benchmark: str = "000300.SS"
    model: Literal["market", "market_adjusted", "constant_mean"] = "market"
    returns: Literal["simple", "log"] = "simple"
    #: trading days relative to day 0, START:END inclusive
    estimation: str = "-250:-11"
    window: str = "-5:10"
    car_windows: list[str] = Field(default_factory=lambda: ["0:0", "0:1", "-1:1", "0:5", "0:10"])
    min_estimation: int = Field(default=120, ge=3)
    #: a return across a suspension: trade_to_trade (spans the gap) or drop
    missing: Literal["trade_to_trade", "drop"] = "trade_to_trade"
    #: which of a ticker's other events are masked out of an event's estimation window: "direct" (the article
    #: named the firm: sina_link, text_code, name_mention, zhibo_tag), "all" (theme fan-out too) or "none"
    confounding: Literal["all", "direct", "none"] = "direct"
    #: day 0 = the first session whose cutoff comes after publication: "close" (15:00) or "HH:MM" China time
    day0_cutoff: str = "close"
    calendar: str = "XSHG"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="POLICYWATCH__", env_nested_delimiter="__", extra="forbid", case_sensitive=False
    )

    db: DatabaseSettings = DatabaseSettings()
    archive: ImportSettings = ImportSettings()
    crawl: CrawlSettings = CrawlSettings()
    linking: LinkingSettings = LinkingSettings()
    alerts: AlertSettings = AlertSettings()
    prices: PricesSettings = PricesSettings()
    study: StudySettings = StudySettings()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # init (the TOML file's values, merged with CLI overrides by load_settings) < environment
        return env_settings, init_settings


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None


def _describe(error: ValidationError, origin: str) -> str:
    lines = []
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"]) or "(top level)"
        env = "POLICYWATCH__" + "__".join(str(part).upper() for part in item["loc"])
        lines.append(f"  {where}: {item['msg']} (got {item.get('input')!r}; set in {origin} or ${env})")
    return "invalid configuration:\n" + "\n".join(lines)


def load_settings(config_file: Path | None = None, *, db: Path | None = None) -> Settings:
    """Settings from every source, highest last; raises ConfigError naming the bad setting."""
    path = config_file or (Path(os.environ["POLICYWATCH_CONFIG"]) if os.environ.get("POLICYWATCH_CONFIG") else None)
    if path is None and DEFAULT_CONFIG_FILE.exists():
        path = DEFAULT_CONFIG_FILE
    values: dict[str, Any] = _read_toml(path) if path else {}
    origin = str(path) if path else "the defaults"
    try:
        settings = Settings(**values)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, origin)) from None
    except SettingsError as exc:
        # a list or table in an environment variable must be JSON: '["155:1686", "155:1689"]'
        raise ConfigError(f"invalid configuration in the environment: {exc} (lists and tables are JSON)") from None
    db_override = db or (Path(os.environ["POLICYWATCH_DB"]) if os.environ.get("POLICYWATCH_DB") else None)
    if db_override is not None:
        settings = settings.model_copy(update={"db": settings.db.model_copy(update={"path": db_override})})
    return settings
