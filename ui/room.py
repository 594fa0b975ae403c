"""The Room page's glue: the store, the trainer's controls, the projector, the participant.

The trainer's page (no ``room`` in the address) creates a room, shows its code,
join address and QR code, opens and closes steps, reveals the scored answer,
resets a step, exports the results and closes the room. The projector is a
fragment that reads the room's answers again every ``refresh_seconds`` (no
reload of anyone's page). A participant opens ``?room=CODE``, joins under a
nickname or none, and answers the open steps; their token goes into the address
(``&t=...``), so a reload finds them again with their answers.

:func:`store` and :func:`actor` are this page's own minimal accessors (one store
per process, from ``ILP_DATA_DIR`` / ``ILP_DATABASE_URL``; the local actor), to be
replaced by the app's shared ones.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Sequence
from typing import Any, Final
from urllib.parse import urlsplit, urlunsplit

import pandas as pd
import plotly.graph_objects as go
import segno
import streamlit as st

from ilp_core import i18n, markup
from ilp_core.decide import priorities
from ilp_core.errors import IlpInputError
from ilp_core.learn import room as lib
from ilp_core.learn import workshop
from ilp_core.store import Actor, Membership, Room, Store
from ui import shared, state

#: Query parameters of a participant's address.
ROOM_PARAM: Final[str] = "room"
TOKEN_PARAM: Final[str] = "t"
#: Session keys of this page (the trainer's current room, the participant's membership).
CURRENT: Final[str] = "room.current"
MEMBER: Final[str] = "room.member"
DELETED: Final[str] = "room.deleted_code"
#: A participant's page asks for the open steps this often (seconds): slower than the
#: projector, as 30 of them poll at once.
PARTICIPANT_REFRESH: Final[float] = 5.0
_CHART: Final[dict[str, Any]] = {"displayModeBar": False}
_CSS: Final[str] = """<style>
.st-key-room-projector, .st-key-room-projector p, .st-key-room-projector td,
.st-key-room-projector th, .st-key-room-projector li { font-size: 1.6rem; }
.st-key-room-projector h2 { font-size: 2.6rem; }
.st-key-room-projector h3 { font-size: 2.1rem; }
.st-key-room-projector [data-testid="stMetricValue"] { font-size: 4rem; }
</style>"""


# -- the store (one per process) and who acts -------------------------------------------


def store() -> Store:
    """Return the workspace store (ui.shared: one per process); stop if it cannot be opened.

    ui.shared says why in the sidebar (an unreachable database).
    """
    s = shared.store()
    if s is None:
        st.stop()
    return s


def actor() -> Actor | None:
    """Who runs rooms from this browser: the logged-in user, or the local user (ui.shared)."""
    return shared.actor()


def _t(lang: str) -> Any:
    return lambda key, **params: i18n.t(key, lang, **params)


def _step_title(lang: str) -> Any:
    """A ``format_func`` naming a step in ``lang`` (captured now: AppTest formats later)."""
    return lambda sid: i18n.t(f"room.step.{sid}.title", lang)


def _attempt(func: Any, *args: Any, **kwargs: Any) -> Any:
    """Run a store call; show its :class:`IlpInputError` plainly and return False instead."""
    try:
        return func(*args, **kwargs)
    except IlpInputError as error:
        st.error(error.render(state.lang(), escape=markup.markdown), icon=":material/error:")
        return False


# -- what the room ranks: the sample region's scored ranking, once per process -----------


@st.cache_resource(show_spinner=False)
def scoring() -> tuple[tuple[str, ...], tuple[str, ...], pd.DataFrame]:
    """The problems ranked, their scored order and their criteria values (sample region)."""
    data = state.sample_dataset()
    cfg = lib.room_config()
    offered = set(data.offences)
    wanted = cfg.problems or workshop.scenario().ranking_problems
    problems = tuple(p for p in wanted if p in offered) or tuple(sorted(offered))
    ranking = priorities.rank(data.incidents, data.districts)
    scored = tuple(workshop.scored_order(ranking.table, problems))
    values = ranking.normalised.reindex(list(problems))
    return problems, scored, values


# -- the trainer --------------------------------------------------------------------------


def create_form() -> None:
    """Name, language and steps of a new room; created rooms become the current one."""
    cfg = lib.room_config()
    tr = state.tr
    with st.form("room.create"):
        name = st.text_input(tr("room.name"), max_chars=100, key="room.create.name")
        lang = st.selectbox(
            tr("room.language"),
            list(i18n.LANGUAGES),
            format_func=i18n.LANGUAGES.get,
            index=list(i18n.LANGUAGES).index(state.lang()),
            key="room.create.lang",
        )
        steps = st.multiselect(
            tr("room.steps"),
            [s.id for s in cfg.steps],
            default=[s.id for s in cfg.steps],
            format_func=_step_title(state.lang()),
            key="room.create.steps",
        )
        if st.form_submit_button(tr("room.create"), type="primary", key="room.create.go"):
            made = _attempt(store().create_room, actor(), language=lang, steps=steps, name=name)
            if made is not False:
                st.session_state[CURRENT] = made.code


def current_room() -> Room | None:
    """The trainer's room chosen on this page (their newest by default), or None."""
    rooms = _attempt(store().trainer_rooms, actor()) or []
    if not rooms:
        return None
    codes = [r.code for r in rooms]
    if st.session_state.get(CURRENT) not in codes:
        st.session_state[CURRENT] = codes[0]
    by_code = {r.code: r for r in rooms}
    st.selectbox(
        state.tr("room.current"),
        codes,
        key=CURRENT,
        format_func=lambda c: f"{c} · {by_code[c].name}" if by_code[c].name else c,
    )
    return by_code[st.session_state[CURRENT]]


def join_url(code: str) -> str:
    """The address participants open: this page with ``?room=CODE``."""
    here = str(getattr(st.context, "url", None) or "")  # empty without a browser (AppTest)
    parts = urlsplit(here or "http://localhost:8501/room")
    return urlunsplit((parts.scheme, parts.netloc, parts.path, f"{ROOM_PARAM}={code}", ""))


def qr_png(url: str) -> bytes:
    """A QR code of ``url`` as PNG bytes (big modules: read from the back of a room)."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=10, border=2)
    return buffer.getvalue()


def controls(room: Room) -> None:
    """Open and close steps, reveal, reset, export, close and delete."""
    tr, s = state.tr, store()
    title = _step_title(state.lang())
    # The widgets show the store's state on every run (another tab of the trainer may have
    # changed it) and write only when the trainer changes them here.
    c1, c2 = st.columns(2)
    for col, label, column, now in (
        (c1, "room.open_steps", "open", room.open_steps),
        (c2, "room.reveal", "reveal", room.revealed_steps),
    ):
        key = f"room.{column}.{room.code}"
        st.session_state[key] = list(now)
        col.multiselect(
            tr(label), list(room.steps), format_func=title, key=key,
            on_change=_set_steps, args=(room.code, column, key),
        )  # fmt: skip
    c1, c2 = st.columns(2)
    with c1:
        step = st.selectbox(
            tr("room.reset_step"),
            list(room.steps),
            format_func=title,
            key=f"room.reset.{room.code}",
        )
        if st.button(tr("room.reset"), key=f"room.reset_go.{room.code}"):
            _attempt(s.reset_step, actor(), room.code, step)
            st.toast(tr("room.reset_done"))
    with c2:
        sure = st.checkbox(tr("room.delete_confirm"), key=f"room.delete_sure.{room.code}")
        go = st.button(tr("room.delete"), disabled=not sure, key=f"room.delete_go.{room.code}")
        if go and sure and _attempt(s.delete_room, actor(), room.code) is not False:
            st.session_state.pop(CURRENT, None)
            st.session_state[DELETED] = room.code
            st.rerun()


def _set_steps(code: str, column: str, key: str) -> None:
    """Write the trainer's new open (or revealed) steps to the store."""
    call = store().open_steps if column == "open" else store().reveal_steps
    _attempt(call, actor(), code, list(st.session_state.get(key) or ()))


def results(room: Room) -> lib.RoomResults | None:
    """The room's results now (recomputed only when an answer changed)."""
    current = _current(room)
    return None if current is None else current[1]


def _current(room: Room) -> tuple[str, lib.RoomResults] | None:
    """The fingerprint of the room's answers and their results (shared by every session)."""
    s = store()
    answers = _attempt(s.room_answers, actor(), room.code)
    members = _attempt(s.room_members, actor(), room.code)
    if answers is False or members is False:
        return None
    fingerprint = hashlib.sha256(
        json.dumps(
            [
                answers[c].astype(str).tolist()
                for c in ("participant", "nickname", "step", "updated_at")
            ]
            + [list(room.steps), room.id],
        ).encode()
    ).hexdigest()
    return fingerprint, _results(fingerprint, answers, tuple(room.steps), members)


# Shared read-only by every session (nothing modifies a result): a projector refresh with no
# new answer then costs no sums, and no figure building (36-90 ms per chart on this machine).
@st.cache_resource(show_spinner=False, max_entries=64)
def _results(
    fingerprint: str, _answers: pd.DataFrame, steps: tuple[str, ...], members: int
) -> lib.RoomResults:
    del fingerprint  # keys the cache: every answer's author, step and time, and the steps
    problems, scored, values = scoring()
    return lib.room_results(
        _answers,
        lib.room_config(),
        problems=problems,
        scored=scored,
        values=values,
        members=members,
        steps=steps,
    )


def exports(room: Room) -> None:
    """CSV, Markdown and PDF of the room's results, in the room's language."""
    got = results(room)
    if got is None:
        return
    title = room.name or i18n.t("room.export.title", room.language)
    stem = f"room-{room.code}"
    cols = st.columns(3)
    files = (
        ("csv", "text/csv", lambda: lib.results_csv(got)),
        (
            "md",
            "text/markdown",
            lambda: lib.results_markdown(got, room.language, title=title).encode(),
        ),
        ("pdf", "application/pdf", lambda: lib.results_pdf(got, room.language, title=title)),
    )
    for col, (ext, mime, make) in zip(cols, files, strict=True):
        col.download_button(
            state.tr(f"room.export.{ext}"),
            make,
            file_name=f"{stem}.{ext}",
            mime=mime,
            key=f"room.export.{ext}.{room.code}",
            on_click="ignore",
        )


def projector(room: Room) -> None:
    """The projector view, updating itself every ``refresh_seconds`` without a reload."""
    st.html(_CSS)

    @st.fragment(run_every=lib.room_config().refresh_seconds)
    def live() -> None:
        try:
            now = store().room(room.code)
        except IlpInputError as error:
            st.error(error.render(state.lang(), escape=markup.markdown))
            return
        current = _current(now)
        if current is not None:
            with st.container(key="room-projector"):
                show(now, current[1], current[0])

    live()


@st.cache_resource(show_spinner=False, max_entries=64)
def _figure(
    kind: str, fingerprint: str, lang: str, revealed: bool, _got: lib.RoomResults
) -> go.Figure:
    """A projector chart, built once per state of the room's answers (read-only)."""
    del fingerprint  # keys the cache with the kind, language and reveal
    if kind == "ranking" and _got.ranking is not None:
        return lib.ranking_figure(_got.ranking, lang, revealed=revealed)
    if kind == "weights" and _got.weights is not None:
        return lib.weights_figure(_got.weights, lang)
    raise ValueError(f"no {kind} chart in these results")


def show(room: Room, got: lib.RoomResults, fingerprint: str = "") -> None:
    """What the room thinks, step by step, in the room's language."""
    t = _t(room.language)
    c1, c2, c3 = st.columns(3)
    c1.metric(t("room.code"), room.code)
    c2.metric(t("room.joined"), got.members)
    c3.metric(
        t("room.open_now"), ", ".join(t(f"room.step.{s}.title") for s in room.open_steps) or "–"
    )
    cfg = lib.room_config()
    for step in cfg.steps:
        if step.id not in room.steps or not (
            step.id in room.open_steps or got.answered.get(step.id)
        ):
            continue
        st.subheader(
            t(f"room.step.{step.id}.title")
            + " · "
            + t("room.answered", n=got.answered.get(step.id, 0), m=got.members)
        )
        revealed = step.id in room.revealed_steps
        if step.kind == "ranking" and got.ranking is not None:
            chart = _figure("ranking", fingerprint, room.language, revealed, got)
            _show_ranking(got.ranking, revealed, room.language, chart)
        elif step.kind == "weights" and got.weights is not None:
            _show_weights(
                got.weights,
                room.language,
                _figure("weights", fingerprint, room.language, False, got),
            )
        elif step.kind == "choice" and step.id in got.choices:
            table = got.choices[step.id]
            labels = [t(f"room.step.{step.id}.option.{o}") for o in table["option"]]
            shown = pd.DataFrame(
                {
                    t("room.col.option"): labels,
                    t("room.col.count"): table["count"],
                    t("room.col.share"): [i18n.percent(x, room.language) for x in table["share"]],
                }
            )
            st.table(shown.set_index(shown.columns[0]))
        elif step.kind == "text" and step.id in got.free:
            table = got.free[step.id]
            if table.empty:
                st.caption(t("room.no_answers"))
            else:
                st.table(
                    table.rename(columns=lambda c: t(f"room.col.{c}")).set_index(
                        t("room.col.answer")
                    )
                )
                st.caption(t("room.free_note"))


def _show_ranking(c: lib.Consensus, revealed: bool, lang: str, chart: go.Figure) -> None:
    t = _t(lang)
    term = lambda v: i18n.term(v, lang)  # noqa: E731
    if not len(c.ranks):
        st.caption(t("room.no_answers"))
        return
    cols = ["consensus_rank", "problem", "mean_rank", "borda", "rank_min", "rank_max"]
    if revealed:
        cols += ["scored_rank", "difference"]
    table = c.table[cols].assign(problem=[term(p) for p in c.table["problem"]])
    table = table.rename(columns=lambda k: t(f"room.col.{k}")).set_index(
        t("room.col.consensus_rank")
    )
    left, right = st.columns(2)
    left.table(table)
    right.plotly_chart(chart, config=_CHART)
    st.caption(t("room.ranking_note"))
    if c.agreement is not None:
        sentence = lib.agreement_sentence(lib.RoomResults(members=0, answered={}, ranking=c), lang)
        st.markdown(lib.md_text(sentence))
    if c.disagreed:
        st.markdown(
            lib.md_text(t("room.disagreed", problems=", ".join(term(p) for p in c.disagreed)))
        )
    if revealed and c.rho is not None:
        st.caption(t("room.rho_note", rho=i18n.number(c.rho, lang, 2)))


def _show_weights(w: lib.WeightResults, lang: str, chart: go.Figure) -> None:
    t = _t(lang)
    term = lambda v: i18n.term(v, lang)  # noqa: E731
    if not w.n:
        st.caption(t("room.no_answers"))
        return
    crit = lambda k: i18n.t(f"priorities.criterion.{k}", lang)  # noqa: E731
    table = w.weights.assign(criterion=[crit(k) for k in w.weights["criterion"]])
    table = table[["criterion", "mean", "median", "min", "max"]]
    left, right = st.columns(2)
    left.plotly_chart(chart, config=_CHART)
    right.table(
        table.rename(columns=lambda k: t(f"room.col.{k}")).set_index(t("room.col.criterion"))
    )
    if not w.ranges.empty:
        ranges = w.ranges.assign(problem=[term(p) for p in w.ranges["problem"]])
        ranges = ranges[["problem", "rank_at_mean_weights", "best_rank", "worst_rank"]]
        st.table(
            ranges.rename(columns=lambda k: t(f"room.col.{k}")).set_index(t("room.col.problem"))
        )
        st.caption(t("room.weights_note", n=w.distinct_rankings))


# -- the participant ----------------------------------------------------------------------


def participant(code: str) -> None:
    """Join (or rejoin from the token in the address) and answer the open steps."""
    s = store()
    try:
        room = s.room(code)
    except IlpInputError as error:
        st.error(error.render(state.lang(), escape=markup.markdown), icon=":material/error:")
        return
    t = _t(room.language)
    st.header(t("room.participant_title", name=lib.md_text(room.name or room.code)))
    member = _membership(s, room)
    if member is None:
        _join_form(s, room)
        return
    st.caption(
        t("room.you_are", name=lib.md_text(member.name))
        if member.name
        else t("room.you_are_anonymous")
    )

    @st.fragment(run_every=PARTICIPANT_REFRESH)
    def steps() -> None:
        try:
            now = s.room(room.code)
        except IlpInputError as error:
            st.error(error.render(room.language, escape=markup.markdown))
            return
        if not now.open_steps:
            st.info(t("room.wait"), icon=":material/hourglass_top:")
        for sid in now.open_steps:
            answer_form(s, now, sid, member)
            if sid in now.revealed_steps:
                _compare(now, sid)

    steps()


def _membership(s: Store, room: Room) -> Membership | None:
    token = st.query_params.get(TOKEN_PARAM)
    held = st.session_state.get(MEMBER)
    if held is not None and held[0] == room.code:
        return held[1]
    if not token:
        return None
    try:
        member = s.rejoin(room.code, token)
    except IlpInputError as error:
        st.warning(error.render(room.language, escape=markup.markdown))
        return None
    st.session_state[MEMBER] = (room.code, member, dict(room.rounds))
    return member


def _join_form(s: Store, room: Room) -> None:
    t = _t(room.language)
    with st.form("room.join"):
        name = st.text_input(
            t("room.nickname"), max_chars=40, key="room.join.name", help=t("room.nickname_help")
        )
        if st.form_submit_button(t("room.join"), type="primary", key="room.join.go"):
            joined = _attempt(s.join_room, room.code, name)
            if joined is not False:
                who, token = joined
                st.query_params[TOKEN_PARAM] = token
                member = Membership(who, str(name).strip()[:100], {}, {})
                st.session_state[MEMBER] = (room.code, member, dict(room.rounds))
                st.rerun()


def answer_form(s: Store, room: Room, sid: str, member: Membership) -> None:
    """One open step's form, filled with the participant's answer of this round if any."""
    t = _t(room.language)
    step = lib.room_config().step(sid)
    key = f"room.a.{room.code}.{sid}.{room.round_of(sid)}"
    held = st.session_state.get(MEMBER)
    loaded = held[2] if held is not None and len(held) > 2 else {}
    # the answers found at (re)joining belong to the round of that moment: after a reset
    # the form starts blank
    before = member.answers.get(sid) if loaded.get(sid, 0) == room.round_of(sid) else None
    mine = st.session_state.setdefault(f"{key}.sent", dict(before or {}))
    problems, _, _ = scoring()
    term = lambda v: i18n.term(v, room.language)  # noqa: E731
    with st.form(key):
        st.subheader(t(f"room.step.{sid}.title"))
        question = t(f"room.step.{sid}.question")
        if step.kind == "ranking":
            given = [p for p in mine.get("ranking") or () if p in problems]
            value: Any = st.multiselect(
                question, list(problems), default=given, format_func=term, key=f"{key}.v"
            )
        elif step.kind == "weights":
            given = mine.get("weights") or {}
            cfg = lib.room_config()
            value = {
                c: st.slider(
                    i18n.t(f"priorities.criterion.{c}", room.language),
                    0,
                    cfg.max_weight,
                    int(given.get(c, 1)),
                    key=f"{key}.w.{c}",
                )
                for c in cfg.criteria
            }
            st.caption(question)
        elif step.kind == "choice":
            opts = list(step.options)
            idx = opts.index(mine["choice"]) if mine.get("choice") in opts else None
            value = st.radio(
                question,
                opts,
                index=idx,
                key=f"{key}.v",
                format_func=lambda o: t(f"room.step.{sid}.option.{o}"),
            )
        else:
            value = st.text_area(
                question,
                value=str(mine.get("text") or ""),
                key=f"{key}.v",
                max_chars=lib.TEXT_LENGTH,
            )
        show = False
        if member.name:
            show = st.checkbox(
                t("room.show_name", name=lib.md_text(member.name)),
                key=f"{key}.show",
                value=bool(member.show_name.get(sid, False)),
            )
        sent = st.form_submit_button(t("room.send"), type="primary", key=f"{key}.send")
    if sent:
        _send(s, room, step, value, member, show, mine, problems, t)
    elif mine:
        st.caption(t("room.sent_before"))


def _compare(room: Room, sid: str) -> None:
    """Once the trainer reveals it: the participant's own order beside the scored one."""
    step = lib.room_config().step(sid)
    key = f"room.a.{room.code}.{sid}.{room.round_of(sid)}.sent"
    own = (st.session_state.get(key) or {}).get("ranking")
    problems, scored, _ = scoring()
    if step.kind != "ranking" or not own or len(own) != len(problems):
        return
    try:
        result = workshop.compare_rankings(own, scored)
    except IlpInputError:
        return
    st.markdown(lib.md_text(workshop.comparison_sentence(result, room.language)))


def _send(
    s: Store,
    room: Room,
    step: lib.RoomStep,
    value: Any,
    member: Membership,
    show: bool,
    mine: dict[str, Any],
    problems: Sequence[str],
    t: Any,
) -> None:
    if step.kind == "ranking" and len(value or ()) < len(problems):
        st.warning(t("room.rank_all", n=len(problems) - len(value or ())))
        return
    if step.kind == "choice" and value is None:
        st.warning(t("room.choose_one"))
        return
    body = {lib.ANSWER_KEYS[step.kind]: list(value) if step.kind == "ranking" else value}
    try:
        s.save_answer(member.actor, room.code, step.id, body, show_name=show)
    except IlpInputError as error:
        st.error(error.render(room.language, escape=markup.markdown), icon=":material/error:")
        return
    mine.clear()
    mine.update(body)
    st.success(t("room.sent"), icon=":material/check:")
