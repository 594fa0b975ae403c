"""Deep links and reloads: every page runs inside the app (its navigation and sidebar).

Streamlit 1.67 still knows the old multipage mode: a server whose *first* visit is a
page's address (a bookmark, a link a trainer shares, a reload) finds the ``pages/``
folder next to ``app.py`` and runs that page file on its own, with Streamlit's bare list
of file names in the sidebar and none of the app's controls. ``app.py`` switches that
mode off when it calls ``st.navigation``, which it never gets to do on such a visit.

Every page calls :func:`through_app` first: when the page is run without the app, it
switches the old mode off and reruns. The rerun goes through ``app.py``, whose
navigation finds the same page again (Streamlit keys a page by its address, the file's
stem, in both modes), so the chosen page is kept.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager


def through_app() -> None:
    """Rerun through ``app.py`` when this page was opened without it (see the module doc)."""
    if PagesManager.uses_pages_directory:
        # Streamlit's own switch (st.navigation sets it the same way); public API has none.
        PagesManager.uses_pages_directory = False
        st.rerun()
