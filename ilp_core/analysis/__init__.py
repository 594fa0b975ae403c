"""ilp_core.analysis."""
