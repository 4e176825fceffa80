from __future__ import annotations

import pytest
from policywatch.transforms.alerts.watchlist import parse_watchlist
from policywatch.transforms.errors import ConfigError

from policywatch.reference import load_taxonomy
from tests.conftest import ROOT

THEMES = {t.id for t in load_taxonomy().themes}
GOOD = """\
lookback_days: 2
channels:
  mail:
    url: "mailto://${SMTP_USER}:${SMTP_PASSWORD}@smtp.example.com:587?to=a@example.com"
  hook:
    url: "json://127.0.0.1:9/hook"
rules:
  - id: std-tech
    themes: [ai, robots]
    standardization_only: true
    channels: [mail, hook]
  - id: tickers
    tickers: [300024.SZ]
    channels: [hook]
"""
ENV = {"SMTP_USER": "desk", "SMTP_PASSWORD": "s3cret"}


def test_secrets_come_from_the_environment():
    watchlist = parse_watchlist(GOOD, theme_ids=THEMES, environ=ENV)
    assert watchlist.channels["mail"].url.startswith("mailto://desk:s3cret@smtp.example.com")
    assert watchlist.rules[0].min_policy_score == 0.5 and watchlist.lookback_days == 2
    assert watchlist.max_attempts == 20


def test_a_missing_secret_makes_only_that_channel_unusable():
    watchlist = parse_watchlist(GOOD, "w.yaml", theme_ids=THEMES, environ={})
    assert set(watchlist.unavailable) == {"mail"}
    why = watchlist.unavailable["mail"]
    assert "['SMTP_USER', 'SMTP_PASSWORD']" in why and "w.yaml, line 4: channels.mail.url" in why
    assert "hook" in watchlist.channels and "hook" not in watchlist.unavailable


def test_unavailable_is_not_a_setting_of_the_file():
    with pytest.raises(ConfigError, match="not a watchlist setting"):
        parse_watchlist(GOOD + "unavailable: {}\n", "w.yaml", theme_ids=THEMES, environ=ENV)


@pytest.mark.parametrize(
    ("edit", "line", "message"),
    [
        (("themes: [ai, robots]", "themes: [ai, robotz]"), 9, "unknown themes ['robotz']"),
        (("channels: [hook]", "channels: [pager]"), 14, "unknown channels ['pager']"),
        (("tickers: [300024.SZ]", "tickers: [300024]"), 13, "not tickers"),
        (('url: "json://127.0.0.1:9/hook"', 'url: "127.0.0.1:9/hook"'), 6, "not a URL"),
        (("lookback_days: 2", "lookback_days: soon"), 1, "lookback_days"),
        (("lookback_days: 2", "lookback_days: 2\nmax_attempts: 0"), 2, "max_attempts"),
        (("    tickers: [300024.SZ]\n", ""), 12, "needs themes, tickers or keywords"),
    ],
)
def test_broken_watchlists_name_the_line(edit, line, message):
    with pytest.raises(ConfigError) as info:
        parse_watchlist(GOOD.replace(*edit), "w.yaml", theme_ids=THEMES, environ=ENV)
    assert message in str(info.value) and f"w.yaml, line {line}" in str(info.value)


def test_the_example_watchlist_is_valid():
    import apprise

    example = (ROOT / "policywatch" / "data" / "watchlist.example.yaml").read_text(encoding="utf-8")
    environ = {
        "POLICYWATCH_SMTP_USER": "desk",
        "POLICYWATCH_SMTP_PASSWORD": "pw",
        "POLICYWATCH_WEBHOOK_TOKEN": "t0ken",
        "POLICYWATCH_SLACK_BOT_TOKEN": "xoxb-1234-5678-abcdefghijklmnop",
        "POLICYWATCH_DINGTALK_TOKEN": "a" * 64,
        "POLICYWATCH_FEISHU_TOKEN": "b" * 36,
        "POLICYWATCH_WECOM_KEY": "c" * 36,
    }
    watchlist = parse_watchlist(example, theme_ids=THEMES, environ=environ)
    for name, channel in watchlist.channels.items():
        if channel.scheme not in ("console", "file"):
            assert apprise.Apprise().add(channel.url), f"Apprise rejects the example channel {name}"


def test_expanded_secrets_are_kept_for_redaction_and_left_out_of_repr():
    watchlist = parse_watchlist(GOOD, theme_ids=THEMES, environ=ENV)
    assert watchlist.channels["mail"].secrets == ("desk", "s3cret")
    assert watchlist.channels["hook"].secrets == ()
    assert "s3cret" not in repr(watchlist) and "s3cret" not in str(watchlist)
    with pytest.raises(ConfigError) as info:
        parse_watchlist(GOOD.replace('    url: "json', '    secrets: [x]\n    url: "json'), "w.yaml", environ=ENV)
    assert "w.yaml, line 6: channels.hook.secrets: not a channel setting" in str(info.value)
