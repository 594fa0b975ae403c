"""ilp_core.decide."""
