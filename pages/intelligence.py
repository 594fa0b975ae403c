"""Placeholder: this page is being built."""

import streamlit as st

from ui.state import tr

st.title(tr("nav.intelligence"))
