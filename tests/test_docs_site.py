"""The reference in docs/ builds as a site with `mkdocs build --strict`, and the README leads to every page of it.

Strict here means what mkdocs.yml's `validation` asks for: a page missing from the nav, a link to a page or an
anchor that does not exist, and an absolute link all fail the build (by default mkdocs only notes most of them).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from markdown_it import MarkdownIt

from tests.conftest import ROOT

DOCS = ROOT / "docs"
README = ROOT / "README.md"


def build_site(config: Path, site: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", str(config), "--site-dir", str(site)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def nav_pages(nav: list) -> list[str]:
    pages = []
    for item in nav:
        value = next(iter(item.values())) if isinstance(item, dict) else item
        pages += nav_pages(value) if isinstance(value, list) else [value]
    return pages


@pytest.mark.integration  # mkdocs runs as its own process
def test_the_site_builds_strictly(tmp_path: Path):
    done = build_site(ROOT / "mkdocs.yml", tmp_path / "site")
    assert done.returncode == 0, done.stderr
    commands = (tmp_path / "site" / "commands" / "index.html").read_text(encoding="utf-8")
    # a pipe escaped for GitHub's tables inside code shows as a pipe on the site too (docs/hooks.py)
    assert "--format table|csv|json" in commands and "table\\|csv" not in commands
    assert not (tmp_path / "site" / "hooks.py").exists()


@pytest.fixture
def docs_copy(tmp_path: Path) -> Path:
    """mkdocs.yml and docs/ copied, to be broken on purpose."""
    shutil.copytree(DOCS, tmp_path / "docs")
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    return tmp_path


@pytest.mark.integration
@pytest.mark.parametrize(
    ("breakage", "said"),
    [
        (lambda d: (d / "docs" / "orphan.md").write_text("# Orphan\n", encoding="utf-8"), "orphan.md"),
        (lambda d: _append(d / "docs" / "commands.md", "\nSee [nothing](no-such-page.md).\n"), "no-such-page.md"),
        (lambda d: _append(d / "docs" / "commands.md", "\nSee [the alerts](alerts.md#no-such-anchor).\n"), "no-such"),
        (lambda d: _append(d / "docs" / "commands.md", "\nSee [the README](../README.md).\n"), "README.md"),
    ],
    ids=["page missing from the nav", "link to no page", "link to no anchor", "link out of docs/"],
)
def test_the_strict_build_fails_on(docs_copy: Path, breakage, said: str):
    """The configuration makes these fail the build: without its `validation` they would pass as notes."""
    breakage(docs_copy)
    done = build_site(docs_copy / "mkdocs.yml", docs_copy / "site")
    assert done.returncode != 0 and said in done.stderr, done.stderr


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def readme_links(section: str | None = None) -> list[str]:
    """The link targets of the README (of one `## section` of it)."""
    text = README.read_text(encoding="utf-8")
    if section is not None:
        text = text.split(f"\n## {section}\n", 1)[1].split("\n## ", 1)[0]
    tokens = MarkdownIt("commonmark").parse(text)
    return [
        child.attrs["href"]
        for token in tokens
        if token.children
        for child in token.children
        if child.type == "link_open"
    ]


def test_the_readme_links_resolve():
    relative = [href for href in readme_links() if not re.match(r"[a-z]+:", href)]
    assert relative
    for href in relative:
        path, _, anchor = href.partition("#")
        assert (ROOT / path).exists(), f"README links to {href}, which does not exist"
        if anchor and path.endswith(".md"):
            from markdown.extensions.toc import slugify

            headings = re.findall(r"^#+ (.+)$", (ROOT / path).read_text(encoding="utf-8"), re.M)
            slugs = {slugify(re.sub(r"[`*]", "", h), "-") for h in headings}
            assert anchor in slugs, f"README links to {href}: no such heading in {path}"


def test_where_to_go_next_lists_every_page_of_the_site():
    nav = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))["nav"]
    pages = {f"docs/{page}" for page in nav_pages(nav)}
    linked = {href.partition("#")[0] for href in readme_links("Where to go next")}
    assert pages - {"docs/index.md"} <= linked, f"not in the README's Where to go next: {pages - linked}"
    assert linked <= pages, f"Where to go next links pages outside the site: {linked - pages}"
