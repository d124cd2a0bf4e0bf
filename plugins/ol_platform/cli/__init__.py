"""The olp command."""
