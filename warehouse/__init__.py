"""Load and serve: the DuckDB schema, its migrations and the only code that writes the database."""
