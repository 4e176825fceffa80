"""The delivery journal: what a sending did, on disk, until the writer records it in ``alerts_sent``.

Sending alerts is network time (SMTP and HTTP, seconds per channel, longer when one hangs until its timeout),
so it does not hold the DuckDB write lock nor, under Airflow, the writers' pool slot: the due deliveries are
read read-only, sent, and written to a journal; the writer records the journal afterwards, briefly. Each line
is one JSON object, flushed and fsync'd before the next step: ``intent`` before a delivery is attempted,
``outcome`` after it. So a crash at any point leaves a journal that says what happened:

- an outcome: recorded as it is (a sent alert is never sent again, even if the crash came before recording);
- an intent without an outcome: the delivery may or may not have gone out. It is recorded as failed and
  sent again on the next run: delivery is **at least once** — a duplicate alert beats a lost one.

Journals live in ``<database file>.alert-journal/``, beside the database (under Airflow that path is shared by
every worker): ``NAME.open.jsonl`` while being written, ``NAME.jsonl`` once closed. Only one process sends at a
time (a lock file in that folder); the writer records closed journals, and open ones only when it can take
that lock (their sender died). A recorded journal's name is kept in ``alert_journals`` before the file is
deleted, so a journal is never recorded twice.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from policywatch.transforms.errors import ConfigError, TransientError
from policywatch.warehouse.alerts import RecordedDelivery

__all__ = [
    "DeliveryJournal",
    "PendingDelivery",
    "SendingInProgressError",
    "journal_base_name",
    "journal_dir",
    "journals_to_record",
    "open_journal",
    "pending_deliveries",
    "read_journal",
    "read_journals",
    "sending_lock",
]

Key = tuple[str, str, str]  #: (article id, rule id, channel name)
OPEN, CLOSED = ".open.jsonl", ".jsonl"
_LOCK_FILE = ".sending.lock"


class SendingInProgressError(TransientError):
    """Another process is sending alerts; try again when it is done."""


@dataclass(frozen=True, slots=True)
class PendingDelivery:
    """What journals not recorded yet say about one delivery."""

    sent: bool
    attempts: int


def journal_dir(db_path: str | Path) -> Path:
    db_path = Path(db_path)
    return db_path.parent / f"{db_path.name}.alert-journal"


class DeliveryJournal:
    """Append-only; every line reaches the disk before the delivery it announces (or reports) goes on."""

    def __init__(self, path: Path, handle: IO[str]) -> None:
        self.path = path
        self._handle = handle

    @property
    def name(self) -> str:
        return self.path.name.removesuffix(OPEN)

    def _write(self, record: dict[str, Any]) -> None:
        self._handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        self._handle.flush()
        os.fsync(self._handle.fileno())

    def intent(self, key: Key, title: str) -> None:
        self._write({"kind": "intent", "key": list(key), "title": title, "at": datetime.now(UTC).isoformat()})

    def outcome(self, key: Key, ok: bool, error: str | None) -> None:
        self._write({"kind": "outcome", "key": list(key), "ok": ok, "error": error,
                     "at": datetime.now(UTC).isoformat()})  # fmt: skip


@contextmanager
def open_journal(folder: Path, label: str, header: dict[str, Any]) -> Iterator[DeliveryJournal]:
    """A new journal ``<time>-<label>-<random>``; closed (renamed to ``.jsonl``) however the block ends."""
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in label)[:80]
    # microseconds: journals are recorded in name order, which must be the order they were started in
    name = f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{safe}-{uuid.uuid4().hex[:8]}"
    path = folder / f"{name}{OPEN}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle = path.open("x", encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot write the alert journal {path}: {exc.strerror or exc}") from None
    try:
        with handle:
            journal = DeliveryJournal(path, handle)
            journal._write({"kind": "start", **header})
            try:
                yield journal
            finally:
                handle.flush()
                os.fsync(handle.fileno())
    finally:
        path.rename(folder / f"{name}{CLOSED}")


def read_journal(path: Path) -> tuple[dict[str, Any], list[RecordedDelivery]]:
    """The header and one entry per attempted delivery, in the order attempted. A torn last line (the
    sender died mid-write) is ignored: its delivery has an intent and no outcome, or was not begun."""
    header: dict[str, Any] = {}
    attempts: dict[Key, RecordedDelivery] = {}
    # a line torn mid-character must not make the whole file unreadable: it fails json.loads below instead
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        kind = record.get("kind")
        if kind == "start":
            header = {k: v for k, v in record.items() if k != "kind"}
            continue
        key: Key = tuple(record["key"])  # type: ignore[assignment]
        if kind == "intent":
            attempts[key] = RecordedDelivery(key, record["title"], datetime.fromisoformat(record["at"]), None)
        elif kind == "outcome" and key in attempts:
            started = attempts[key]
            at = datetime.fromisoformat(record["at"])
            attempts[key] = RecordedDelivery(key, started.title, at, bool(record["ok"]), record.get("error"))
    return header, list(attempts.values())


def _journals(folder: Path, *, include_open: bool) -> list[Path]:
    if not folder.is_dir():
        return []
    found = [p for p in folder.iterdir() if p.name.endswith(CLOSED) and (include_open or not p.name.endswith(OPEN))]
    return sorted(found, key=lambda p: p.name)  # names start with their UTC start time


def journal_base_name(name: str) -> str:
    """A journal's name without its state: the same journal while open and once closed."""
    return name.removesuffix(OPEN).removesuffix(CLOSED)


def read_journals(folder: Path) -> dict[str, list[RecordedDelivery]]:
    """Every journal in ``folder`` (open ones too), by base name, with its entries. A journal the writer
    recorded and deleted after the listing is left out: its deliveries are in ``alerts_sent`` (read after)."""
    journals = {}
    for path in _journals(folder, include_open=True):
        try:
            journals[journal_base_name(path.name)] = read_journal(path)[1]
        except FileNotFoundError:
            continue
    return journals


def pending_deliveries(
    journals: dict[str, list[RecordedDelivery]], *, recorded: set[str] = frozenset()
) -> dict[Key, PendingDelivery]:
    """What the journals not recorded yet say: a delivery one of them sent is not due. ``recorded``: the names
    in ``alert_journals``, read *after* the journals were. A journal the writer recorded in between is still on
    disk but already counted in ``alerts_sent``; counting it again would bring a delivery to its give-up cap
    one attempt early."""
    done = {journal_base_name(name) for name in recorded}
    pending: dict[Key, PendingDelivery] = {}
    for name, entries in journals.items():
        if name in done:
            continue
        for entry in entries:
            before = pending.get(entry.key, PendingDelivery(False, 0))
            pending[entry.key] = PendingDelivery(before.sent or bool(entry.ok), before.attempts + 1)
    return pending


@contextmanager
def sending_lock(folder: Path, *, wait_s: float = 0.0) -> Iterator[None]:
    """Only one process sends at a time (two would both find an alert due and both send it)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle = (folder / _LOCK_FILE).open("a")
    except OSError as exc:
        raise ConfigError(f"cannot use the alert journal folder {folder}: {exc.strerror or exc}") from None
    with handle:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise SendingInProgressError(
                        f"another process is sending alerts (lock {folder / _LOCK_FILE}); retry when it is done"
                    ) from None
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def journals_to_record(folder: Path) -> list[Path]:
    """Closed journals, and open ones whose sender is gone (nobody holds the sending lock)."""
    try:
        with sending_lock(folder):
            return _journals(folder, include_open=True)
    except SendingInProgressError:
        return _journals(folder, include_open=False)
