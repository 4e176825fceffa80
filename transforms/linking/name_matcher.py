"""Company mentions Sina did not link: every occurrence of a short name valid on the article's date.

Sina links only the first occurrence, skips tables and captions and never links codes written in the text;
this matcher reads all of it. A name that is an ordinary word (the stoplist: the lexicon's common words and
the curated list) counts only with words around it that name the company; so does a two-character name.
Names inside a longer word or opening a fund name do not count.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Literal

import ahocorasick
from policywatch.transforms.linking.company_context import (
    company_cues,
    facility_words_around,
    fund_name_at,
    organisation_suffix,
)
from policywatch.transforms.linking.context import LinkingContext
from policywatch.transforms.linking.securities import SecurityMaster
from policywatch.transforms.models import paragraph_of

__all__ = ["NameMention", "NameScanner", "find_company_mentions"]


@dataclass(frozen=True, slots=True)
class NameMention:
    code: str
    ticker: str
    kind: str
    name: str
    positions: tuple[int, ...]
    in_table: bool  #: at least one occurrence is in a table row
    evidence: str
    confidence: float


#: what an occurrence rests on: the index's name, the company's own full name (太平洋证券), words around it
#: that name the company (the code, 公告, 涨停…), or only a distinctive name
Basis = Literal["index", "own_name", "context", "distinctive"]
#: confidence that the article names the company, by the strongest basis among its occurrences
CONFIDENCE: dict[Basis, float] = {"index": 0.0, "own_name": 0.85, "context": 0.85, "distinctive": 0.75}


@dataclass(frozen=True, slots=True)
class _Occurrence:
    position: int
    basis: Basis
    reason: str
    in_table: bool


class NameScanner:
    """One automaton over every name the master ever knew; filtered by date per article."""

    def __init__(self, master: SecurityMaster, *, min_length: int = 2) -> None:
        self._automaton = ahocorasick.Automaton()
        count = 0
        for name in master.all_names():
            if len(name) >= min_length:
                self._automaton.add_word(name, name)
                count += 1
        if count:
            self._automaton.make_automaton()
        self._empty = count == 0

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """Leftmost-longest, non-overlapping name occurrences ``(start, end, name)``."""
        if self._empty:
            return []
        found = sorted(
            ((end + 1 - len(name), end + 1, name) for end, name in self._automaton.iter(text)),
            key=lambda t: (t[0], -(t[1] - t[0])),
        )
        kept: list[tuple[int, int, str]] = []
        reach = -1
        for start, end, name in found:
            if start >= reach:
                kept.append((start, end, name))
                reach = end
        return kept


def find_company_mentions(
    text: str,
    paragraph_starts: list[int],
    paragraphs: list[str],
    day: date | None,
    ctx: LinkingContext,
    scanner: NameScanner,
) -> list[NameMention]:
    """Companies named in ``text`` (clean article text), with the evidence that each occurrence is the company."""
    candidates = []
    for start, end, name in scanner.spans(text):
        codes = [c for c in ctx.master.codes_named(name, day) if ctx.master.records[c].trading_on(day)]
        if codes:
            candidates.append((start, end, name, codes))
    # only a distinctive name vouches for its neighbours in a list (老百姓、农产品 is no list of companies)
    spans = [(s, e) for s, e, name, _ in candidates if ctx.lexicon.distinctive(name)]
    by_code: dict[str, list[_Occurrence]] = defaultdict(list)
    for start, end, name, codes in candidates:
        for code in codes:
            record = ctx.master.records[code]
            judged = _why_company(text, start, end, name, record.kind, ctx, code, spans)
            if judged is None:
                continue
            basis, why = judged
            in_table = "\t" in paragraphs[paragraph_of(start, paragraph_starts)]
            by_code[code].append(_Occurrence(start, basis, why, in_table))
    mentions = []
    for code, hits in by_code.items():
        record = ctx.master.records[code]
        # the strongest occurrence speaks for the mention; the first of those gives the evidence
        best = max(hits, key=lambda h: CONFIDENCE[h.basis])
        positions = tuple(h.position for h in hits)
        in_table = any(h.in_table for h in hits)
        evidence = best.reason + (f" ({len(hits)} occurrences)" if len(hits) > 1 else "")
        if in_table:
            evidence += "; named in a table"
        mentions.append(
            NameMention(
                code,
                record.ticker,
                record.kind,
                record.name_on(day),
                positions,
                in_table,
                evidence,
                CONFIDENCE[best.basis],
            )
        )
    mentions.sort(key=lambda m: m.positions[0])
    return mentions


def _why_company(
    text: str, start: int, end: int, name: str, kind: str, ctx: LinkingContext, code: str, spans
) -> tuple[Basis, str] | None:
    """Why the name at ``text[start:end]`` is the company, or None when it is not."""
    if kind == "index":
        return "index", f"the index name '{name}'"
    if fund_name_at(text, start, end):
        return None
    longer = ctx.lexicon.longer_word(text, start, end)
    if longer and longer.definite:
        return None
    industries = ctx.boards.industry_names(code[2:])
    suffix = organisation_suffix(text, end, industries)
    if suffix:
        return "own_name", f"'{name}{suffix}' is the company's own name"
    cues = company_cues(text, start, end, other_company_spans=spans)
    if longer and not cues:
        return None
    if cues:
        return "context", f"'{name}' in company context: {'; '.join(cues)}"
    facility = ctx.lexicon.facility(name)
    if facility:
        if facility_words_around(text, start, end):
            return None
        return "distinctive", f"'{name}' names the company: nothing around it speaks of {facility.what}"
    if not ctx.lexicon.distinctive(name):
        return None
    return "distinctive", f"'{name}' is a distinctive company name"
