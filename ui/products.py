"""Widgets of the product pages (Intelligence log, Requirements and control strategy).

The product tables live in ``st.session_state`` under the keys of
:data:`ilp_core.products.workspace.TABLES` (``ilp.intel_log``, ``ilp.requirements``,
``ilp.strategy``, ``ilp.pestel``, ``ilp.swot``), always checked by the library, so
the report and the saved session read them as they are. An editable table is drawn
by :func:`edit_table`: the editor starts from a snapshot of the stored table and
every run stores the checked result; the snapshot is renewed (with a new editor
key, so no edit is applied twice) whenever the table changed elsewhere (a form, a
file, a loaded session), the page is opened again, or the editor's labels or options
change (the language, the ranking).
"""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from collections.abc import Callable
from typing import Any, Final, TypeVar

import pandas as pd
import streamlit as st

from ilp_core import i18n, markup
from ilp_core.data import privacy
from ilp_core.decide import priorities
from ilp_core.errors import IlpInputError, Message
from ilp_core.products import intelligence, strategy, workspace
from ui import cache
from ui import priorities as ui_priorities
from ui.state import View, lang, tr
from ui.widgets import attempt, say

T = TypeVar("T")
TABLES = workspace.TABLES
LOG = TABLES["intel_log"]
WORKSHOP = "ilp.workshop_answers"  # the Workshop page's answers (its own key)
PRIVACY = "ilp.privacy_actions"  # privacy.ProtectedFrame.codes of the upload (Data page)
ALLOCATION_LAST = "allocation.last"  # the Allocation page's (result, scenario settings)
NEAR_REPEAT = "near_repeat.result"  # the Near-repeat page's (stamp, KnoxResult, settings)
EMPTY: dict[str, Callable[[], pd.DataFrame]] = {
    "intel_log": intelligence.empty_log,
    "requirements": strategy.empty_requirements,
    "strategy": strategy.empty_strategy,
    "pestel": strategy.empty_pestel,
    "swot": strategy.empty_swot,
}


def ensure_tables() -> None:
    """Create the empty product tables the session does not hold yet."""
    for name, key in TABLES.items():
        if not isinstance(st.session_state.get(key), pd.DataFrame):
            st.session_state[key] = EMPTY[name]()


def table(name: str) -> pd.DataFrame:
    """The stored product table ``name`` (``intel_log``, ``requirements``, ...)."""
    ensure_tables()
    return st.session_state[TABLES[name]]


def store(name: str, frame: pd.DataFrame) -> None:
    """Replace a product table (already checked by the library)."""
    st.session_state[TABLES[name]] = frame


def edit_table(
    name: str,
    checker: Callable[[pd.DataFrame], pd.DataFrame | None],
    column_config: dict[str, Any],
) -> pd.DataFrame:
    """An editable product table; stores and returns the checked result of the edits."""
    state = st.session_state
    current = table(name)
    base, version, synced = f"{name}.base", f"{name}.version", f"{name}.synced"
    # Streamlit gives the editor a new identity (dropping its edits) when its labels or
    # options change (a language switch, a new ranking): start again from the stored table.
    signature = json.dumps(column_config, default=lambda _: "", sort_keys=True)
    if (
        state.get(synced) is not current
        or _editor_key(name) not in state
        or state.get(f"{name}.signature") != signature
    ):
        state[base] = current
        state[version] = int(state.get(version, 0)) + 1
        state[f"{name}.signature"] = signature
    edited = st.data_editor(
        state[base],
        key=_editor_key(name),
        num_rows="dynamic",
        hide_index=True,
        column_config=column_config,
        width="stretch",
    )
    result = checker(edited)
    if result is not None and not result.equals(current):
        store(name, result)
        current = result
    state[synced] = current
    return current


def _editor_key(name: str) -> str:
    return f"{name}.editor.{st.session_state.get(f'{name}.version', 0)}"


def text_column(key: str, **kwargs: Any) -> Any:
    """A text column of a table editor, headed in the user's language."""
    return st.column_config.TextColumn(tr(key), **kwargs)


def choice_column(key: str, options: tuple[str, ...], prefix: str, **kwargs: Any) -> Any:
    """A column of fixed choices shown in the user's language (values stay the codes)."""
    return st.column_config.SelectboxColumn(
        tr(key), options=list(options), format_func=_labeller(prefix), **kwargs
    )


def _labeller(prefix: str) -> Callable[[Any], str]:
    current = lang()
    return lambda value: i18n.t(f"{prefix}{value}", current) if value else ""


def problem_labels(ranking: priorities.Ranking) -> dict[str, str]:
    """``{problem id: name in the user's language}`` in the ranking's order."""
    t = ranking.table
    return dict(zip(t["problem"], priorities.problem_labels(t, lang()), strict=True))


# -- intelligence log -------------------------------------------------------------------


#: Characters of a code's meaning a select box shows (a full-width one holds about 100;
#: the meanings of the EU 4x4 and 5x5x5 codes run to 150): the rest is in its help.
CODE_LABEL_CHARS = 90


def code_labels(scheme: str, axis: str) -> dict[str, str]:
    """Codes of a scheme's axis with their meaning, for a selectbox (language of this run)."""
    current = lang()
    return {
        c: f"{c}: {intelligence.code_meaning(scheme, axis, c, current)}"
        for c in intelligence.grading().schemes[scheme][axis]
    }


def _short(label: str) -> str:
    return textwrap.shorten(label, CODE_LABEL_CHARS, placeholder=" …")


def add_item_form(scheme: str, labels: dict[str, str]) -> None:
    """A form adding one graded item to the log (codes offered from the chosen scheme)."""
    with st.form("intelligence.add", clear_on_submit=True):
        left, right = st.columns([1, 3])
        day = left.date_input(
            tr("intelligence.col.date"), value=dt.date.today(), key="intelligence.f.date"
        )
        summary = right.text_input(tr("intelligence.col.summary"), key="intelligence.f.summary")
        choices = {axis: code_labels(scheme, axis) for axis in intelligence.AXES}
        picked = {  # one a line, each meaning shortened to fit; in full in the help
            axis: st.selectbox(
                tr(f"intelligence.axis.{axis}"),
                list(choices[axis]),
                format_func=lambda c, shown=choices[axis]: _short(shown[c]),
                key=f"intelligence.f.{scheme}.{axis}",
                help="\n\n".join(markup.markdown(m) for m in choices[axis].values()),
            )
            for axis in intelligence.AXES
        }
        cols = st.columns(3)
        problem = cols[0].selectbox(
            tr("intelligence.form_problem"),
            ["", *labels],
            format_func=lambda p, names=dict(labels): names.get(p, "") or "—",
            key="intelligence.f.problem",
        )
        other = cols[1].text_input(
            tr("intelligence.form_other_problem"), key="intelligence.f.other"
        )
        area = cols[2].text_input(tr("intelligence.col.area"), key="intelligence.f.area")
        notes = st.text_input(tr("intelligence.col.notes"), key="intelligence.f.notes")
        if st.form_submit_button(
            tr("intelligence.form_add"), key="intelligence.f.add", type="primary"
        ):
            log = attempt(
                intelligence.add_item,
                table("intel_log"),
                date=day,
                summary=summary,
                scheme=scheme,
                problem=other.strip() or problem,
                area=area,
                notes=notes,
                **picked,
            )
            if log is not None:
                store("intel_log", log)
                st.toast(tr("intelligence.added"), icon=":material/check:")


def log_upload() -> None:
    """Read a log file; every row accepted or rejected; add the accepted rows on request."""
    with st.expander(tr("intelligence.upload_title")):
        st.caption(tr("intelligence.upload_help"))
        upload = st.file_uploader(
            tr("intelligence.upload_file"),
            type=["csv", "tsv", "txt", "xlsx"],
            key="intelligence.file",
        )
        if upload is None:
            return
        saved = st.session_state.get("intelligence.read")
        if saved is None or saved[0] != upload.file_id:
            st.session_state["intelligence.read"] = (
                upload.file_id,
                attempt(intelligence.read_log, upload.getvalue(), upload.name),
            )
        check = st.session_state["intelligence.read"][1]
        if check is None:
            return
        cols = st.columns(3)
        cols[0].metric(tr("intelligence.rows_read"), i18n.number(check.rows_read, lang()))
        cols[1].metric(tr("intelligence.accepted"), i18n.number(len(check.log), lang()))
        cols[2].metric(tr("intelligence.rejected"), i18n.number(len(check.rejects), lang()))
        if len(check.rejects):
            st.dataframe(
                intelligence.rejects_for_display(check.rejects, lang()),
                hide_index=True,
                width="stretch",
            )
        if len(check.log) and st.button(
            tr("intelligence.upload_add"), key="intelligence.upload_add"
        ):
            store("intel_log", intelligence.append_items(table("intel_log"), check.log))
            st.session_state.pop("intelligence.read", None)
            st.rerun()


def log_editor() -> pd.DataFrame:
    """The log as an editable table; rows that do not pass are listed with their reason."""
    config = {c: text_column(f"intelligence.col.{c}") for c in intelligence.LOG_COLUMNS}
    config["date"] = st.column_config.DateColumn(tr("intelligence.col.date"), format="YYYY-MM-DD")
    config["scheme"] = choice_column(
        "intelligence.col.scheme", intelligence.SCHEMES, "intelligence.scheme."
    )
    config["item_id"] = text_column("intelligence.col.item_id", disabled=True)
    rejected: list[pd.DataFrame] = []

    def check(edited: pd.DataFrame) -> pd.DataFrame:
        result = intelligence.validate_log(edited)
        if len(result.rejects):
            rejected.append(result.rejects)
        return result.log

    log = edit_table("intel_log", check, config)
    if rejected:
        st.warning(tr("intelligence.editor_rejects", n=len(rejected[0])), icon=":material/warning:")
        st.dataframe(intelligence.rejects_for_display(rejected[0], lang()), hide_index=True)
    return log


# -- requirements, strategy, PESTEL, SWOT -------------------------------------------------


#: Incidents from which the priorities' evidence is computed two at a time. At stop 30
#: the threads cost more than they gave at 1,000,000 (1.17-1.20 s one at a time,
#: 1.29-1.30 s two at a time; at 10,000,000: 4.04 s and 3.43 s); with the hot-spot
#: change's counts compiled (they release Python's lock) the Strategy page at 1,000,000
#: took 1.29-1.39 s one at a time and 1.11-1.25 s two at a time (six runs each, stop 32).
#: Below 500,000 it is not measured: one at a time, as before.
EVIDENCE_THREADS_FROM: Final[int] = 500_000


def evidence(
    view: View, ranking: priorities.Ranking, scope: list[str]
) -> dict[str, strategy.Evidence]:
    """The analyses' evidence for each priority in scope (cached per problem and data)."""
    custom = list(st.session_state.get(ui_priorities.CUSTOM) or ())
    loaded = st.session_state.get(ui_priorities.LOADED)
    if not custom and isinstance(loaded, priorities.Assessment):
        custom = [dict(c) for c in loaded.custom]
    selection = strategy.problem_selection(ranking.table, custom)
    problems = [p for p in scope if p in selection]
    calls = [
        {
            "problem": p,
            "offences": selection[p]["offences"],
            "in_districts": selection[p]["districts"],
        }
        for p in problems
    ]
    with st.spinner(tr("strategy.computing")):
        threads = cache.EACH_THREADS if len(view.incidents) >= EVIDENCE_THREADS_FROM else 1
        found = cache.compute_each(
            strategy.problem_evidence,
            view.key,
            view.incidents,
            view.dataset.districts,
            calls=calls,
            threads=threads,
        )
    return dict(zip(problems, found, strict=True))


def position(view: View) -> dict[str, dict[str, float]]:
    """The assessed position gaps of each problem (from the priority assessment in use)."""
    try:
        assessment = ui_priorities.current_assessment(view)
    except IlpInputError:
        return {}
    return strategy.position_values(assessment.entered_frame() if assessment else None)


def requirements_editor(problems: list[str], labels: dict[str, str]) -> None:
    """The requirements table, editable."""
    config = {c: text_column(f"strategy.col.{c}") for c in strategy.REQUIREMENT_COLUMNS}
    config["problem"] = _problem_column(problems, labels)
    config["due"] = st.column_config.DateColumn(tr("strategy.col.due"), format="YYYY-MM-DD")
    config["status"] = choice_column("strategy.col.status", strategy.STATUSES, "strategy.status.")
    edit_table("requirements", lambda f: attempt(strategy.check_requirements, f), config)


def strategy_editor(problems: list[str], labels: dict[str, str]) -> None:
    """The control strategy, editable."""
    config = {c: text_column(f"strategy.col.{c}") for c in strategy.STRATEGY_COLUMNS}
    config["problem"] = _problem_column(problems, labels)
    config["pillar"] = choice_column("strategy.col.pillar", strategy.PILLARS, "strategy.pillar.")
    config["suggested"] = st.column_config.CheckboxColumn(
        tr("strategy.col.suggested"), disabled=True
    )
    edit_table("strategy", lambda f: attempt(strategy.check_strategy, f), config)


def factor_editor(name: str, problems: list[str], labels: dict[str, str]) -> None:
    """The PESTEL or SWOT table, editable; factors linked to priorities."""
    current = dict(labels)
    config: dict[str, Any] = {"factor": text_column("strategy.col.factor")}
    config["problems"] = st.column_config.MultiselectColumn(
        tr("strategy.col.problems"),
        options=problems,
        format_func=lambda p: current.get(p, p),
        accept_new_options=True,
    )
    if name == "pestel":
        config["category"] = choice_column(
            "strategy.col.category", strategy.PESTEL_CATEGORIES, "strategy.pestel."
        )
        config["impact"] = choice_column(
            "strategy.col.impact", strategy.IMPACTS, "strategy.impact."
        )
        checker = strategy.check_pestel
    else:
        config["quadrant"] = choice_column(
            "strategy.col.quadrant", strategy.SWOT_QUADRANTS, "strategy.swot."
        )
        checker = strategy.check_swot
    edit_table(name, lambda f: attempt(checker, f), config)


def _problem_column(problems: list[str], labels: dict[str, str]) -> Any:
    current = dict(labels)
    return st.column_config.SelectboxColumn(
        tr("strategy.col.problem"), options=problems, format_func=lambda p: current.get(p, p)
    )


def links_for_display(problems: list[str]) -> pd.DataFrame:
    """Which PESTEL and SWOT factors affect each priority, with headers in the user's language."""
    current = lang()
    links = strategy.factor_links(table("pestel"), table("swot"), problems)
    shown = links.assign(
        problem=[i18n.term(p, current) for p in links["problem"]],
        source=[i18n.t(f"strategy.source.{s}", current) for s in links["source"]],
        category=[
            i18n.t(f"strategy.{'pestel' if s == 'pestel' else 'swot'}.{c}", current)
            for s, c in zip(links["source"], links["category"], strict=True)
        ],
        impact=[i18n.t(f"strategy.impact.{v}", current) if v else "" for v in links["impact"]],
    )
    return shown.rename(columns=lambda c: i18n.t(f"strategy.link_col.{c}", current))


# -- saving and loading the session --------------------------------------------------------


def current_workspace(view: View) -> workspace.Workspace | None:
    """The session's work as one plain object (None, with a message, when a part is not valid).

    What the report, its PDF and the saved session are built from, gathered from
    where the pages keep it: the view, the Where page's grid cell and FDR, the
    priority assessment behind the current ranking, the near-repeat test run on
    this view, the Allocation page's last scenario (today's hours included), the
    product tables, the workshop answers and the upload's personal-data actions.
    """
    ensure_tables()
    state = st.session_state
    alloc = state.get(ALLOCATION_LAST)
    cell = state.get("p.where.cell") or 0  # 0: automatic
    fdr = bool(state.get("p.where.fdr", True))
    where = {"cell_size": float(cell) if cell else None, "fdr": fdr}
    return attempt(
        workspace.make_workspace,
        fingerprint=view.dataset.fingerprint,
        dataset=view.dataset.name,
        saved_at=dt.datetime.now().isoformat(timespec="seconds"),
        view={"start": view.start, "end": view.end, "offences": list(view.offences)},
        where=where,
        priority=ui_priorities.current_assessment(view),
        near_repeat=_near_repeat(view),
        allocation=alloc[1] if alloc else None,
        workshop=state.get(WORKSHOP),
        privacy_actions=list(state.get(PRIVACY) or ()),
        **{name: table(name) for name in TABLES},
    )


def _near_repeat(view: View) -> dict[str, Any] | None:
    """The settings of the near-repeat test the user ran on this view, or None."""
    saved = st.session_state.get(NEAR_REPEAT)
    if saved is None or len(saved) < 3 or not str(saved[0]).startswith(view.key + "|"):
        return None
    return dict(saved[2])


def load_session(fingerprint: str) -> None:
    """Read a saved session file and, when the user confirms, restore every part of it."""
    upload = st.file_uploader(tr("strategy.load_file"), type=["json"], key="strategy.session_file")
    if upload is None:
        return
    loaded = attempt(workspace.from_json, upload.getvalue(), fingerprint=fingerprint)
    if loaded is None:
        return
    for message in loaded.warnings:
        say(st.warning, message, icon=":material/warning:")
    label = "strategy.load_apply" if loaded.same_data else "strategy.load_anyway"
    if st.button(tr(label), key="strategy.load_apply", type="primary"):
        restore(loaded.workspace)
        st.rerun()


def restore(w: workspace.Workspace) -> None:
    """Put every part of a saved session where the pages read it."""
    state = st.session_state
    for name in TABLES:
        store(name, getattr(w, name))
    assessment = w.assessment()
    if assessment is not None:
        ui_priorities._apply(assessment)
        state.pop(ui_priorities.LAST, None)
        state[ui_priorities.LOADED] = assessment
    if w.workshop is not None:
        state[WORKSHOP] = dict(w.workshop)
    if w.allocation is not None:
        state["products.allocation"] = dict(w.allocation)
    if w.privacy_actions and not state.get(PRIVACY):
        state[PRIVACY] = list(w.privacy_actions)
    state["strategy.restored"] = w.dataset or "-"


def privacy_lines() -> list[Message]:
    """The personal-data actions of this session, as messages.

    Their column names are data: pages show them with :func:`ui.widgets.as_markdown`.
    """
    out = []
    for code in st.session_state.get(PRIVACY) or ():
        try:
            out.append(privacy.action_message(code))
        except IlpInputError:
            continue
    return out


# -- suggestions ---------------------------------------------------------------------------

PICKED = "strategy.picked"


def pick_suggestions(suggestions: pd.DataFrame) -> None:
    """Choose suggestions and accept them into the control strategy (never added silently)."""
    names = {
        i: f"{i18n.term(p, lang())} · {tr(f'strategy.pillar.{pl}')}: {a}"
        for i, p, pl, a in zip(
            suggestions["suggestion_id"],
            suggestions["problem"],
            suggestions["pillar"],
            suggestions["action"],
            strict=True,
        )
    }
    ids = list(names)
    st.session_state[PICKED] = [i for i in st.session_state.get(PICKED) or () if i in names]
    chosen = st.multiselect(tr("strategy.pick"), ids, format_func=names.get, key=PICKED)
    st.button(
        tr("strategy.accept"),
        key="strategy.accept",
        type="primary",
        disabled=not chosen,
        on_click=_accept,
        args=(suggestions,),
    )


def _accept(suggestions: pd.DataFrame) -> None:
    chosen = list(st.session_state.get(PICKED) or ())
    new = attempt(strategy.accept_suggestions, table("strategy"), suggestions, chosen)
    if new is not None:
        store("strategy", new)
        st.session_state[PICKED] = []
        st.toast(tr("strategy.accepted", n=len(chosen)), icon=":material/check:")
