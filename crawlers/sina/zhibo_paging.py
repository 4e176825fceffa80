"""Which 7x24 page to read next: down from the newest item to the newest stored one, then to each gap.

The feed is paged by position (``page=1,2,…``, newest first) and its ids grow with time. A run reads pages
1, 2, … until a page reaches the newest stored id. A page that cannot be read (malformed, failed after its
retries) does not end the read: the next page is asked for, and the ids between the pages around it are a
*gap*; two lost pages in a row end it (the feed, or Sina, is down). Running out of pages before reaching the
newest stored id also leaves a gap (except on a first crawl: it has nothing to be continuous with).

Gaps left by earlier runs are read by later ones, with what is left of the same page budget: the page holding
a gap's upper edge is found by interpolating the ids seen so far (ids are dense enough in the feed that this
takes a probe or two), and the read goes on down from there, across the gap, until it reaches the gap's
lower edge. Every page read is reported with its ids and how far up its read is continuous
(``read_down_from``), so that the loader can work out what is still unread; this module only steers.

Pure: no I/O. The state is a plain dict, so that it travels in a request's ``meta`` and survives a resumed job.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["PageResult", "ZhiboPager"]


@dataclass(frozen=True, slots=True)
class PageResult:
    """What became of one page: the record of it for the loader, and where to go next."""

    record: dict[str, Any]  #: page, state (read | empty | lost), newest, oldest, read_down_from, reason
    next_page: int | None  #: None: the read is over
    end: str | None = None  #: why it is over: reached_stored | end_of_feed | page_limit | pages_lost


@dataclass
class _State:
    pages: int  #: the run's page budget
    page_size: int
    floor: int | None  #: the newest stored id (None: a first crawl)
    gaps: list[list[int | None]]  #: [low, high] still to read this run, highest first (low None: no bound)
    phase: str = "top"  #: top (down to the floor) | seq (page after page) | search (for a gap's upper edge)
    used: int = 0
    lost_in_a_row: int = 0
    last: list[int] | None = None  #: [page, oldest id] of the page asked for last, when it was read
    above: list[int] | None = None  #: search: [page, oldest id] of the deepest page above the gap's edge
    below: int | None = None  #: search: the shallowest page below the gap's edge
    anchors: list[list[int]] = field(default_factory=list)  #: [position, id] seen, to interpolate positions


class ZhiboPager:
    """Steers one run's read of the feed: ask for ``first_page()``, then report each page with ``read(page,
    ids)`` or ``lost(page, reason)``; each returns the page's record and the next page to ask for."""

    def __init__(self, state: _State) -> None:
        self.s = state

    @classmethod
    def start(
        cls, *, pages: int, page_size: int, newest_stored: int | None, gaps: Sequence[tuple[int | None, int]] = ()
    ) -> ZhiboPager:
        """``gaps``: ``(low, high)`` id ranges earlier runs could not read (read only when below the floor)."""
        wanted: list[list[int | None]] = []
        if newest_stored is not None:
            wanted = [[low, high] for low, high in sorted(gaps, key=lambda g: -g[1]) if high <= newest_stored]
        return cls(_State(pages, page_size, newest_stored, wanted))

    @classmethod
    def restore(cls, data: dict[str, Any]) -> ZhiboPager:
        return cls(_State(**data))

    def dump(self) -> dict[str, Any]:
        return asdict(self.s)

    def first_page(self) -> int:
        return 1

    # -- what a page said ------------------------------------------------------------------------------------

    def lost(self, page: int, reason: str) -> PageResult:
        s = self.s
        s.used += 1
        s.lost_in_a_row += 1
        s.last = None
        record = {"page": page, "state": "lost", "reason": reason}
        if s.lost_in_a_row >= 2:
            return PageResult(record, None, "pages_lost")
        if s.phase == "search" and s.above is not None and s.below is not None and page + 1 >= s.below:
            return self._walk_from_above(record)
        return self._go(record, page + 1)  # a lost page in a sequential read is a hole: read on past it

    def read(self, page: int, ids: Sequence[int]) -> PageResult:
        s = self.s
        s.used += 1
        s.lost_in_a_row = 0
        follows = s.last is not None and s.last[0] == page - 1
        if not ids:
            record = {"page": page, "state": "empty", "read_down_from": s.last[1] if follows and s.last else None}
            s.last = None
            if s.phase != "search":
                return PageResult(record, None, "end_of_feed")
            s.below = page if s.below is None else min(s.below, page)  # past the end: the edge is above
            return self._probe(record)
        newest, oldest = max(ids), min(ids)
        position = (page - 1) * s.page_size
        seen = {(a[0], a[1]) for a in s.anchors} | {(position, newest), (position + len(ids) - 1, oldest)}
        s.anchors = [list(a) for a in sorted(seen)]
        read_down_from = s.last[1] if follows and s.last else newest
        record = {"page": page, "state": "read", "newest": newest, "oldest": oldest, "read_down_from": read_down_from}
        s.last = [page, oldest]
        if s.phase == "top":
            if s.floor is None or oldest > s.floor:
                return self._go(record, page + 1)
            s.phase = "seq"
            return self._after(record, page, oldest)
        if s.phase == "seq":
            return self._after(record, page, oldest)
        high = int(s.gaps[0][1])  # type: ignore[arg-type]
        if oldest <= high <= newest or (oldest < high and follows):  # this page holds the gap's upper edge
            s.phase = "seq"
            return self._after(record, page, oldest)
        if oldest > high:
            s.above = [page, oldest]
        else:
            s.below = page if s.below is None else min(s.below, page)
        return self._probe(record)

    # -- steering --------------------------------------------------------------------------------------------

    def _go(self, record: dict[str, Any], page: int) -> PageResult:
        if self.s.used >= self.s.pages:
            return PageResult(record, None, "page_limit")
        return PageResult(record, page)

    def _after(self, record: dict[str, Any], page: int, oldest: int) -> PageResult:
        """Read sequentially: on down while inside a gap (or close above one), else search for the next gap."""
        s = self.s
        while s.gaps and s.gaps[0][0] is not None and oldest <= int(s.gaps[0][0]):
            s.gaps.pop(0)  # read down to its lower edge: read
        if not s.gaps:
            return PageResult(record, None, "reached_stored")
        high = int(s.gaps[0][1])  # type: ignore[arg-type]
        if oldest < high or self._page_of(high) <= page + 1:
            return self._go(record, page + 1)
        s.phase, s.above, s.below = "search", [page, oldest], None
        return self._probe(record)

    def _probe(self, record: dict[str, Any]) -> PageResult:
        """The next page to look at for the gap's upper edge, between what lies above it and what below: where
        the ids seen put it, or halfway when nothing read lies below it (a probe past the end of the feed)."""
        s = self.s
        assert s.above is not None
        first = s.above[0] + 1
        if s.below is not None and s.below <= first:
            return self._walk_from_above(record)
        high = int(s.gaps[0][1])  # type: ignore[arg-type]
        if s.below is None:
            return self._go(record, max(self._page_of(high), first))
        seen_below = any(a[1] <= high for a in s.anchors)
        page = self._page_of(high) if seen_below else (s.above[0] + s.below) // 2
        return self._go(record, min(max(page, first), s.below - 1))

    def _walk_from_above(self, record: dict[str, Any]) -> PageResult:
        """The edge lies between two pages not read one after the other: read on in order from the upper one,
        so that no item between them goes unread."""
        s = self.s
        assert s.above is not None
        s.phase = "seq"
        if s.last is not None and s.last[0] == s.above[0]:
            return self._go(record, s.above[0] + 1)
        return self._go(record, s.above[0])

    def _page_of(self, target: int) -> int:
        """The page most likely to hold id ``target``, by interpolating the ids seen (they fall with position);
        beyond what was seen, at the slope of everything seen."""
        s = self.s
        anchors = s.anchors
        if not anchors:
            return 1
        above = [a for a in anchors if a[1] > target]
        below = [a for a in anchors if a[1] <= target]
        if not above:  # no deeper than the first item seen
            return max(1, anchors[0][0] // s.page_size + 1)
        p0, i0 = above[-1]
        (f0, j0), (f1, j1) = (above[-1], below[0]) if below else (anchors[0], anchors[-1])
        slope = (j0 - j1) / (f1 - f0) if f1 != f0 and j0 != j1 else 1.0  # ids per position
        position = p0 + (i0 - target) / slope
        return max(1, int(position) // s.page_size + 1)
