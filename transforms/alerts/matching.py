"""Does a linked article meet a watchlist rule? Pure: the article's linkage in, the match and its why out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from policywatch.transforms.alerts.watchlist import Rule

__all__ = ["AlertCandidate", "CandidateMeasure", "CandidateTicker", "RuleMatch", "SinaLink", "match_rule"]


@dataclass(frozen=True, slots=True)
class CandidateMeasure:
    ordinal: int
    label: str
    heading: str
    themes: tuple[tuple[str, tuple[str, ...]], ...]  #: (theme id, matched terms)


@dataclass(frozen=True, slots=True)
class CandidateTicker:
    ticker: str
    name: str | None
    confidence: float
    vias: tuple[str, ...]
    link_classes: tuple[str, ...]
    themes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SinaLink:
    anchor_text: str
    ticker: str
    link_class: str | None
    reason: str | None


@dataclass(frozen=True, slots=True)
class AlertCandidate:
    """A linked article, as the alerting needs it."""

    article_id: str
    title: str
    url: str | None
    origin_ref: str | None
    published_at: datetime | None
    policy_score: float
    is_policy: bool
    standardization_score: float
    is_standardization: bool
    issuers: tuple[str, ...]
    documents: tuple[str, ...]
    text: str
    measures: tuple[CandidateMeasure, ...]
    article_themes: tuple[tuple[str, tuple[str, ...]], ...]
    tickers: tuple[CandidateTicker, ...]
    sina_links: tuple[SinaLink, ...]

    def all_themes(self) -> dict[str, tuple[str, ...]]:
        found: dict[str, list[str]] = {}
        for theme_id, terms in [*self.article_themes, *(t for m in self.measures for t in m.themes)]:
            bucket = found.setdefault(theme_id, [])
            bucket.extend(term for term in terms if term not in bucket)
        return {k: tuple(v) for k, v in found.items()}


@dataclass(frozen=True, slots=True)
class RuleMatch:
    rule: Rule
    themes: tuple[str, ...]  #: tracked themes the article names
    tickers: tuple[CandidateTicker, ...]  #: tracked tickers it reaches with enough confidence
    keywords: tuple[str, ...]
    measures: tuple[CandidateMeasure, ...]  #: the measures that name a tracked theme


def match_rule(rule: Rule, candidate: AlertCandidate) -> RuleMatch | None:
    if candidate.policy_score < rule.min_policy_score:
        return None
    if rule.standardization_only and not candidate.is_standardization:
        return None
    named = candidate.all_themes()
    themes = tuple(t for t in rule.themes if t in named)
    tickers = tuple(
        t for t in candidate.tickers if t.ticker in rule.tickers and t.confidence >= rule.min_ticker_confidence
    )
    keywords = tuple(k for k in rule.keywords if k in candidate.title or k in candidate.text)
    if not (themes or tickers or keywords):
        return None
    tracked = set(themes) | {theme for t in tickers for theme in t.themes}
    measures = tuple(m for m in candidate.measures if tracked & {theme for theme, _ in m.themes})
    return RuleMatch(rule, themes, tickers, keywords, measures)
