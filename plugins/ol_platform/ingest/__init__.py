"""Ingestion: Airbyte syncs, dlt loaders and the local sample systems."""
