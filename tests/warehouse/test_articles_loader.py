from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import zlib
from datetime import datetime

import pytest

from tests.conftest import PAGES, ROOT, SAMPLES, sample_path
from transforms.models import CHINA_TZ
from transforms.sina_article import parse_archive_post, parse_sina_page
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


OUTLINE_URL = "https://finance.sina.com.cn/china/gncj/2021-10-10/doc-iktzscyx9453213.shtml"


def page_record(raw: bytes) -> ArticleRecord:
    return ArticleRecord(parse_sina_page(raw, url=OUTLINE_URL), raw, "html", "crawl", OUTLINE_URL)


def outline_page() -> bytes:
    return (PAGES / "modern_2021_outline.html").read_bytes()


def retitled(raw: bytes) -> bytes:
    return raw.replace('<h1 class="main-title">重磅！'.encode(), '<h1 class="main-title">更新：'.encode())


def retimed(raw: bytes) -> bytes:
    return (
        raw.replace("2021年10月10日 20:58".encode(), "2021年10月10日 21:08".encode())
        .replace(b"2021-10-10T20:58:34+08:00", b"2021-10-10T21:08:34+08:00")
        .replace(b"2021-10-10 20:58:34", b"2021-10-10 21:08:34")
    )


def relinked(raw: bytes) -> bytes:
    return raw.replace(b"sz300024", b"sz300124")  # span, href and keyword comment


@pytest.mark.parametrize(
    ("change", "column", "expected"),
    [
        (
            retitled,
            "title",
            "更新：中央发文，建立健全碳达峰碳中和标准、加强关键技术领域标准研究、建立数据资源产权等标准规范",
        ),
        (retimed, "published_at", datetime(2021, 10, 10, 21, 8, 34, tzinfo=CHINA_TZ)),
        (relinked, "links", ["sz300124", "sz300832", "sz000061", "sz000816"]),
    ],
)
def test_a_page_with_the_same_url_and_text_but_a_new_title_time_or_link_is_an_update(
    tmp_path, change, column, expected
):
    con = open_writer(tmp_path / "db.duckdb")
    raw = outline_page()
    first = load_articles(con, [page_record(raw)], run_id="r1")
    assert first.new == ["ktzscyx9453213"]
    changed = change(raw)
    assert changed != raw
    result = load_articles(con, [page_record(changed)], run_id="r2")
    assert (result.new, result.updated, result.unchanged) == ([], ["ktzscyx9453213"], [])
    sql = {
        "title": "SELECT title FROM articles",
        "published_at": "SELECT published_at FROM articles",
        "links": "SELECT list(code ORDER BY position) FROM stock_links",
    }[column]
    assert con.execute(sql).fetchall() == [(expected,)]
    (stored,) = con.execute("SELECT raw FROM article_raw").fetchall()[0]
    assert zlib.decompress(stored) == changed
    assert counts(con)["articles"] == 1 and counts(con)["stock_links"] == 4
    assert load_articles(con, [page_record(changed)], run_id="r3").unchanged == ["ktzscyx9453213"]


def test_a_hash_id_article_loaded_again_from_the_same_bytes_keeps_its_stored_id(tmp_path):
    """Even when the parser now makes another title and text of them (and so another hash id)."""
    from dataclasses import replace

    con = open_writer(tmp_path / "db.duckdb")
    rec = record("07_")
    load_articles(con, [rec], run_id="r1")
    old_id = rec.article.article_id
    recleaned = replace(rec.article, article_id="h0123456789abcdef", text=rec.article.text + "\n海量资讯")
    result = load_articles(con, [replace(rec, article=recleaned)], run_id="r2")
    assert (result.new, result.updated) == ([], [old_id])
    assert con.execute("SELECT article_id, text FROM articles").fetchall() == [(old_id, recleaned.text)]
