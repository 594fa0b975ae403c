"""Workshop room: the trainer sees the room think, anonymously, as it happens."""

import streamlit as st

from ui import room as ui
from ui.routing import through_app
from ui.state import tr

through_app()  # first: a deep link or reload runs the page inside the app

code = st.query_params.get(ui.ROOM_PARAM)
if code:  # a participant's address: ?room=CODE (and &t=TOKEN once joined)
    ui.participant(code)
    st.stop()

st.title(tr("room.title"))
st.markdown(tr("room.purpose"))
who = ui.actor()
if who is None or not who.may("run_rooms"):  # trainers run rooms; participants join by code
    st.info(tr("room.trainers_only"), icon=":material/lock:")
    st.stop()

# -- The trainer's room: create one or pick one of theirs ----------------------------------
with st.expander(tr("room.new"), expanded=not ui.store().trainer_rooms(ui.actor())):
    ui.create_form()
if st.session_state.get(ui.DELETED):
    st.success(tr("room.deleted", code=st.session_state.pop(ui.DELETED)))
room = ui.current_room()
if room is None:
    st.info(tr("room.none_yet"), icon=":material/meeting_room:")
    st.stop()

# -- How participants join: the short code, the address and its QR code --------------------
projector_only = st.toggle(tr("room.projector_only"), key="room.projector_only")
if not projector_only:
    url = ui.join_url(room.code)
    left, right = st.columns([2, 1])
    left.subheader(tr("room.join_title"))
    left.markdown(tr("room.join_how", code=room.code))
    left.code(url, language=None)
    right.image(ui.qr_png(url), caption=tr("room.qr_caption"), width=260)

    # -- Trainer controls ------------------------------------------------------------------
    with st.expander(tr("room.controls"), expanded=True):
        ui.controls(room)
        st.caption(tr("room.export_note"))
        ui.exports(room)

# -- The projector: updates itself, no reload -----------------------------------------------
st.divider()
ui.projector(room)
st.caption(tr("room.anonymity_note"))
