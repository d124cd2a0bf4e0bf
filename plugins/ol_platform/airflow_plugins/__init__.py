"""Airflow plugins of the platform (registered through the ``airflow.plugins`` entry point)."""
