"""Audit trail (administrators): who logged in, loaded, opened, changed, exported or deleted what.

Read-only: the page filters and downloads the trail; nothing here can change it (the
database's triggers refuse any change, whoever sends it).
"""

import datetime as dt
import functools

import streamlit as st

from ilp_core.store import AUDIT_ACTIONS
from ui import shared, state, widgets
from ui.routing import through_app
from ui.state import tr

through_app()  # first: a deep link or reload runs the page inside the app

lang = state.lang()
st.title(tr("audit.title"))
st.markdown(tr("audit.purpose"))
store, actor = shared.administrator("audit.admins_only")

# -- 1. Filters ---------------------------------------------------------------------------
users = widgets.attempt(store.list_users, actor)
user_ids = ["", "local", *([] if users is None else users["id"].tolist())]
datasets = {d.id: d.name for d in (widgets.attempt(store.list_datasets, actor) or [])}
today = dt.datetime.now(dt.UTC).date()
cols = st.columns(4)
who = cols[0].selectbox(
    tr("audit.user"), user_ids, format_func=lambda u: u or tr("audit.everyone"), key="audit.user"
)
action = cols[1].selectbox(
    tr("audit.action"), ["", *AUDIT_ACTIONS], key="audit.action",
    format_func=lambda a: tr(f"audit.action.{a or 'all'}"),
)  # fmt: skip
dataset_id = cols[2].selectbox(
    tr("audit.dataset"), ["", *datasets], format_func=lambda d: datasets.get(d, tr("audit.any")),
    key="audit.dataset",
)  # fmt: skip
period = cols[3].date_input(
    tr("audit.period"), value=(today - dt.timedelta(days=30), today), max_value=today,
    format=tr("app.date_input_format"), key="audit.period",
)  # fmt: skip
start, end = (tuple(period) + (None, None))[:2] if isinstance(period, tuple) else (period, None)
filters = {
    "actor_id": who or None,
    "action": action or None,
    "object_type": "dataset" if dataset_id else None,
    "object_id": dataset_id or None,
    "since": dt.datetime.combine(start, dt.time(), dt.UTC) if start else None,
    "until": dt.datetime.combine(end, dt.time(), dt.UTC) + dt.timedelta(days=1) if end else None,
}

# -- 2. The trail (newest first) ------------------------------------------------------------
trail = widgets.attempt(store.query_audit, actor, **filters)
if trail is None:
    st.stop()
st.subheader(tr("audit.rows", n=widgets.fmt_int(len(trail))))
shown = trail.assign(
    at=trail["at"].dt.strftime("%Y-%m-%d %H:%M:%S"),
    action=[tr(f"audit.action.{a}") for a in trail["action"]],
    object_id=[datasets.get(o, o) for o in trail["object_id"]],
).drop(columns="id")
st.dataframe(
    shown.rename(columns={c: tr(f"audit.col.{c}") for c in shown.columns}),
    hide_index=True,
    width="stretch",
)
st.caption(tr("audit.caption"))

# -- 3. Download: the same rows, formula-safe CSV (the download itself is audited) ---------
st.download_button(
    tr("common.download_csv"),
    data=functools.partial(store.audit_csv, actor, **filters),
    file_name=f"audit-{today.isoformat()}.csv",
    mime="text/csv",
    key="audit.csv",
    icon=":material/download:",
)
