"""One JSON-ready record per article: the parse, and (when linked) classes, themes, policy score and tickers."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict
from typing import Any

from policywatch.transforms.linking.linker import LinkedArticle
from policywatch.transforms.models import Article

__all__ = ["article_record", "summarise_tickers"]


def summarise_tickers(linked: LinkedArticle) -> list[dict[str, Any]]:
    """One entry per ticker: every way it was reached, the best confidence, and the evidence."""
    by_ticker: dict[str, dict[str, Any]] = {}
    for t in linked.tickers:
        entry = by_ticker.setdefault(
            t.ticker,
            {
                "ticker": t.ticker,
                "code": t.code,
                "name": t.name,
                "vias": [],
                "link_class": None,
                "themes": [],
                "measures": [],
                "confidence": 0.0,
                "evidence": [],
            },
        )
        if t.via not in entry["vias"]:
            entry["vias"].append(t.via)
        entry["link_class"] = entry["link_class"] or t.link_class
        if t.theme_id and t.theme_id not in entry["themes"]:
            entry["themes"].append(t.theme_id)
        if t.measure_ordinal is not None and t.measure_ordinal not in entry["measures"]:
            entry["measures"].append(t.measure_ordinal)
        entry["confidence"] = max(entry["confidence"], t.confidence)
        if t.via != "theme" or len(entry["evidence"]) < 2:
            entry["evidence"].append(t.evidence)
    return sorted(by_ticker.values(), key=lambda e: (-e["confidence"], e["ticker"]))


def article_record(article: Article, linked: LinkedArticle | None = None) -> dict[str, Any]:
    data = article.to_dict()
    if linked is None:
        return data
    judgements = {link.code: judgement for link, judgement in linked.judgements}
    for link in data["stock_links"]:
        judgement = judgements[link["code"]]
        link["class"], link["reason"], link["theme_id"] = judgement.link_class, judgement.reason, judgement.theme_id
    themes: dict[int | None, list[dict[str, Any]]] = defaultdict(list)
    for hit in linked.measure_themes:
        themes[hit.measure_ordinal].append({"theme_id": hit.theme_id, "terms": list(hit.matched_terms)})
    for measure in data["measures"]:
        measure["themes"] = themes.get(measure["ordinal"], [])
    data["article_themes"] = themes.get(None, [])
    data["policy"] = asdict(linked.policy)
    data["name_mentions"] = [asdict(m) for m in linked.mentions]
    data["tickers"] = summarise_tickers(linked)
    data["linker_version"] = linked.linker_version
    return data
