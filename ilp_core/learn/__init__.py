"""ilp_core.learn."""
