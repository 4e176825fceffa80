"""Sending one message to one channel: Apprise for every notification service, plus two local outputs.

``console://`` prints the message; ``file:///path/alerts.md`` appends it to a file. Everything else
(``mailto://``, ``slack://``, ``dingtalk://``, ``feishu://``, ``lark://``, ``wecombot://``, ``json://``…) is an
Apprise URL. A failure is returned, never raised: one channel down must not stop the others. Errors are
scrubbed of the channel URL, which may carry secrets.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import apprise

from transforms.alert_message import AlertMessage
from transforms.watchlist import AlertChannel

__all__ = ["DeliveryResult", "deliver"]


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    ok: bool
    error: str | None = None


def _scrub(text: str, channel: AlertChannel) -> str:
    secret_parts = [channel.url, channel.url.split("://", 1)[-1]]
    for part in secret_parts:
        if part:
            text = text.replace(part, f"<{channel.scheme} URL>")
    return text


def _file_path(url: str) -> Path:
    return Path(url.split("://", 1)[1])


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
    notifier = apprise.Apprise()
    if not notifier.add(channel.url):
        return DeliveryResult(False, f"Apprise does not understand this {scheme}:// URL (check its form)")
    with apprise.LogCapture(level=logging.WARNING) as captured:
        try:
            ok = bool(
                notifier.notify(title=message.title, body=message.body, body_format=apprise.NotifyFormat.MARKDOWN)
            )
        except Exception as exc:  # a plugin bug must not take the other channels down
            return DeliveryResult(False, _scrub(f"{type(exc).__name__}: {exc}", channel))
        log = captured.getvalue()
    if ok:
        return DeliveryResult(True)
    reason = " | ".join(line.split(" - ", 2)[-1] for line in log.strip().splitlines()[-3:]) or "delivery failed"
    return DeliveryResult(False, _scrub(reason, channel))
