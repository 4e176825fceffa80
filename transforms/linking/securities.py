"""The securities master: every A-share and main index with its names over time. Pure: built from rows.

Names are point-in-time. Each code/name snapshot (a dated list) bounds when a name was seen: a name that
changed between two snapshots is taken as valid up to the later snapshot, its successor from the earlier
one (the change date is unknown in between, so both count there). A 2021 article is matched against the
names of 2021: 中国重工 (601989, absorbed in 2025) still counts, 鼎捷数智 (renamed from 鼎捷软件) does not yet.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date

from policywatch.transforms.linking.tickers import exchange_for_symbol, ticker_for
from policywatch.transforms.models import Exchange

__all__ = [
    "IndexRow",
    "NameSpan",
    "SecurityMaster",
    "SecurityRecord",
    "Snapshot",
    "build_master",
    "normalise_name",
    "split_day_marker",
]

_DAY_MARKERS = re.compile(r"^(?:XD|XR|DR|N|C)(?=[\u4e00-\u9fff])")
_SPACES = re.compile(r"\s+")


def normalise_name(raw: str) -> str:
    """``万  科Ａ`` → ``万科A``; ``XD贵州茅`` → ``贵州茅``; ST and *ST are kept."""
    return split_day_marker(raw)[0]


def split_day_marker(raw: str) -> tuple[str, bool]:
    """The normalised name and whether the list showed it with a day marker (XD, XR, DR, N, C).

    A marked name is the display of one trading day, often cut short to fit (XD工商银 for 工商银行): it never
    says the company was renamed."""
    name = _SPACES.sub("", unicodedata.normalize("NFKC", raw))
    stripped = _DAY_MARKERS.sub("", name)
    return stripped, stripped != name


@dataclass(frozen=True, slots=True)
class NameSpan:
    name: str
    valid_from: date | None  #: None: since listing
    valid_to: date | None  #: exclusive; None: still valid

    def valid_on(self, day: date) -> bool:
        return (self.valid_from is None or day >= self.valid_from) and (self.valid_to is None or day < self.valid_to)


@dataclass(frozen=True, slots=True)
class SecurityRecord:
    code: str  #: sz300024
    symbol: str
    exchange: Exchange
    kind: str  #: stock | index
    ticker: str
    yahoo_symbol: str | None  #: None for Beijing listings (Yahoo has none)
    names: tuple[NameSpan, ...]
    list_date: date | None
    #: the code the company moved to: a Beijing code's 920xxx successor, or the board it transferred to
    successor_code: str | None = None
    sources: tuple[str, ...] = ()
    #: an index published under two codes (sz399300 for sh000300): the canonical code; names lead there
    same_as: str | None = None

    def name_on(self, day: date | None) -> str:
        """The name on ``day``; where two were valid (a rename between snapshots), the newer one."""
        if day is not None:
            for span in reversed(self.names):
                if span.valid_on(day):
                    return span.name
        return self.names[-1].name

    @property
    def current_name(self) -> str:
        return self.names[-1].name

    @property
    def former_names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s.name for s in self.names[:-1] if s.name != self.current_name))

    def listed_on(self, day: date | None) -> bool:
        return day is None or self.list_date is None or self.list_date <= day

    def trading_on(self, day: date | None) -> bool:
        """Listed by ``day`` and not yet gone from the exchange's list."""
        if day is None:
            return True
        last = self.names[-1]
        return self.listed_on(day) and (last.valid_to is None or day < last.valid_to)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A dated code → name list, e.g. the exchanges' lists on one day."""

    as_of: date
    source: str
    rows: tuple[tuple[str, str, Exchange | None, date | None], ...]  #: (symbol, name, exchange, list_date)
    #: the exchanges the list covers completely: a code of these missing from it is gone by ``as_of``
    covers: frozenset[str] = frozenset({"SH", "SZ", "BJ"})


@dataclass(frozen=True, slots=True)
class IndexRow:
    code: str
    name: str
    aliases: tuple[str, ...]
    same_as: str | None = None  #: the canonical code of the same index (sz399300 → sh000300)


@dataclass
class SecurityMaster:
    records: dict[str, SecurityRecord]
    #: (as of, source) of the code/name lists it was built from, oldest first: names older than the first
    #: are unknown to it
    snapshots: tuple[tuple[date, str], ...] = ()
    #: every name (and alias) → the codes that ever carried it
    _by_name: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        by_name: dict[str, list[str]] = defaultdict(list)
        for record in self.records.values():
            if record.same_as:
                continue  # its names lead to the canonical code
            for span in record.names:
                if record.code not in by_name[span.name]:
                    by_name[span.name].append(record.code)
        self._by_name = dict(by_name)

    def get(self, code: str) -> SecurityRecord | None:
        return self.records.get(code.lower())

    def codes_named(self, name: str, day: date | None = None) -> list[str]:
        """Codes whose name on ``day`` is ``name`` (any time when ``day`` is None), listed by then."""
        found = []
        for code in self._by_name.get(name, ()):
            record = self.records[code]
            if not record.listed_on(day):
                continue
            if day is None or any(s.name == name and s.valid_on(day) for s in record.names):
                found.append(code)
        return found

    def all_names(self) -> Iterator[str]:
        return iter(self._by_name)

    def __len__(self) -> int:
        return len(self.records)


def build_master(
    snapshots: Iterable[Snapshot], indices: Iterable[IndexRow], bse_successors: dict[str, str]
) -> SecurityMaster:
    """Merge dated snapshots (in any order) and the index list into one master.

    ``bse_successors`` maps an old Beijing symbol (838275) to its 920xxx successor (920275)."""
    ordered = sorted(snapshots, key=lambda s: s.as_of)
    seen = _sightings(ordered)
    newest = {ex: max((s.as_of for s in ordered if ex in s.covers), default=None) for ex in ("SH", "SZ", "BJ")}
    records: dict[str, SecurityRecord] = {}
    for code, sightings in seen.names.items():
        exchange = seen.exchanges[code]
        symbol = code[2:]
        spans = _name_spans(code, sightings, seen.marked)
        last_list = newest[exchange]
        if last_list is not None and sightings[-1][0] < last_list and spans[-1].valid_to is None:
            # missing from the newest list of its exchange: delisted, merged or moved to a new code since
            spans[-1] = NameSpan(spans[-1].name, spans[-1].valid_from, last_list)
        records[code] = SecurityRecord(
            code=code,
            symbol=symbol,
            exchange=exchange,
            kind="stock",
            ticker=ticker_for(symbol, exchange),
            yahoo_symbol=None if exchange == "BJ" else ticker_for(symbol, exchange),
            names=tuple(spans),
            list_date=seen.list_dates.get(code),
            successor_code=f"bj{bse_successors[symbol]}" if exchange == "BJ" and symbol in bse_successors else None,
            sources=tuple(dict.fromkeys(s for _, _, s in sightings)),
        )
    _hand_over_beijing_codes(records, seen, bse_successors)
    _end_transferred_listings(records)
    records.update((record.code, record) for record in map(_index_record, indices))
    return SecurityMaster(records, tuple((s.as_of, s.source) for s in ordered))


@dataclass(frozen=True, slots=True)
class _Sightings:
    """What the snapshots, oldest first, showed of each code."""

    names: dict[str, list[tuple[date, str, str]]]  #: code → [(as_of, name, source)]
    marked: set[tuple[str, date]]  #: (code, as_of) of sightings shown with a day marker
    exchanges: dict[str, Exchange]
    list_dates: dict[str, date]  #: the first list date a snapshot gave


def _sightings(ordered: list[Snapshot]) -> _Sightings:
    seen = _Sightings(defaultdict(list), set(), {}, {})
    for snapshot in ordered:
        for symbol, raw_name, exchange, list_date in snapshot.rows:
            exchange = exchange or exchange_for_symbol(symbol)
            if exchange is None:
                continue
            code = f"{exchange.lower()}{symbol}"
            name, day_marked = split_day_marker(raw_name)
            if not name:
                continue
            seen.names[code].append((snapshot.as_of, name, snapshot.source))
            if day_marked:
                seen.marked.add((code, snapshot.as_of))
            seen.exchanges[code] = exchange
            if list_date and code not in seen.list_dates:
                seen.list_dates[code] = list_date
    return seen


def _name_spans(code: str, sightings: list[tuple[date, str, str]], marked: set[tuple[str, date]]) -> list[NameSpan]:
    """A code's names over time from its sightings, oldest first; a rename between two snapshots makes both
    names valid in between."""
    spans: list[NameSpan] = []
    last_marked = False  # the newest span's name is a day-marked display name
    for i, (as_of, name, _source) in enumerate(sightings):
        day_marked = (code, as_of) in marked
        if spans and (spans[-1].name == name or day_marked):
            continue  # the same name, or a day's display of it (XD工商银): the previous full name goes on
        if spans and last_marked and name.startswith(spans[-1].name):
            # the full name of what was first seen cut short (XD泰金新, then 泰金新材)
            spans[-1] = NameSpan(name, spans[-1].valid_from, spans[-1].valid_to)
            last_marked = False
            continue
        last_marked = day_marked
        if spans:  # renamed between the previous sighting and this one
            previous = spans[-1]
            spans[-1] = NameSpan(previous.name, previous.valid_from, as_of)
            spans.append(NameSpan(name, sightings[i - 1][0], None))
        else:
            spans.append(NameSpan(name, None, None))
    return spans


def _hand_over_beijing_codes(
    records: dict[str, SecurityRecord], seen: _Sightings, bse_successors: dict[str, str]
) -> None:
    """A Beijing code's 920xxx successor carries its name from when the old code was last seen."""
    for old_symbol, new_symbol in bse_successors.items():
        old, new = records.get(f"bj{old_symbol}"), records.get(f"bj{new_symbol}")
        if old is None or new is None or new.names[0].valid_from is not None:
            continue
        handover = max(as_of for as_of, _, _ in seen.names[old.code])
        first = new.names[0]
        records[new.code] = replace(new, names=(NameSpan(first.name, handover, first.valid_to), *new.names[1:]))
        # and the old code ends there: one company, one code on any day (the move itself fell somewhere
        # between the two lists; the new code is taken from the old one's last sighting on)
        last = old.names[-1]
        if last.valid_to is None or last.valid_to > handover:
            records[old.code] = replace(old, names=(*old.names[:-1], NameSpan(last.name, last.valid_from, handover)))


def _index_record(index: IndexRow) -> SecurityRecord:
    exchange: Exchange = index.code[:2].upper()  # type: ignore[assignment]
    symbol = index.code[2:]
    names = (index.name, *index.aliases)
    return SecurityRecord(
        code=index.code,
        symbol=symbol,
        exchange=exchange,
        kind="index",
        ticker=ticker_for(symbol, exchange),
        yahoo_symbol=None if exchange == "BJ" else ticker_for(symbol, exchange),
        names=tuple(NameSpan(n, None, None) for n in reversed(names)),
        list_date=None,
        sources=("indices",),
        same_as=index.same_as,
    )


def _end_transferred_listings(records: dict[str, SecurityRecord]) -> None:
    """A company that moved to another board (泰祥股份: Beijing 833874, then ChiNext 301192 from 2022-08-11)
    keeps its name under the new code: the old code, gone from its exchange's newest list, ends on the day
    the new one was listed, so the name leads to one code on any day."""
    by_name: dict[str, list[SecurityRecord]] = defaultdict(list)
    for record in records.values():
        by_name[record.names[-1].name].append(record)
    for twins in by_name.values():
        if len(twins) < 2:
            continue
        for old in twins:
            last = old.names[-1]
            if last.valid_to is None or old.list_date is None or old.successor_code:
                continue
            later = [t for t in twins if t is not old and t.list_date and old.list_date < t.list_date < last.valid_to]
            if len(later) == 1:
                moved = later[0]
                records[old.code] = replace(
                    old,
                    names=(*old.names[:-1], NameSpan(last.name, last.valid_from, moved.list_date)),
                    successor_code=moved.code,
                )
