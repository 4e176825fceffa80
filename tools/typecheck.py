"""Type-check the code with mypy against a per-module baseline that may only shrink.

mypy cannot follow setuptools' package-dir mapping (the folder crawlers/ is imported as policywatch.crawlers), so
the check lays out the installed package as a tree of symbolic links under build/typecheck/, runs mypy there, and
maps the paths it reports back to the source files.

The baseline (typecheck-baseline.json) holds, per source file, how many errors it may still have; transforms/ and
warehouse/ may have none. The check fails when a file has more errors than its baseline, and also when it has
fewer: the baseline is then lowered with --update, so that it only ever shrinks.

    .venv/bin/python tools/typecheck.py            # the check (make lint runs it)
    .venv/bin/python tools/typecheck.py --update   # lower the baseline to today's counts (never raises one)
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TREE = ROOT / "build" / "typecheck"
BASELINE = ROOT / "typecheck-baseline.json"
#: installed package -> its folder (pyproject.toml's package-dir)
SUBPACKAGES = {"crawlers": "crawlers", "transforms": "transforms", "warehouse": "warehouse"}
CLEAN = ("transforms/", "warehouse/")  #: folders that must type-check without a single error
_ERROR = re.compile(r"^(?P<path>policywatch/[^:]+\.py):\d+(?::\d+)?: error: ")


def link_tree() -> Path:
    """build/typecheck/policywatch: links to policywatch/'s entries and to the folders installed inside it."""
    package = TREE / "policywatch"
    shutil.rmtree(TREE, ignore_errors=True)
    package.mkdir(parents=True)
    for entry in (ROOT / "policywatch").iterdir():
        (package / entry.name).symlink_to(entry)
    for name, folder in SUBPACKAGES.items():
        (package / name).symlink_to(ROOT / folder)
    return TREE


def source_path(reported: str) -> str:
    """``policywatch/transforms/models.py`` -> ``transforms/models.py``; the application's own paths stay."""
    parts = reported.split("/")
    return "/".join(parts[1:]) if len(parts) > 1 and parts[1] in SUBPACKAGES else reported


def run_mypy() -> tuple[Counter[str], list[str]]:
    tree = link_tree()
    cache = ROOT / "build" / "mypy-cache"
    command = [sys.executable, "-m", "mypy", "--cache-dir", str(cache), "--config-file", str(ROOT / "pyproject.toml"),
               "-p", "policywatch"]  # fmt: skip
    done = subprocess.run(command, cwd=tree, capture_output=True, text=True)
    if done.returncode not in (0, 1):
        sys.exit(f"mypy failed to run:\n{done.stdout}{done.stderr}")
    counts: Counter[str] = Counter()
    lines = []
    for line in done.stdout.splitlines():
        if match := _ERROR.match(line):
            path = source_path(match["path"])
            counts[path] += 1
            lines.append(path + line[len(match["path"]) :])
    return counts, lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="lower the baseline to today's counts")
    args = parser.parse_args()
    counts, lines = run_mypy()
    baseline: dict[str, int] = json.loads(BASELINE.read_text()) if BASELINE.exists() else {}
    worse = {p: n for p, n in counts.items() if n > (0 if p.startswith(CLEAN) else baseline.get(p, 0))}
    better = {p: n for p, n in baseline.items() if counts.get(p, 0) < n}
    if args.update:
        if worse:
            print("\n".join(line for line in lines if line.split(":")[0] in worse))
            print(f"not updated: {len(worse)} file(s) have more errors than allowed; the baseline only shrinks")
            return 1
        BASELINE.write_text(json.dumps(dict(sorted(counts.items())), indent=1) + "\n")
        print(f"baseline: {sum(counts.values())} errors in {len(counts)} files")
        return 0
    if worse:
        print("\n".join(line for line in lines if line.split(":")[0] in worse))
        for path, n in sorted(worse.items()):
            print(f"{path}: {n} type errors, {baseline.get(path, 0)} allowed")
        return 1
    if better:
        for path, n in sorted(better.items()):
            print(f"{path}: {counts.get(path, 0)} type errors where the baseline allows {n}")
        print("fewer errors than the baseline: lower it with `.venv/bin/python tools/typecheck.py --update`")
        return 1
    print(
        f"mypy: {sum(counts.values())} errors, all in the baseline ({len(counts)} files);"
        " transforms/ and warehouse/ clean"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
