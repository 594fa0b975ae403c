"""The workshop scenario: its planted answers agree with the sample's ground truth, every
step is worded in four languages, and the ranking comparison is Spearman's rho."""

from __future__ import annotations

import csv
import json
import math
import re

import pandas as pd
import pytest
from conftest import ROOT
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from ilp_core import i18n, markup
from ilp_core.errors import IlpInputError
from ilp_core.learn import workshop

LANGS = list(i18n.LANGUAGES)
PLANTED = json.loads((ROOT / "data" / "sample" / "planted.json").read_text(encoding="utf-8"))
CFG = workshop.scenario()


# -- the scenario file ------------------------------------------------------------------


def test_scenario_walks_the_ilp_cycle_in_90_minutes():
    assert [s.id for s in CFG.steps] == [
        "tasking", "data", "where", "when", "priorities", "allocation", "strategy", "review",
    ]  # fmt: skip
    assert CFG.minutes == 90
    assert all(1 <= len(s.questions) <= 2 for s in CFG.steps)
    assert [s.id for s in CFG.steps if s.ranking] == ["priorities"]


def test_every_link_opens_a_registered_page_and_sets_keys_that_page_uses():
    app = (ROOT / "app.py").read_text(encoding="utf-8")
    ui_code = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "ui").glob("*.py"))
    for step in CFG.steps:
        assert step.links, f"{step.id} links to no page"
        for link in step.links:
            assert f'"{link.page}"' in app, f"{link.page} is not registered in app.py"
            assert i18n.has(link.nav_key)
            page = (ROOT / link.page).read_text(encoding="utf-8") + ui_code
            for key in link.settings:
                # A key is written literally, or as f"p.allocation.{kind}.total" / P + "by".
                parts = key.split(".")
                literal = key in page
                built = f'"{".".join(parts[:2])}.' in page or f'"{parts[-1]}"' in page
                assert literal or built, f"{step.id}: {key} is not a widget key of {link.page}"


def test_planted_answers_are_the_sample_regions_ground_truth():
    where, when, data = CFG.step("where"), CFG.step("when"), CFG.step("data")
    hot = {q.id: q for q in where.questions}
    assert set(hot["hot_districts"].expected) == set(PLANTED["hot_districts"])
    emerging = [h["district"] for h in PLANTED["hotspots"] if h["kind"] == "emerging"]
    assert list(hot["emerging"].expected) == emerging == ["Station"]
    rising = next(q for q in when.questions if q.id == "rising")
    assert list(rising.expected) == [PLANTED["rising_offence"]["offence"]]
    # 1.5 % of rows are geocoded only to their district: 100 - 1.5 = 98.5 % have coordinates.
    geolocated = next(q for q in data.questions if q.id == "geolocated")
    assert geolocated.expected == pytest.approx(100 * (1 - PLANTED["missing_coordinates_share"]))
    # Violence peaks on Friday and Saturday nights (weekday 4 = Friday, 5 = Saturday, 6 = Sunday
    # for the hours after midnight).
    peak = next(q for q in when.questions if q.id == "violence_peak")
    assert peak.expected == "weekend_nights"
    cells = PLANTED["rhythms"]["Violence with injury"]["peak_cells"]
    assert {d for d, _ in cells} <= {4, 5, 6} and {h for _, h in cells} <= {22, 23, 0, 1, 2}


def test_ranking_problems_mix_frequent_and_harmful_offences_of_the_sample():
    counts = PLANTED["count_ranking"]
    assert set(CFG.ranking_problems) <= set(counts)
    assert set(counts[:3]) <= set(CFG.ranking_problems)  # the count top three
    assert {"Homicide", "Sexual offences", "Robbery"} <= set(CFG.ranking_problems)


@pytest.mark.parametrize("lang", LANGS)
def test_every_step_question_option_and_term_is_worded_in_every_language(lang):
    catalog = i18n.catalog(lang)
    english = i18n.catalog("en")
    for step in CFG.steps:
        for part in ("title", "look", "why"):
            assert f"workshop.step.{step.id}.{part}" in catalog
        for q in step.questions:
            assert f"workshop.q.{step.id}.{q.id}" in catalog
            for option in q.options:
                assert f"workshop.q.{step.id}.{q.id}.{option}" in catalog
    for term in CFG.glossary:
        for part in ("term", "text"):
            key = f"workshop.glossary.{term}.{part}"
            assert catalog.get(key), key
            if lang != "en" and part == "text":
                assert catalog[key] != english[key]
    glossary = {"ilp", "three_i", "intelligence_cycle", "strategic_assessment"}
    glossary |= {"tactical_assessment", "control_strategy", "grading_4x4", "hot_spot", "gi_star"}
    glossary |= {"pai", "near_repeat", "harm_index"}
    assert glossary <= set(CFG.glossary)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("steps: []", "step ids"),
        ("steps:\n  - {id: a, questions: [{id: q, kind: essay}]}", "kind 'essay'"),
        ("steps:\n  - {id: a, questions: [{id: q, kind: choice}]}", "needs options"),
        ("steps:\n  - {id: a}\n  - {id: a}", "different"),
        ("steps:\n  - {id: a, links: [{page: p.py, settings: {x: 1}}]}", "starting with 'p.'"),
        ("steps: [", "expected"),
    ],
)
def test_a_broken_scenario_file_is_refused_with_the_reason(tmp_path, text, reason):
    path = tmp_path / "workshop.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(IlpInputError, match=re.escape(reason)) as error:
        workshop.scenario(path)
    assert error.value.message.key == "workshop.config_broken"


def test_a_trainer_can_add_a_step_with_its_own_words(tmp_path):
    path = tmp_path / "workshop.yaml"
    path.write_text(
        "steps:\n"
        "  - id: local\n"
        "    minutes: 5\n"
        "    text: {en: {title: Local data, look: Your export, why: Because}, "
        "ru: {title: Свои данные}}\n"
        "    links: [{page: pages/data.py}]\n"
        "    questions:\n"
        "      - {id: q, kind: text, text: {en: 'How many rows?', fr: 'Combien ?'}}\n",
        encoding="utf-8",
    )
    cfg = workshop.scenario(path)
    step = cfg.step("local")
    assert workshop.step_text(step, "title", "ru") == "Свои данные"
    assert workshop.step_text(step, "look", "ru") == "Your export"  # falls back to English
    assert workshop.question_text(step, step.questions[0], "fr") == "Combien ?"
    assert workshop.question_text(step, step.questions[0], "es") == "How many rows?"


# -- the region and its figures ---------------------------------------------------------------


def test_current_hours_of_the_hot_districts_add_up_from_the_allocation_file():
    with (ROOT / "data" / "sample" / "allocation.csv").open(encoding="utf-8") as f:
        rows = {r["district"]: int(r["hours_per_week"]) for r in csv.DictReader(f)}
    frame = pd.DataFrame({"district": list(rows), "hours_per_week": list(rows.values())})
    hot = PLANTED["hot_districts"]
    now, total = workshop.current_hours(frame, hot)
    assert total == PLANTED["patrol_hours_per_week"] == 4000
    assert now == sum(rows[d] for d in hot)
    assert all(math.isnan(v) for v in workshop.current_hours(None, hot))


# -- answers ----------------------------------------------------------------------------------


def test_check_answer_against_the_planted_truth():
    data, where = CFG.step("data"), CFG.step("where")
    geo = data.questions[0]
    assert workshop.check_answer(geo, 98.5) is True
    assert workshop.check_answer(geo, 99.0) is True  # within the 0.5 point tolerance
    assert workshop.check_answer(geo, 95.0) is False
    assert workshop.check_answer(geo, None) is None
    hot = where.questions[0]
    assert workshop.check_answer(hot, ["South Fields", "Old Harbour", "Market Quarter"]) is True
    assert workshop.check_answer(hot, ["Old Harbour"]) is False
    assert workshop.check_answer(data.questions[1], "anything") is None  # open question


def test_answers_json_round_trips_and_refuses_what_json_cannot_hold():
    answers = {"where": {"hot_districts": ["Old Harbour"]}, "own_ranking": ["Homicide"]}
    assert json.loads(workshop.answers_json(answers)) == answers
    with pytest.raises(IlpInputError) as error:
        workshop.answers_json({"data": {"geolocated": float("nan")}})
    assert error.value.message.key == "workshop.answers_not_serialisable"


@pytest.mark.parametrize("lang", LANGS)
def test_answers_markdown_is_written_in_the_language(lang):
    answers = {
        "tasking": {"question": "Où patrouiller ?"},
        "data": {"geolocated": 98.5},
        "where": {"hot_districts": ["Old Harbour"]},
        "own_ranking": ["Homicide", "Robbery", "Shoplifting"],
        "priorities": {"scored_ranking": ["Robbery", "Shoplifting", "Homicide"]},
    }
    md = workshop.answers_markdown(answers, lang)
    assert md.startswith(f"# {i18n.t('workshop.doc_title', lang)}")
    for n, step in enumerate(CFG.steps, start=1):
        assert f"## {n}. {workshop.step_text(step, 'title', lang)}" in md
    assert markup.markdown("Où patrouiller ?") in md  # what was typed, shown as typed
    assert i18n.term("Old Harbour", lang) in md
    assert i18n.percent(0.985, lang, 1) in md
    assert i18n.t("workshop.feedback_other", lang, expected="")[:12] in md  # partial answer
    assert i18n.t("workshop.not_answered", lang) in md
    # own ranks 1, 2, 3 against scored ranks 3, 1, 2: d = (-2, 1, 1), rho = 1 - 6 * 6 / 24 = -0.5
    assert i18n.number(-0.5, lang, 2) in md


# -- the ranking comparison ---------------------------------------------------------------------


def test_compare_rankings_by_hand():
    # Own order A B C D E; scored order B A C E D.
    # Own ranks 1..5; scored ranks of A..E: 2, 1, 3, 5, 4; d = (-1, 1, 0, -1, 1), sum d^2 = 4.
    # rho = 1 - 6 * 4 / (5 * 24) = 0.8
    c = workshop.compare_rankings(list("ABCDE"), list("BACED"))
    assert c.rho == pytest.approx(0.8)
    assert c.table["difference"].tolist() == [-1, 1, 0, -1, 1]
    assert c.table["scored_rank"].tolist() == [2, 1, 3, 5, 4]
    assert c.agreement == "very_strong"
    assert c.shared_top == ("A", "B", "C")
    assert c.largest == "A"  # first of the |d| = 1 ties in the participant's order
    assert c.p_value == pytest.approx(stats.spearmanr([1, 2, 3, 4, 5], [2, 1, 3, 5, 4]).pvalue)


def test_compare_rankings_uses_only_problems_in_both_orders():
    # D is not in the scored order and Z not in the own one: A B C against C A B.
    c = workshop.compare_rankings(["A", "D", "B", "C"], ["C", "Z", "A", "B"])
    assert c.own == ("A", "B", "C") and c.scored == ("C", "A", "B") and c.n == 3
    # d = (1 - 2, 2 - 3, 3 - 1) = (-1, -1, 2): rho = 1 - 6 * 6 / (3 * 8) = -0.5
    assert c.rho == pytest.approx(-0.5)
    assert c.agreement == "opposite"


def test_compare_rankings_refuses_duplicates_and_too_few_problems():
    with pytest.raises(IlpInputError) as error:
        workshop.compare_rankings(["A", "B", "A"], ["A", "B", "C"])
    assert error.value.message.key == "workshop.ranking_duplicate"
    with pytest.raises(IlpInputError) as error:
        workshop.compare_rankings(["A", "B", "X"], ["A", "B", "C"])
    assert error.value.message.key == "workshop.too_few_to_compare"


@settings(max_examples=60, deadline=None)
@given(st.permutations(list(range(8))))
def test_rho_is_spearmans_formula_for_any_order(perm):
    problems = [f"p{i}" for i in range(8)]
    scored = [problems[i] for i in perm]
    c = workshop.compare_rankings(problems, scored)
    position = {p: i + 1 for i, p in enumerate(scored)}
    d2 = sum((i + 1 - position[p]) ** 2 for i, p in enumerate(problems))
    assert c.rho == pytest.approx(1 - 6 * d2 / (8 * (8**2 - 1)))
    assert c.table["difference"].sum() == 0


def test_identical_and_reversed_orders():
    same = workshop.compare_rankings(list("ABCD"), list("ABCD"))
    reverse = workshop.compare_rankings(list("ABCDEF"), list("FEDCBA"))
    assert same.rho == pytest.approx(1.0) and same.agreement == "very_strong"
    assert reverse.rho == pytest.approx(-1.0) and reverse.agreement == "opposite"
    assert reverse.shared_top == ()  # top 3: A B C against F E D
    assert i18n.t("workshop.top_none_shared", "en", k=3, n=6) in (
        workshop.comparison_sentence(reverse, "en")
    )


@pytest.mark.parametrize(
    ("rho", "label"),
    [
        (1.0, "very_strong"), (0.8, "very_strong"), (0.79, "strong"), (0.6, "strong"),
        (0.5, "moderate"), (0.39, "weak"), (0.19, "very_weak"), (0.0, "very_weak"),
        (-0.19, "very_weak"), (-0.2, "opposite"), (-1.0, "opposite"),
    ],
)  # fmt: skip
def test_agreement_bands(rho, label):
    assert workshop.agreement(rho) == label


@pytest.mark.parametrize("lang", LANGS)
def test_comparison_sentence_in_every_language(lang):
    c = workshop.compare_rankings(["Robbery", "Homicide", "Shoplifting"],
                                  ["Homicide", "Robbery", "Shoplifting"])  # fmt: skip
    text = workshop.comparison_sentence(c, lang)
    # d = (-1, 1, 0): rho = 1 - 6 * 2 / 24 = 0.5, "moderate"
    assert i18n.number(0.5, lang, 2) in text
    assert i18n.t("workshop.agreement.moderate", lang) in text
    assert i18n.term("Robbery", lang) in text
    shown = workshop.comparison_for_display(c, lang)
    assert shown.columns[0] == i18n.t("workshop.col.problem", lang)
    assert shown.iloc[0, 0] == i18n.term("Robbery", lang)


def test_scored_order_keeps_offence_problems_in_rank_order():
    table = pd.DataFrame(
        {
            "rank": [3, 1, 2, 4],
            "kind": ["offence", "offence", "offence_district", "offence"],
            "offence": ["Shoplifting", "Robbery", "Robbery", "Homicide"],
        }
    )
    assert workshop.scored_order(table) == ["Robbery", "Shoplifting", "Homicide"]
    assert workshop.scored_order(table, ["Homicide", "Robbery"]) == ["Robbery", "Homicide"]


def test_ordinals():
    assert [workshop.ordinal(n, "en") for n in (1, 2, 3, 4, 11, 12, 13, 21, 101)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "101st",
    ]  # fmt: skip
    assert workshop.ordinal(1, "fr") == "1er" and workshop.ordinal(5, "fr") == "5e"
    assert workshop.ordinal(5, "ru") == "5-е" and workshop.ordinal(5, "es") == "5.º"


def test_answers_of_the_wrong_types_are_left_out_and_the_right_ones_kept():
    raw = {
        "data": {"geolocated": "98", "quality": 3},
        "where": {"emerging": ["Station", 4, None, True], "hot": 12},
        "priorities": {workshop.SPEARMAN_RHO: 7.0, workshop.SCORED_RANKING: "Theft"},
        workshop.OWN_RANKING: {"a": 1},
        "review": "not a mapping",
    }
    cleaned = workshop.clean_answers(raw)
    assert cleaned == {"where": {"emerging": ["Station", "4"]}}
    kept = {"data": {"geolocated": 98.5}, workshop.OWN_RANKING: ["Burglary", "Robbery"]}
    assert workshop.clean_answers(kept) == kept
    assert workshop.clean_answers([1, 2]) == {} and workshop.clean_answers(None) == {}


def test_the_answers_document_reads_answers_of_any_type():
    raw = {"data": {"geolocated": [1]}, "where": 7, workshop.OWN_RANKING: 5}
    md = workshop.answers_markdown(raw, "en")
    assert md == workshop.answers_markdown({}, "en")
    deep = {"data": {"geolocated": 1.0}, "x": [[[[]]]]}
    for _ in range(2000):
        deep = {"x": deep}
    with pytest.raises(IlpInputError):
        workshop.answers_json(deep)
