"""Local stand-ins for remote services, served over real HTTP (Airbyte, feeds)."""
