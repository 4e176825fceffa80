"""Sending one message to one channel: Apprise for every notification service, plus two local outputs.

``console://`` prints the message; ``file:///path/alerts.md`` appends it to a file. Everything else
(``mailto://``, ``slack://``, ``dingtalk://``, ``feishu://``, ``lark://``, ``wecombot://``, ``json://``…) is an
Apprise URL. A failure is returned, never raised: one channel down must not stop the others. Every Apprise
call runs inside :func:`~policywatch.alerts.redacted_log.redacted_apprise_log`, and errors and log lines are
scrubbed of the channel URL and of the secrets expanded into it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import apprise
from apprise.manager_plugins import NotificationManager

from policywatch.alerts.redacted_log import channel_redactor, redacted_apprise_log
from policywatch.transforms.alerts.message import AlertMessage
from policywatch.transforms.alerts.watchlist import AlertChannel

__all__ = ["DeliveryResult", "check_channel", "deliver"]


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    ok: bool
    error: str | None = None


def _reason(problems: list[str], fallback: str) -> str:
    return " | ".join(problems[-3:]) or fallback


def _file_path(url: str) -> Path:
    return Path(url.split("://", 1)[1])


def check_channel(channel: AlertChannel) -> str | None:
    """Why ``channel`` (its URL expanded) cannot be used, or None; the answer holds no secret."""
    scheme = channel.scheme
    if scheme == "console":
        return None
    if scheme == "file":
        return None if channel.url.split("://", 1)[1] else "file:// needs a path, like file:///var/alerts.md"
    hide = channel_redactor(channel.url, channel.secrets)
    with redacted_apprise_log(hide) as problems:
        if scheme not in NotificationManager().schemas():
            return f"Apprise has no {scheme}:// service (see https://github.com/caronc/apprise/wiki)"
        if apprise.Apprise().add(channel.url):
            return None
    return _reason(problems, f"Apprise does not accept this {scheme}:// URL")


def deliver(
    message: AlertMessage,
    channel: AlertChannel,
    *,
    echo: Callable[[str], None] = print,
    unavailable: str | None = None,
) -> DeliveryResult:
    if unavailable:
        return DeliveryResult(False, f"channel not usable: {unavailable}")
    scheme = channel.scheme
    if scheme == "console":
        echo(f"{message.title}\n{message.body}\n")
        return DeliveryResult(True)
    if scheme == "file":
        path = _file_path(channel.url)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as handle:
                handle.write(f"## {message.title}\n\n_{datetime.now(UTC).isoformat()}_\n\n{message.body}\n\n---\n\n")
        except OSError as exc:
            return DeliveryResult(False, f"cannot write {path}: {exc.strerror or exc}")
        return DeliveryResult(True)
    hide = channel_redactor(channel.url, channel.secrets)
    with redacted_apprise_log(hide) as problems:
        try:
            notifier = apprise.Apprise()
            if not notifier.add(channel.url):
                return DeliveryResult(False, _reason(problems, f"Apprise does not accept this {scheme}:// URL"))
            ok = bool(
                notifier.notify(title=message.title, body=message.body, body_format=apprise.NotifyFormat.MARKDOWN)
            )
        except Exception as exc:  # a plugin bug must not take the other channels down
            return DeliveryResult(False, hide(f"{type(exc).__name__}: {exc}"))
    return DeliveryResult(True) if ok else DeliveryResult(False, _reason(problems, "delivery failed"))
