"""Ordered, named schema migrations recorded in ``schema_migrations``; each applied in its own transaction.

Migrations are the files ``warehouse/migrations/NNNN_name.sql`` applied in number order. An applied
migration whose file has changed since is an error: write a new migration instead of editing an old one.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
from policywatch.transforms.errors import ConfigError
from policywatch.warehouse.db import transaction

__all__ = ["Migration", "applied_migrations", "available_migrations", "migrate"]

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_NAME = re.compile(r"^(?P<version>\d{4})_(?P<name>[a-z0-9_]+)\.sql$")


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()[:16]


def available_migrations() -> list[Migration]:
    found: dict[int, Migration] = {}
    for entry in sorted(MIGRATIONS_DIR.iterdir()):
        match = _NAME.match(entry.name)
        if not match:
            continue
        version = int(match["version"])
        if version in found:
            raise ConfigError(f"two migrations share version {version:04d}: {found[version].name}, {match['name']}")
        found[version] = Migration(version, match["name"], entry.read_text(encoding="utf-8"))
    return [found[v] for v in sorted(found)]


def applied_migrations(con: duckdb.DuckDBPyConnection) -> dict[int, tuple[str, str]]:
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, checksum VARCHAR NOT NULL,"
        " applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
    )
    rows = con.execute("SELECT version, name, checksum FROM schema_migrations").fetchall()
    return {version: (name, checksum) for version, name, checksum in rows}


def migrate(con: duckdb.DuckDBPyConnection) -> list[Migration]:
    """Apply every migration not yet applied; returns the ones applied now."""
    done = applied_migrations(con)
    applied: list[Migration] = []
    for migration in available_migrations():
        if migration.version in done:
            name, checksum = done[migration.version]
            if checksum != migration.checksum:
                raise ConfigError(
                    f"migration {migration.version:04d}_{name} changed after it was applied to this database; "
                    "add a new migration instead of editing an applied one"
                )
            continue
        with transaction(con):
            con.execute(migration.sql)
            con.execute(
                "INSERT INTO schema_migrations (version, name, checksum) VALUES (?, ?, ?)",
                [migration.version, migration.name, migration.checksum],
            )
        applied.append(migration)
    return applied
