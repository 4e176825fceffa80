"""Staging files between the crawler process and the loader: one folder per run.

    RUN_DIR/spec.json                 the job (crawlers.sina.spec)
    RUN_DIR/items-<spider>.jsonl      one JSON record per line: listing, page, zhibo, failure
    RUN_DIR/pages/<sha1 of URL>.html  the raw bytes of each fetched page (written before its record)
    RUN_DIR/rss.jsonl                 RSS items, written by the application before the crawl
    RUN_DIR/closed-<spider>.json      why the spider stopped (``finished`` or not) and its stats
    RUN_DIR/loaded                    present once the loader has stored everything

A record line is written and flushed after its page file, so a crash leaves at worst one partial last line,
which the reader reports instead of failing on.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

__all__ = [
    "LOADED_MARKER",
    "StagedRecord",
    "StagingWriter",
    "close_reasons",
    "read_records",
    "write_closed",
]

LOADED_MARKER = "loaded"
PAGES_DIR = "pages"


@dataclass(frozen=True, slots=True)
class StagedRecord:
    """One line of a staging file; ``error`` is set (and ``data`` empty) for a line that is not JSON."""

    source_file: str
    line: int
    data: dict[str, Any]
    error: str | None = None

    def body(self, run_dir: Path) -> bytes | None:
        name = self.data.get("file")
        return (run_dir / PAGES_DIR / name).read_bytes() if name else None


class StagingWriter:
    """Appends records of one spider (or of the application's RSS step) to a JSON-lines file."""

    def __init__(self, run_dir: Path, name: str) -> None:
        self.run_dir = run_dir
        (run_dir / PAGES_DIR).mkdir(parents=True, exist_ok=True)
        self._out: TextIO = (run_dir / f"{name}.jsonl").open("a", encoding="utf-8")

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
                    yield StagedRecord(path.name, number, {}, f"{path.name} line {number} is not JSON ({exc.msg})")
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
