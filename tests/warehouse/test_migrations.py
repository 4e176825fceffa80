from __future__ import annotations

import pytest
from policywatch.transforms.errors import ConfigError
from policywatch.warehouse import migrate as migrate_module
from policywatch.warehouse.db import connect
from policywatch.warehouse.migrate import available_migrations, migrate


def test_fresh_database_gets_every_migration_in_order(tmp_path):
    con = connect(tmp_path / "db.duckdb")
    applied = migrate(con)
    versions = [m.version for m in applied]
    assert versions == sorted(versions) and versions[0] == 1
    recorded = con.execute("SELECT version FROM schema_migrations ORDER BY version").fetchall()
    assert [v for (v,) in recorded] == versions
    tables = {t for (t,) in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert {"articles", "article_raw", "stock_links", "text_codes", "measures", "runs", "skips"} <= tables
    assert migrate(con) == []  # a second run applies nothing


def test_an_edited_migration_is_refused(tmp_path, monkeypatch):
    con = connect(tmp_path / "db.duckdb")
    migrate(con)
    first, *rest = available_migrations()
    edited = type(first)(first.version, first.name, first.sql + "\n-- edited")
    monkeypatch.setattr(migrate_module, "available_migrations", lambda: [edited, *rest])
    with pytest.raises(ConfigError, match="changed after it was applied"):
        migrate(con)


def test_a_failing_migration_leaves_nothing_behind(tmp_path, monkeypatch):
    con = connect(tmp_path / "db.duckdb")
    good = available_migrations()
    bad = type(good[0])(9999, "broken", "CREATE TABLE half_done (x INTEGER); SELECT * FROM no_such_table;")
    monkeypatch.setattr(migrate_module, "available_migrations", lambda: [*good, bad])
    with pytest.raises(Exception, match="no_such_table"):
        migrate(con)
    tables = {t for (t,) in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert "half_done" not in tables
    assert con.execute("SELECT max(version) FROM schema_migrations").fetchall()[0][0] == good[-1].version
