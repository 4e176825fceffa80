"""Every command has help with an example, and the commands page of the docs documents every command."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from policywatch.cli import app
from tests.conftest import ROOT

COMMANDS_PAGE = ROOT / "docs" / "commands.md"


def all_commands() -> list[str]:
    names = [c.name or c.callback.__name__.replace("_command", "").replace("_", "-") for c in app.registered_commands]
    for group in app.registered_groups:
        names += [f"{group.name} {c.name}" for c in group.typer_instance.registered_commands]
    return names


def test_the_command_list_is_complete():
    expected = {
        "parse", "import-archive", "articles", "show", "crawl", "replay serve", "link", "themes", "reference show",
        "reference refresh", "prices fetch", "events", "study", "alerts run", "alerts test", "alerts history",
        "report", "sql", "airflow setup", "demo",
    }  # fmt: skip
    assert expected <= set(all_commands())


@pytest.mark.parametrize("command", all_commands())
def test_help_has_an_example(command):
    result = CliRunner().invoke(app, [*command.split(), "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Example" in result.output, f"policywatch {command} --help shows no example"


def documented_commands() -> set[str]:
    """The commands the commands page documents: the first words of a `policywatch …` row of a table, or of a
    heading, up to the first option or argument."""
    documented = set()
    for line in COMMANDS_PAGE.read_text(encoding="utf-8").splitlines():
        if m := re.match(r"(?:\| |#+ )`policywatch ((?:[a-z][a-z-]*)(?: [a-z][a-z-]*)*)", line):
            documented.add(m.group(1))
    return documented


def test_the_commands_page_documents_only_commands_that_exist():
    assert documented_commands() <= set(all_commands())


@pytest.mark.parametrize("command", all_commands())
def test_the_commands_page_documents_the_command(command):
    assert command in documented_commands(), (
        f"{COMMANDS_PAGE.relative_to(ROOT)} has no row or section for policywatch {command}"
    )
