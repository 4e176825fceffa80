from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import zlib
from datetime import datetime

import pytest
from policywatch.transforms.models import CHINA_TZ
from policywatch.transforms.sina.article import parse_archive_post, parse_sina_page
from policywatch.warehouse import articles as articles_module
from policywatch.warehouse.articles import ArticleRecord, load_articles
from policywatch.warehouse.store import open_writer

from tests.conftest import PAGES, ROOT, SAMPLES, sample_path

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


@pytest.mark.integration
def test_a_killed_process_leaves_no_half_written_article(tmp_path):
    """The process dies (os._exit) after articles and links are inserted but before the commit."""
    db = tmp_path / "db.duckdb"
    script = textwrap.dedent(
        f"""
        import os
        from pathlib import Path
        from policywatch.transforms.sina.article import parse_archive_post
        from policywatch.warehouse import articles
        from policywatch.warehouse.articles import ArticleRecord, load_articles
        from policywatch.warehouse.store import open_writer

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


def test_two_copies_of_a_post_with_other_front_matter_do_not_replace_each_other(tmp_path):
    """Same title and text (so the same hash id), another feed name in the front matter: the second copy is a
    duplicate of the stored one, not an update of it, however often the two are loaded in turn."""
    con = open_writer(tmp_path / "db.duckdb")
    first = record("05_")
    assert first.article.id_source == "hash"
    other_raw = first.raw.replace("author: 新浪财经\n".encode(), "author: 新浪财经－国內\n".encode())
    assert other_raw != first.raw
    other = ArticleRecord(parse_archive_post(other_raw), other_raw, "hexo", "archive", "/elsewhere/copy.md")
    aid = first.article.article_id
    assert other.article.article_id == aid

    assert load_articles(con, [first], run_id="r1").new == [aid]
    con.execute("INSERT INTO linked_articles VALUES (?, 'l1', 't', 'r', now(), 'r1')", [aid])
    before = snapshot(con)
    for run_id, rec in (("r2", other), ("r3", first), ("r4", other)):
        result = load_articles(con, [rec], run_id=run_id)
        assert (result.new, result.updated) == ([], []), run_id
        assert snapshot(con) == before, run_id
    assert result.duplicates == [("/elsewhere/copy.md", aid, f"same article as {first.origin_ref}, already stored")]
    (stored,) = con.execute("SELECT raw FROM article_raw").fetchall()[0]
    assert zlib.decompress(stored) == first.raw
    assert con.execute("SELECT article_id FROM linked_articles").fetchall() == [(aid,)]


def test_a_post_with_a_publishid_from_another_file_is_still_an_update(tmp_path):
    """A Sina id names one article wherever it was read from: a changed copy elsewhere replaces it."""
    con = open_writer(tmp_path / "db.duckdb")
    url = "https://finance.sina.com.cn/china/gncj/2021-10-10/doc-iktzscyx9453213.shtml"
    raw = sample_path("05_").read_bytes().replace(b"comments: false\n", f"comments: false\nurl: {url}\n".encode())
    first = ArticleRecord(parse_archive_post(raw), raw, "hexo", "archive", "/archive/a.md")
    assert (first.article.article_id, first.article.id_source) == ("ktzscyx9453213", "publishid")
    changed = raw.replace("author: 新浪财经\n".encode(), "author: 新浪财经－国內\n".encode())
    moved = ArticleRecord(parse_archive_post(changed), changed, "hexo", "archive", "/archive/b.md")
    load_articles(con, [first], run_id="r1")
    result = load_articles(con, [moved], run_id="r2")
    assert (result.updated, result.duplicates) == (["ktzscyx9453213"], [])
    (stored,) = con.execute("SELECT raw FROM article_raw").fetchall()[0]
    assert zlib.decompress(stored) == changed


def test_of_two_copies_in_one_batch_the_stored_file_is_the_one_that_updates(tmp_path):
    con = open_writer(tmp_path / "db.duckdb")
    first = record("05_")
    aid = first.article.article_id
    load_articles(con, [first], run_id="r1")
    other_raw = first.raw.replace("author: 新浪财经\n".encode(), "author: 新浪财经－国內\n".encode())
    other = ArticleRecord(parse_archive_post(other_raw), other_raw, "hexo", "archive", "/elsewhere/copy.md")
    edited_raw = first.raw.replace(b"comments: false\n", b"comments: true\n")
    edited = ArticleRecord(parse_archive_post(edited_raw), edited_raw, "hexo", "archive", first.origin_ref)
    result = load_articles(con, [other, edited], run_id="r2")
    assert (result.updated, result.duplicates) == (
        [aid],
        [("/elsewhere/copy.md", aid, f"same article as {first.origin_ref} in this import")],
    )
    (stored,) = con.execute("SELECT raw FROM article_raw").fetchall()[0]
    assert zlib.decompress(stored) == edited_raw
