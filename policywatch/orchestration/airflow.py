"""Airflow plumbing for the DAGs in ``dags/``: one pool for every task that writes DuckDB (DuckDB allows one
writing process), retries for transient errors only, and ``policywatch airflow setup``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from policywatch.config import Settings
from policywatch.transforms.errors import ConfigError

__all__ = [
    "ARTICLES_ASSET",
    "ARTICLES_LANDED",
    "DUCKDB_POOL",
    "NETWORK_ERRORS",
    "PRICES_ASSET",
    "PRICES_LANDED",
    "STUDY_ASSET",
    "announce",
    "dag_kwargs",
    "default_args",
    "retry_policy",
    "setup_airflow",
]

#: every task that writes the DuckDB file runs in this pool, which has one slot
DUCKDB_POOL = "policywatch_duckdb"
#: the assets the DAGs produce and consume (event_study runs when articles or prices land)
ARTICLES_ASSET = "policywatch://warehouse/articles"
PRICES_ASSET = "policywatch://warehouse/prices"
STUDY_ASSET = "policywatch://warehouse/study"
#: what the producing tasks declare as outlets instead of the assets themselves: a declared asset gets an
#: event on every success of its task, so event_study would rerun the whole study after every crawl that
#: found nothing; through an alias the task adds the asset's event only when something landed
ARTICLES_LANDED = "policywatch-articles-landed"
PRICES_LANDED = "policywatch-prices-landed"


#: network failures as the libraries raise them when nothing wrapped them in a FetchError: most are OSErrors
#: but not builtins.ConnectionError (socket.gaierror, requests' ConnectionError and Timeout, smtplib's), and
#: urllib3's are plain Exceptions. socket.timeout is builtins.TimeoutError.
NETWORK_ERRORS = (
    "builtins.ConnectionError",
    "builtins.TimeoutError",
    "socket.gaierror",
    "socket.herror",
    "http.client.IncompleteRead",
    "smtplib.SMTPServerDisconnected",
    "smtplib.SMTPConnectError",
    "requests.exceptions.ConnectionError",
    "requests.exceptions.Timeout",
    "requests.exceptions.ChunkedEncodingError",
    "urllib3.exceptions.TimeoutError",
    "urllib3.exceptions.ProtocolError",
    "urllib3.exceptions.MaxRetryError",
)


def announce(outlet_events: Any, alias: str, asset_uri: str, *, landed: bool, extra: dict[str, Any]) -> bool:
    """Emit ``asset_uri``'s event (with ``extra``) through the task's outlet ``alias`` when something
    landed; returns whether it did. ``outlet_events`` is the task's context entry (None outside Airflow)."""
    if not landed or outlet_events is None:
        return False
    from airflow.sdk import Asset, AssetAlias

    outlet_events[AssetAlias(alias)].add(Asset(asset_uri), extra=extra)
    return True


def retry_policy() -> Any:
    """Transient errors (network, HTTP 5xx/429/456, a held database lock) are retried with backoff;
    terminal ones (bad configuration, bad input) and anything unforeseen (a bug) fail at once."""
    from airflow.sdk.definitions.retry_policy import ExceptionRetryPolicy, RetryAction, RetryRule

    return ExceptionRetryPolicy(
        rules=[
            RetryRule(
                "policywatch.transforms.errors.TerminalError", RetryAction.FAIL, reason="bad configuration or input"
            ),
            RetryRule("policywatch.transforms.errors.TransientError", RetryAction.RETRY, reason="transient: retrying"),
            RetryRule(list(NETWORK_ERRORS), RetryAction.RETRY, reason="network: retrying"),
        ],
        default=RetryAction.FAIL,
    )


def default_args(retries: int = 3) -> dict[str, Any]:
    """Retries with exponential backoff: the first after Airflow's ``[core] default_task_retry_delay``
    (300 s unless set), then twice as long each time, at most 30 minutes."""
    return {
        "owner": "policywatch",
        "retries": retries,
        # a multiplier in Airflow 3 (True would be 1.0: a constant delay)
        "retry_exponential_backoff": 2.0,
        "max_retry_delay": timedelta(minutes=30),
        "retry_policy": retry_policy(),
    }


def dag_kwargs(doc_md: str | None) -> dict[str, Any]:
    """What every policywatch DAG shares: China time, no backfill, one run at a time, retries, its doc."""
    import pendulum

    return {
        "start_date": pendulum.datetime(2026, 1, 1, tz="Asia/Shanghai"),
        "catchup": False,
        "max_active_runs": 1,
        "doc_md": doc_md,
        "default_args": default_args(),
        "tags": ["policywatch"],
    }


@dataclass(frozen=True, slots=True)
class SetupReport:
    pool: str
    slots: int
    checks: tuple[str, ...]


def setup_airflow(settings: Settings, *, slots: int = 1) -> SetupReport:
    """Create (or fix) the DuckDB writers' pool and check the configuration the DAGs will use."""
    if slots != 1:
        raise ConfigError(
            f"the pool {DUCKDB_POOL} must have exactly 1 slot, not {slots}: DuckDB allows one writing process, "
            "and the pool is what keeps the DAGs' writers to one at a time"
        )
    from airflow.models.pool import Pool

    checks = list(check_configuration(settings))
    Pool.create_or_update_pool(
        DUCKDB_POOL,
        slots=slots,
        description="policywatch: tasks that write the DuckDB file (DuckDB allows one writing process)",
        include_deferred=False,
    )
    return SetupReport(DUCKDB_POOL, slots, tuple(checks))


def check_configuration(settings: Settings) -> list[str]:
    """Load everything the DAGs need once, so a broken file fails here and not at 3 a.m."""
    from policywatch.alerts import load_watchlist
    from policywatch.reference import load_taxonomy
    from policywatch.transforms.trading_calendar import calendar_horizon
    from policywatch.warehouse.store import open_writer

    done = []
    relative = {
        name: path
        for name, path in (
            ("db.path", settings.db.path),
            ("crawl.staging_dir", settings.crawl.staging_dir),
            ("prices.staging_dir", settings.prices.staging_dir),
            ("linking.reference_dir", settings.linking.reference_dir),
        )
        if not Path(path).is_absolute()
    }
    if relative:
        listed = ", ".join(f"{name} = {path}" for name, path in relative.items())
        raise ConfigError(
            f"under Airflow every path must be absolute (tasks run in a temporary folder, so a relative path "
            f"would name a different file): {listed}; set them in the config file or as POLICYWATCH__…"
        )
    con = open_writer(settings.db.path, lock_timeout=settings.db.lock_timeout_s)
    con.close()
    done.append(f"database {settings.db.path}: writable, schema up to date")
    taxonomy = load_taxonomy(settings.linking.themes_file)
    done.append(f"theme taxonomy: {len(taxonomy.themes)} themes")
    horizon = calendar_horizon(settings.study.calendar)
    done.append(f"trading calendar {horizon.calendar}: sessions up to {horizon.last_session}")
    if warning := horizon.message():
        done.append(f"WARNING: {warning}")
    if settings.alerts.watchlist:
        watchlist = load_watchlist(settings.alerts.watchlist, theme_ids={t.id for t in taxonomy.themes})
        counts = f"{len(watchlist.rules)} rules, {len(watchlist.channels)} channels"
        done.append(f"watchlist {settings.alerts.watchlist}: {counts}")
        for name, why in watchlist.unavailable.items():
            done.append(f"WARNING: alert channel {name} is not usable: {why}")
    else:
        done.append("WARNING: no watchlist configured: the alert task sends nothing until [alerts] watchlist is set")
    return done
