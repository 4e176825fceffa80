"""``policywatch airflow setup``: prepare an Airflow deployment for the DAGs in ``dags/``."""

from __future__ import annotations

from typing import Annotated

import typer

from policywatch.cli.common import AppState, console, guarded

__all__ = ["register"]

airflow_app = typer.Typer(help="Airflow: create the DuckDB writers' pool and check the configuration.")


@airflow_app.command("setup")
@guarded
def airflow_setup(
    ctx: typer.Context,
    slots: Annotated[int, typer.Option(help="Pool slots: only 1 is accepted (DuckDB allows one writing process).")] = 1,
) -> None:
    """Create (or fix) the pool policywatch_duckdb and check the database, taxonomy and watchlist the DAGs use.

    Run it where Airflow's metadata database is configured (AIRFLOW_HOME / AIRFLOW__DATABASE__SQL_ALCHEMY_CONN).

    Example: AIRFLOW_HOME=~/airflow POLICYWATCH_CONFIG=/etc/policywatch.toml policywatch airflow setup
    """
    from policywatch.orchestration.airflow import setup_airflow

    report = setup_airflow(ctx.ensure_object(AppState).settings, slots=slots)
    console.print(f"pool {report.pool}: {report.slots} slot(s)", highlight=False)
    for check in report.checks:
        prefix = "" if check.startswith("WARNING") else "ok: "
        console.print(f"{prefix}{check}", highlight=False, markup=False)


def register(app: typer.Typer) -> None:
    app.add_typer(airflow_app, name="airflow")
