"""policywatch: Chinese policy news on Sina Finance, linked to A-share tickers, studied in DuckDB."""

__version__ = "0.1.0"
