"""dbt through Cosmos: project, profile, execution and render configuration."""
