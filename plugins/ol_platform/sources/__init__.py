"""The source registry: include/sources.yaml and the models that validate it."""
