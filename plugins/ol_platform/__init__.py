"""MIT Open Learning ELT platform library."""
