"""What a 7x24 read left unread: worked out from a finished job's page records, kept in ``crawl_zhibo_gaps`` for
the next runs to read, and reported as ``gap`` skips as long as they stay open.

A job had to read every id above the newest stored one (its spec's floor) and the gaps earlier runs left. Each
page it read covers the ids from its oldest item up to where its read is continuous from (``read_down_from``:
the page before it, when that one was read just before); an empty page read right after another one ends the
feed. What is left is still unread, except:

- ids above everything read: the next run reads the feed down to its newest stored item anyway;
- an unbounded remainder of a first crawl (or of a gap left by one) once the read used its whole page budget:
  a first crawl has nothing older to be continuous with.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import duckdb

from policywatch.crawlers.sina.spec import SPEC_FILE, CrawlSpec
from policywatch.crawlers.sina.staging import StagedRecord, read_records
from policywatch.crawlers.sina.zhibo_page import zhibo_feed_key
from policywatch.steps.crawl.records import Tally
from policywatch.steps.import_archive import Skip
from policywatch.warehouse.crawl_state import ZhiboGap, open_zhibo_gaps, replace_zhibo_gaps
from policywatch.warehouse.runs import record_skip

__all__ = ["ZhiboRead", "close_zhibo_read", "gap_message", "unread_gaps"]

#: an id range: (low, high) open at both ends; None = unbounded
Span = tuple[int | None, int | None]


@dataclass(frozen=True, slots=True)
class ZhiboRead:
    """One job's read of the feed: its page records in the order asked for, and how it ended."""

    pages: tuple[dict[str, Any], ...]
    end: str | None  #: reached_stored | end_of_feed | page_limit | pages_lost; None: no end recorded

    @classmethod
    def from_records(cls, records: Iterable[dict[str, Any]]) -> ZhiboRead:
        pages, end = [], None
        for data in records:
            if data.get("kind") == "zhibo_page":
                pages.append(data)
            elif data.get("kind") == "zhibo_end":
                end = data.get("reason")
        return cls(tuple(pages), end)

    def covered(self) -> list[tuple[int | None, int]]:
        """Closed id ranges read, ``(None, b)`` reaching the end of the feed."""
        spans: list[tuple[int | None, int]] = []
        for page in self.pages:
            top = page.get("read_down_from")
            if page.get("state") == "read":
                spans.append((int(page["oldest"]), int(top if top is not None else page["newest"])))
            elif page.get("state") == "empty" and top is not None:
                spans.append((None, int(top)))
        return spans

    def hole_reasons(self) -> dict[int, str]:
        """Why the ids below a page's oldest item were not read next: the lost page after it."""
        reasons: dict[int, str] = {}
        oldest: int | None = None
        for page in self.pages:
            if page.get("state") == "read":
                oldest = int(page["oldest"])
            elif page.get("state") == "lost" and oldest is not None:
                reasons.setdefault(oldest, str(page.get("reason") or "lost"))
                oldest = None
        return reasons

    def last_loss(self) -> str | None:
        lost = [p for p in self.pages if p.get("state") == "lost"]
        return str(lost[-1].get("reason") or "lost") if lost else None


def _subtract(span: Span, covered: Sequence[tuple[int | None, int]]) -> list[Span]:
    """The parts of the open range ``span`` that hold ids outside every closed range of ``covered``."""
    pieces = [span]
    for a, b in covered:
        out: list[Span] = []
        for lo, hi in pieces:
            if a is not None:  # below the covered range
                top = a if hi is None else min(hi, a)
                out.append((lo, top))
            bottom = b if lo is None else max(lo, b)  # above it
            out.append((bottom, hi))
        pieces = [(lo, hi) for lo, hi in out if lo is None or hi is None or hi - lo > 1]
    return pieces


def unread_gaps(
    read: ZhiboRead, *, feed: str, newest_stored: int | None, open_gaps: Sequence[ZhiboGap]
) -> list[ZhiboGap]:
    """The gaps still open after ``read``: what it had to read (above ``newest_stored``, and ``open_gaps``)
    minus what it read."""
    covered = read.covered()
    if not covered and read.end is None:
        return list(open_gaps)  # nothing read, nothing known: the gaps stay as they were
    budget_spent = read.end == "page_limit"
    out: list[ZhiboGap] = []
    holes = read.hole_reasons()
    fallback = read.last_loss() if read.end == "pages_lost" else read.end or "not_read"
    for lo, hi in _subtract((newest_stored, None), covered):
        if hi is None or (lo is None and budget_spent):
            continue
        reason = holes.get(hi) or ("page_limit" if budget_spent else fallback)
        out.append(ZhiboGap(feed, lo, hi, reason))
    for gap in open_gaps:
        for lo, hi in _subtract((gap.low, gap.high), covered):
            if hi is None or (lo is None and budget_spent and hi != gap.high):
                continue
            out.append(replace(gap, low=lo, high=hi, runs=gap.runs + 1))
    return sorted(out, key=lambda g: -g.high)


def gap_message(gap: ZhiboGap, spec: CrawlSpec) -> str:
    ids = f"between ids {gap.low} and {gap.high}" if gap.low is not None else f"older than id {gap.high}"
    why = {
        "page_limit": (
            f"the read used its {spec.zhibo_pages} pages of {spec.zhibo_page_size} before reaching them; raise"
            " crawl.zhibo_pages or crawl more often if this stays"
        ),
    }.get(gap.reason, gap.reason)
    since = f"; open since run {gap.first_run_id} ({gap.runs} runs)" if gap.first_run_id else ""
    return f"7x24: items {ids} were not read ({why}){since}; the next runs read the feed down to them"


def close_zhibo_read(
    con: duckdb.DuckDBPyConnection,
    run_dir: Path,
    *,
    run_id: str,
    tally: Tally,
    records: Iterable[StagedRecord] | None = None,
) -> None:
    """The job is over: record which 7x24 ids its read (and the reads before it) left unread, and report each
    gap still open as a ``gap`` skip. ``records``: the job's staged records, when they are at hand (else they
    are read from ``run_dir``)."""
    spec = CrawlSpec.read(run_dir / SPEC_FILE)
    if not spec.zhibo_url:
        return
    read = ZhiboRead.from_records(r.data for r in (read_records(run_dir) if records is None else records))
    feed = zhibo_feed_key(spec.zhibo_url)
    newest = max(spec.known_zhibo_ids, default=None)
    gaps = unread_gaps(read, feed=feed, newest_stored=newest, open_gaps=open_zhibo_gaps(con, feed))
    replace_zhibo_gaps(con, run_id, feed, gaps)
    for gap in gaps:
        message = gap_message(gap, spec)
        tally.skipped.append(Skip(feed, "gap", message))
        record_skip(con, run_id, feed, "gap", message)
