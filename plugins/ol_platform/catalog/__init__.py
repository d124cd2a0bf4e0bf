"""The data catalog: dbt artifacts to S3 and OpenMetadata's metadata and dbt workflows."""
