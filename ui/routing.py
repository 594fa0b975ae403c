"""Deep links and reloads: every page runs inside the app (its navigation and sidebar).

Streamlit 1.67 still knows its old multipage mode: while no run has called
``st.navigation`` yet (a server whose first visit is a page's address: a bookmark, a
link a trainer shares, a reload), it finds the ``pages/`` folder next to ``app.py`` and
runs the page file on its own, with Streamlit's bare list of file names in the sidebar
and none of the app's controls. AppTest does the same on every run that opens a page.

Every page calls :func:`through_app` first. Run on its own, the page switches the old
mode off and runs ``app.py`` in its place, in this same run: the app's navigation
finds the page the user asked for (Streamlit keys a page by its address, the file's
stem, in both modes) and runs it inside the app. Running the app in this run rather
than rerunning keeps what the user just did (a button press lasts one run only).
"""

from __future__ import annotations

import runpy
from pathlib import Path

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

APP = Path(__file__).resolve().parent.parent / "app.py"


def through_app() -> None:
    """Run the app in place of this page when the page was started without it."""
    if not PagesManager.uses_pages_directory:
        return  # app.py's st.navigation ran first: it cleared the flag
    # st.navigation clears the flag the same way; Streamlit offers no public switch.
    PagesManager.uses_pages_directory = False
    runpy.run_path(str(APP), run_name="__main__")
    st.stop()  # the app has run the page; nothing more of this copy
