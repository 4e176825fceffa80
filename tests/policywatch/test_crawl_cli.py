"""``policywatch crawl`` and ``policywatch replay serve`` from the command line, and the crawl configuration."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from policywatch.crawlers.replay.server import start_replay
from policywatch.transforms.errors import ConfigError
from typer.testing import CliRunner

from policywatch.cli import app
from policywatch.config import Channel, load_settings
from policywatch.steps.crawl.discover import allowed_hosts
from tests.conftest import SAMPLES
from tests.crawlers.http_get import get

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]


def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "fast.toml"
    path.write_text(
        f"""
[crawl]
download_delay_s = 0
autothrottle = false
backoff_base_s = 0.01
backoff_max_s = 0.05
retry_times = 1
staging_dir = "{tmp_path / "staging"}"
"""
    )
    return path


def cli(tmp_path: Path, *args: str):
    base = ["--config", str(config_file(tmp_path)), "--db", str(tmp_path / "cli.duckdb")]
    return runner.invoke(app, [*base, *args], catch_exceptions=False)


@pytest.mark.integration
def test_crawl_prints_a_summary_and_a_second_run_finds_everything_known(tmp_path):
    with start_replay(SAMPLES, seed=1) as replay:
        channels = sorted({f"{p}:{lid}" for p, lid in (a.channel for a in replay.articles)})
        first = cli(tmp_path, "crawl", "--roll-url", replay.roll_url, "--zhibo-url", "",
                    "--channels", ",".join(channels[:-1]), "--channels", channels[-1])  # fmt: skip
        second = cli(
            tmp_path, "crawl", "--roll-url", replay.roll_url, "--zhibo-url", "", "--channels", ",".join(channels)
        )
    assert first.exit_code == 0, first.output
    assert "fetched 11 pages" in first.stdout and "11 new" in first.stdout
    assert second.exit_code == 0, second.output
    assert "known 11" in second.stdout and "fetched 0 pages" in second.stdout and "0 new" in second.stdout


@pytest.mark.integration
def test_a_roll_url_alone_takes_the_7x24_feed_along_and_leaves_a_live_rss_feed_out(tmp_path):
    config = config_file(tmp_path)
    config.write_text(config.read_text() + 'rss_feeds = ["https://rsshub.app/sina/finance/china"]\n')
    with start_replay(SAMPLES, seed=1) as replay:
        result = runner.invoke(
            app,
            ["--config", str(config), "--db", str(tmp_path / "cli.duckdb"), "crawl", "--roll-url", replay.roll_url],
            catch_exceptions=False,
        )
        routes = {r.route for r in replay.requests}
    assert result.exit_code == 0, result.output
    assert f"source 7x24 feed: {replay.zhibo_url} (the configured https://zhibo.sina.com.cn/" in result.stderr
    assert "RSS: 1 configured feed(s) on another host than --roll-url left out of this run" in result.stderr
    assert {"roll", "article", "zhibo"} <= routes  # the replay was asked for its 7x24 feed
    assert "7x24: 11 items" in result.stdout and "22 new" in result.stdout  # 11 articles and 11 flashes
    assert "0 skipped, 0 failed" in result.stdout


@pytest.mark.integration
def test_failures_are_listed_with_their_reasons_and_exit_1(tmp_path):
    with start_replay(SAMPLES, seed=1) as probe:
        path = probe.articles[0].path
    with start_replay(SAMPLES, seed=1, fail_paths={path: 404}) as replay:
        result = cli(tmp_path, "crawl", "--roll-url", replay.roll_url, "--zhibo-url", "")
    assert result.exit_code == 1
    assert "failed 1: http_404 ×1" in result.stderr
    assert path in result.stderr


def test_a_bad_channel_is_a_configuration_error(tmp_path):
    result = cli(tmp_path, "crawl", "--roll-url", "http://127.0.0.1:9/api/roll/get", "--channels", "finance")
    assert result.exit_code == 2
    assert "PAGEID:LID" in result.stderr


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])  # Ctrl-C, or `kill` of a server run with &
@pytest.mark.integration
def test_replay_serve_runs_until_interrupted(tmp_path, stop):
    process = subprocess.Popen(
        [sys.executable, "-c", "from policywatch.cli import main; main()", "replay", "serve", "--port", "0",
         "--articles", str(SAMPLES)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )  # fmt: skip
    try:
        first = process.stdout.readline()
        assert first.startswith("replaying 11 articles at http://127.0.0.1:")
        base = first.split(" at ", 1)[1].split()[0]
        status, _, robots = get(base + "/robots.txt")
        assert status == 200 and b"User-agent" in robots
        banner = [process.stdout.readline() for _ in range(4)]
        assert banner[-1].startswith(f"crawl it:  policywatch crawl --roll-url {base}/api/roll/get")
    finally:
        process.send_signal(stop)
        out, err = process.communicate(timeout=10)
    assert process.returncode == 0, err
    # what it answered, by route, status and fault: the robots.txt asked for above
    assert "stopped after 1 requests:" in out
    assert out.rstrip().splitlines()[-1].split() == ["robots", "200", "1"]


def test_crawl_configuration_defaults_and_overrides(tmp_path, monkeypatch):
    crawl = load_settings().crawl
    assert [str(c) for c in crawl.channels] == ["155:1686", "155:1687", "155:1689", "384:2519"]
    assert crawl.roll_url == "https://feed.mix.sina.com.cn/api/roll/get"
    assert allowed_hosts(crawl) == ["feed.mix.sina.com.cn", "finance.sina.cn", "finance.sina.com.cn",
                                    "zhibo.sina.com.cn"]  # fmt: skip
    pointed = crawl.model_copy(update={"roll_url": "http://127.0.0.1:8765/api/roll/get", "zhibo_url": ""})
    assert "127.0.0.1" in allowed_hosts(pointed)  # a crawl pointed at a host allows that host
    toml = tmp_path / "c.toml"
    toml.write_text('[crawl]\nchannels = "155:1689, 384:2519"\n')
    assert load_settings(toml).crawl.channels == [Channel(pageid=155, lid=1689), Channel(pageid=384, lid=2519)]
    monkeypatch.setenv("POLICYWATCH__CRAWL__CHANNELS", json.dumps(["155:1686"]))
    assert load_settings(toml).crawl.channels == [Channel(pageid=155, lid=1686)]
    monkeypatch.setenv("POLICYWATCH__CRAWL__CHANNELS", "155:1686")  # not JSON
    with pytest.raises(ConfigError, match="JSON"):
        load_settings(toml)
    toml.write_text('[crawl]\nchannels = ["nope"]\n')
    monkeypatch.delenv("POLICYWATCH__CRAWL__CHANNELS")
    with pytest.raises(ConfigError, match="PAGEID:LID"):
        load_settings(toml)
