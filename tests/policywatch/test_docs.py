"""Every command has help with an example, and the README documents every command."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from policywatch.cli import app
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


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


@pytest.mark.parametrize("command", all_commands())
def test_readme_documents_the_command(command):
    assert f"`policywatch {command}" in README, f"README does not document policywatch {command}"
