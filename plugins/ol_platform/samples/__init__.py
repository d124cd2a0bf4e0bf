"""Sample systems: generated stand-ins for the upstream applications, for local runs and tests."""
