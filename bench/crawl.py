"""Crawl speed and memory: the real crawl (Scrapy process + loader) of a few thousand replayed articles.

The articles are made by varying the bundled samples (a numbered title and a shifted date each), served by
``policywatch replay serve`` in its own process, once without faults and once with 30 % faults. Prints pages
per second and peak memory of the crawler process and of the loader; nothing is asserted.

    .venv/bin/python bench/crawl.py [--articles 3000] [--fault-rate 0.3]
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from email.utils import format_datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from policywatch.transforms.sina.hexo import parse_rfc2822, split_front_matter  # noqa: E402

from policywatch.config import CrawlSettings, DatabaseSettings, Settings  # noqa: E402
from policywatch.steps.crawl.run import CrawlProgress, run_crawl  # noqa: E402

SAMPLES = ROOT / "policywatch" / "data" / "samples" / "sina"


def make_articles(out: Path, count: int) -> None:
    """``count`` posts: sample i mod 11 with ``（n）`` after its title and its date n×7 minutes earlier."""
    samples = [p.read_text(encoding="utf-8") for p in sorted(SAMPLES.glob("[0-9]*.md"))]
    out.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        text = samples[n % len(samples)]
        post = split_front_matter(text)
        when = parse_rfc2822(post.front_matter["date"]) - timedelta(minutes=7 * n)
        text = re.sub(r"^(title: '.*)'$", rf"\g<1>（{n}）'", text, count=1, flags=re.M)
        text = re.sub(r"^date: .*$", f"date: {format_datetime(when, usegmt=True)}", text, count=1, flags=re.M)
        (out / f"{n:05d}.md").write_text(text, encoding="utf-8")


def one(articles: Path, fault_rate: float, work: Path, backoff: bool) -> dict:
    """One crawl into a fresh database, with the replay in a process of its own."""
    replay = subprocess.Popen(
        [sys.executable, "-c", "from policywatch.cli import main; main()", "replay", "serve", "--port", "0",
         "--articles", str(articles), "--fault-rate", str(fault_rate), "--seed", "1", "--slow", "3"],
        stdout=subprocess.PIPE, text=True, cwd=work,
    )  # fmt: skip
    try:
        base = replay.stdout.readline().split(" at ", 1)[1].split()[0]
        crawl = CrawlSettings(
            download_delay_s=0.0, autothrottle=False, concurrent_requests=16, concurrent_per_host=16,
            download_timeout_s=2.0, backoff_base_s=0.01 * backoff, backoff_max_s=0.2 * backoff,
            rate_limit_backoff_s=0.2 * backoff,
            max_pages=1000, zhibo_url=f"{base}/api/zhibo/feed?zhibo_id=152", staging_dir=work / "staging",
        )  # fmt: skip
        settings = Settings(db=DatabaseSettings(path=work / "bench.duckdb"), crawl=crawl)
        marks: dict[str, float] = {}

        def mark(event: CrawlProgress) -> None:
            marks.setdefault(event.stage, time.perf_counter())

        started = time.perf_counter()
        summary = run_crawl(settings, roll_url=f"{base}/api/roll/get", on_progress=mark)
        ended = time.perf_counter()
    finally:
        replay.terminate()
        replay.wait(timeout=10)
    closed = [json.loads(p.read_text()) for p in (work / "staging").glob("runs/*/closed-*.json")]
    crawler_peak = max(c["stats"].get("policywatch/peak_rss_kib", 0) for c in closed)
    crawl_s = marks.get("load", ended) - marks.get("crawl", started)
    return {
        "fault_rate": fault_rate, "backoff": backoff, "fetched": summary.fetched, "new": summary.new,
        "failed": len(summary.failed), "requests": summary.requests, "total_s": ended - started, "crawl_s": crawl_s,
        "load_s": ended - marks.get("load", ended), "crawler_peak_mib": crawler_peak / 1024,
        "loader_peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=3000)
    parser.add_argument("--fault-rate", type=float, default=0.3)
    parser.add_argument("--one", nargs=4, metavar=("ARTICLES", "FAULTS", "WORK", "BACKOFF"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:  # a measurement in a fresh process, so the peak memory is this crawl's own
        articles, faults, work, backoff = args.one
        print(json.dumps(one(Path(articles), float(faults), Path(work), backoff == "1")))
        return
    with tempfile.TemporaryDirectory() as tmp:
        articles = Path(tmp) / "articles"
        make_articles(articles, args.articles)
        print(
            f"{args.articles} replayed articles (the 11 samples, varied); crawler: 16 concurrent, no delay,"
            " backoff 0.01 s doubling to 0.2 s, 0.2 s after a 456, timeout 2 s (slow answers take 3 s)"
        )
        for fault_rate, backoff in ((0.0, 1), (args.fault_rate, 1), (args.fault_rate, 0)):
            work = Path(tmp) / f"run-{fault_rate}-{backoff}"
            work.mkdir()
            command = [sys.executable, __file__, "--one", str(articles), str(fault_rate), str(work), str(backoff)]
            out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
            r = json.loads(out.strip().splitlines()[-1])
            print(
                f"faults {r['fault_rate']:.0%}{'' if r['backoff'] else ', no backoff'}: {r['fetched']} pages"
                f" ({r['new']} new articles incl. 7x24,"
                f" {r['failed']} failed) in {r['requests']} requests;"
                f" crawl {r['crawl_s']:.1f}s = {r['fetched'] / r['crawl_s']:.0f} pages/s,"
                f" load {r['load_s']:.1f}s = {r['fetched'] / max(r['load_s'], 1e-9):.0f} pages/s,"
                f" end to end {r['fetched'] / r['total_s']:.0f} pages/s;"
                f" peak RSS crawler {r['crawler_peak_mib']:.0f} MiB, loader {r['loader_peak_mib']:.0f} MiB"
            )


if __name__ == "__main__":
    main()
