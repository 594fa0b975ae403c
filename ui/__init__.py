"""Streamlit glue shared by app.py and the pages: session state, caching, small widgets.

This is the only place besides app.py and pages/ that imports Streamlit; the
analysis lives in ``ilp_core``.
"""
