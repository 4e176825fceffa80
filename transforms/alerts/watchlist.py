"""The watchlist file: channels (Apprise URLs) and rules (tracked themes, tickers, keywords, thresholds).

Secrets never sit in the file: a channel URL names environment variables as ``${NAME}``, expanded when the
watchlist is loaded. An unknown theme, a malformed URL (one ``check_channel`` rejects: the caller brings
Apprise) or a rule naming an unknown channel is an error naming the line; a missing variable makes only that
channel unusable.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Collection, Mapping

from policywatch.transforms.errors import ConfigError
from policywatch.transforms.yaml_lines import describe_validation_error, load_yaml_with_lines, where
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

__all__ = ["LOCAL_SCHEMES", "AlertChannel", "Rule", "Watchlist", "parse_watchlist"]

_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_TICKER = re.compile(r"^\d{6}\.(SS|SZ|BJ)$")
#: schemes policywatch delivers itself (local outputs); every other scheme goes to Apprise
LOCAL_SCHEMES = ("console", "file")


class AlertChannel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    #: an Apprise URL (mailto://, slack://, dingtalk://, feishu://, lark://, wecombot://, json://, …); kept out
    #: of repr: once expanded it holds secrets
    url: str = Field(repr=False)
    description: str | None = None
    #: set by the parser, never read from the file: the values expanded from the environment into ``url``,
    #: which every log line and error about this channel has redacted
    secrets: tuple[str, ...] = Field(default=(), repr=False, exclude=True)

    @property
    def scheme(self) -> str:
        return self.url.split("://", 1)[0].lower()

    @field_validator("url")
    @classmethod
    def _has_scheme(cls, value: str) -> str:
        if "://" not in value:
            raise ValueError(f"{value!r} is not a URL like mailto://… or json://…")
        return value


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    description: str | None = None
    themes: tuple[str, ...] = ()
    tickers: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    min_policy_score: float = Field(default=0.5, ge=0, le=1)
    standardization_only: bool = False
    #: a tracked ticker counts only when the article reaches it with at least this confidence (0.1 = collisions)
    min_ticker_confidence: float = Field(default=0.3, ge=0, le=1)
    channels: tuple[str, ...] = Field(min_length=1)

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError(f"{value!r}: rule ids are lowercase words with - or _")
        return value

    @field_validator("tickers", mode="before")
    @classmethod
    def _tickers(cls, value: object) -> object:
        if isinstance(value, list):
            value = [str(v) for v in value]
            bad = [v for v in value if not _TICKER.match(v)]
            if bad:
                raise ValueError(f"{bad} are not tickers like 300024.SZ or 600000.SS")
        return value


class Watchlist(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    #: articles older than this many days (by publication time) are not alerted on; backfills stay quiet
    lookback_days: int = Field(default=3, ge=0)
    #: a delivery that has failed this many times is given up (status given_up, with its last error); raise it
    #: to try the given-up ones again. Under Airflow each try of the alert task is an attempt.
    max_attempts: int = Field(default=20, ge=1)
    channels: dict[str, AlertChannel] = Field(min_length=1)
    rules: tuple[Rule, ...] = Field(min_length=1)
    #: set by the parser, never read from the file: channels that cannot be used now (a secret missing from
    #: the environment), with why; their deliveries are recorded as failed and retried on the next run
    unavailable: dict[str, str] = Field(default_factory=dict)


def _expand(url: str, environ: Mapping[str, str]) -> tuple[str, list[str], tuple[str, ...]]:
    """The URL with ``${NAME}`` replaced, the names not set, and the values put in (to redact them)."""
    names = _ENV.findall(url)
    missing = [name for name in names if name not in environ]
    secrets = tuple(dict.fromkeys(environ[name] for name in names if environ.get(name)))
    return _ENV.sub(lambda m: environ.get(m.group(1), m.group(0)), url), missing, secrets


def parse_watchlist(
    text: str,
    source: str = "watchlist.yaml",
    *,
    theme_ids: Collection[str] = (),
    environ: Mapping[str, str] | None = None,
    check_channel: Callable[[AlertChannel], str | None] | None = None,
) -> Watchlist:
    """Validate a watchlist; ``theme_ids`` are the taxonomy's ids a rule may name. ``check_channel`` returns
    why a channel (its URL expanded) cannot be used, or None; its answer must not repeat the URL."""
    environ = os.environ if environ is None else environ
    data, lines = load_yaml_with_lines(text, source)
    if isinstance(data, dict) and "unavailable" in data:
        raise ConfigError(f"{where(('unavailable',), lines, source)}: not a watchlist setting")
    raw_channels = data.get("channels") if isinstance(data, dict) else None
    for name, channel in raw_channels.items() if isinstance(raw_channels, dict) else ():
        if isinstance(channel, dict) and "secrets" in channel:
            raise ConfigError(f"{where(('channels', name, 'secrets'), lines, source)}: not a channel setting")
    try:
        watchlist = Watchlist.model_validate(data)
    except ValidationError as exc:
        raise describe_validation_error(exc, lines, source, "watchlist") from None
    problems = []
    channels = {}
    unavailable: dict[str, str] = {}
    for name, channel in watchlist.channels.items():
        url, missing, secrets = _expand(channel.url, environ)
        place = where(("channels", name, "url"), lines, source)
        channels[name] = expanded = channel.model_copy(update={"url": url, "secrets": secrets})
        if missing:
            # one channel without its secret must not stop the others: its deliveries fail and are retried
            unavailable[name] = f"the environment variables {missing} are not set ({place})"
        elif check_channel is not None and (why := check_channel(expanded)):
            problems.append(f"{place}: channel {name}: {why}")
    for i, rule in enumerate(watchlist.rules):
        unknown_channels = [c for c in rule.channels if c not in channels]
        if unknown_channels:
            problems.append(f"{where(('rules', i, 'channels'), lines, source)}: unknown channels {unknown_channels}")
        unknown_themes = [t for t in rule.themes if theme_ids and t not in theme_ids]
        if unknown_themes:
            problems.append(f"{where(('rules', i, 'themes'), lines, source)}: unknown themes {unknown_themes}")
        if not (rule.themes or rule.tickers or rule.keywords):
            problems.append(f"{where(('rules', i), lines, source)}: a rule needs themes, tickers or keywords")
    if len({r.id for r in watchlist.rules}) != len(watchlist.rules):
        problems.append(f"{source}: two rules share an id")
    if problems:
        raise ConfigError("invalid watchlist:\n  " + "\n  ".join(problems))
    return watchlist.model_copy(update={"channels": channels, "unavailable": unavailable})
