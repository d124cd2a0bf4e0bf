"""dbt-duckdb plugin that makes DuckDB a stateless engine over the Iceberg lake."""
