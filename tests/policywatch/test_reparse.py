"""Re-parsing stored raw bytes with the current parser: ids kept, rows replaced, linking follows."""

from __future__ import annotations

import zlib

from policywatch.warehouse.store import open_writer
from typer.testing import CliRunner

from policywatch.cli import app
from policywatch.steps.import_archive import import_archive
from policywatch.steps.link import link_articles
from policywatch.steps.reparse import reparse_articles
from tests.conftest import SAMPLES, query


def test_only_articles_from_an_older_parser_are_reparsed_and_keep_their_ids(settings):
    import_archive([SAMPLES], settings)
    link_articles(settings)
    before = query(settings, "SELECT article_id, text FROM articles ORDER BY 1")
    assert reparse_articles(settings).checked == 0  # everything is current
    con = open_writer(settings.db.path)
    try:
        # as if two articles had been parsed by an older, broken parser
        con.execute(
            "UPDATE articles SET parser_version = '2020.1', text = 'broken' WHERE article_id IN"
            " (SELECT article_id FROM articles ORDER BY 1 LIMIT 2)"
        )
        con.execute("DELETE FROM measures WHERE article_id IN (SELECT article_id FROM articles WHERE text = 'broken')")
    finally:
        con.close()
    summary = reparse_articles(settings)
    assert (summary.checked, summary.updated, summary.skipped) == (2, 2, [])
    assert query(settings, "SELECT article_id, text FROM articles ORDER BY 1") == before
    assert query(settings, "SELECT count(*) FROM measures") == [(35,)]
    assert link_articles(settings).linked == 2  # linking follows the updated articles


def test_a_page_the_current_parser_refuses_is_a_skip_and_the_article_stays(settings):
    import_archive([SAMPLES], settings)
    con = open_writer(settings.db.path)
    try:
        (aid,) = con.execute("SELECT article_id FROM articles ORDER BY 1 LIMIT 1").fetchall()[0]
        con.execute("UPDATE article_raw SET raw = ? WHERE article_id = ?", [zlib.compress(b"no front matter"), aid])
    finally:
        con.close()
    result = CliRunner().invoke(app, ["--db", str(settings.db.path), "reparse", "--all"])
    assert result.exit_code == 1 and "no_front_matter" in result.stderr
    assert query(settings, "SELECT count(*) FROM articles") == [(11,)]
    missing = CliRunner().invoke(app, ["--db", str(settings.db.path), "reparse", "nope"])
    assert missing.exit_code == 1 and "not_found" in missing.stderr
