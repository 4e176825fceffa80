"""Parsing speed: policywatch's parser (text + stock links + codes + measures) against trafilatura's extraction.

Both run over the same inputs in the same process: the bundled archive posts and the full-page fixtures.
Prints articles per second and the peak memory of the process; nothing is asserted.

    .venv/bin/python bench/parse.py [--seconds 5]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from policywatch.transforms.sina.article import parse_archive_post, parse_sina_page  # noqa: E402

SAMPLES = ROOT / "policywatch" / "data" / "samples" / "sina"
PAGES = ROOT / "tests" / "fixtures" / "sina" / "pages"


def load_inputs() -> tuple[list[bytes], list[bytes]]:
    posts = [p.read_bytes() for p in sorted(SAMPLES.glob("[0-9]*.md"))]
    pages = [p.read_bytes() for p in sorted(PAGES.iterdir())]
    return posts, pages


def rate(label: str, work, items: int, seconds: float) -> float:
    done, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        work()
        done += items
    per_second = done / elapsed
    print(f"{label:<58} {per_second:>9.1f} articles/s  ({done} in {elapsed:.1f}s)")
    return per_second


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="time per measurement")
    args = parser.parse_args()
    posts, pages = load_inputs()
    html_of_posts = [p.decode("utf-8").split("---\n", 2)[2] for p in posts]
    total_bytes = sum(map(len, posts)) + sum(map(len, pages))
    print(f"inputs: {len(posts)} archive posts + {len(pages)} full pages, {total_bytes / 1024:.0f} KiB")

    ours_posts = rate("policywatch: archive posts (parse+links+codes+measures)",
                      lambda: [parse_archive_post(p) for p in posts], len(posts), args.seconds)  # fmt: skip
    ours_pages = rate("policywatch: full pages (incl. charset detection)",
                      lambda: [parse_sina_page(p) for p in pages], len(pages), args.seconds)  # fmt: skip

    from policywatch.transforms.linking.linker import link_article
    from policywatch.transforms.linking.name_matcher import NameScanner

    from policywatch.reference import load_linking_context

    started = time.perf_counter()
    context = load_linking_context()
    scanner = NameScanner(context.master)
    print(
        f"{'linking context (master, lexicon, themes, boards) loaded in':<58} {time.perf_counter() - started:>9.2f} s"
    )
    parsed = [parse_archive_post(p) for p in posts]

    def link_all() -> list:
        context.lexicon.segment.cache_clear()  # every round reads the posts afresh: no sentence comes cut already
        return [link_article(a, context, scanner) for a in parsed]

    rate("policywatch: linking parsed posts (classes, themes, names)", link_all, len(parsed), args.seconds)

    import trafilatura

    theirs_posts = rate("trafilatura.extract: archive post bodies (text only)",
                        lambda: [trafilatura.extract(h) for h in html_of_posts], len(posts), args.seconds)  # fmt: skip
    theirs_pages = rate("trafilatura.extract: full pages (text only)",
                        lambda: [trafilatura.extract(p) for p in pages], len(pages), args.seconds)  # fmt: skip
    print(f"speed ratio policywatch/trafilatura: posts {ours_posts / theirs_posts:.1f}x, "
          f"pages {ours_pages / theirs_pages:.1f}x")  # fmt: skip
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
