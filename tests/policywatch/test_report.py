"""The HTML report: self-contained pages with the article's measures, judged links, CAAR charts and statistics,
checked as text and in a real headless browser (Debian's Chromium)."""

from __future__ import annotations

import base64
import os
import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from policywatch.warehouse.store import open_reader
from typer.testing import CliRunner

from policywatch.cli import app
from policywatch.config import DatabaseSettings, Settings
from policywatch.reference import BUNDLED_PRICES
from policywatch.report import HEADLINE_STUDY, write_reports
from policywatch.steps.import_archive import import_archive
from policywatch.steps.link import link_articles
from policywatch.steps.prices import fetch_prices
from policywatch.steps.study.run import run_study
from tests.conftest import SAMPLES

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def outline_id(con) -> str:
    """The standardization outline's id: the one standardization policy among the samples."""
    ((outline,),) = con.execute("SELECT article_id FROM article_policy WHERE is_standardization").fetchall()
    return outline


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Settings:
    """The samples imported and linked, real prices where they exist and synthetic ones elsewhere, both studies."""
    root = tmp_path_factory.mktemp("report")
    settings = Settings(db=DatabaseSettings(path=root / "pw.duckdb", lock_timeout_s=0))
    import_archive([SAMPLES], settings)
    link_articles(settings)
    fetch_prices(settings, provider="file", file=str(BUNDLED_PRICES), since=date(2020, 10, 1))
    fetch_prices(settings, provider="synthetic", since=date(2020, 6, 1), fill_gaps=True)
    run_study(settings)
    con = open_reader(settings.db.path)
    outline = outline_id(con)
    con.close()
    run_study(settings, name=HEADLINE_STUDY, refresh_events=False, article_ids=[outline],
              price_sources=[f"file:{BUNDLED_PRICES.name}"])  # fmt: skip
    return settings


@pytest.fixture(scope="module")
def report(warehouse, tmp_path_factory):
    out = tmp_path_factory.mktemp("html")
    return write_reports(warehouse, out)


def outline_page(report) -> str:
    (page,) = [p for p in report.pages if "国家标准化发展纲要" in p.read_text(encoding="utf-8")]
    return page.read_text(encoding="utf-8")


def test_one_page_per_article_and_an_overview(report):
    assert report.index.exists() and len(report.pages) == 11
    index = report.index.read_text(encoding="utf-8")
    for page in report.pages:
        assert page.name in index  # every article is linked from the overview


def test_article_page_shows_measures_links_charts_and_statistics(report):
    html = outline_page(report)
    assert html.count("<td>（") >= 35  # every measure's label
    assert "加强关键技术领域标准研究" in html
    assert re.search(r"机器人</td>\s*<td>sz300024</td><td>300024.SZ</td><td><span class=\"tag theme_stock\">", html)
    assert '<span class="tag name_collision">name_collision</span>' in html
    assert "nothing around it names the company 农产品 (000061.SZ)" in html  # the reason, not just the class
    assert "CAAR by theme" in html and "CAAR by class of Sina link" in html
    assert "Kolari" in html and "Patell Z" in html and "Corrado" in html
    assert "<b>synthetic</b>" in html and "file:cn_daily_2020-10_2022-01.csv.gz" in html


def test_the_theme_chart_shows_every_theme_and_says_so(report, warehouse):
    con = open_reader(warehouse.db.path)
    try:
        outline = outline_id(con)
        themes = con.execute(
            "SELECT count(DISTINCT group_id) FROM study_results WHERE study = 'default'"
            " AND group_type = 'article_theme' AND starts_with(group_id, ?)",
            [f"{outline}|"],
        ).fetchall()[0][0]
    finally:
        con.close()
    html = outline_page(report)
    assert themes > 6  # the old chart silently kept the six largest (ties: alphabetical)
    assert f'alt="CAAR by theme: all {themes} themes of the article"' in html


def test_every_theme_member_is_listed(report, warehouse):
    con = open_reader(warehouse.db.path)
    try:
        outline = outline_id(con)
        members = con.execute(
            "SELECT measure_ordinal, theme_id, list(ticker ORDER BY ticker) FROM article_tickers"
            " WHERE article_id = ? AND via = 'theme' GROUP BY 1, 2",
            [outline],
        ).fetchall()
        no_theme = con.execute(
            "SELECT count(*) FROM measures m WHERE article_id = ? AND NOT EXISTS (SELECT 1 FROM measure_themes t"
            " WHERE t.article_id = m.article_id AND t.measure_ordinal = m.ordinal)",
            [outline],
        ).fetchall()[0][0]
    finally:
        con.close()
    html = outline_page(report)
    longest = max(len(tickers) for *_, tickers in members)
    assert longest > 6  # members used to be cut to six with no notice
    for *_, tickers in members:
        assert all(t in html for t in tickers)
    assert f"and {longest - 6} more</summary>" in html
    # measures that name no theme are one collapsed row, not 20 empty ones
    assert no_theme > 0 and f"<summary>{no_theme} measures without a theme</summary>" in html


def test_tags_of_article_kinds_are_not_link_classes(report):
    index = report.index.read_text(encoding="utf-8")
    assert '<span class="tag standardization">standardization</span>' in index
    assert 'class="tag theme_stock">standardization' not in index
    assert ".standardization {" in index and ".policy {" in index


def test_an_index_for_one_article_links_only_its_page(warehouse, tmp_path):
    con = open_reader(warehouse.db.path)
    outline = outline_id(con)
    con.close()
    out = tmp_path / "one"
    result = CliRunner().invoke(app, ["--db", str(warehouse.db.path), "report", outline, "--out", str(out)])
    assert result.exit_code == 0, result.output
    pages = [p.name for p in out.glob("article-*.html")]
    index = (out / "index.html").read_text(encoding="utf-8")
    linked = re.findall(r'href="(article-[^"]+)"', index)
    assert pages == [f"article-{outline}.html"] and set(linked) == set(pages)
    assert "This folder holds pages for 1 of the 11 stored items" in index
    assert index.count("(no page in this folder)") == 10


def test_pages_are_self_contained(report):
    for page in [report.index, *report.pages]:
        html = page.read_text(encoding="utf-8")
        assert not re.search(r"<(script|link)\b", html)
        assert not re.search(r"src=\"(?!data:)", html)  # every image is embedded
        for encoded in re.findall(r"src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"", html):
            assert base64.b64decode(encoded)[:8] == b"\x89PNG\r\n\x1a\n"


def test_overview_leads_with_the_outline_on_real_prices(report):
    index = report.index.read_text(encoding="utf-8")
    assert "The headline case:" in index and "day 0 is 2021-10-11" in index
    headline = index.split("The headline case:", 1)[1].split("Do name-collision links", 1)[0]
    assert headline.count("file:cn_daily_2020-10_2022-01.csv.gz</td>") == 8  # 4 linked + 4 theme stocks, all real
    assert "synthetic</td>" not in headline
    assert "Sina link class: name_collision" in headline and "Reached via: theme" in headline
    assert "share one day 0" in headline
    assert "Do name-collision links move prices like genuine mentions?" in index
    assert "synthetic prices" in index  # the banner: the default study mixes real and synthetic prices


#: Does the page's own font stack draw Chinese? Without a CJK font every Chinese character is the same
#: ".notdef" box ("tofu"), the very box drawn for U+FFFF, which no font has: two different characters then give
#: identical pixels, and a character gives the pixels of U+FFFF. (Widths cannot tell: a CJK font's own .notdef
#: box is one em wide, like its ideographs.)
CJK_PROBE = """() => {
  const canvas = document.createElement("canvas");
  canvas.width = 96; canvas.height = 64;
  const g = canvas.getContext("2d");
  g.font = "40px " + getComputedStyle(document.body).fontFamily;
  const pixels = (text) => {
    g.clearRect(0, 0, canvas.width, canvas.height);
    g.fillText(text, 4, 48);
    return Array.from(g.getImageData(0, 0, canvas.width, canvas.height).data).join(",");
  };
  const guo = pixels("国"), jia = pixels("家"), tofu = pixels("\\uFFFF");
  return {distinct: guo !== jia, not_tofu: guo !== tofu && jia !== tofu};
}"""

#: .ci/run sets this: in CI the browser test must run, never skip
REQUIRED = bool(os.environ.get("POLICYWATCH_REQUIRE_BROWSER"))


@pytest.mark.skipif(
    CHROMIUM is None and not REQUIRED,
    reason="Chromium is not installed (apt-get install chromium); .ci/run installs it and requires this test",
)
@pytest.mark.integration
def test_pages_render_in_a_real_browser(report):
    from playwright.sync_api import sync_playwright

    assert CHROMIUM is not None, "POLICYWATCH_REQUIRE_BROWSER is set but Chromium is not installed"

    flags = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
             "--disable-component-update", "--disable-sync"]  # fmt: skip
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=flags)
        try:
            for path in [report.index, _outline_path(report)]:
                page = browser.new_page()
                problems: list[str] = []
                requests: list[str] = []
                page.on("console", lambda m, p=problems: p.append(m.text) if m.type in ("error", "warning") else None)
                page.on("pageerror", lambda e, p=problems: p.append(str(e)))
                page.on("request", lambda r, q=requests: q.append(r.url))
                page.goto(path.as_uri())
                images = page.eval_on_selector_all("img", "els => els.map(e => [e.complete, e.naturalWidth])")
                assert images and all(done and width > 0 for done, width in images), images
                assert problems == []
                assert [u for u in requests if not u.startswith(("file:", "data:"))] == []
                assert page.title().endswith("policywatch") or page.title() == "policywatch report"
                glyphs = page.evaluate(CJK_PROBE)
                assert glyphs["distinct"] and glyphs["not_tofu"], (
                    f"Chinese text renders as empty boxes ({glyphs}): no CJK font is installed "
                    "(apt-get install fonts-noto-cjk; .ci/run does)"
                )
                page.close()
        finally:
            browser.close()


def _outline_path(report) -> Path:
    return next(p for p in report.pages if "国家标准化发展纲要" in p.read_text(encoding="utf-8"))


def test_report_command(warehouse, tmp_path):
    out = tmp_path / "cli-report"
    result = CliRunner().invoke(app, ["--db", str(warehouse.db.path), "report", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "index.html").exists() and len(list(out.glob("article-*.html"))) == 11


def test_a_wide_band_does_not_flatten_the_other_curves():
    """A group of three can have a ±30% band: the y-axis follows the CAAR curves (padded by half their span,
    at least 2 points) and the band is clipped at it, with the curve labelled so."""
    import numpy as np
    from policywatch.transforms.event_study.report import CaarCurve

    from policywatch.plots import _clipped, caar_grid_png, caar_png, y_range

    days = np.arange(-5, 11)
    narrow = CaarCurve("mention", 30, days, np.linspace(-0.01, 0.03, 16), np.full(16, -0.02), np.full(16, 0.04))
    wide = CaarCurve("name_collision", 3, days, np.full(16, 0.01), np.full(16, -0.30), np.full(16, 0.30))
    limits = y_range([narrow, wide])
    assert limits == pytest.approx((-1.0 - 2.0, 3.0 + 2.0))  # curves span −1..3 %: padded by 2 points
    assert _clipped(wide, limits) and not _clipped(narrow, limits)
    for png in (caar_png([narrow, wide], title="t"), caar_grid_png([narrow, wide], title="t")):
        assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_flashes_go_under_the_article_with_their_headline():
    from policywatch.report.data import group_flashes

    article = {"article_id": "a", "origin": "crawl", "title": "重磅！中央发文"}
    flash = {"article_id": "zhibo1", "origin": "zhibo", "title": "重磅！ 中央发文"}
    alone = {"article_id": "zhibo2", "origin": "zhibo", "title": "另一条快讯"}
    assert group_flashes([article, flash, alone]) == [article, alone]
    assert article["flashes"] == [flash] and alone["flashes"] == []


def test_untitled_flashes_are_not_grouped_under_an_untitled_article():
    from policywatch.report.data import group_flashes

    untitled = {"article_id": "a", "origin": "crawl", "title": ""}
    titled = {"article_id": "b", "origin": "crawl", "title": "重磅！中央发文"}
    flash_none = {"article_id": "zhibo1", "origin": "zhibo", "title": None}
    flash_blank = {"article_id": "zhibo2", "origin": "zhibo", "title": " 。"}
    assert group_flashes([untitled, titled, flash_none, flash_blank]) == [untitled, titled, flash_none, flash_blank]
    assert untitled["flashes"] == [] and titled["flashes"] == []


def test_the_totals_count_a_flash_once_whether_or_not_it_has_an_article():
    from policywatch.report.data import group_flashes, overview_totals

    def row(article_id, origin, title, **counts):
        base = {"is_policy": False, "is_standardization": False, "sina_links": 0, "collisions": 0}
        return {"article_id": article_id, "origin": origin, "title": title, **base, **counts}

    articles = [
        row("a", "crawl", "重磅！中央发文", is_policy=True, sina_links=3, collisions=1),
        row("b", "archive", "国家标准化发展纲要", is_policy=True, is_standardization=True, sina_links=2),
        row("zhibo1", "zhibo", "重磅！中央发文"),  # under article a
        row("zhibo2", "zhibo", "另一条快讯", sina_links=1),  # no article of its own: listed alone
    ]
    main = group_flashes(articles)
    assert [a["article_id"] for a in main] == ["a", "b", "zhibo2"]
    assert overview_totals(articles) == {
        "articles": 2, "flashes": 2, "policies": 2, "standardization": 1, "sina_links": 6, "collisions": 1,
    }  # fmt: skip


def test_the_report_reads_the_caar_band_from_the_stored_caar_se_and_caar_n(tmp_path):
    from policywatch.warehouse.store import open_writer

    from policywatch.report.data import caar_curves_from_db

    con = open_writer(tmp_path / "pw.duckdb")
    rows = [("caar", 0, 0.03, 2), ("caar_se", 0, 0.002, 2), ("caar_n", 0, 2.0, 2),
            ("caar", 1, 0.04, 11), ("caar_se", 1, 0.01, 11), ("caar_n", 1, 11.0, 11)]  # fmt: skip
    con.executemany(
        "INSERT INTO study_results (study, group_type, group_id, rel_day, statistic, value, n)"
        " VALUES ('s', 'all', 'all', ?, ?, ?, ?)",
        [(day, statistic, value, n) for statistic, day, value, n in rows],
    )
    (curve,) = caar_curves_from_db(con, "s", "all")
    con.close()
    assert (curve.n, list(curve.rel_days)) == (11, [0, 1])
    # two-sided 95% t quantiles from a printed table: 12.7062 (1 df), 2.2281 (10 df)
    assert curve.lower == pytest.approx([0.03 - 12.7062 * 0.002, 0.04 - 2.2281 * 0.01], abs=1e-6)
    assert curve.upper == pytest.approx([0.03 + 12.7062 * 0.002, 0.04 + 2.2281 * 0.01], abs=1e-6)
