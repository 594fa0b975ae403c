"""Administration (administrators): users and their roles, datasets' retention, purging.

Every change goes through the workspace store, which checks the administrator's right
and records it in the audit trail (``users``, ``retention``, ``purge``).
"""

import datetime as dt

import pandas as pd
import streamlit as st

from ilp_core import i18n
from ilp_core.store import ROLES
from ui import shared, state, widgets
from ui.routing import through_app
from ui.state import tr

through_app()  # first: a deep link or reload runs the page inside the app

SAID, DONE = "admin.said", "admin.done"  # what was just done, said after the rerun

lang = state.lang()
st.title(tr("admin.title"))
st.markdown(tr("admin.purpose"))
store, actor = shared.administrator("admin.admins_only")
role_label = state.label("shared.role.")
users_tab, retention_tab = st.tabs([tr("admin.users"), tr("admin.retention")])

# -- 1. Users and roles ---------------------------------------------------------------------
with users_tab:
    users = widgets.attempt(store.list_users, actor)
    if users is None:
        st.stop()
    st.subheader(tr("admin.users_count", n=widgets.fmt_int(len(users))))
    shown = users.assign(
        roles=[
            ", ".join(role_label(r) for r in roles.split(", ") if r) for roles in users["roles"]
        ],
        created_at=[i18n.date(d, lang) if pd.notna(d) else "–" for d in users["created_at"]],
        last_login=[i18n.date(d, lang) if pd.notna(d) else "–" for d in users["last_login"]],
    )
    st.dataframe(
        shown.rename(columns={c: tr(f"admin.col.{c}") for c in shown.columns}),
        hide_index=True,
        width="stretch",
    )
    st.caption(tr("admin.users_caption"))

    st.subheader(tr("admin.change_title"))
    if len(users):
        records = users.set_index("id")
        who = st.selectbox(
            tr("admin.user"), records.index.tolist(), key="admin.user",
            format_func=lambda u: f"{records.at[u, 'name'] or u} ({u})",
        )  # fmt: skip
        current = [r for r in str(records.at[who, "roles"]).split(", ") if r]
        cols = st.columns([3, 2, 1], vertical_alignment="bottom")
        roles = cols[0].multiselect(
            tr("admin.roles"), ROLES, default=current, format_func=role_label,
            key=f"admin.roles.{who}",
        )  # fmt: skip
        unit = cols[1].text_input(
            tr("admin.unit"), value=records.at[who, "unit"] or "", key=f"admin.unit.{who}"
        )
        if cols[2].button(tr("admin.save"), key="admin.save", icon=":material/save:"):
            done = widgets.attempt(store.set_user, actor, who, roles=roles, unit=unit or None)
            if done is not None:
                st.session_state[SAID] = tr("admin.saved", user=who)
                st.rerun()
    else:
        st.info(tr("admin.no_users"))

    st.subheader(tr("admin.add_title"))
    with st.form("admin.add", clear_on_submit=True):
        cols = st.columns(2)
        subject = cols[0].text_input(
            tr("admin.user_id"), help=tr("admin.user_id_help"), key="admin.new_id"
        )
        name = cols[1].text_input(tr("admin.name"), key="admin.new_name")
        email = cols[0].text_input(tr("admin.email"), key="admin.new_email")
        new_unit = cols[1].text_input(tr("admin.unit"), key="admin.new_unit")
        new_roles = st.multiselect(
            tr("admin.roles"), ROLES, format_func=role_label, key="admin.new_roles"
        )
        added = st.form_submit_button(
            tr("admin.add_button"), icon=":material/person_add:", key="admin.add"
        )
    if added:
        done = widgets.attempt(
            store.add_user, actor, subject, name=name, email=email, roles=new_roles,
            unit=new_unit or None,
        )  # fmt: skip
        if done is not None:
            st.session_state[SAID] = tr("admin.added", user=done.id)
            st.rerun()
    said = st.session_state.pop(SAID, None)
    if said:
        st.success(widgets.plain(said), icon=":material/check:")

# -- 2. Retention and purging ---------------------------------------------------------------
with retention_tab:
    st.markdown(tr("admin.retention_purpose", days=widgets.fmt_int(store.config.retention_days)))
    datasets = widgets.attempt(store.list_datasets, actor) or []
    today = dt.datetime.now(dt.UTC)
    table = pd.DataFrame(
        {
            "dataset": [d.name for d in datasets],
            "owner": [d.owner for d in datasets],
            "rows": [d.rows for d in datasets],
            "loaded": [i18n.date(d.created_at, lang) for d in datasets],
            "retention_until": [i18n.date(d.retention_until, lang) for d in datasets],
            "days_left": [max((d.retention_until - today).days, 0) for d in datasets],
        }
    )
    st.subheader(tr("admin.datasets_count", n=widgets.fmt_int(len(table))))
    st.dataframe(
        table.rename(columns={c: tr(f"admin.col.{c}") for c in table.columns}),
        hide_index=True,
        width="stretch",
    )
    st.caption(tr("admin.days_left_caption"))
    if datasets:
        by_id = {d.id: d for d in datasets}
        cols = st.columns([3, 2, 1], vertical_alignment="bottom")
        chosen = cols[0].selectbox(
            tr("admin.dataset"), list(by_id), key="admin.dataset",
            format_func=lambda i: f"{by_id[i].name} ({by_id[i].owner})",
        )  # fmt: skip
        until = cols[1].date_input(
            tr("admin.until"), value=max(by_id[chosen].retention_until, today).date(),
            min_value=today.date(), format=tr("app.date_input_format"),
            key=f"admin.until.{chosen}",
        )  # fmt: skip
        if cols[2].button(tr("admin.set_retention"), key="admin.set_retention"):
            moment = dt.datetime.combine(until, dt.time(), dt.UTC)
            if widgets.attempt(lambda: store.set_retention(actor, chosen, moment) or True):
                st.session_state[DONE] = tr("admin.retention_set", date=i18n.date(until, lang))
                st.rerun()

    st.subheader(tr("admin.purge_title"))
    st.markdown(tr("admin.purge_purpose"))
    due = sum(d.retention_until <= today for d in datasets)
    st.metric(tr("admin.due"), widgets.fmt_int(due), help=tr("admin.due_help"))
    sure = st.checkbox(tr("admin.purge_confirm"), key="admin.purge_ok")
    if st.button(tr("admin.purge_button"), key="admin.purge", disabled=not sure,
                 icon=":material/delete_forever:"):  # fmt: skip
        result = widgets.attempt(store.purge, actor)
        if result is not None:
            st.session_state[DONE] = tr(
                "admin.purged", datasets=len(result.datasets), rooms=len(result.rooms),
                files=result.cache_files,
            )  # fmt: skip
            st.rerun()
    done_text = st.session_state.pop(DONE, None)
    if done_text:
        st.success(widgets.plain(done_text), icon=":material/check:")
