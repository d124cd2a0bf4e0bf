"""The Iceberg lake: catalog access, table naming, Asset URIs and transactional writes."""
