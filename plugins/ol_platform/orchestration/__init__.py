"""DAG factories: turn the registry and the dbt project into Airflow DAGs. Imported by dags/."""
