"""A crawler process that does not do its job: killed (retry later) or crashed on a bug or a configuration it
cannot work with (terminal: the same crash would come again, run after run). Real crawler processes, with a
bug planted through ``sitecustomize`` (imported by every Python process at start-up)."""

from __future__ import annotations

import json
import signal
import textwrap

import pytest
from policywatch.crawlers.replay.server import start_replay
from policywatch.transforms.errors import ConfigError, FetchError, TerminalError

from policywatch.orchestration import tasks
from policywatch.steps.crawl.jobs import crawler_problem, last_error_line
from policywatch.steps.crawl.run import crawl_to_staging, load_staged, run_crawl
from tests.conftest import SAMPLES, query
from tests.policywatch.test_crawl import make_settings

#: what Twisted writes to stderr when a spider cannot be made (a real crawler's log, shortened)
UNHANDLED = """\
/work/.venv/lib/python3.11/site-packages/scrapy/crawler.py:724: ScrapyDeprecationWarning: …
Unhandled error in Deferred:

Traceback (most recent call last):
  File "/work/.venv/lib/python3.11/site-packages/scrapy/crawler.py", line 276, in crawl
    self.spider = self._create_spider(*args, **kwargs)
  File "/work/crawlers/sina/site.py", line 70, in build
    return cls(frozenset(h.lower() for h in hosts if h), re.compile(path_pattern))
re.error: missing ), unterminated subpattern at position 0
"""

#: patches ``policywatch.crawlers.sina.spiders.roll`` once it is imported (importing it earlier, before Scrapy has
#: installed its reactor, would make a crash of its own)
PLANTER = """
import importlib.abc, importlib.util, os, sys


def patch(roll):
%s


class Planter(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name != "policywatch.crawlers.sina.spiders.roll":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        run = spec.loader.exec_module

        def exec_module(module):
            run(module)
            patch(module)

        spec.loader.exec_module = exec_module
        return spec


sys.meta_path.insert(0, Planter())
"""

PLANTS = {
    "init": """
        def planted(self, *args, **kwargs):
            raise RuntimeError("a bug planted by the test")
        roll.RollSpider.__init__ = planted
    """,
    "callback": """
        def planted(self, response):
            raise ValueError("a bug planted by the test in parse_roll")
        roll.RollSpider.parse_roll = planted
    """,
    "kill": """
        import signal
        def planted(self, *args, **kwargs):
            os.kill(os.getpid(), signal.SIGKILL)  # as the OOM killer would
        roll.RollSpider.__init__ = planted
    """,
}


@pytest.fixture
def plant(tmp_path, monkeypatch):
    """Make crawler processes started from now on run with one of ``PLANTS``."""

    def planting(name: str) -> None:
        folder = tmp_path / "plant"
        folder.mkdir()
        body = textwrap.indent(textwrap.dedent(PLANTS[name]).strip(), "    ")
        (folder / "sitecustomize.py").write_text(PLANTER % body)
        monkeypatch.setenv("PYTHONPATH", str(folder))

    return planting


def test_the_last_error_line_of_a_log():
    assert last_error_line(UNHANDLED) == "re.error: missing ), unterminated subpattern at position 0"
    assert last_error_line("2026-11-02 [scrapy.core.engine] INFO: Spider closed (finished)\n") is None


def test_an_exit_is_told_apart_by_how_the_process_ended(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    (run / "spec.json").write_text(json.dumps({"run_dir": str(run), "roll_url": "http://x/", "channels": [],
        "page_size": 1, "max_pages": 1, "allowed_hosts": [], "article_url_pattern": "", "referer": "",
        "user_agent": ""}))  # fmt: skip
    killed = crawler_problem(run, -signal.SIGKILL, finished=False)
    assert killed.kind == "transient" and "killed (SIGKILL)" in killed.message
    (run / "stderr.log").write_text(UNHANDLED)
    crashed = crawler_problem(run, 1, finished=False)
    assert crashed.kind == "terminal" and "re.error: missing ), unterminated subpattern" in crashed.message
    (run / "stderr.log").write_text(UNHANDLED.replace("re.error: missing ), unterminated", "MemoryError: no"))
    assert crawler_problem(run, 1, finished=False).kind == "transient"  # short of memory: may pass next time
    assert crawler_problem(run, 1, finished=False, log_from=len(UNHANDLED.encode())).kind == "transient"
    (run / "stderr.log").write_text(UNHANDLED.replace("re.error: missing ), unterminated", "ConnectionResetError: x"))
    assert crawler_problem(run, 1, finished=False).kind == "transient"  # an OSError subclass: the machine, not code
    (run / "stderr.log").write_text("")
    assert crawler_problem(run, 1, finished=False).kind == "transient"  # nothing says it would fail again
    assert crawler_problem(run, 0, finished=True) is None


def test_a_crash_report_is_terminal_unless_the_machine_failed(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    crash = run / "crashed-sina_roll.json"
    crash.write_text(json.dumps({"error": "OSError: [Errno 28] No space left on device"}))
    full_disk = crawler_problem(run, 3, finished=False)
    assert full_disk.kind == "transient" and "No space left on device" in full_disk.message
    crash.write_text(json.dumps({"error": "re.error: missing ), unterminated subpattern at position 0"}))
    assert crawler_problem(run, 3, finished=False).kind == "terminal"


@pytest.mark.integration
def test_a_spider_that_cannot_run_is_a_terminal_error_naming_the_exception(tmp_path, plant, monkeypatch):
    plant("init")
    with start_replay(SAMPLES, seed=1) as replay:
        settings = make_settings(tmp_path, zhibo_url=replay.zhibo_url)
        staged = crawl_to_staging(settings, roll_url=replay.roll_url)
        assert staged.problem_kind == "terminal"
        assert "sina_roll: RuntimeError: a bug planted by the test" in staged.problem
        with pytest.raises(TerminalError, match="planted"):  # the run fails, and is not retried
            load_staged(settings, staged)
        assert query(settings, "SELECT status FROM runs") == [("failed",)]
        monkeypatch.setattr(tasks, "_settings", lambda: settings)
        with pytest.raises(TerminalError, match="planted"):  # Airflow fails the task instead of retrying it
            tasks.crawl({"roll_url": replay.roll_url})


@pytest.mark.integration
def test_an_exception_in_a_callback_is_a_terminal_error(tmp_path, plant):
    plant("callback")
    with start_replay(SAMPLES, seed=1) as replay:
        settings = make_settings(tmp_path)
        with pytest.raises(TerminalError) as info:
            run_crawl(settings, roll_url=replay.roll_url, channels=["155:1686"])
    assert "ValueError ×1" in str(info.value)
    assert "ValueError: a bug planted by the test in parse_roll" in str(info.value)


@pytest.mark.integration
def test_a_killed_crawler_is_retried(tmp_path, plant, monkeypatch):
    plant("kill")
    with start_replay(SAMPLES, seed=1) as replay:
        settings = make_settings(tmp_path)
        staged = crawl_to_staging(settings, roll_url=replay.roll_url)
        assert staged.problem_kind == "transient" and "killed (SIGKILL)" in staged.problem
        monkeypatch.setattr(tasks, "_settings", lambda: settings)
        with pytest.raises(FetchError, match="killed"):
            tasks.crawl({"roll_url": replay.roll_url})


def test_a_pattern_the_crawler_could_not_compile_is_a_configuration_error(tmp_path):
    settings = make_settings(tmp_path, article_url_pattern="(doc-i")
    with pytest.raises(ConfigError, match="article_url_pattern"):
        crawl_to_staging(settings, roll_url="http://127.0.0.1:9/api/roll/get")
    assert not (tmp_path / "staging" / "runs").exists()
