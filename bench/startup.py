"""Start-up of the light commands, as a user runs them: a whole ``policywatch`` process each time.

Each command runs ``--repeat`` times in a fresh process, alternating with ``python -c pass`` (the floor: the
interpreter alone), so that a machine whose speed drifts moves both alike; the figures are medians of wall
seconds and their ratio to the floor's median. ``import`` is the same process stopped after its imports: what
the command costs before it does anything. The database is a fresh import of the bundled sample articles.
Nothing is asserted; numbers are printed.

    .venv/bin/python bench/startup.py [--repeat 15]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXE = Path(sys.executable).with_name("policywatch")
SAMPLES = ROOT / "policywatch" / "data" / "samples" / "sina"


def wall(argv: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cwd = Path(tmp)
        db = str(cwd / "pw.duckdb")
        subprocess.run([str(EXE), "--db", db, "import-archive", str(SAMPLES)], cwd=cwd, check=True,
                       capture_output=True)  # fmt: skip
        first = subprocess.run([str(EXE), "--db", db, "sql", "SELECT min(article_id) FROM articles", "--format",
                                "csv"], cwd=cwd, check=True, capture_output=True, text=True)  # fmt: skip
        article = first.stdout.splitlines()[1]
        commands = {
            "policywatch --help": [str(EXE), "--help"],
            "policywatch sql": [str(EXE), "--db", db, "sql", "SELECT count(*) FROM articles"],
            "policywatch articles": [str(EXE), "--db", db, "articles", "--limit", "20"],
            "policywatch show": [str(EXE), "--db", db, "show", article],
            "import of the CLI, config and DuckDB": [
                sys.executable, "-c", "import policywatch.cli, policywatch.config, duckdb",
            ],
        }  # fmt: skip
        floor_argv = [sys.executable, "-c", "pass"]
        print(f"{'what':40} {'median s':>9} {'x python -c pass':>17}")
        for name, argv in commands.items():
            wall(argv, cwd)  # warm the file cache
            ours, floor = [], []
            for _ in range(args.repeat):
                ours.append(wall(argv, cwd))
                floor.append(wall(floor_argv, cwd))
            mine, base = statistics.median(ours), statistics.median(floor)
            print(f"{name:40} {mine:9.3f} {mine / base:16.1f}x")
        print(f"{'python -c pass (the floor)':40} {base:9.3f}")


if __name__ == "__main__":
    main()
