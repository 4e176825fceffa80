"""The ``crawl_rejects`` table: the raw bytes of every page (RSS description, 7x24 item) the parser refused, with
what is needed to parse them again, so that no refusal loses an article for good."""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import duckdb
import pyarrow as pa
from policywatch.transforms.sina.ids import publishid_from_url
from policywatch.warehouse.articles import raw_sha256
from policywatch.warehouse.db import transaction

__all__ = ["Reject", "iter_rejects", "record_rejects", "resolve_rejects"]

_TS = pa.timestamp("us", tz="UTC")
_SCHEMA = pa.schema(
    [
        ("item_key", pa.string()), ("url", pa.string()), ("publishid", pa.string()), ("source", pa.string()),
        ("raw_format", pa.string()), ("reason", pa.string()), ("message", pa.string()),
        ("compression", pa.string()), ("raw", pa.binary()), ("raw_size", pa.int64()), ("raw_sha256", pa.string()),
        ("http_charset", pa.string()), ("record", pa.string()), ("fetched_at", _TS),
        ("parser_version", pa.string()), ("run_id", pa.string()), ("recorded_at", _TS),
    ]
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Reject:
    item_key: str
    url: str
    raw_format: str  #: html | fragment | json
    raw: bytes  #: uncompressed
    reason: str
    message: str
    parser_version: str
    source: str | None = None
    http_charset: str | None = None
    record: dict[str, Any] = field(default_factory=dict)  #: the staged record, without its bytes
    fetched_at: datetime | None = None


def record_rejects(con: duckdb.DuckDBPyConnection, run_id: str, rejects: Sequence[Reject]) -> int:
    """Keep the bytes of each refused item (its last refusal replaces an earlier one, resolved or not)."""
    rows = list({r.item_key: r for r in rejects}.values())
    if not rows:
        return 0
    now = datetime.now(UTC)
    batch = pa.table(
        {
            "item_key": [r.item_key for r in rows],
            "url": [r.url for r in rows],
            "publishid": [publishid_from_url(r.url) for r in rows],
            "source": [r.source for r in rows],
            "raw_format": [r.raw_format for r in rows],
            "reason": [r.reason for r in rows],
            "message": [r.message for r in rows],
            "compression": ["zlib"] * len(rows),
            "raw": [zlib.compress(r.raw, 6) for r in rows],
            "raw_size": [len(r.raw) for r in rows],
            "raw_sha256": [raw_sha256(r.raw) for r in rows],
            "http_charset": [r.http_charset for r in rows],
            "record": [json.dumps(r.record, ensure_ascii=False, default=str) for r in rows],
            "fetched_at": [r.fetched_at for r in rows],
            "parser_version": [r.parser_version for r in rows],
            "run_id": [run_id] * len(rows),
            "recorded_at": [now] * len(rows),
        },
        schema=_SCHEMA,
    )
    names = ", ".join(_SCHEMA.names)
    con.register("_crawl_reject_batch", batch)
    try:
        with transaction(con):
            con.execute("DELETE FROM crawl_rejects WHERE item_key IN (SELECT item_key FROM _crawl_reject_batch)")
            con.execute(f"INSERT INTO crawl_rejects ({names}) SELECT {names} FROM _crawl_reject_batch")
    finally:
        con.unregister("_crawl_reject_batch")
    return len(rows)


def resolve_rejects(con: duckdb.DuckDBPyConnection, stored: Mapping[str, str]) -> int:
    """Mark the rejects of items now stored (``item_key -> article_id``) as resolved."""
    if not stored:
        return 0
    keys, ids = list(stored), list(stored.values())
    rows = con.execute(
        """
        UPDATE crawl_rejects SET resolved_article_id = s.article_id, resolved_at = now()
        FROM (SELECT unnest(?::VARCHAR[]) AS item_key, unnest(?::VARCHAR[]) AS article_id) s
        WHERE crawl_rejects.item_key = s.item_key AND crawl_rejects.resolved_at IS NULL
        RETURNING crawl_rejects.item_key
        """,
        [keys, ids],
    ).fetchall()
    return len(rows)


def iter_rejects(
    con: duckdb.DuckDBPyConnection, *, parser_version: str, everything: bool = False, chunk: int = 100
) -> Iterator[list[Reject]]:
    """Unresolved rejects refused by a parser other than ``parser_version`` (all unresolved ones with
    ``everything``), oldest first, in chunks: their bytes are read a chunk at a time."""
    keys = [
        row[0]
        for row in con.execute(
            "SELECT item_key FROM crawl_rejects WHERE resolved_at IS NULL AND ($all OR parser_version <> $version)"
            " ORDER BY recorded_at, item_key",
            {"all": everything, "version": parser_version},
        ).fetchall()
    ]
    for start in range(0, len(keys), chunk):
        rows = con.execute(
            """
            SELECT item_key, url, raw_format, raw, reason, message, parser_version, source, http_charset,
                   record, fetched_at
            FROM crawl_rejects WHERE item_key IN (SELECT unnest(?::VARCHAR[])) ORDER BY recorded_at, item_key
            """,
            [keys[start : start + chunk]],
        ).fetchall()
        yield [
            Reject(key, url, fmt, zlib.decompress(raw), reason, message, version, source, charset, json.loads(rec), at)
            for key, url, fmt, raw, reason, message, version, source, charset, rec, at in rows
        ]
