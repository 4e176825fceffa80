"""What the pipeline makes of the bundled samples, as text to compare byte for byte with a recorded copy.

Two sets, each a mapping of file name → text:

- ``parse_outputs``: ``policywatch parse <samples> <pages> --json`` as a user runs it (its own process), so every
  parser and linker output on the bundled sample articles and the page fixtures;
- ``demo_outputs``: ``policywatch demo`` into a folder, then what it left: every table of the warehouse (small
  ones as rows, large ones as a SHA-256 of their rows), the report's pages, ``show`` of every article, and the
  ``study`` command on the warehouse and on files.

What changes from run to run and says nothing of the output is normalised: times of day and run ids are left out
(columns ``run_id``, ``*_run_id`` and ``*_at``); the replay's port and the demo's folder are replaced by fixed
names, and the stored raw bytes, which hold the port, are left out; the report's embedded PNG charts become a
placeholder (matplotlib draws them with whatever CJK font the machine has, so their bytes are the machine's; the
numbers they plot are in the pages' tables and in ``study_results``); floats are written with 10 significant
digits (the last bits of a sum differ between BLAS builds).

Record them anew (after a change that is meant to change the output, never to make a failing test pass):
``.venv/bin/python -m tests.golden.produce``. The files go to ``tests/golden/files/``.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FILES = Path(__file__).resolve().parent / "files"
#: what ``policywatch parse`` is given, relative to the repository (the paths are part of its output)
PARSE_INPUTS = ("policywatch/data/samples/sina", "tests/fixtures/sina/pages")
#: tables with more rows than this are recorded as a digest of their rows, not the rows
LARGEST_TABLE_AS_ROWS = 3000
#: tables whose every column is bookkeeping (times, run ids, migration checksums), not output
BOOKKEEPING_TABLES = frozenset({"runs", "schema_migrations", "alert_journals", "reference_loads"})
#: columns that hold the replay's port inside the stored bytes (the pages and 7x24 items it served link to it):
#: the raw bytes, their digest and size, and the fingerprint made from them; the text parsed from them is kept
REPLAY_BYTES_COLUMNS = frozenset({"raw", "raw_sha256", "raw_size", "fingerprint"})
#: the events file of ``policywatch study --prices … --events …`` (as in tests/policywatch/test_cli_study.py)
EVENTS_CSV = (
    "event_id,ticker,event_date\n"
    "outline:300024,300024.SZ,2021-10-10T20:58:34+08:00\n"
    "outline:000061,000061.SZ,2021-10-10T20:58:34+08:00\n"
    "outline:000816,000816.SZ,2021-10-10T20:58:34+08:00\n"
    "outline:300832,300832.SZ,2021-10-10T20:58:34+08:00\n"
    "holiday:300750,300750.SZ,2021-10-03\n"
    "unknown,999999.SZ,2021-10-11\n"
)
_REPLAY = re.compile(r"http://(?:127\.0\.0\.1|localhost):\d+")
_RUN_ID = re.compile(r"\b\d{8}T\d{6}-[0-9a-f]{8}\b")
_PNG = re.compile(r"data:image/png;base64,[A-Za-z0-9+/=]+")
_FOOTER = re.compile(r"<footer>Generated [^<]* from [^<]* \(study")


def parse_outputs() -> dict[str, str]:
    """``policywatch parse … --json``, run in its own process from the repository's folder."""
    run = subprocess.run(
        [str(Path(sys.executable).parent / "policywatch"), "parse", *PARSE_INPUTS, "--json"],
        cwd=ROOT,
        env={**os.environ, "COLUMNS": "120"},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    if run.returncode != 0:
        raise RuntimeError(f"policywatch parse failed ({run.returncode}): {run.stderr}")
    return {"parse.jsonl": run.stdout}


def demo_outputs(work: Path) -> dict[str, str]:
    """Run the demo into ``work`` and read back everything it made (``work`` is left behind for a look)."""
    from policywatch.cli.common import UNMEASURED_WIDTH, console, err_console

    widths = console.width, err_console.width
    console.width = err_console.width = UNMEASURED_WIDTH  # the width every output without a terminal gets
    try:
        return _demo_outputs(work)
    finally:
        console.width, err_console.width = widths


def _demo_outputs(work: Path) -> dict[str, str]:
    from typer.testing import CliRunner

    from policywatch.cli import app

    db, out = work / "pw.duckdb", work / "demo"
    runner = CliRunner()

    def cli(*args: str) -> str:
        result = runner.invoke(app, ["--db", str(db), *args], catch_exceptions=False)
        if result.exit_code not in (0, 1):
            raise RuntimeError(f"policywatch {' '.join(args)} exited {result.exit_code}: {result.output}")
        return _normalised(result.stdout, work)

    outputs = {"demo/summary.txt": cli("demo", "--out", str(out))}
    outputs.update(_tables(db, work))
    for page in sorted((out / "report").glob("*.html")):
        html = _PNG.sub("data:image/png;base64,PNG", page.read_text(encoding="utf-8"))
        outputs[f"demo/report/{page.name}"] = _normalised(_FOOTER.sub("<footer>Generated … from … (study", html), work)
    for article_id in _article_ids(db):
        outputs[f"demo/show/{article_id}.txt"] = cli("show", article_id, "--all-tickers")
    outputs["demo/study_default.json"] = cli("study", "--no-refresh-events", "--format", "json")
    outputs["demo/study_default.txt"] = cli("study", "--no-refresh-events")
    events = work / "events.csv"
    events.write_text(EVENTS_CSV, encoding="utf-8")
    from policywatch.reference import BUNDLED_PRICES

    files = ("study", "--prices", str(BUNDLED_PRICES), "--events", str(events), "--benchmark", "000300.SS",
             "--estimation", "-200:-11", "--window", "-5:10")  # fmt: skip
    outputs["files/study.json"] = cli(*files, "--format", "json")
    outputs["files/study_log_constant_mean.csv"] = cli(
        *files, "--format", "csv", "--returns", "log", "--model", "constant_mean"
    )
    return outputs


def _article_ids(db: Path) -> list[str]:
    from policywatch.warehouse.store import open_reader

    con = open_reader(db)
    try:
        return [r[0] for r in con.execute("SELECT article_id FROM articles ORDER BY 1").fetchall()]
    finally:
        con.close()


def _tables(db: Path, work: Path) -> dict[str, str]:
    from policywatch.warehouse.store import open_reader

    outputs: dict[str, str] = {}
    digests: list[str] = []
    con = open_reader(db)
    try:
        tables = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' ORDER BY 1"
            ).fetchall()
        ]
        for table in tables:
            if table in BOOKKEEPING_TABLES:
                continue
            columns = [
                c[0]
                for c in con.execute(f'DESCRIBE "{table}"').fetchall()
                if not (c[0] == "run_id" or c[0].endswith(("_run_id", "_at")) or c[0] in REPLAY_BYTES_COLUMNS)
            ]
            listed = ", ".join(f'"{c}"' for c in columns)
            rows = con.execute(f'SELECT {listed} FROM "{table}" ORDER BY ALL').fetchall()
            text = "\t".join(columns) + "\n" + "".join(_row(row) + "\n" for row in rows)
            text = _normalised(text, work)
            if len(rows) > LARGEST_TABLE_AS_ROWS:
                digests.append(f"{table}\t{len(rows)} rows\t{hashlib.sha256(text.encode()).hexdigest()}\n")
            else:
                outputs[f"demo/tables/{table}.tsv"] = text
    finally:
        con.close()
    outputs["demo/tables/large_tables.sha256"] = "".join(digests)
    return outputs


def _row(row: tuple) -> str:
    return "\t".join(_value(v) for v in row)


def _value(value: object) -> str:
    if isinstance(value, float):
        return "nan" if math.isnan(value) else f"{value:.10g}"
    if isinstance(value, Decimal):
        return f"{float(value):.10g}"
    if isinstance(value, bytes):
        return f"<{len(value)} bytes sha256 {hashlib.sha256(value).hexdigest()}>"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return repr(value).replace("\t", "\\t").replace("\n", "\\n")


def _normalised(text: str, work: Path) -> str:
    text = text.replace(str(work.resolve()), "<WORK>").replace(str(work), "<WORK>")
    return _RUN_ID.sub("<RUN_ID>", _REPLAY.sub("http://replay", text))


def golden_files(names: list[str] | None = None) -> Iterator[tuple[str, Path]]:
    """(name, path) of every recorded file, names relative to ``FILES``."""
    for path in sorted(FILES.rglob("*")):
        if path.is_file():
            yield path.relative_to(FILES).as_posix(), path


def record() -> None:
    with tempfile.TemporaryDirectory(prefix="pw-golden-") as tmp:
        outputs = {**parse_outputs(), **demo_outputs(Path(tmp))}
    for name, _ in golden_files():
        if name not in outputs:
            (FILES / name).unlink()
    for name, text in outputs.items():
        path = FILES / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    print(f"{len(outputs)} files in {FILES}")


if __name__ == "__main__":
    record()
