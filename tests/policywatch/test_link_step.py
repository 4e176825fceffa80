"""Linking stored articles end to end: tables filled, idempotent, stale articles re-linked, CLI views."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from policywatch.cli import app
from policywatch.config import LinkingSettings
from policywatch.reference import BUNDLED_THEMES
from policywatch.steps.import_archive import import_archive
from policywatch.steps.link import link_articles
from tests.conftest import SAMPLES, query, sample_path

runner = CliRunner()


def test_link_fills_the_tables_and_is_idempotent(settings):
    import_archive([SAMPLES], settings)
    first = link_articles(settings)
    assert first.linked == 11 and set(first.reloaded) == {"securities", "themes"}
    assert first.link_classes == {"mention": 36, "name_collision": 6, "theme_stock": 1}
    classes = dict(query(settings, "SELECT anchor_text, link_class FROM stock_links WHERE code LIKE 'sz300%'"
                                   " AND anchor_text IN ('机器人', '新产业')"))  # fmt: skip
    assert classes == {"机器人": "theme_stock", "新产业": "name_collision"}
    assert query(settings, "SELECT count(*) FROM stock_links WHERE link_class IS NULL OR link_reason IS NULL") == [(0,)]
    (outline,) = query(settings, "SELECT article_id FROM article_policy WHERE is_standardization")
    # 15 of the 35 measures name a theme (see tests/transforms/test_measure_themes.py)
    themed = "SELECT count(DISTINCT measure_ordinal) FROM measure_themes WHERE article_id = ?"
    assert query(settings, themed, outline) == [(15,)]
    linked_by_sina = (
        "SELECT ticker, link_classes FROM article_ticker_summary"
        " WHERE article_id = ? AND list_contains(vias, 'sina_link')"
    )
    summary = dict(query(settings, linked_by_sina, outline))
    assert summary == {
        "300024.SZ": ["theme_stock"],
        "300832.SZ": ["name_collision"],
        "000061.SZ": ["name_collision"],
        "000816.SZ": ["name_collision"],
    }
    assert query(settings, "SELECT count(*) FROM securities WHERE kind = 'index'")[0][0] >= 10
    assert query(settings, "SELECT count(*) FROM themes") == [(24,)]
    before = query(settings, "SELECT * FROM article_tickers ORDER BY ALL")
    second = link_articles(settings)
    assert (second.linked, second.reloaded) == (0, [])
    assert query(settings, "SELECT * FROM article_tickers ORDER BY ALL") == before


def test_a_changed_taxonomy_relinks_every_article(settings, tmp_path):
    import_archive([SAMPLES], settings)
    link_articles(settings)
    edited = tmp_path / "themes.yaml"
    edited.write_text(
        BUNDLED_THEMES.read_text(encoding="utf-8").replace("terms: [数据库]", "terms: [数据库, 标准化]"),
        encoding="utf-8",
    )
    changed = settings.model_copy(update={"linking": LinkingSettings(themes_file=edited)})
    again = link_articles(changed)
    assert again.linked == 11 and again.reloaded == ["themes"]
    assert query(changed, "SELECT count(*) FROM measure_themes WHERE theme_id = 'database'")[0][0] > 1


def test_a_new_article_alone_is_linked(settings, tmp_path):
    folder = tmp_path / "posts"
    folder.mkdir()
    (folder / "a.md").write_bytes(sample_path("05_").read_bytes())
    import_archive([folder], settings)
    assert link_articles(settings).linked == 1
    (folder / "b.md").write_bytes(sample_path("08_").read_bytes())
    import_archive([folder], settings)
    assert link_articles(settings).linked == 1


def test_cli_link_show_themes_and_parse(settings):
    db = str(settings.db.path)
    assert runner.invoke(app, ["--db", db, "import-archive", str(SAMPLES)]).exit_code == 0
    result = runner.invoke(app, ["--db", db, "link"])
    assert result.exit_code == 0 and "linked 11 articles" in result.stdout
    (outline,) = query(settings, "SELECT article_id FROM article_policy WHERE is_standardization")
    shown = runner.invoke(app, ["--db", db, "show", outline[0]], env={"COLUMNS": "250"})
    assert shown.exit_code == 0
    for expected in ("standardization policy", "theme_stock", "name_collision", "smart_agriculture", "300024.SZ"):
        assert expected in shown.stdout
    listed = json.loads(runner.invoke(app, ["--db", db, "themes", "--format", "json"]).stdout)
    robots = next(t for t in listed if t["theme"] == "robots")
    assert robots["board members"] == 8 and robots["articles"] == 1
    parsed = json.loads(runner.invoke(app, ["parse", str(sample_path("09_")), "--json"]).stdout)
    (link,) = parsed["stock_links"]
    assert link["class"] == "name_collision" and "长城证券中短债" in link["reason"]
    assert parsed["policy"]["is_policy"] is False
    unlinked = json.loads(runner.invoke(app, ["parse", str(sample_path("09_")), "--json", "--no-link"]).stdout)
    assert "class" not in unlinked["stock_links"][0] and "policy" not in unlinked


def test_broken_taxonomy_file_is_a_clear_error(settings, tmp_path):
    broken = tmp_path / "themes.yaml"
    broken.write_text("themes:\n  - id: x\n    name_zh: 甲\n", encoding="utf-8")
    config = tmp_path / "pw.toml"
    config.write_text(f'[linking]\nthemes_file = "{broken}"\n[db]\npath = "{settings.db.path}"\n')
    result = runner.invoke(app, ["--config", str(config), "themes"])
    assert result.exit_code == 2
    assert "line 2" in result.stderr and "name_en" in result.stderr


def test_an_updated_article_is_linked_again(settings):
    """A newer parser (or a re-crawled page with new text) replaces the article; its linkage must follow."""
    from dataclasses import replace

    from policywatch.transforms.sina.article import parse_archive_post
    from policywatch.warehouse.articles import ArticleRecord, load_articles
    from policywatch.warehouse.store import open_writer

    import_archive([sample_path("00_")], settings)
    link_articles(settings)
    raw = sample_path("00_").read_bytes()
    newer = replace(parse_archive_post(raw), parser_version="9999.1")
    con = open_writer(settings.db.path)
    try:
        result = load_articles(con, [ArticleRecord(newer, raw, "hexo", "archive", "reparsed")], run_id="r")
    finally:
        con.close()
    assert result.updated == [newer.article_id]
    assert query(settings, "SELECT count(*) FROM article_tickers") == [(0,)]  # stale linkage went with the old rows
    again = link_articles(settings)
    assert again.linked == 1
    classes = dict(query(settings, "SELECT anchor_text, link_class FROM stock_links"))
    assert classes == {"机器人": "theme_stock", "新产业": "name_collision", "农产品": "name_collision",
                       "智慧农业": "name_collision"}  # fmt: skip


def test_stored_seven_by_24_tags_become_article_tickers(settings):
    from policywatch.warehouse.store import open_writer

    import_archive([sample_path("02_")], settings)
    con = open_writer(settings.db.path)
    try:
        (aid,) = con.execute("SELECT article_id FROM articles").fetchall()[0]
        con.execute(
            "INSERT INTO stock_links (article_id, origin, code, ticker, exchange, kind, anchor_text, position,"
            " paragraph, seen_in) VALUES (?, 'zhibo_tag', 'sz300750', '300750.SZ', 'SZ', 'stock', '宁德时代',"
            " NULL, NULL, ['tag'])",
            [aid],
        )
    finally:
        con.close()
    link_articles(settings)
    assert query(settings, "SELECT ticker, via FROM article_tickers WHERE via = 'zhibo_tag'") == [
        ("300750.SZ", "zhibo_tag")
    ]
    assert query(settings, "SELECT link_class FROM stock_links WHERE origin = 'zhibo_tag'") == [(None,)]
