"""What the Airflow DAGs share: the DuckDB writers' pool, the retry policy, and the setup of a deployment.

Airflow is imported inside functions: the rest of policywatch never needs it.
"""
