"""ilp_core: the analysis library behind the ILP dashboard (never imports Streamlit)."""

__version__ = "0.1.0"
