from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import zlib

import pytest

from tests.conftest import ROOT, SAMPLES, sample_path
from transforms.sina_article import parse_archive_post
from warehouse import articles as articles_module
from warehouse.articles import ArticleRecord, load_articles
from warehouse.store import open_writer

TABLES = (
    "articles",
    "article_raw",
    "stock_links",
    "text_codes",
    "sections",
    "measures",
    "numbered_list_items",
)


def record(prefix: str) -> ArticleRecord:
    raw = sample_path(prefix).read_bytes()
    return ArticleRecord(parse_archive_post(raw), raw, "hexo", "archive", str(sample_path(prefix)))


def counts(con) -> dict[str, int]:
    return {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in TABLES}


def snapshot(con) -> list:
    """Every row of every table, except the articles' load time and run (a reload leaves those alone too)."""
    rows = []
    for table in TABLES:
        columns = "* EXCLUDE (loaded_at, run_id)" if table == "articles" else "*"
        rows.append(con.execute(f"SELECT {columns} FROM {table} ORDER BY ALL").fetchall())
    return rows


def test_rows_match_the_article(tmp_path):
    con = open_writer(tmp_path / "db.duckdb")
    result = load_articles(con, [record("00_"), record("10_")], run_id="r1")
    assert len(result.new) == 2
    aid = result.new[0]
    assert con.execute("SELECT count(*) FROM measures WHERE article_id = ?", [aid]).fetchall()[0][0] == 35
    assert con.execute(
        "SELECT heading, section FROM measures WHERE article_id = ? AND number = 3", [aid]
    ).fetchall() == [("加强关键技术领域标准研究", 2)]
    assert con.execute("SELECT count(*) FROM numbered_list_items WHERE article_id = ?", [aid]).fetchall()[0][0] == 10
    assert con.execute(
        "SELECT code, ticker, anchor_text FROM stock_links WHERE article_id = ? ORDER BY position", [aid]
    ).fetchall()[0] == ("sz300024", "300024.SZ", "机器人")
    published, date_cn = con.execute(
        "SELECT published_at, published_date_cn FROM articles WHERE article_id = ?", [aid]
    ).fetchall()[0]
    assert str(date_cn) == "2021-10-10" and published.utcoffset() is not None
    raw, size = con.execute("SELECT raw, raw_size FROM article_raw WHERE article_id = ?", [aid]).fetchall()[0]
    assert zlib.decompress(raw) == sample_path("00_").read_bytes() and size == len(zlib.decompress(raw))
    assert len(raw) < size / 2  # compressed
    bj = con.execute("SELECT ticker, exchange FROM stock_links WHERE code = 'bj838275'").fetchall()
    assert bj == [("838275.BJ", "BJ")]


def test_loading_twice_changes_nothing(tmp_path):
    con = open_writer(tmp_path / "db.duckdb")
    records = [record(f"{n:02d}_") for n in range(11)]
    load_articles(con, records, run_id="r1")
    before = snapshot(con)
    result = load_articles(con, records, run_id="r2")
    assert (result.new, result.updated, len(result.unchanged)) == ([], [], 11)
    assert snapshot(con) == before


def test_a_newer_parser_replaces_every_owned_row(tmp_path, monkeypatch):
    con = open_writer(tmp_path / "db.duckdb")
    load_articles(con, [record("00_")], run_id="r1")
    rec = record("00_")
    from dataclasses import replace

    newer = replace(rec, article=replace(rec.article, parser_version="9999", measures=rec.article.measures[:3]))
    result = load_articles(con, [newer], run_id="r2")
    assert result.updated == [rec.article.article_id]
    assert con.execute("SELECT count(*) FROM measures").fetchall()[0][0] == 3
    assert con.execute("SELECT parser_version FROM articles").fetchall() == [("9999",)]


def test_duplicates_within_a_batch_are_reported(tmp_path):
    con = open_writer(tmp_path / "db.duckdb")
    first = record("05_")
    again = ArticleRecord(first.article, first.raw, "hexo", "archive", "/elsewhere/copy.md")
    result = load_articles(con, [first, again], run_id="r1")
    assert len(result.new) == 1
    assert result.duplicates == [("/elsewhere/copy.md", first.article.article_id,
                                  f"same article as {first.origin_ref} in this import")]  # fmt: skip


def test_an_error_mid_batch_rolls_back_the_whole_batch(tmp_path, monkeypatch):
    con = open_writer(tmp_path / "db.duckdb")
    load_articles(con, [record("01_")], run_id="r1")
    before = counts(con)
    real_insert = articles_module.insert_rows

    def failing_insert(con_, table, *args, **kwargs):
        if table == "measures":
            raise RuntimeError("disk full")
        return real_insert(con_, table, *args, **kwargs)

    monkeypatch.setattr(articles_module, "insert_rows", failing_insert)
    with pytest.raises(RuntimeError, match="disk full"):
        load_articles(con, [record("00_"), record("02_")], run_id="r2")
    assert counts(con) == before


def test_a_killed_process_leaves_no_half_written_article(tmp_path):
    """The process dies (os._exit) after articles and links are inserted but before the commit."""
    db = tmp_path / "db.duckdb"
    script = textwrap.dedent(
        f"""
        import os
        from pathlib import Path
        from transforms.sina_article import parse_archive_post
        from warehouse import articles
        from warehouse.articles import ArticleRecord, load_articles
        from warehouse.store import open_writer

        real = articles.insert_rows
        def dying(con, table, *a, **k):
            if table == "sections":
                os._exit(9)
            return real(con, table, *a, **k)
        articles.insert_rows = dying
        con = open_writer({str(db)!r})
        paths = sorted(Path({str(SAMPLES)!r}).glob("0*.md"))
        records = [ArticleRecord(parse_archive_post(p.read_bytes()), p.read_bytes(), "hexo", "archive", str(p))
                   for p in paths]
        load_articles(con, records, run_id="crash")
        """
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True)
    assert proc.returncode == 9, proc.stderr
    con = open_writer(db)
    assert counts(con) == dict.fromkeys(TABLES, 0)
