"""The Workshop page in AppTest: every step in every language, answers kept, the ranking."""

from __future__ import annotations

import json

import pytest
from conftest import ROOT

from ilp_core import i18n
from ilp_core.decide import priorities
from ilp_core.learn import workshop

PAGE = "pages/workshop.py"
ANSWERS = "ilp.workshop_answers"
CFG = workshop.scenario()
PLANTED = json.loads((ROOT / "data" / "sample" / "planted.json").read_text(encoding="utf-8"))
# The Priorities page scoring volume alone ranks the offences in the order of their counts.
ONLY_VOLUME = {
    "p.priority.preset": "weighted_sum",
    **{f"p.priority.w.weighted_sum.{k}": 0.0 for k in priorities.settings().criteria},
    "p.priority.w.weighted_sum.volume": 1.0,
}
COUNT_ORDER = [o for o in PLANTED["count_ranking"] if o in CFG.ranking_problems]


def _labels(at) -> list[str]:
    widgets = [*at.text_area, *at.number_input, *at.radio, *at.multiselect]
    return [w.label for w in widgets]


@pytest.mark.parametrize("lang", list(i18n.LANGUAGES))
def test_every_step_opens_in_the_language(app, lang):
    at = app(PAGE, lang=lang)
    assert not at.exception
    assert at.title[0].value == i18n.t("workshop.title", lang)
    total = len(CFG.steps)
    for n, step in enumerate(CFG.steps, start=1):
        if n > 1:
            at.button(key="workshop.next").click().run()
        assert not at.exception, step.id
        title = workshop.step_text(step, "title", lang)
        assert at.header[0].value == i18n.t("workshop.step_heading", lang, n=n, total=total,
                                            title=title)  # fmt: skip
        labels = _labels(at)
        for q in step.questions:
            if not q.districts:
                assert workshop.question_text(step, q, lang) in labels, (step.id, q.id)
        names = [i18n.term(d, lang) for d in ("Market Quarter", "Old Harbour")]
        if step.id == "allocation":  # the question quotes today's hours of the hot districts
            assert any(all(n in label for n in names) and i18n.number(4000, lang) in label
                       for label in labels)  # fmt: skip
    assert at.button(key="workshop.next").disabled
    expander = at.expander[-1]
    assert expander.label == i18n.t("workshop.glossary_title", lang)
    glossary = " ".join(m.value for m in expander.markdown)
    assert i18n.t("workshop.glossary.near_repeat.text", lang) in glossary


def test_page_in_russian(app):
    at = app(PAGE, lang="ru")
    assert not at.exception
    assert at.title[0].value == "Практикум: цикл ILP шаг за шагом"
    assert at.header[0].value == "Шаг 1 из 8: Постановка задачи"
    assert "Меридиан-Бей: 599 980 жителей" in at.info[0].value.replace("\xa0", " ")


def test_answers_live_in_the_session_dict_and_survive_a_language_switch(app):
    at = app(PAGE)
    at.text_area(key="p.workshop.tasking.question").input("Where should we patrol?").run()
    at.radio(key="p.workshop.tasking.decision").set_value("patrols").run()
    assert at.session_state[ANSWERS] == {
        "tasking": {"question": "Where should we patrol?", "decision": "patrols"}
    }
    at.session_state["ilp.lang"] = "fr"
    at.run()
    assert not at.exception
    assert at.title[0].value == i18n.t("workshop.title", "fr")
    assert at.text_area(key="p.workshop.tasking.question").value == "Where should we patrol?"
    assert at.radio(key="p.workshop.tasking.decision").value == "patrols"
    at.switch_page("pages/home.py").run()
    at.switch_page(PAGE).run()
    assert at.text_area(key="p.workshop.tasking.question").value == "Where should we patrol?"
    json.dumps(at.session_state[ANSWERS])  # plain JSON data, as the workspace file stores it


def test_a_restored_answers_dict_fills_the_widgets(app):
    restored = {"where": {"hot_districts": ["Old Harbour", "No such district"]}}
    at = app(PAGE, state={ANSWERS: restored, "p.workshop.step": "where"})
    assert not at.exception
    assert at.multiselect(key="p.workshop.where.hot_districts").value == ["Old Harbour"]


def test_a_factual_answer_gets_feedback_against_the_planted_truth(app):
    at = app(PAGE, state={"p.workshop.step": "data"})
    at.number_input(key="p.workshop.data.geolocated").set_value(98.5).run()
    assert not at.exception
    assert any("98.5%" in s.value for s in at.success)
    at.number_input(key="p.workshop.data.geolocated").set_value(80.0).run()
    assert not at.success
    assert any(i18n.t("workshop.feedback_other", expected="98.5%") == i.value for i in at.info)
    assert at.session_state[ANSWERS]["data"]["geolocated"] == 80.0


def test_moving_to_a_step_sets_up_the_pages_it_links_to(app):
    at = app(PAGE)
    for _ in range(3):  # tasking -> data -> where -> when
        at.button(key="workshop.next").click().run()
    assert at.radio(key="p.workshop.step").value == "when"
    assert at.session_state["p.when.offence"] == "Violence with injury"
    assert at.session_state["p.nr.offences"] == ["Residential burglary"]
    at.switch_page("pages/patterns_when.py").run()  # what the step's link does
    assert not at.exception
    assert at.title[0].value == i18n.t("when.title")
    assert at.selectbox(key="p.when.offence").value == "Violence with injury"
    assert at.radio(key="p.when.freq").value == "month"
    # The participant changes the offence there; the step's button sets it back.
    at.session_state["p.when.offence"] = "Robbery"
    at.session_state["p.workshop.step"] = "when"  # AppTest forgets widgets on a page switch
    at.switch_page(PAGE).run()
    at.button(key="workshop.reset.when.0").click().run()
    assert at.session_state["p.when.offence"] == "Violence with injury"


def test_own_ranking_in_count_order_against_a_volume_ranking_has_rho_one(app):
    at = app("pages/priorities.py", state=ONLY_VOLUME)
    at.switch_page(PAGE)
    at.session_state["p.workshop.step"] = "priorities"
    at.run()
    assert any(i18n.t("workshop.rank_more", n=len(COUNT_ORDER)) == i.value for i in at.info)
    at.multiselect(key="p.workshop.own_ranking").set_value(COUNT_ORDER).run()
    assert not at.exception
    table = at.dataframe[0].value
    assert table.iloc[:, 1].tolist() == list(range(1, 9))
    assert table.iloc[:, 2].tolist() == list(range(1, 9))  # the same order as the counts
    answers = at.session_state[ANSWERS]
    assert answers["own_ranking"] == COUNT_ORDER
    assert answers["priorities"]["spearman_rho"] == pytest.approx(1.0)
    text = " ".join(m.value for m in at.markdown)
    assert i18n.t("workshop.agreement.very_strong") in text
    assert any(i18n.t("workshop.rank_source_page") in c.value for c in at.caption)
    # The reverse order: every rank difference is 2k - 9 and rho is -1.
    at.multiselect(key="p.workshop.own_ranking").set_value(COUNT_ORDER[::-1]).run()
    table = at.dataframe[0].value
    assert table.iloc[:, 3].tolist() == [-7, -5, -3, -1, 1, 3, 5, 7]
    assert at.session_state[ANSWERS]["priorities"]["spearman_rho"] == pytest.approx(-1.0)
    assert i18n.t("workshop.agreement.opposite") in " ".join(m.value for m in at.markdown)


def test_review_shows_every_answer_with_the_planted_truth(app):
    answers = {"where": {"emerging": ["Station"]}, "when": {"rising": ["Shoplifting"]}}
    at = app(PAGE, lang="es", state={ANSWERS: answers, "p.workshop.step": "review"})
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert i18n.t("workshop.feedback_right", "es", expected="La Estación") in text
    expected = i18n.term("Vehicle crime", "es")
    assert i18n.t("workshop.feedback_other", "es", expected=expected) in text


def test_answers_of_the_wrong_types_restored_from_a_file_do_not_break_the_page(app):
    """A workspace file may hold anything where answers belong: the page keeps what fits."""
    restored = {
        "data": {"geolocated": "a lot", "quality": ["not", "text"]},
        "where": {"emerging": 7, "hot": "Market Quarter"},
        "priorities": [1, 2, 3],
        workshop.OWN_RANKING: 5,
        "unknown_step": {"x": 1},
    }
    at = app(PAGE, state={ANSWERS: restored})
    for n in range(1, len(CFG.steps) + 1):
        assert not at.exception, n
        if n < len(CFG.steps):
            at.button(key="workshop.next").click().run()
    assert at.session_state[ANSWERS] == workshop.clean_answers(restored)
