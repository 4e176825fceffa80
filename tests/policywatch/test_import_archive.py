"""The archive import end to end: folders, idempotence, bad posts as recorded skips, runs."""

from __future__ import annotations

import json
import shutil

from policywatch.steps.import_archive import import_archive
from tests.conftest import SAMPLES, sample_path
from warehouse.store import open_reader


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
