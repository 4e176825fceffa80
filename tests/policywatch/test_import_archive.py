"""The archive import end to end: folders, idempotence, bad posts as recorded skips, runs."""

from __future__ import annotations

import json
import shutil
import zlib
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from policywatch.transforms.sina import body as sina_body
from policywatch.transforms.sina.article import parse_archive_post
from policywatch.warehouse.store import open_reader

from policywatch.steps import import_archive as import_module
from policywatch.steps.import_archive import import_archive
from tests.conftest import SAMPLES, query, sample_path


def build_archive(root):
    """A folder tree like the public archive: posts nested under category folders."""
    nested = root / "source" / "_posts" / "金融" / "新浪财经"
    nested.mkdir(parents=True)
    for path in SAMPLES.glob("*.md"):
        shutil.copy(path, nested / path.name)
    return root


def table_counts(db) -> dict[str, int]:
    con = open_reader(db)
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]
                for t in ("articles", "stock_links", "measures", "article_raw")}  # fmt: skip
    finally:
        con.close()


def test_import_a_folder_recursively_then_again(tmp_path, settings):
    archive = build_archive(tmp_path / "archive")
    seen = []
    first = import_archive([archive], settings, on_item=seen.append)
    assert (first.found, first.new, first.skipped) == (11, 11, [])  # SOURCES.md is not a post
    assert len(seen) == 11
    after_first = table_counts(settings.db.path)
    assert after_first["articles"] == 11 and after_first["measures"] == 35
    assert after_first["stock_links"] == 4 + 13 + 15 + 2 + 2 + 1 + 6

    second = import_archive([archive], settings)
    assert (second.new, second.updated, second.unchanged, second.skipped) == (0, 0, 11, [])
    assert table_counts(settings.db.path) == after_first

    con = open_reader(settings.db.path)
    runs = con.execute("SELECT command, status, counts FROM runs ORDER BY started_at").fetchall()
    con.close()
    assert [(c, s) for c, s, _ in runs] == [("import-archive", "ok"), ("import-archive", "ok")]
    assert json.loads(runs[1][2])["unchanged"] == 11


def test_bad_posts_are_recorded_skips_and_the_import_goes_on(tmp_path, settings):
    folder = tmp_path / "posts"
    folder.mkdir()
    outline = sample_path("00_").read_bytes()
    shutil.copy(sample_path("05_"), folder / "good.md")
    shutil.copy(sample_path("05_"), folder / "good-copy.md")  # a duplicate post
    (folder / "truncated.md").write_bytes(outline[: len(outline) // 2])
    (folder / "empty.md").write_bytes(b"")
    (folder / "garbage.md").write_bytes(bytes(range(256)) * 20)
    (folder / "no-front-matter.md").write_bytes(outline.split(b"---\n", 2)[2])
    (folder / "gbk-unknown-charset.md").write_bytes(
        b'---\ntitle: x\n---\n<div><meta charset="x-made-up"><p>' + "正文".encode("gbk") + b"</p></div>\n"
    )
    summary = import_archive([folder, tmp_path / "missing-folder"], settings)
    reasons = {skip.item.rsplit("/", 1)[-1]: skip.reason for skip in summary.skipped}
    assert reasons == {
        "missing-folder": "not_found",
        "truncated.md": "truncated",
        "empty.md": "empty",
        "garbage.md": "binary",
        "no-front-matter.md": "no_front_matter",
        "gbk-unknown-charset.md": "unknown_charset",
        "good.md": "duplicate",  # sorted order: good-copy.md is imported first
    }
    assert summary.new == 1 and summary.status == "partial"
    con = open_reader(settings.db.path)
    stored = con.execute("SELECT reason, message FROM skips ORDER BY reason").fetchall()
    status = con.execute("SELECT status FROM runs").fetchall()
    con.close()
    assert sorted(r for r, _ in stored) == sorted(reasons.values())
    assert all(message for _, message in stored)
    assert status == [("partial",)]


def test_a_post_with_an_impossible_date_is_stored_undated_and_the_import_goes_on(tmp_path, settings):
    folder = tmp_path / "posts"
    folder.mkdir()
    raw = sample_path("00_").read_bytes()
    impossible = raw.replace(b"date: Sun, 10 Oct 2021 12:58:34 GMT", b"date: 2021-02-30")
    assert impossible != raw
    (folder / "a-impossible-date.md").write_bytes(impossible)
    shutil.copy(sample_path("05_"), folder / "b-later.md")
    summary = import_archive([folder], settings)
    assert (summary.found, summary.new, summary.skipped, summary.status) == (2, 2, [], "ok")
    rows = query(settings, "SELECT origin_ref, published_at, warnings FROM articles ORDER BY origin_ref")
    assert [(ref.rsplit("/", 1)[-1], published) for ref, published, _ in rows] == [
        ("a-impossible-date.md", None),
        ("b-later.md", datetime(2021, 8, 30, 8, 54, 36, tzinfo=UTC)),
    ]
    assert "the post has no usable date: '2021-02-30' names no real day or time" in rows[0][2]


PROMO = "海量资讯、精准解读，尽在新浪财经APP"  # the QR promo block at the end of every sample post


def stored(settings, column: str) -> list[tuple]:
    return query(settings, f"SELECT article_id, {column} FROM articles ORDER BY article_id")


def test_a_change_in_the_cleaning_updates_the_articles_under_their_stored_ids(settings, monkeypatch):
    first = import_archive([SAMPLES], settings)
    assert first.new == 11
    before = stored(settings, "id_source")
    assert {source for _, source in before} == {"hash"}
    # a parser whose promo filter is gone: the promo becomes text, and the title+text hash changes
    monkeypatch.setattr(sina_body, "_NOISE_CLASSES", frozenset())
    reparsed = parse_archive_post(sample_path("00_").read_bytes())
    assert PROMO in reparsed.text and reparsed.article_id not in {aid for aid, _ in before}

    second = import_archive([SAMPLES], settings)
    assert (second.new, second.updated, second.unchanged, second.skipped) == (0, 11, 0, [])
    assert stored(settings, "id_source") == before
    assert all(PROMO in text for _, text in stored(settings, "text"))
    assert query(settings, "SELECT count(*) FROM article_raw") == [(11,)]


def test_a_newer_parser_version_with_another_cleaning_keeps_the_ids(settings, monkeypatch):
    import_archive([SAMPLES], settings)
    before = [aid for aid, _ in stored(settings, "id_source")]
    monkeypatch.setattr(sina_body, "_NOISE_CLASSES", frozenset())
    real_parse = import_module.parse_archive_post
    monkeypatch.setattr(
        import_module, "parse_archive_post", lambda data: replace(real_parse(data), parser_version="2099.1")
    )
    second = import_archive([SAMPLES], settings)
    assert (second.new, second.updated) == (0, 11)
    assert stored(settings, "parser_version") == [(aid, "2099.1") for aid in before]


def test_a_corrected_date_in_a_post_is_an_update(tmp_path, settings):
    post = tmp_path / "outline.md"
    raw = sample_path("00_").read_bytes()
    post.write_bytes(raw)
    import_archive([post], settings)
    ((aid, published),) = stored(settings, "published_at")
    assert published == datetime(2021, 10, 10, 12, 58, 34, tzinfo=UTC)

    corrected = raw.replace(b"date: Sun, 10 Oct 2021 12:58:34 GMT", b"date: Sun, 10 Oct 2021 02:58:34 GMT")
    assert corrected != raw
    post.write_bytes(corrected)
    summary = import_archive([post], settings)
    assert (summary.new, summary.updated, summary.unchanged) == (0, 1, 0)
    assert stored(settings, "published_at") == [(aid, datetime(2021, 10, 10, 2, 58, 34, tzinfo=UTC))]
    (stored_raw,) = query(settings, "SELECT raw FROM article_raw")[0]
    assert zlib.decompress(stored_raw) == corrected
    assert query(settings, "SELECT count(*) FROM stock_links") == [(4,)]


def test_the_same_archive_by_a_relative_then_an_absolute_path_is_unchanged(tmp_path, settings):
    archive = build_archive(tmp_path / "archive")  # the working directory is tmp_path
    first = import_archive([Path("archive")], settings)
    assert (first.new, first.skipped) == (11, [])
    second = import_archive([archive.resolve()], settings)
    assert (second.unchanged, second.skipped, second.status) == (11, [], "ok")
    both = import_archive([Path("archive"), archive, Path("archive/source/..")], settings)
    assert (both.found, both.unchanged, both.skipped) == (11, 11, [])
    refs = {ref for (ref,) in query(settings, "SELECT origin_ref FROM articles")}
    assert all(ref.startswith(str(archive.resolve()) + "/") for ref in refs) and len(refs) == 11
