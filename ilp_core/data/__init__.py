"""ilp_core.data."""
