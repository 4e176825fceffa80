"""Staging files between the crawler process and the loader: one folder per run.

    RUN_DIR/spec.json                 the job (policywatch.crawlers.sina.spec)
    RUN_DIR/items-<spider>.jsonl      one JSON record per line: listing, page, zhibo, failure
    RUN_DIR/pages/<sha1 of URL>.html  the raw bytes of each fetched page (written before its record)
    RUN_DIR/rss.jsonl                 RSS items, written by the application before the crawl
    RUN_DIR/closed-<spider>.json      why the spider stopped (``finished`` or not) and its stats
    RUN_DIR/loaded                    present once the loader has stored everything

A record line is written and flushed after its page file, so a crash leaves at worst one partial last line.
The reader marks it ``partial`` (the loader leaves it until the job is over); a writer that reopens the file
to resume the job cuts it off and writes in its place a ``failure`` record (reason ``staging_cut``) naming what
was lost, so the next record starts on a line of its own.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

__all__ = [
    "CUT_REASON",
    "LOADED_MARKER",
    "StagedRecord",
    "StagingWriter",
    "close_reasons",
    "closed_stats",
    "read_records",
    "write_closed",
]

LOADED_MARKER = "loaded"
PAGES_DIR = "pages"
CUT_REASON = "staging_cut"
_FIELD = re.compile(r'"(?P<name>url|key|kind)": "(?P<value>(?:[^"\\]|\\.)*)"')


@dataclass(frozen=True, slots=True)
class StagedRecord:
    """One line of a staging file; ``error`` is set (and ``data`` empty) for a line that is not JSON, and
    ``partial`` for a last line cut short (its writer stopped in the middle of it)."""

    source_file: str
    line: int
    data: dict[str, Any]
    error: str | None = None
    partial: bool = False

    def body(self, run_dir: Path) -> bytes | None:
        name = self.data.get("file")
        return (run_dir / PAGES_DIR / name).read_bytes() if name else None


class StagingWriter:
    """Appends records of one spider (or of the application's RSS step) to a JSON-lines file."""

    def __init__(self, run_dir: Path, name: str) -> None:
        self.run_dir = run_dir
        (run_dir / PAGES_DIR).mkdir(parents=True, exist_ok=True)
        path = run_dir / f"{name}.jsonl"
        cut = _end_on_a_line(path)
        self._out: TextIO = path.open("a", encoding="utf-8")
        if cut is not None:
            self.write(cut)

    def write(self, record: dict[str, Any], body: bytes | None = None) -> None:
        if body is not None:
            name = hashlib.sha1(str(record["url"]).encode()).hexdigest()[:24] + ".html"
            tmp = self.run_dir / PAGES_DIR / (name + ".tmp")
            tmp.write_bytes(body)
            tmp.replace(self.run_dir / PAGES_DIR / name)
            record = {**record, "file": name}
        self._out.write(json.dumps(record, ensure_ascii=False) + "\n")
        self._out.flush()

    def close(self) -> None:
        self._out.close()


def _end_on_a_line(path: Path) -> dict[str, Any] | None:
    """Make ``path`` end with a whole line before appending to it. A last line that is whole JSON only lacks
    its newline; anything else is a record cut short: it is cut off, and a failure record saying what was lost
    is returned for the writer to put in its place."""
    size = path.stat().st_size if path.exists() else 0
    if size == 0:
        return None
    with path.open("r+b") as handle:
        handle.seek(size - 1)
        if handle.read(1) == b"\n":
            return None
        start, pos = 0, size
        while pos > 0:  # back to the last newline, a block at a time: the file may be large
            step = min(65536, pos)
            pos -= step
            handle.seek(pos)
            found = handle.read(step).rfind(b"\n")
            if found >= 0:
                start = pos + found + 1
                break
        handle.seek(start)
        tail = handle.read()
        try:
            json.loads(tail)
        except ValueError:
            handle.truncate(start)
        else:
            handle.write(b"\n")
            return None
        if not tail.strip():
            return None
        handle.seek(0)
        line = 1 + sum(block.count(b"\n") for block in iter(lambda: handle.read(65536), b""))
    text = tail.decode("utf-8", errors="replace")
    fields = {m["name"]: json.loads(f'"{m["value"]}"') for m in _FIELD.finditer(text)}
    return {
        "kind": "failure",
        "stage": "staging",
        "url": fields.get("url") or f"{path.name}:{line}",
        "key": fields.get("key"),
        "source": "staging",
        "reason": CUT_REASON,
        "message": (
            f"{path.name} line {line}: a {fields.get('kind', 'record')} record cut short when the crawler stopped"
            f" ({len(tail)} bytes) was dropped when the job resumed"
        ),
        "attempts": 0,
        "at": datetime.now(UTC).isoformat(),
    }


def read_records(run_dir: Path) -> Iterator[StagedRecord]:
    """Every staged record of a run: RSS items first, then each spider's records in the order written."""
    files = [run_dir / "rss.jsonl", *sorted(run_dir.glob("items-*.jsonl"))]
    for path in files:
        if not path.exists():
            continue
        with path.open(encoding="utf-8", errors="replace") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    data = json.loads(line)
                except json.JSONDecodeError as exc:
                    partial = not line.endswith("\n")
                    problem = "is cut short" if partial else f"is not JSON ({exc.msg})"
                    yield StagedRecord(path.name, number, {}, f"{path.name} line {number} {problem}", partial)
                    continue
                yield StagedRecord(path.name, number, data)


def write_closed(run_dir: Path, spider: str, reason: str, stats: dict[str, Any]) -> None:
    path = run_dir / f"closed-{spider}.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"reason": reason, "stats": stats}, default=str), encoding="utf-8")
    tmp.replace(path)


def close_reasons(run_dir: Path) -> dict[str, str]:
    """Why each spider of the run stopped; a spider missing here never closed (the process died)."""
    reasons = {}
    for path in run_dir.glob("closed-*.json"):
        try:
            reasons[path.stem.removeprefix("closed-")] = json.loads(path.read_text(encoding="utf-8"))["reason"]
        except (OSError, ValueError, KeyError):
            continue
    return reasons


def closed_stats(run_dir: Path) -> dict[str, dict[str, Any]]:
    """The Scrapy stats each spider of the run recorded when it closed, by spider; like ``close_reasons``, a
    closed file that cannot be read is left out."""
    stats = {}
    for path in run_dir.glob("closed-*.json"):
        try:
            stats[path.stem.removeprefix("closed-")] = json.loads(path.read_text(encoding="utf-8")).get("stats") or {}
        except (OSError, ValueError):
            continue
    return stats
