"""The Intelligence and Strategy pages in AppTest: log items, accept suggestions, save and load."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd

from ilp_core.decide import priorities
from ilp_core.products import intelligence, workspace

INTEL = "pages/intelligence.py"
STRATEGY = "pages/strategy.py"
NEAR_REPEAT = "near_repeat|Residential burglary"


def _summary_row(at, problem):
    table = _summary(at)
    return table[table.iloc[:, 0] == problem].iloc[0]


def _summary(at):
    # the per-priority summary: the table whose first column is headed "Priority"
    return next(d.value for d in at.dataframe if d.value.columns[0] == "Priority")


def _add_item(at, summary, problem, source="B", information="2"):
    at.text_input(key="intelligence.f.summary").input(summary)
    at.selectbox(key="intelligence.f.problem").set_value(problem)
    at.selectbox(key="intelligence.f.eu4x4.source").set_value(source)
    at.selectbox(key="intelligence.f.eu4x4.information").set_value(information)
    at.button(key="intelligence.f.add").click().run()


def test_adding_a_log_item_changes_the_summary(app):
    at = app(INTEL)
    assert not at.exception
    before = _summary_row(at, "Residential burglary")
    assert before["Items"] == 0 and before["Flag"] == "No graded item"
    assert at.metric[0].value == "0"
    # a weak item (unreliable source, uncorroborated): 1 of 1 weak, more than half
    _add_item(at, "Anonymous call about Elm Road", "Residential burglary", "C", "4")
    assert not at.exception and not at.error
    row = _summary_row(at, "Residential burglary")
    assert (row["Items"], row["Weak items"]) == (1, 1)
    assert row["Flag"] == "Rests mostly on weak information"
    assert any("more than 50 %" in i.value for i in at.info)  # the rule is stated
    # a strong item (B2): 1 of 2 weak is not "mostly": the flag goes
    _add_item(at, "Two men scouting back gardens on Elm Road", "Residential burglary")
    row = _summary_row(at, "Residential burglary")
    assert (row["Items"], row["Weak items"], row["Flag"]) == (2, 1, "")
    assert at.metric[0].value == "2" and at.metric[1].value == "1"
    log = at.session_state["ilp.intel_log"]
    assert log[["item_id", "problem", "source", "information", "handling"]].values.tolist() == [
        ["INT-0001", "Residential burglary", "C", "4", "H0"],
        ["INT-0002", "Residential burglary", "B", "2", "H0"],
    ]


def test_an_item_without_summary_is_refused_and_the_log_kept(app):
    at = app(INTEL)
    _add_item(at, "First", "Robbery")
    at.button(key="intelligence.f.add").click().run()  # the form was cleared: no summary
    assert not at.exception
    assert any("summary is empty" in e.value for e in at.error)
    assert len(at.session_state["ilp.intel_log"]) == 1


def test_accepting_a_suggestion_puts_it_in_the_control_strategy(app):
    at = app(STRATEGY)
    assert not at.exception and not at.error
    picker = at.multiselect(key="strategy.picked")
    assert any("Cocoon watch" in o for o in picker.options)
    assert len(at.session_state["ilp.strategy"]) == 0  # offered, never added silently
    picker.set_value([NEAR_REPEAT]).run()
    at.button(key="strategy.accept").click().run()
    assert not at.exception
    control = at.session_state["ilp.strategy"]
    assert control[["problem", "pillar", "suggested"]].values.tolist() == [
        ["Residential burglary", "prevention", True]
    ]
    assert "200 m" in control.loc[0, "action"]
    assert at.multiselect(key="strategy.picked").value == []
    at.button(key="strategy.draft").click().run()
    drafted = at.session_state["ilp.requirements"]
    assert "Residential burglary" in set(drafted["problem"]) and set(drafted["status"]) == {"open"}


def test_a_saved_session_loads_back_in_a_new_session(app, tmp_path, monkeypatch):
    at = app(INTEL)
    _add_item(at, "Crew casing bike racks <script>", "Bicycle theft")
    at.switch_page(STRATEGY).run()
    at.multiselect(key="strategy.picked").set_value([NEAR_REPEAT]).run()
    at.button(key="strategy.accept").click().run()
    saved = at.session_state["strategy.saved"]
    data = json.loads(saved)
    assert data["format"] == "ilp-workspace" and len(data["tables"]["strategy"]) == 1

    # another computer: its own workspace, so no draft of the first session comes back
    monkeypatch.setenv("ILP_DATA_DIR", str(tmp_path / "elsewhere"))
    fresh = app(STRATEGY)
    assert len(fresh.session_state["ilp.intel_log"]) == 0
    fresh.file_uploader(key="strategy.session_file").set_value(
        ("ilp-session.json", saved.encode("utf-8"), "application/json")
    ).run()
    assert not fresh.exception and not fresh.warning
    fresh.button(key="strategy.load_apply").click().run()
    assert not fresh.exception
    log = fresh.session_state["ilp.intel_log"]
    assert log.loc[0, "summary"] == "Crew casing bike racks <script>"
    pd.testing.assert_frame_equal(
        fresh.session_state["ilp.strategy"], at.session_state["ilp.strategy"]
    )
    assert any("Session restored" in s.value for s in fresh.success)


def test_a_session_with_an_assessment_from_other_data_restores_the_priorities(app):
    assessment = priorities.make_assessment(priorities.preset("risk_matrix"), fingerprint="other")
    log = intelligence.add_item(
        intelligence.empty_log(),
        date="2025-06-01",
        summary="x",
        source="A",
        information="1",
        handling="H0",
        problem="Robbery",
    )
    saved = workspace.make_workspace(
        fingerprint="other",
        dataset="Last year",
        priority=assessment,
        intel_log=log,
        workshop={"own_ranking": ["Robbery"]},
    ).to_json()
    at = app(STRATEGY)
    at.file_uploader(key="strategy.session_file").set_value(
        ("old.json", saved.encode("utf-8"), "application/json")
    ).run()
    assert any("saved on other data" in w.value for w in at.warning)
    at.button(key="strategy.load_apply").click().run()  # "Restore it anyway"
    assert not at.exception
    assert (
        at.session_state["p.priority.preset"] == "risk_matrix"
    )  # where the Priorities page reads it
    assert at.session_state["ilp.workshop_answers"] == {"own_ranking": ["Robbery"]}
    assert len(at.session_state["ilp.intel_log"]) == 1
    at.switch_page("pages/priorities.py").run()
    assert not at.exception
    assert at.selectbox(key="p.priority.preset").value == "risk_matrix"


def test_the_saved_session_holds_the_settings_of_every_page(app):
    state = {"ilp.period": (dt.date(2025, 1, 1), dt.date(2025, 12, 31)), "p.where.cell": 400}
    at = app("pages/near_repeat.py", state=state)
    at.number_input(key="p.nr.perm").set_value(19)
    at.button[0].click().run()  # the Knox test, on burglary
    at.switch_page("pages/allocation.py").run()
    at.number_input(key="p.allocation.districts.floor").set_value(80.0).run()
    at.switch_page(STRATEGY).run()
    assert not at.exception and not at.error
    data = json.loads(at.session_state["strategy.saved"])
    assert data["version"] == workspace.FORMAT_VERSION
    assert data["view"] == {"start": "2025-01-01", "end": "2025-12-31", "offences": []}
    assert data["where"] == {"cell_size": 400.0, "fdr": True}
    assert data["near_repeat"]["offences"] == ["Residential burglary"]
    assert data["near_repeat"]["permutations"] == 19
    # The allocation scenario as the page ran it, today's hours included.
    assert data["allocation"] == at.session_state["allocation.last"][1]
    assert data["allocation"]["floor"] == 80 and len(data["allocation"]["current_hours"]) == 20
    # A Knox test run on another view is not this view's: the report would run the default.
    at.session_state["ilp.period"] = (dt.date(2024, 1, 1), dt.date(2025, 12, 31))
    at.run()
    assert json.loads(at.session_state["strategy.saved"])["near_repeat"] is None


def test_a_broken_session_file_shows_a_message(app):
    at = app(STRATEGY)
    at.file_uploader(key="strategy.session_file").set_value(
        ("photo.json", b"\x89PNG\r\n", "application/json")
    ).run()
    assert not at.exception
    assert any("not a readable session file" in e.value for e in at.error)


def test_pages_in_russian(app):
    at = app(INTEL, lang="ru")
    assert not at.exception
    assert at.title[0].value == "Журнал оперативной информации"
    assert _summary_ru(at).columns[0] == "Приоритет"
    at.switch_page(STRATEGY).run()
    assert not at.exception
    assert at.title[0].value == "Потребности и стратегия контроля"
    assert any("Кокон" in o for o in at.multiselect(key="strategy.picked").options)


def _summary_ru(at):
    return next(d.value for d in at.dataframe if d.value.columns[0] == "Приоритет")
