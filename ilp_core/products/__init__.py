"""ilp_core.products."""
