"""Crawl jobs on disk: one folder per job under ``crawl.staging_dir/runs/``, the lock that keeps one crawl per
staging folder, and the crawler process (``python -m policywatch.crawlers.sina.run RUN_DIR``) that fills a folder.

A job folder is *pending* until the loader has stored everything in it (``loaded`` marker); a job is
*finished* when every spider it ran closed with ``finished`` (a request budget or a kill leaves it unfinished,
and the next crawl resumes it from its Scrapy job folder).
"""

from __future__ import annotations

import builtins
import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from policywatch.crawlers.sina.pipelines import PROGRESS_PREFIX
from policywatch.crawlers.sina.run import CRASH_PREFIX
from policywatch.crawlers.sina.site import article_key
from policywatch.crawlers.sina.spec import SPEC_FILE, CrawlSpec
from policywatch.crawlers.sina.staging import LOADED_MARKER, close_reasons, closed_stats, read_records
from policywatch.transforms.errors import TransientError
from policywatch.transforms.models import CRAWL_RULE_REASONS

__all__ = [
    "CrawlerProblem",
    "crawler_problem",
    "exclusive_staging",
    "job_finished",
    "last_error_line",
    "pending_run_dirs",
    "prune_run_dirs",
    "requests_made",
    "run_crawler",
    "staged_keys",
    "unreachable_problem",
]

#: failures that say the site could not be reached, as opposed to answers that were wrong
_UNREACHABLE = {"dns_failed", "connection_failed", "timeout", "rate_limited", "truncated", "http_403", "http_429"}


@contextmanager
def exclusive_staging(staging: Path) -> Iterator[None]:
    """One crawl (or load) at a time per staging folder; another one is told to try again later."""
    staging.mkdir(parents=True, exist_ok=True)
    with (staging / ".lock").open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise TransientError(f"another crawl is using {staging}; try again when it is done") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def pending_run_dirs(runs_dir: Path) -> list[Path]:
    """Job folders not loaded yet, oldest first; a folder without a spec (a run that died before it began)
    is removed."""
    pending = []
    for run_dir in sorted(p for p in runs_dir.glob("*") if p.is_dir() and not (p / LOADED_MARKER).exists()):
        if not (run_dir / SPEC_FILE).exists():
            shutil.rmtree(run_dir, ignore_errors=True)
            continue
        pending.append(run_dir)
    return pending


def prune_run_dirs(runs_dir: Path, *, keep_days: int, keep_last: int) -> list[str]:
    """Remove loaded job folders loaded more than ``keep_days`` ago, keeping the newest ``keep_last`` loaded
    ones whatever their age (their records and logs explain recent runs). Pending folders are never removed."""
    loaded = sorted(
        (p for p in runs_dir.glob("*") if (p / LOADED_MARKER).is_file()),
        key=lambda p: (p / LOADED_MARKER).stat().st_mtime,
        reverse=True,
    )
    cutoff = time.time() - keep_days * 86400
    removed = []
    for run_dir in loaded[keep_last:]:
        if (run_dir / LOADED_MARKER).stat().st_mtime < cutoff:
            shutil.rmtree(run_dir, ignore_errors=True)
            removed.append(run_dir.name)
    return removed


def _expected_spiders(run_dir: Path) -> set[str]:
    spec = CrawlSpec.read(run_dir / SPEC_FILE)
    return {"sina_roll", *({"sina_zhibo"} if spec.zhibo_url else set())}


def job_finished(run_dir: Path) -> bool:
    reasons = close_reasons(run_dir)
    return all(reasons.get(name) == "finished" for name in _expected_spiders(run_dir))


def requests_made(run_dir: Path) -> int:
    """HTTP requests of the job's last crawler process (Scrapy's stats are per process)."""
    return sum(int(stats.get("downloader/request_count") or 0) for stats in closed_stats(run_dir).values())


def run_crawler(run_dir: Path, on_event: Callable[[dict[str, Any]], None]) -> int:
    """Run the crawler process on ``run_dir`` and pass on its progress events; returns its exit code."""
    command = [sys.executable, "-m", "policywatch.crawlers.sina.run", str(run_dir)]
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "POLICYWATCH_PARENT_PID": str(os.getpid())}
    with (
        (run_dir / "stderr.log").open("ab") as errors,
        subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=errors, text=True, encoding="utf-8", errors="replace", env=env
        ) as process,
    ):
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith(PROGRESS_PREFIX):
                on_event(json.loads(line[len(PROGRESS_PREFIX) :]))
        return process.wait()


def _read(path: Path, start: int = 0) -> str:
    """A log's text from byte ``start`` on ("" when there is none)."""
    return path.read_bytes()[start:].decode("utf-8", errors="replace") if path.exists() else ""


def transient_exception(line: str | None) -> bool:
    """Whether an exception line (``ConnectionResetError: …``) names a failure of the machine rather than of
    the code: out of memory, or an operating-system error (a full disk, a broken pipe, a refused or reset
    connection — every ``OSError`` subclass). Running again may help; anything else will fail the same way."""
    if not line:
        return False
    name = line.split(":", 1)[0].strip().rsplit(".", 1)[-1]
    found = getattr(builtins, name, None)
    return isinstance(found, type) and issubclass(found, (OSError, MemoryError))


@dataclass(frozen=True, slots=True)
class CrawlerProblem:
    """Why a crawler process did not do its job, and whether running it again may help."""

    message: str
    kind: Literal["transient", "terminal"]


def last_error_line(text: str) -> str | None:
    """The exception line (``ValueError: …``) of the last Python traceback in a log, if any."""
    lines = text.splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith("Traceback (most recent call last)")]
    if not starts:
        return None
    for line in lines[starts[-1] + 1 :]:
        if line.strip() and not line.startswith((" ", "\t")):
            return line.strip()
    return None


def _spider_errors(run_dir: Path) -> dict[str, int]:
    errors: dict[str, int] = {}
    for stats in closed_stats(run_dir).values():
        for name, value in stats.items():
            if name.startswith("spider_exceptions/") and name != "spider_exceptions/count":
                kind = name.removeprefix("spider_exceptions/")
                errors[kind] = errors.get(kind, 0) + int(value)
    return errors


def crawler_problem(run_dir: Path, code: int, *, finished: bool, log_from: int = 0) -> CrawlerProblem | None:
    """What went wrong with the crawler process that ran (or resumed) the job in ``run_dir``, if anything.

    Deterministic failures are terminal: a spider that could not run at all (a bug, or a configuration the
    crawler cannot work with) or that raised an exception on an answer (a bug: what it had to do with that
    answer is lost); each is named by the log's last error line. A process killed by a signal (the OOM killer,
    an operator) or that ran out of memory or disk is transient: the next run resumes its job. ``log_from``: where
    this process's part of ``stderr.log`` starts."""
    crashes = {
        p.stem.removeprefix(CRASH_PREFIX): json.loads(p.read_text(encoding="utf-8")).get("error")
        for p in sorted(run_dir.glob(f"{CRASH_PREFIX}*.json"))
    }
    if crashes:
        named = "; ".join(f"{spider}: {error}" for spider, error in crashes.items())
        if all(transient_exception(error) for error in crashes.values()):
            return CrawlerProblem(f"the crawler could not run ({named}); the next run tries again", "transient")
        return CrawlerProblem(
            f"the crawler could not run ({named}); running it again will fail the same way: fix the code or the"
            f" configuration (tracebacks in {run_dir / 'stderr.log'})",
            "terminal",
        )
    errors = _spider_errors(run_dir)
    if errors:
        named = ", ".join(f"{name} ×{n}" for name, n in sorted(errors.items()))
        line = last_error_line(_read(run_dir / "scrapy.log")) or "see the log"
        return CrawlerProblem(
            f"the crawler raised {named} on answers it got (last: {line}): a bug, and what it had to do with those"
            f" answers is not staged; what it staged is stored ({run_dir / 'scrapy.log'})",
            "terminal",
        )
    if code < 0:
        name = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else str(-code)
        return CrawlerProblem(f"the crawler process was killed ({name}); the next run resumes its job", "transient")
    if code == 0 and finished:
        return None
    if code == 0 and _expected_spiders(run_dir) <= close_reasons(run_dir).keys():
        return None  # stopped early on purpose (the request budget): the next run resumes the job
    log = _read(run_dir / "stderr.log", log_from)
    line = last_error_line(log)
    if line and not transient_exception(line):
        return CrawlerProblem(
            f"the crawler process failed (exit code {code}): {line}; running it again will fail the same way"
            f" ({run_dir / 'stderr.log'})",
            "terminal",
        )
    return CrawlerProblem(
        f"the crawler process exited with code {code} before its job was done; the next run resumes it."
        f" {line or log[-400:]}",
        "transient",
    )


def staged_keys(run_dirs: list[Path]) -> tuple[set[str], set[int]]:
    """Article keys and 7x24 ids already staged in jobs not loaded yet: a new job must not fetch them again."""
    keys: set[str] = set()
    zhibo: set[int] = set()
    for run_dir in run_dirs:
        for record in read_records(run_dir):
            data = record.data
            kind = data.get("kind")
            if kind == "page" or (kind == "rss" and data.get("state") == "full"):
                keys.add(data.get("key") or article_key(str(data.get("url"))))
            elif kind == "zhibo" and str(data.get("id", "")).isdecimal():
                zhibo.add(int(data["id"]))
    return keys, zhibo


def unreachable_problem(run_dirs: list[Path]) -> str | None:
    """Why the crawl should be retried when nothing was listed and every failure was the network's or the
    server's (Sina or the network is down); None otherwise."""
    reasons = set()
    for run_dir in run_dirs:
        for record in read_records(run_dir):
            kind = record.data.get("kind")
            if kind in ("listing", "zhibo", "rss") or (kind == "zhibo_page" and record.data.get("state") != "lost"):
                return None
            reason = str(record.data.get("reason") or "unknown")
            if kind == "failure" and reason not in CRAWL_RULE_REASONS:
                reasons.add(reason)
    if not reasons or not all(r in _UNREACHABLE or r.startswith("http_5") for r in reasons):
        return None
    listed = ", ".join(sorted(reasons))
    return f"no listing could be read ({listed}): Sina (or the network) is unreachable; retry later"
