"""Which short names are ordinary words, and where word boundaries fall: the judge of Sina's name matches.

Built on a general Chinese lexicon (jieba's dictionary: word, frequency, part of speech) and its segmenter,
plus a curated list (``policywatch/data/generic_names.yaml``). Pure: the caller loads the data and passes it in.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

__all__ = ["Lexicon", "LexiconEntry"]

#: part-of-speech tags of proper names of people and organisations: never "common words"
_PROPER = frozenset({"nr", "nrt", "nrfg", "nt", "nz", "j"})
_POS_WORDS = {"n": "a common noun", "ns": "a place name", "l": "an idiom", "v": "a verb", "a": "an adjective",
              "vn": "a verbal noun", "an": "an adjectival noun"}  # fmt: skip
_SENTENCE = re.compile(r"[。！？；!?;\n]")


@dataclass(frozen=True, slots=True)
class LexiconEntry:
    frequency: int
    pos: str


@dataclass(frozen=True)
class Lexicon:
    """``entries``: the general lexicon; ``common``/``company``: curated overrides (word → note);
    ``segment``: a word segmenter (text → words in order); ``min_frequency``: how frequent a lexicon word must be
    to count as common."""

    entries: Mapping[str, LexiconEntry]
    common: Mapping[str, str]
    company: Mapping[str, str]
    segment: Callable[[str], list[str]]
    min_frequency: int = 20

    def common_word(self, word: str) -> str | None:
        """Why ``word`` is an ordinary word (a phrase for the reason), or None if it is not one."""
        if word in self.company:
            return None
        if word in self.common:
            return f"an ordinary phrase meaning {self.common[word]}"
        entry = self.entries.get(word)
        if entry is None or entry.pos in _PROPER or entry.frequency < self.min_frequency:
            return None
        kind = _POS_WORDS.get(entry.pos, "an ordinary word")
        return f"{kind} in the general lexicon (frequency {entry.frequency})"

    def distinctive(self, name: str) -> bool:
        """A short name that says the company by itself: not an ordinary word, longer than two characters."""
        return len(name) > 2 and self.common_word(name) is None

    def is_place(self, word: str) -> bool:
        entry = self.entries.get(word)
        return entry is not None and entry.pos == "ns"

    def longer_word(self, text: str, start: int, end: int) -> str | None:
        """The longer word that ``text[start:end]`` sits inside, if segmentation does not cut at its edges.

        ``中国动力`` in ``中国动力电池产业创新联盟`` segments as 中国/动力电池/… : its end falls inside 动力电池, so
        the longer word is 中国动力电池.
        """
        left = max((m.end() for m in _SENTENCE.finditer(text, 0, start)), default=0)
        right_match = _SENTENCE.search(text, end)
        right = right_match.start() if right_match else len(text)
        sentence = text[left:right]
        a, b = start - left, end - left
        cuts, offset = {0}, 0
        spans = []
        for word in self.segment(sentence):
            spans.append((offset, offset + len(word)))
            offset += len(word)
            cuts.add(offset)
        if a in cuts and b in cuts:
            return None
        # a word crossing an edge by one character is usually a particle the segmenter glued on (和, 等, 的);
        # only a crossing by two or more characters makes a longer word (中国动力 + 电池 → 动力电池)
        crossing = [(s, e) for s, e in spans if (s < a < e) or (s < b < e)]
        if not any(max(a - s, e - b) >= 2 for s, e in crossing):
            return None
        covering = [(s, e) for s, e in spans if s < b and e > a]
        return sentence[min(s for s, _ in covering) : max(e for _, e in covering)]
