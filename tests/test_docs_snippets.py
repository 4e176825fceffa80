"""Every shell, Python and SQL snippet of the README and of docs/ runs, or says why it is not run.

The convention, for whoever writes a page:

- Every fence names its language. ``sh`` (``bash``, ``shell``), ``python`` and ``sql`` fences are run; ``toml``
  fences are loaded as a policywatch configuration (every key must be a setting); ``yaml``, ``json`` and ``text``
  fences are shown only.
- ``<!-- not run: REASON -->`` on the line right before a fence: the snippet is not run, for a reason a reader
  accepts (it needs the network to Sina or Yahoo, starts a long-running server, needs an Airflow deployment...).
- ``<!-- run: exit N -->`` before a fence: the snippet ends with exit code N instead of 0.
  ``<!-- run: port 8765 -->``: the number 8765 in the snippet is a port to listen on; the test runs the snippet on
  a free port instead, so that two test runs on one machine cannot collide. Clauses combine with ``;``.

How they run:

- Shell and Python snippets of a page run in the page's order, each in a new ``bash -eo pipefail`` (or ``python``)
  with a timeout, in one folder per page that looks like a checkout after ``make demo``: the repository's files,
  ``.venv`` (the venv running these tests, whose ``bin`` comes first on PATH) and ``data/demo/`` (a copy of what
  the demo left), with HOME pointing at that folder. A snippet may use files an earlier snippet of its page wrote.
- SQL snippets run statement by statement on the demo's warehouse, read-only and without file access, as
  ``policywatch sql`` opens it; a statement returns rows unless a comment line before it says "empty".

The demo is built once for all workers of a test session, by the real command (``policywatch demo``).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from tests.conftest import ROOT

#: the pages whose snippets are checked: the README and every page of docs/
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
SHELL = {"sh", "bash", "shell"}
RUN = SHELL | {"python", "sql"}
SHOWN = {"toml", "yaml", "json", "text"}
SNIPPET_TIMEOUT_S = 180
DEMO_TIMEOUT_S = 240
_MARKER = re.compile(r"\A<!--\s*(not run|run)\s*:(.*?)-->\s*\Z", re.S)
_MARKER_LIKE = re.compile(r"<!--\s*(not\s+)?run\b", re.I)
MISPLACED_MARKER = "a run/not-run marker must be one HTML comment on the line right before a fence"


@dataclass(frozen=True)
class Fence:
    """One fenced block of a page, with the marker right before it (if any)."""

    page: Path
    line: int  # 1-based line of the opening fence
    language: str
    code: str
    not_run: str | None = None  # the reason given, when marked not run
    exit_code: int = 0
    ports: tuple[int, ...] = ()
    problems: tuple[str, ...] = field(default=())

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def _directives(kind: str, text: str) -> tuple[str | None, int, tuple[int, ...], list[str]]:
    """(not-run reason, exit code, ports, problems) of one marker's text."""
    if kind == "not run":
        reason = " ".join(text.split())
        return reason, 0, (), ([] if len(reason.split()) >= 3 else [f"a not-run marker needs a reason: {text!r}"])
    exit_code, ports, problems = 0, [], []
    for clause in (c.strip() for c in text.split(";") if c.strip()):
        if m := re.fullmatch(r"exit (\d+)", clause):
            exit_code = int(m.group(1))
        elif m := re.fullmatch(r"port (\d+)", clause):
            ports.append(int(m.group(1)))
        else:
            problems.append(f"unknown run clause {clause!r} (known: 'exit N', 'port N')")
    return None, exit_code, tuple(ports), problems


def fences(page: Path) -> list[Fence]:
    """Every fence of a page (CommonMark, as GitHub reads it), with its marker; a marker that stands before no
    fence is reported on a pseudo-fence of language ``marker`` so that it cannot pass unnoticed."""
    found: list[Fence] = []
    tokens = MarkdownIt("commonmark").parse(page.read_text(encoding="utf-8"))
    for i, token in enumerate(tokens):
        if token.type == "html_block" and _MARKER_LIKE.search(token.content):
            following = tokens[i + 1] if i + 1 < len(tokens) else None
            if following is None or following.type != "fence" or not _MARKER.match(token.content.strip()):
                line = token.map[0] + 1 if token.map else 0
                found.append(Fence(page, line, "marker", token.content, problems=(MISPLACED_MARKER,)))
        if token.type != "fence":
            continue
        language = token.info.strip().split(" ")[0].lower()
        previous = tokens[i - 1] if i else None
        not_run, exit_code, ports, problems = None, 0, (), []
        if previous is not None and previous.type == "html_block" and (m := _MARKER.match(previous.content.strip())):
            if previous.map and token.map and previous.map[1] != token.map[0]:
                problems.append("the marker must be on the line right before the fence")
            not_run, exit_code, ports, problems_of_marker = _directives(m.group(1), m.group(2))
            problems += problems_of_marker
        if not language:
            problems.append("the fence names no language (sh, sql, python, toml, yaml, json, text)")
        elif language not in RUN | SHOWN:
            problems.append(f"unknown fence language {language!r}: run {sorted(RUN)}, shown {sorted(SHOWN)}")
        elif language not in SHELL | {"python"} and (exit_code or ports):
            problems.append(f"a {language} fence is not run: 'exit' and 'port' mean nothing to it")
        elif language in SHOWN - {"toml"} and not_run:
            problems.append(f"a {language} fence is shown only: it needs no not-run marker")
        for port in ports:
            if not re.search(rf"\b{port}\b", token.content):
                problems.append(f"port {port} does not occur in the snippet")
        found.append(Fence(page, token.map[0] + 1, language, token.content, not_run, exit_code, ports, tuple(problems)))
    return found


ALL_FENCES = [fence for page in PAGES for fence in fences(page)]


def test_the_pages_have_snippets_and_markers():
    """The collection itself works: the pages hold run and not-run snippets of each kind (a broken parser would
    find none and let every other test here pass on nothing)."""
    by_kind = {(f.language in SHELL, f.language, f.not_run is None) for f in ALL_FENCES}
    assert (True, "sh", True) in by_kind and (True, "sh", False) in by_kind
    assert (False, "sql", True) in by_kind and (False, "toml", True) in by_kind
    assert sum(len(sql_statements(f.code)) for f in ALL_FENCES if f.language == "sql") >= 12


@pytest.mark.parametrize("fence", ALL_FENCES, ids=lambda f: f.where)
def test_every_fence_is_run_or_says_why_not(fence: Fence):
    assert not fence.problems, f"{fence.where}: " + "; ".join(fence.problems)


# --- the demo's warehouse, built once per test session ------------------------------------------------------------


def _snippet_environment(home: Path) -> dict[str, str]:
    """The environment a reader's shell has after activating nothing: the venv's bin first on PATH, no
    policywatch or Airflow settings of this machine, HOME in the snippet's folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POLICYWATCH", "AIRFLOW", "PYTEST"))}
    env.update(PATH=f"{Path(sys.prefix) / 'bin'}{os.pathsep}{env.get('PATH', '')}", HOME=str(home))
    env.update(VIRTUAL_ENV=sys.prefix, PYTHONIOENCODING="utf-8")
    return env


def _build_demo(folder: Path) -> dict:
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [Path(sys.prefix) / "bin" / "policywatch", "demo", "--out", "data/demo"],
        cwd=folder, env=_snippet_environment(folder), capture_output=True, text=True, timeout=DEMO_TIMEOUT_S,
    )  # fmt: skip
    return {"returncode": done.returncode, "output": done.stdout + done.stderr}


@pytest.fixture(scope="session")
def demo_folder(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """A folder holding ``data/demo/`` as ``make demo`` leaves it, shared by every xdist worker of the run."""
    from filelock import FileLock

    root = tmp_path_factory.getbasetemp()
    if worker_id != "master":
        root = root.parent  # the run's folder, above the workers' own
    folder, record = root / "docs-demo", root / "docs-demo.json"
    with FileLock(str(root / "docs-demo.lock")):
        if not record.exists():
            record.write_text(json.dumps(_build_demo(folder)), encoding="utf-8")
    built = json.loads(record.read_text(encoding="utf-8"))
    assert built["returncode"] == 0, f"policywatch demo failed:\n{built['output'][-4000:]}"
    return folder


# --- SQL ---------------------------------------------------------------------------------------------------------


def sql_statements(code: str) -> list[tuple[str, str]]:
    """(the comment lines before it, the statement) for each statement of an SQL fence: a statement ends on the
    line whose code (before any ``--`` comment) ends with ``;``, or at the end of the fence."""
    statements, comments, body = [], [], []
    for line in code.splitlines():
        stripped = line.strip()
        if not body and (stripped.startswith("--") or not stripped):
            comments.append(stripped)
            continue
        body.append(line)
        if line.split("--", 1)[0].rstrip().endswith(";"):
            statements.append(("\n".join(comments), "\n".join(body)))
            comments, body = [], []
    if any(line.strip() for line in body):
        statements.append(("\n".join(comments), "\n".join(body)))
    return statements


SQL_FENCES = [f for f in ALL_FENCES if f.language == "sql" and f.not_run is None]


@pytest.mark.integration
@pytest.mark.parametrize("fence", SQL_FENCES, ids=lambda f: f.where)
def test_the_sql_snippets_run_on_the_demo_warehouse(fence: Fence, demo_folder: Path):
    import duckdb
    from policywatch.warehouse.store import open_reader

    statements = sql_statements(fence.code)
    assert statements, f"{fence.where}: an SQL fence without a statement"
    con = open_reader(demo_folder / "data" / "demo" / "policywatch.duckdb", external_access=False)
    try:
        # the split above must agree with DuckDB's own: one statement per `;`-terminated line
        assert len(con.extract_statements(fence.code)) == len(statements), f"{fence.where}: end each statement with ;"
        for comment, statement in statements:
            label = comment.splitlines()[-1] if comment else statement.splitlines()[0]
            try:
                rows, error = con.execute(statement).fetchall(), None
            except duckdb.Error as exc:
                rows, error = [], exc
            assert error is None, f"{fence.where}: {label}\n{error}"
            assert rows or "empty" in comment, f"{fence.where}: no rows on the demo's warehouse: {label}"
    finally:
        con.close()


# --- TOML --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fence", [f for f in ALL_FENCES if f.language == "toml" and f.not_run is None], ids=lambda f: f.where
)
def test_the_configuration_snippets_are_settings(fence: Fence, tmp_path: Path):
    from policywatch.config import load_settings

    path = tmp_path / "policywatch.toml"
    path.write_text(fence.code, encoding="utf-8")
    load_settings(path)  # a key that is no setting, or a wrong value, raises ConfigError naming it


# --- shell and Python, page by page --------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _checkout(folder: Path, demo: Path) -> None:
    """``folder`` made to look like the repository after ``make demo``: its files (linked), the running venv as
    ``.venv`` and a copy of the demo's output as ``data/demo/`` (snippets may write to it)."""
    skip = {".git", ".venv", "data", "site", ".pytest_cache", ".ruff_cache"}
    for entry in ROOT.iterdir():
        if entry.name not in skip and not entry.name.endswith(".egg-info"):
            (folder / entry.name).symlink_to(entry)
    (folder / ".venv").symlink_to(sys.prefix)
    shutil.copytree(demo / "data" / "demo", folder / "data" / "demo")


def run_snippet(fence: Fence, folder: Path) -> str | None:
    """Run one shell or Python snippet in ``folder``; None when it ends as documented, else what went wrong."""
    code = fence.code
    for port in fence.ports:
        code = re.sub(rf"\b{port}\b", str(_free_port()), code)
    script = folder / f".snippet-{fence.line}.{'py' if fence.language == 'python' else 'sh'}"
    script.write_text(code, encoding="utf-8")
    command = [sys.executable, script.name] if fence.language == "python" else ["bash", "-eo", "pipefail", script.name]
    process = subprocess.Popen(
        command, cwd=folder, env=_snippet_environment(folder), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )  # fmt: skip
    try:
        # the output ends when every process of the snippet has closed it: a server left running times out here
        output, _ = process.communicate(timeout=SNIPPET_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
        return f"{fence.where}: still running after {SNIPPET_TIMEOUT_S} s\n{output[-3000:]}"
    finally:
        with contextlib.suppress(ProcessLookupError):  # whatever the snippet left behind
            os.killpg(process.pid, signal.SIGKILL)
    if process.returncode != fence.exit_code:
        return f"{fence.where}: exit code {process.returncode}, not {fence.exit_code}\n{output[-3000:]}"
    return None


SHELL_PAGES = sorted(
    {f.page for f in ALL_FENCES if (f.language in SHELL or f.language == "python") and f.not_run is None}
)


@pytest.mark.integration
@pytest.mark.parametrize("page", SHELL_PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_shell_snippets_of_a_page_run_in_order(page: Path, demo_folder: Path, tmp_path: Path):
    _checkout(tmp_path, demo_folder)
    runnable = [f for f in fences(page) if (f.language in SHELL or f.language == "python") and f.not_run is None]
    failures = [problem for fence in runnable if (problem := run_snippet(fence, tmp_path))]
    assert not failures, "\n\n".join(failures)
    shutil.rmtree(tmp_path / "data")  # a copy of the demo per page: not kept once the page passed
