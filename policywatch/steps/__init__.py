"""The pipeline steps as plain functions, called by the CLI and by the Airflow DAGs alike."""
