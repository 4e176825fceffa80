"""The theme taxonomy (a reviewable YAML file) and the matcher that finds its terms in policy text.

Parsing reports errors with the line they are on. Matching uses one Aho-Corasick automaton over every term
and exclusion: a term found inside one of its theme's exclusions does not count, and within a theme only the
longest non-overlapping occurrences count (工业机器人 is one mention of robots, not two).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Literal

import ahocorasick
from policywatch.transforms.errors import ConfigError
from policywatch.transforms.yaml_lines import describe_validation_error, load_yaml_with_lines, where
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

__all__ = ["Taxonomy", "Theme", "ThemeMatch", "ThemeMatcher", "ThemeMember", "parse_taxonomy"]

_TICKER = re.compile(r"^\d{6}\.(SS|SZ|BJ)$")
_ID = re.compile(r"^[a-z][a-z0-9_]*$")


class ThemeMember(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    ticker: str
    name: str
    source: Literal["board", "curated"]
    boards: tuple[str, ...] = ()
    note: str | None = None

    @field_validator("ticker", mode="before")
    @classmethod
    def _ticker(cls, value: Any) -> str:
        if isinstance(value, int) and not isinstance(value, bool):
            raise ValueError(
                f"{value} is not a ticker: YAML read unquoted digits as a number (with a leading 0 as octal: "
                f'002230 becomes 1176); write the ticker with its exchange, quoted, like "002230.SZ"'
            )
        value = str(value)
        if not _TICKER.match(value):
            raise ValueError(f"{value!r} is not a ticker like 300024.SZ, 600000.SS or 920017.BJ")
        return value

    @model_validator(mode="after")
    def _source_has_evidence(self) -> ThemeMember:
        if self.source == "board" and not self.boards:
            raise ValueError("source: board needs the boards that list it")
        if self.source == "curated" and not self.note:
            raise ValueError("source: curated needs a note saying why")
        return self


class Theme(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    name_zh: str
    name_en: str
    terms: tuple[str, ...] = Field(min_length=1)
    exclusions: tuple[str, ...] = ()
    boards: dict[Literal["EM", "TDX"], tuple[str, ...]] = Field(default_factory=dict)
    members: tuple[ThemeMember, ...] = ()

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError(f"{value!r}: ids are lowercase slugs like smart_city")
        return value

    @field_validator("terms", "exclusions", mode="before")
    @classmethod
    def _strings(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [str(v) for v in value]  # YAML reads 5G as a string but 2025 as a number
        return value

    def board_keys(self) -> frozenset[str]:
        return frozenset(f"{source} {board}" for source, boards in self.boards.items() for board in boards)


class Taxonomy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    themes: tuple[Theme, ...] = Field(min_length=1)

    def get(self, theme_id: str) -> Theme:
        for theme in self.themes:
            if theme.id == theme_id:
                return theme
        raise KeyError(theme_id)


def parse_taxonomy(text: str, source: str = "themes.yaml") -> Taxonomy:
    """Validate a taxonomy file; ConfigError names the file, the line and what is wrong."""
    data, lines = load_yaml_with_lines(text, source)
    try:
        taxonomy = Taxonomy.model_validate(data)
    except ValidationError as exc:
        raise describe_validation_error(exc, lines, source, "theme taxonomy") from None
    problems = []
    seen: set[str] = set()
    for i, theme in enumerate(taxonomy.themes):
        if theme.id in seen:
            problems.append(f"{where(('themes', i, 'id'), lines, source)}: theme id {theme.id!r} appears twice")
        seen.add(theme.id)
        allowed = theme.board_keys()
        for j, member in enumerate(theme.members):
            unknown = [b for b in member.boards if b not in allowed]
            if unknown:
                place = where(("themes", i, "members", j, "boards"), lines, source)
                problems.append(f"{place}: member {member.ticker} cites boards {unknown} not among the theme's boards")
    if problems:
        raise ConfigError("invalid theme taxonomy:\n  " + "\n  ".join(problems))
    return taxonomy


@dataclass(frozen=True, slots=True)
class ThemeMatch:
    theme_id: str
    terms: tuple[str, ...]  #: distinct matched terms, in order of first appearance
    count: int  #: occurrences


class ThemeMatcher:
    """Finds every theme whose terms occur in a text, ignoring occurrences inside exclusions."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self._automaton = ahocorasick.Automaton()
        entries: dict[str, list[tuple[str, bool]]] = defaultdict(list)  # word → [(theme, is_exclusion)]
        for theme in taxonomy.themes:
            for term in theme.terms:
                entries[term].append((theme.id, False))
            for exclusion in theme.exclusions:
                entries[exclusion].append((theme.id, True))
        for word, owners in entries.items():
            self._automaton.add_word(word, (word, tuple(owners)))
        self._automaton.make_automaton()
        self._ascii = {w for w in entries if w.isascii()}

    def match(self, text: str) -> list[ThemeMatch]:
        hits: list[tuple[int, int, str, str]] = []  # start, end, theme, term
        excluded: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for end_index, (word, owners) in self._automaton.iter(text):
            start, end = end_index - len(word) + 1, end_index + 1
            if word in self._ascii and not _ascii_word_at(text, start, end):
                continue  # "AI" inside "MAIN" is not AI
            for theme_id, is_exclusion in owners:
                if is_exclusion:
                    excluded[theme_id].append((start, end))
                else:
                    hits.append((start, end, theme_id, word))
        # per theme, the longest non-overlapping occurrences: 机器人 inside 工业机器人 is the same mention
        by_theme: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
        for start, end, theme_id, term in hits:
            if not any(s <= start and end <= e for s, e in excluded[theme_id]):
                by_theme[theme_id].append((start, end, term))
        terms: dict[str, dict[str, None]] = defaultdict(dict)
        counts: dict[str, int] = defaultdict(int)
        for theme_id, occurrences in by_theme.items():
            reach = -1
            for start, end, term in sorted(occurrences, key=lambda o: (o[0], o[0] - o[1])):
                if start < reach:
                    continue
                reach = end
                terms[theme_id][term] = None
                counts[theme_id] += 1
        order = sorted(terms, key=lambda t: min(s for s, _, _ in by_theme[t]))
        return [ThemeMatch(t, tuple(terms[t]), counts[t]) for t in order]


def _ascii_word_at(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (before.isascii() and before.isalnum()) and not (after.isascii() and after.isalnum())
