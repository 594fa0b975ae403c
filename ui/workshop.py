"""Widgets of the Workshop page: the step picker, questions, the ranking exercise, downloads.

Session keys (all per session; nothing here is shared between participants):

``ilp.workshop_answers``   the participant's answers, a JSON-serialisable dict
                           ``{step_id: {question_id: answer}}`` plus ``own_ranking``
                           (the source of truth: the workspace file saves and restores it)
``p.workshop.step``        the step shown
``p.workshop.<step>.<q>``  the widget of each question (mirrors the dict)
``p.workshop.own_ranking`` the participant's own order of the problems

Answers are written to the dict by the widgets' ``on_change`` callbacks (they run
before the script), and the dict is written back into the widgets before they are
drawn, so a restored workspace shows its answers at once.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Any

import streamlit as st

from ilp_core import i18n, markup
from ilp_core.decide import priorities
from ilp_core.learn import workshop
from ilp_core.learn.workshop import Link, Question, Scenario, Step
from ui import cache, state, widgets
from ui import priorities as ui_priorities
from ui.state import View, lang, tr

ANSWERS = "ilp.workshop_answers"
P = "p.workshop."
STEP = P + "step"
OWN = P + workshop.OWN_RANKING


def answers() -> dict[str, Any]:
    """The participant's answers (created empty on first use).

    Answers restored from a workspace file may be of any type: only those that fit
    their questions are kept (``workshop.clean_answers``), so no widget receives a
    number where it expects a list.
    """
    stored = st.session_state.get(ANSWERS)
    cleaned = workshop.clean_answers(stored)
    if not isinstance(stored, dict) or cleaned != stored:
        stored = st.session_state[ANSWERS] = cleaned
    return stored


def _step_answers(step_id: str, *, create: bool = False) -> dict[str, Any]:
    """The answers of one step (read-only view unless ``create``: an empty dict is not stored)."""
    given = answers().get(step_id)
    if isinstance(given, dict):
        return given
    if create:
        given = answers()[step_id] = {}
        return given
    return {}


# -- steps -----------------------------------------------------------------------------


def step_picker(cfg: Scenario) -> tuple[int, Step]:
    """The step selector (numbered titles in the user's language); returns the step shown."""
    ids = [s.id for s in cfg.steps]
    if st.session_state.get(STEP) not in ids:
        _move_to(cfg, ids[0])
    code = lang()
    labels = {
        s.id: f"{n}. {workshop.step_text(s, 'title', code)}" for n, s in enumerate(cfg.steps, 1)
    }
    chosen = st.radio(
        tr("workshop.step_picker"), ids, format_func=labels.get, key=STEP, horizontal=True,
        on_change=_entered, args=(cfg,),
    )  # fmt: skip
    index = ids.index(chosen)
    return index, cfg.steps[index]


def step_header(step: Step, index: int, total: int) -> None:
    """Heading, time, what to look at and why."""
    code = lang()
    title = workshop.step_text(step, "title", code)
    st.header(tr("workshop.step_heading", n=index + 1, total=total, title=title))
    st.caption(tr("workshop.minutes", minutes=step.minutes))
    left, right = st.columns(2)
    left.markdown(f"**{tr('workshop.look')}**\n\n{workshop.step_text(step, 'look', code)}")
    right.markdown(f"**{tr('workshop.why')}**\n\n{workshop.step_text(step, 'why', code)}")


def region_note(view: View) -> None:
    """The region in one sentence (tasking step), numbers and dates in the user's language."""
    facts = workshop.region_facts(view.incidents, view.dataset.districts)
    residents = "—" if math.isnan(facts.residents) else i18n.number(facts.residents, lang())
    st.info(
        tr(
            "workshop.city_facts", city=state.term("Meridian Bay"), residents=residents,
            districts=facts.districts, incidents=facts.incidents,
            start=facts.start or "—", end=facts.end or "—",
        ),
        icon=":material/location_city:",
    )  # fmt: skip


def links(step: Step) -> None:
    """For each page of the step: a link that opens it (set up for the step) and a reset button.

    The step's settings are put into the pages' widgets when the participant moves to
    the step (:func:`apply_settings`); the button puts them back after the participant
    has changed them. Navigation is by ``st.page_link``: ``st.switch_page`` from a
    script or callback loses the sidebar's widget values in this app with Streamlit
    1.67 (language, period and offence filter; the period then comes back as a single
    date and ``ui.state.view`` fails), while a link keeps them.
    """
    for i, link in enumerate(step.links):
        name = tr(link.nav_key) if i18n.has(link.nav_key) else link.page
        left, right = st.columns([3, 2], vertical_alignment="center")
        with left:
            st.page_link(
                link.page, label=tr("workshop.go" if link.settings else "workshop.open",
                                    page=f"«{name}»"),
                icon=":material/open_in_new:",
                help=tr("workshop.go_help") if link.settings else None,
            )  # fmt: skip
        if link.settings:
            right.button(
                tr("workshop.reset_settings"), key=f"workshop.reset.{step.id}.{i}",
                on_click=_apply_link, args=(link,), icon=":material/restart_alt:",
            )  # fmt: skip


def apply_settings(step: Step) -> None:
    """Put the step's values into the widgets of the pages it links to (a callback)."""
    for link in step.links:
        _apply_link(link)


def _apply_link(link: Link) -> None:
    for key, value in link.settings.items():
        st.session_state[key] = list(value) if isinstance(value, list | tuple) else value


def nav_buttons(cfg: Scenario, index: int) -> None:
    """Previous / next step."""
    ids = [s.id for s in cfg.steps]
    left, _, right = st.columns([1, 2, 1])
    left.button(
        tr("workshop.previous"), key="workshop.previous", disabled=index == 0,
        on_click=_move_to, args=(cfg, ids[max(index - 1, 0)]), icon=":material/arrow_back:",
        width="stretch",
    )  # fmt: skip
    right.button(
        tr("workshop.next"), key="workshop.next", disabled=index == len(ids) - 1,
        on_click=_move_to, args=(cfg, ids[min(index + 1, len(ids) - 1)]),
        icon=":material/arrow_forward:", type="primary", width="stretch",
    )  # fmt: skip


def _move_to(cfg: Scenario, step_id: str) -> None:
    """Show ``step_id`` and set up the pages it links to."""
    st.session_state[STEP] = step_id
    apply_settings(cfg.step(step_id))


def _entered(cfg: Scenario) -> None:
    apply_settings(cfg.step(st.session_state[STEP]))


# -- questions -------------------------------------------------------------------------


def questions(cfg: Scenario, step: Step, view: View) -> None:
    """The step's questions, each answer kept in the answers dict; feedback when enabled."""
    code = lang()
    given = _step_answers(step.id)
    for q in step.questions:
        key = f"{P}{step.id}.{q.id}"
        label = workshop.question_text(step, q, code, **_question_params(q, view))
        args = (step.id, q.id, key)
        if q.kind == "text":
            _sync(key, given.get(q.id), "")
            st.text_area(
                label, key=key, on_change=_store, args=args, height=90,
                placeholder=tr("workshop.answer_placeholder"),
            )  # fmt: skip
        elif q.kind == "number":
            _sync(key, given.get(q.id), None)
            st.number_input(
                label, min_value=q.minimum, max_value=q.maximum, step=q.step, value=None,
                key=key, on_change=_store, args=args, format=_number_format(q.step),
                placeholder=tr("workshop.answer_placeholder"),
            )  # fmt: skip
        elif q.kind == "choice":
            value = given.get(q.id)
            _sync(key, value if value in q.options else None, None)
            labels = {o: workshop.option_label(step, q, o, code) for o in q.options}
            st.radio(
                label, q.options, index=None, key=key, on_change=_store, args=args,
                format_func=labels.get,
            )  # fmt: skip
        else:
            options = _options(q, view)
            value = [v for v in given.get(q.id) or () if v in options]
            _sync(key, value, [])
            st.multiselect(
                label, options, key=key, on_change=_store, args=args,
                format_func=state.term_label(), placeholder=tr("workshop.choose"),
            )  # fmt: skip
        if cfg.show_feedback:
            _feedback(step, q, given.get(q.id))


def _question_params(q: Question, view: View) -> dict[str, Any]:
    if not q.districts:
        return {}
    now, total = workshop.current_hours(view.dataset.allocation, q.districts)
    code = lang()
    return {
        "districts": ", ".join(state.term(d) for d in q.districts),
        "current": "—" if math.isnan(now) else i18n.number(now, code),
        "total": "—" if math.isnan(total) else i18n.number(total, code),
    }


def _options(q: Question, view: View) -> list[str]:
    if q.options_from == "offences":
        return list(view.dataset.offences)
    districts = view.dataset.districts
    if districts is not None:
        return sorted(districts["district"].astype(str))
    return sorted(view.incidents["district"].dropna().astype(str).unique())


def _number_format(step: float) -> str:
    return "%.0f" if float(step).is_integer() else "%.1f"


def _sync(key: str, value: Any, empty: Any) -> None:
    wanted = empty if value is None else value
    if st.session_state.get(key, empty) != wanted:
        st.session_state[key] = wanted


def _store(step_id: str, question_id: str, key: str) -> None:
    value = st.session_state.get(key)
    given = _step_answers(step_id, create=True)
    if value is None or value == "" or value == []:
        given.pop(question_id, None)
    else:
        given[question_id] = list(value) if isinstance(value, list | tuple) else value


def _feedback(step: Step, q: Question, answer: Any) -> None:
    verdict = workshop.check_answer(q, answer)
    if verdict is None:
        return
    expected = workshop.expected_text(step, q, lang())
    if verdict:
        st.success(tr("workshop.feedback_right", expected=expected), icon=":material/check:")
    else:
        st.info(tr("workshop.feedback_other", expected=expected), icon=":material/lightbulb:")


# -- the ranking exercise --------------------------------------------------------------


def own_ranking(cfg: Scenario, step: Step, view: View) -> None:
    """The participant orders the problems, then sees the scored order, the differences and rho."""
    code = lang()
    offered = list(view.dataset.offences)
    problems = [p for p in cfg.ranking_problems if p in offered] or offered
    st.subheader(tr("workshop.rank_title"))
    mine = [p for p in answers().get(workshop.OWN_RANKING) or () if p in problems]
    _sync(OWN, mine, [])
    st.multiselect(
        tr("workshop.rank_pick"), problems, key=OWN, on_change=_store_ranking,
        format_func=state.term_label(), placeholder=tr("workshop.choose"),
    )  # fmt: skip
    if len(mine) < len(problems):
        st.info(tr("workshop.rank_more", n=len(problems) - len(mine)), icon=":material/sort:")
        return
    scored, source = _scored(view, problems)
    result = widgets.attempt(workshop.compare_rankings, mine, scored)
    if result is None:
        return
    _step_answers(step.id, create=True).update(
        {workshop.SCORED_RANKING: list(result.scored), workshop.SPEARMAN_RHO: round(result.rho, 4)}
    )
    st.subheader(tr("workshop.rank_compare_title"))
    st.dataframe(workshop.comparison_for_display(result, code), hide_index=True, width="stretch")
    st.caption(tr("workshop.rank_caption"))
    st.markdown(workshop.comparison_sentence(result, code, escape=markup.markdown))
    st.caption(
        tr("workshop.p_value_note", n=result.n, p=i18n.number(result.p_value, code, 2))
        + " "
        + tr(f"workshop.rank_source_{source}")
    )


def _store_ranking() -> None:
    answers()[workshop.OWN_RANKING] = list(st.session_state.get(OWN) or ())


def _scored(view: View, problems: Sequence[str]) -> tuple[list[str], str]:
    """The scored order of the problems: the Priorities page's when it ranked offences."""
    saved = st.session_state.get(ui_priorities.LAST)
    page_ran = saved is not None and saved[0][0] == view.key
    order = workshop.scored_order(ui_priorities.current_ranking(view).table, problems)
    if page_ran and len(order) == len(problems):
        return order, "page"
    if len(order) < len(problems):  # the page ranked another level (offence by district)
        default = cache.compute(priorities.rank, view.key, view.incidents, view.dataset.districts)
        order = workshop.scored_order(default.table, problems)
    return order, "default"


# -- review, downloads, glossary -------------------------------------------------------


def review(cfg: Scenario) -> None:
    """All answers so far, with the planted truth where there is one."""
    st.subheader(tr("workshop.review_title"))
    with st.container(border=True):
        st.markdown(workshop.answers_markdown(answers(), lang(), cfg=cfg, level=4))


def downloads(cfg: Scenario) -> None:
    """The answers as Markdown and JSON."""
    st.subheader(tr("workshop.downloads"))
    code = lang()
    left, right = st.columns(2)
    left.download_button(
        tr("workshop.download_md"),
        workshop.answers_markdown(answers(), code, cfg=cfg, when=dt.date.today()),
        file_name="ilp-workshop-answers.md", mime="text/markdown",
        key="workshop.download_md", icon=":material/download:",
    )  # fmt: skip
    data = widgets.attempt(workshop.answers_json, answers())
    if data is not None:
        right.download_button(
            tr("workshop.download_json"), data, file_name="ilp-workshop-answers.json",
            mime="application/json", key="workshop.download_json", icon=":material/download:",
        )  # fmt: skip
    st.caption(tr("workshop.downloads_caption"))


def glossary(cfg: Scenario) -> None:
    """The terms the app uses, a few sentences each, in the user's language."""
    with st.expander(tr("workshop.glossary_title"), icon=":material/menu_book:"):
        for term_id in cfg.glossary:
            term, text = (tr(f"workshop.glossary.{term_id}.{p}") for p in ("term", "text"))
            st.markdown(tr("workshop.glossary_entry", term=term, text=text))
