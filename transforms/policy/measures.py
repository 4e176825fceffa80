"""Numbered measures of a policy text: sections (``一、…``) and items (``（一）…``, ``1、…``, ``第一条``).

The principal list is the paren-numbered one (``（一）…（三十五）``) when there is one, else articles
(``第一条``), else Arabic items (``1、``). Numbering may run through the document or restart in each section.
Other numbered runs outside the principal items, such as a ten-point summary above a full text, are kept as
separate lists and never mixed into the measures. Arabic items inside a measure belong to its text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from policywatch.transforms.models import Measure, NumberedList, Section

__all__ = ["chinese_numeral", "segment_measures"]

_CN = "零〇一二两三四五六七八九十百"
_SECTION = re.compile(rf"^(?P<num>[{_CN}]{{1,4}})\s*、\s*(?P<rest>.*)$", re.S)
_CHAPTER = re.compile(rf"^第(?P<num>[{_CN}]{{1,4}})章\s*(?P<rest>.*)$", re.S)
_PAREN = re.compile(rf"^[（(]\s*(?P<num>[{_CN}]{{1,4}})\s*[）)]\s*(?P<rest>.*)$", re.S)
_ARTICLE = re.compile(rf"^第(?P<num>[{_CN}]{{1,4}})条\s*(?P<rest>.*)$", re.S)
_ARABIC = re.compile(r"^(?P<num>\d{1,2})\s*[、．.]\s*(?!\d)(?P<rest>.*)$", re.S)
_PAREN_ARABIC = re.compile(r"^[（(]\s*(?P<num>\d{1,2})\s*[）)]\s*(?P<rest>.*)$", re.S)
_SENTENCE_END = re.compile(r"[。！？；!?;]")
_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_ITEM_STYLES = ("paren", "article", "arabic")


def chinese_numeral(text: str) -> int | None:
    """Chinese numerals up to 999: ``三`` 3, ``十`` 10, ``三十五`` 35, ``一百零二`` 102; None if malformed."""
    if not text:
        return None
    total, current = 0, 0
    for char in text:
        if char in _DIGITS:
            current = _DIGITS[char]
        elif char == "十":
            total += (current or 1) * 10
            current = 0
        elif char == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    total += current
    return total or None


@dataclass(frozen=True, slots=True)
class _Marker:
    kind: str  # section | paren | article | arabic | sub
    number: int
    label: str
    rest: str


def _classify(paragraph: str) -> _Marker | None:
    for kind, pattern, numeral in (
        ("section", _SECTION, True),
        ("section", _CHAPTER, True),
        ("paren", _PAREN, True),
        ("article", _ARTICLE, True),
        ("arabic", _ARABIC, False),
        ("sub", _PAREN_ARABIC, False),
    ):
        match = pattern.match(paragraph)
        if not match:
            continue
        raw = match.group("num")
        number = chinese_numeral(raw) if numeral else int(raw)
        if not number or not match.group("rest").strip():
            continue
        label = paragraph[: match.start("rest")].strip()
        return _Marker(kind, number, label, match.group("rest").strip())
    return None


def _runs(candidates: list[tuple[int, _Marker]]) -> list[list[int]]:
    """Consecutive numbering runs (1, 2, 3, …) of at least two items; a run may restart at 1 in a new section."""
    runs: list[list[int]] = []
    current: list[int] = []
    last_number = 0
    for index, marker in candidates:
        if current and marker.number == last_number + 1:
            current.append(index)
        elif marker.number == 1:
            if len(current) >= 2:
                runs.append(current)
            current = [index]
        else:
            continue
        last_number = marker.number
    if len(current) >= 2:
        runs.append(current)
    return runs


def _heading(rest: str) -> str:
    match = _SENTENCE_END.search(rest)
    return rest[: match.start()].strip() if match else rest.strip()


def segment_measures(
    paragraphs: Sequence[str], starts: Sequence[int]
) -> tuple[list[Section], list[Measure], list[NumberedList]]:
    """Split paragraphs into sections, the principal measures and other numbered lists."""
    outline = _outline(paragraphs, starts)
    principal_style, measures, covered = _principal_measures(outline)
    other_lists: list[NumberedList] = []
    for style in (*_ITEM_STYLES, "sub"):
        if style == principal_style:
            continue
        for run in _runs(outline.candidates(style, covered)):
            run_set = set(run)
            items = []
            for pos, index in enumerate(run):
                end = _item_end(index, run, pos, outline.markers, run_set | outline.section_set, len(paragraphs))
                items.append(_make_item(style, pos + 1, index, end, outline))
            other_lists.append(NumberedList(style="arabic" if style == "sub" else style, items=tuple(items)))
    other_lists.sort(key=lambda lst: lst.items[0].position)
    return outline.sections, measures, other_lists


@dataclass(frozen=True, slots=True)
class _Outline:
    """The paragraphs with their markers and the section each falls in: what every item is cut from."""

    paragraphs: Sequence[str]
    starts: Sequence[int]
    markers: list[_Marker | None]
    sections: list[Section]
    section_set: set[int]  #: the paragraphs that are section headings
    section_of: list[int | None]  #: paragraph → the number of the section it is in
    section_titles: dict[int, str]

    def candidates(self, style: str, excluded: set[int]) -> list[tuple[int, _Marker]]:
        return [
            (i, m)
            for i, m in enumerate(self.markers)
            if m is not None and m.kind == style and i not in excluded and i not in self.section_set
        ]


def _outline(paragraphs: Sequence[str], starts: Sequence[int]) -> _Outline:
    """Sections are numbered 一、二、… in order from one; fewer than two are no sections."""
    markers = [_classify(p) for p in paragraphs]
    sections: list[Section] = []
    expected = 1
    section_indices: list[int] = []
    for index, marker in enumerate(markers):
        if marker and marker.kind == "section" and marker.number == expected:
            section_indices.append(index)
            expected += 1
    if len(section_indices) < 2:
        section_indices = []
    section_of: list[int | None] = [None] * len(paragraphs)
    current_section: int | None = None
    section_titles: dict[int, str] = {}
    for index in range(len(paragraphs)):
        if index in section_indices:
            marker = markers[index]
            assert marker is not None
            current_section = marker.number
            section_titles[marker.number] = marker.rest
            sections.append(Section(marker.number, marker.label, marker.rest, starts[index], index))
        section_of[index] = current_section
    return _Outline(paragraphs, starts, markers, sections, set(section_indices), section_of, section_titles)


def _principal_measures(outline: _Outline) -> tuple[str | None, list[Measure], set[int]]:
    """The first item style with a numbered run is the principal list: its style, its measures and the
    paragraphs they cover."""
    principal_style, principal_runs = None, []
    for style in _ITEM_STYLES:
        runs = _runs(outline.candidates(style, set()))
        if runs:
            principal_style, principal_runs = style, runs
            break
    measures: list[Measure] = []
    covered: set[int] = set()
    if principal_style is None:
        return None, measures, covered
    item_set = {i for run in principal_runs for i in run}
    stops = item_set | outline.section_set
    ordinal = 0
    for run in principal_runs:
        for pos, index in enumerate(run):
            end = _item_end(index, run, pos, outline.markers, stops, len(outline.paragraphs))
            covered.update(range(index, end))
            ordinal += 1
            measures.append(_make_item(principal_style, ordinal, index, end, outline))
    return principal_style, measures, covered


def _item_end(
    index: int, run: list[int], pos: int, markers: Sequence[_Marker | None], stops: set[int], total: int
) -> int:
    """Exclusive end paragraph of an item: up to the next item or section; the last item of a run only
    keeps the sub-items that directly follow it (what follows a list is usually commentary)."""
    end = index + 1
    if pos + 1 < len(run):
        while end < total and end not in stops:
            end += 1
        return end
    while end < total and end not in stops and markers[end] is not None and markers[end].kind in ("arabic", "sub"):
        end += 1
    return end


def _make_item(style: str, ordinal: int, index: int, end: int, outline: _Outline) -> Measure:
    marker = outline.markers[index]
    assert marker is not None
    text = "\n".join([marker.rest, *outline.paragraphs[index + 1 : end]])
    section = outline.section_of[index]
    return Measure(
        ordinal=ordinal,
        number=marker.number,
        label=marker.label,
        style="arabic" if style == "sub" else style,  # type: ignore[arg-type]
        heading=_heading(marker.rest),
        text=text,
        section=section,
        section_title=outline.section_titles.get(section) if section is not None else None,
        position=outline.starts[index],
        paragraph=index,
    )
