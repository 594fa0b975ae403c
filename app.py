"""ILP dashboard: navigation and sidebar only (pages in pages/, analysis in ilp_core)."""

from pathlib import Path

import streamlit as st

from ui import shared, sidebar, state
from ui.state import tr

HERE = Path(__file__).resolve().parent  # pages by absolute path: the app runs from any folder
# The favicon is a local file: a :material/…: icon is fetched from fonts.gstatic.com,
# which a closed police network cannot reach (and which learns who opens the app).
st.set_page_config(
    page_title="ILP dashboard", page_icon=str(HERE / "static" / "favicon.png"), layout="wide"
)
state.keep_user_work()
shared.start()  # the workspace store, who is acting, their restored draft

PAGES = {
    "nav.section_start": [
        ("pages/home.py", "nav.home", ":material/home:"),
        ("pages/data.py", "nav.data", ":material/upload_file:"),
    ],
    "nav.section_analyse": [
        ("pages/patterns_where.py", "nav.patterns_where", ":material/map:"),
        ("pages/patterns_concentration.py", "nav.patterns_concentration", ":material/donut_small:"),
        ("pages/patterns_when.py", "nav.patterns_when", ":material/schedule:"),
        ("pages/near_repeat.py", "nav.near_repeat", ":material/radar:"),
        ("pages/outlook.py", "nav.outlook", ":material/trending_up:"),
    ],
    "nav.section_decide": [
        ("pages/priorities.py", "nav.priorities", ":material/format_list_numbered:"),
        ("pages/allocation.py", "nav.allocation", ":material/groups:"),
    ],
    "nav.section_products": [
        ("pages/intelligence.py", "nav.intelligence", ":material/fact_check:"),
        ("pages/strategy.py", "nav.strategy", ":material/flag:"),
        ("pages/report.py", "nav.report", ":material/description:"),
    ],
    "nav.section_learn": [
        ("pages/workshop.py", "nav.workshop", ":material/school:"),
        ("pages/room.py", "nav.room", ":material/co_present:"),
    ],
}
if shared.is_admin():  # administrators, and the single user of local mode
    PAGES["nav.section_admin"] = [
        ("pages/audit.py", "nav.audit", ":material/policy:"),
        ("pages/admin.py", "nav.admin", ":material/manage_accounts:"),
    ]

navigation = st.navigation(
    {
        tr(section): [
            st.Page(HERE / path, title=tr(title), icon=icon, default=(path == "pages/home.py"))
            for path, title, icon in pages
        ]
        for section, pages in PAGES.items()
    },
    expanded=True,  # 13 pages: Streamlit would hide the last three behind "View 3 more"
)
sidebar.render()
try:
    navigation.run()
finally:  # also after st.stop() or st.rerun(): the session's work is kept as a draft
    shared.save_draft()
shared.preload()  # once per server, after its first page: the maps' imports
