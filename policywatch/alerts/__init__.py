"""Alerts: a watchlist of rules, matched against linked policy articles, delivered through Apprise channels."""

from __future__ import annotations

from pathlib import Path

from policywatch.transforms.alerts.watchlist import Watchlist, parse_watchlist
from policywatch.transforms.errors import ConfigError, TransientError

__all__ = ["AlertsNotDeliveredError", "load_watchlist"]


class AlertsNotDeliveredError(TransientError):
    """Some deliveries failed (they are journaled as failed): trying again later may get them out."""


def load_watchlist(path: Path, *, theme_ids: frozenset[str] | set[str] = frozenset()) -> Watchlist:
    """Read and validate a watchlist file (secrets expanded from the environment); every channel whose
    variables are set must be a URL Apprise accepts."""
    from policywatch.alerts.delivery import check_channel

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read the watchlist {path}: {exc.strerror or exc}") from None
    return parse_watchlist(text, str(path), theme_ids=theme_ids, check_channel=check_channel)
