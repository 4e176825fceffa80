"""Linkage truth: policywatch's link classes against the hand labels of the evaluation set.

Runs the whole process a user runs: loads the reference data, parses every labelled post of the set from its
bytes, links it, and pairs each of Sina's links with its label. Prints per-class precision and recall, the
confusion matrix, the unlinked names and written codes, every disagreement with both reasons, and the time
taken. Nothing is asserted here: tests/policywatch/test_linkage_evaluation.py holds the floors.

    .venv/bin/python bench/linkage.py [--set tests/fixtures/linkage_eval]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from policywatch.transforms.linking.context import LINKER_VERSION  # noqa: E402

from policywatch.linkage_evaluation import evaluate_set, format_report  # noqa: E402
from policywatch.reference import load_linking_context  # noqa: E402

DEFAULT_SET = ROOT / "tests" / "fixtures" / "linkage_eval"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, default=DEFAULT_SET, help="folder with labels.yaml and posts/")
    args = parser.parse_args()
    started = time.perf_counter()
    context = load_linking_context()
    loaded = time.perf_counter()
    evaluation = evaluate_set(args.set, context)
    done = time.perf_counter()
    print(f"linker {LINKER_VERSION}, set {args.set.relative_to(ROOT) if args.set.is_relative_to(ROOT) else args.set}")
    print(format_report(evaluation))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"\nreference data loaded in {loaded - started:.2f} s; {evaluation.posts} posts parsed, linked and scored "
        f"in {done - loaded:.2f} s; peak memory {peak:.0f} MiB"
    )


if __name__ == "__main__":
    main()
