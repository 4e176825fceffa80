"""Light commands start without the heavy libraries: a quant's ``sql`` or ``show`` must not pay for pandas,
Scrapy or Airflow. Checked by what a fresh process has imported when the command is done, not by its time."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from policywatch.cli.common import UNMEASURED_WIDTH
from policywatch.config import DatabaseSettings, Settings
from policywatch.steps.import_archive import import_archive
from tests.conftest import SAMPLES, query

# every test runs the CLI in a process of its own, as a user starts it
pytestmark = pytest.mark.integration

#: what costs 0.1 s or more to import, or pulls in a framework; none is needed to list, show or query
HEAVY = (
    "airflow", "akshare", "apprise", "exchange_calendars", "feedparser", "jieba", "jinja2", "lxml", "matplotlib",
    "numpy", "pandas", "pyarrow", "scipy", "scrapy", "twisted", "yfinance", "ahocorasick", "trafilatura",
)  # fmt: skip

PROBE = """
import atexit, sys
heavy = sys.argv.pop().split(",")
atexit.register(lambda: sys.__stderr__.write("\\nimported: " + " ".join(m for m in heavy if m in sys.modules) + "\\n"))
from policywatch.cli import main
main()
"""


def imported_heavy(*args: str, cwd: Path) -> tuple[int, list[str], str]:
    run = subprocess.run(
        [sys.executable, "-c", PROBE, *args, ",".join(HEAVY)], capture_output=True, text=True, cwd=cwd, timeout=60
    )
    line = run.stderr.rstrip().splitlines()[-1]
    assert line.startswith("imported:"), run.stderr
    return run.returncode, line.split()[1:], run.stdout


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    """A warehouse holding the bundled sample articles."""
    path = tmp_path_factory.mktemp("startup") / "pw.duckdb"
    import_archive([SAMPLES], Settings(db=DatabaseSettings(path=path)))
    return path


@pytest.mark.parametrize(
    "args",
    [
        ("--help",),
        ("study", "--help"),
        ("sql", "SELECT count(*) AS n FROM articles"),
        ("articles", "--limit", "5"),
        ("alerts", "history"),
    ],
    ids=lambda args: " ".join(args[:2]),
)
def test_light_commands_import_no_heavy_library(args, warehouse, tmp_path):
    code, heavy, out = imported_heavy("--db", str(warehouse), *args, cwd=tmp_path)
    assert code == 0, out
    assert out.strip()
    assert heavy == []


def test_show_imports_no_heavy_library(warehouse, tmp_path):
    (outline,) = query(Settings(db=DatabaseSettings(path=warehouse)), "SELECT article_id FROM articles"
                       " WHERE contains(title, '标准化') OR contains(original_title, '标准化')")  # fmt: skip
    code, heavy, out = imported_heavy("--db", str(warehouse), "show", outline[0], cwd=tmp_path)
    assert code == 0, out
    assert "重磅！中央发文" in out  # the outline's headline
    assert heavy == []
    code, heavy, _ = imported_heavy("--db", str(warehouse), "show", "nosuchid", cwd=tmp_path)
    assert code == 2  # no stored article has that id
    assert heavy == []


def test_the_probe_sees_a_heavy_import(warehouse, tmp_path):
    """The check can fail: a command that needs pandas is seen importing it."""
    code, heavy, _ = imported_heavy("--db", str(warehouse), "events", cwd=tmp_path)
    assert code == 0
    assert "pandas" in heavy and "exchange_calendars" in heavy


def help_lines(tmp_path: Path, **env: str) -> list[str]:
    """``study --help`` as cron, Airflow or CI see it: no terminal on any stream."""
    clean = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "TERMINAL_WIDTH")}
    run = subprocess.run(
        [sys.executable, "-c", "from policywatch.cli import main; main()", "study", "--help"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**clean, **env},
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    return run.stdout.splitlines()


def test_help_without_a_terminal_is_wide_and_follows_columns(tmp_path):
    lines = help_lines(tmp_path)
    assert max(map(len, lines)) == UNMEASURED_WIDTH  # not rich's 80
    # the example stays on one line
    assert any("policywatch study --prices px.csv --events ev.csv --benchmark 000300.SS" in line for line in lines)
    assert max(map(len, help_lines(tmp_path, COLUMNS="100"))) == 100  # a width the user set is kept
