"""The Resource Allocation page in AppTest: it renders, reacts, and keeps results on bad input."""

from __future__ import annotations

import pandas as pd
from conftest import ROOT

from ilp_core import i18n
from ilp_core.data.dataset import load_sample
from ilp_core.decide import allocation as al
from ilp_core.decide import priorities

PAGE = "pages/allocation.py"


def _result_table(at) -> pd.DataFrame:
    """The allocation table: the shown frame with a 'Recommended' column."""
    header = i18n.t("allocation.col.recommended_hours", "en")
    for frame in at.dataframe:
        if header in frame.value.columns:
            return frame.value
    raise AssertionError("no allocation table on the page")


def test_page_recommends_hours_for_the_sample_districts(app):
    at = app(PAGE)
    assert not at.exception
    assert at.title[0].value == "Resource allocation"
    table = _result_table(at)
    # The sample's current allocation totals 4,000 h; the recommendation keeps it.
    assert table["Recommended (h/week)"].sum() == 4000
    assert table["Today (h/week)"].sum() == 4000
    assert "Market Quarter" in set(table["Area"])
    market = table.set_index("Area").loc["Market Quarter"]
    assert market["Change (h/week)"] > 0  # the planted hot spot gains hours

    # More hours: the table follows (4,800 h, still whole 8-h shifts).
    at.number_input(key="p.allocation.districts.total").set_value(4800.0).run()
    assert not at.exception
    assert _result_table(at)["Recommended (h/week)"].sum() == 4800

    # Infeasible floors: a message with the figures, and the last good result stays.
    at.number_input(key="p.allocation.districts.floor").set_value(400.0).run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any("8,000" in e and "4,800" in e for e in errors), errors  # 20 x 400 h
    assert _result_table(at)["Recommended (h/week)"].sum() == 4800
    assert i18n.t("allocation.showing_last", "en") in [i.value for i in at.info]

    # Back to a feasible floor, another method: the caption says which one was used.
    at.number_input(key="p.allocation.districts.floor").set_value(40.0).run()
    at.radio(key="p.allocation.method").set_value("harm_prevented").run()
    assert not at.exception
    captions = " ".join(c.value for c in at.caption)
    assert i18n.t("allocation.table_caption.harm_prevented", "en") in captions


def test_two_saved_scenarios_are_compared(app):
    at = app(PAGE)
    at.button(key="allocation.save").click().run()
    at.number_input(key="p.allocation.districts.floor").set_value(120.0).run()
    at.button(key="allocation.save").click().run()
    assert not at.exception
    assert at.selectbox(key="allocation.first").value == "Scenario 1"
    assert at.selectbox(key="allocation.second").value == "Scenario 2"
    metrics = [f.value for f in at.dataframe if "Scenario 2" in f.value.columns]
    assert metrics, "no scenario comparison table"
    assert metrics[0].loc["Floor (h)", "Scenario 2"] == "120"


def test_page_in_russian(app):
    at = app(PAGE, lang="ru")
    assert not at.exception
    assert at.title[0].value == "Распределение ресурсов"
    headers = [c for f in at.dataframe for c in f.value.columns]
    assert "Рекомендуется (ч/нед.)" in headers


def test_hot_spot_cells_and_patrol_plan(app):
    at = app(PAGE)
    at.radio(key="p.allocation.areas").set_value("cells").run()
    at.number_input(key="p.allocation.top_n").set_value(20).run()
    at.number_input(key="p.allocation.cells.total").set_value(800.0).run()
    assert not at.exception
    table = _result_table(at)
    # 20 Gi* hot cells; no current allocation per cell, so no "today" column.
    assert len(table) == 20 and table["Area"].str.startswith("Cell ").all()
    assert "Today (h/week)" not in table.columns
    assert table["Recommended (h/week)"].sum() == 800
    at.toggle(key="p.allocation.patrol.show").set_value(True).run()
    assert not at.exception
    labels = {m.label: m.value for m in at.metric}
    assert float(labels["Officer-hours per week"].replace(",", "")) > 0
    assert int(labels["Patrol units at once"]) >= 1


def test_priority_weighted_harm_once_priorities_are_scored(app):
    at = app("pages/priorities.py")
    at.switch_page(PAGE).run()
    assert not at.exception
    measure = at.radio(key="p.allocation.measure")
    assert measure.options == ["Incidents", "Harm (days of custody)", "Priority-weighted harm"]
    before = _result_table(at).set_index("Area")["Recommended (h/week)"]
    measure.set_value("priority").run()
    assert not at.exception and not at.error
    after = _result_table(at).set_index("Area")["Recommended (h/week)"]
    assert after.sum() == 4000 and not after.equals(before)


def test_every_widget_starts_from_the_library_default(app):
    # Each default is written once, in ilp_core.decide.allocation: a widget whose starting
    # value (or range) drifts from the library's fails here.
    at = app(PAGE)
    assert not at.exception
    assert at.radio(key="p.allocation.method").value == al.DEFAULT_METHOD
    assert at.number_input(key="p.allocation.top_n").value == al.DEFAULT_TOP_N
    assert at.number_input(key="p.allocation.districts.floor").value == al.DEFAULT_FLOOR_HOURS
    assert at.selectbox(key="p.allocation.districts.step").value == al.DEFAULT_STEP_HOURS
    assert at.selectbox(key="p.allocation.districts.step").options == [
        i18n.t("allocation.step.none", "en")
        if s is None
        else i18n.t("allocation.step.hours", "en", hours=int(s))
        for s in al.STEP_CHOICES
    ]
    for setting in ("ceiling", "saturation", "change"):  # allocate's default: none
        assert at.number_input(key=f"p.allocation.districts.{setting}").value is None
    change = at.number_input(key="p.allocation.districts.change")
    assert change.max == 100 * al.MAX_CHANGE_SHARE  # a percentage of today's hours
    # Hot-spot cells have no current allocation: the total is the per-area default.
    at.radio(key="p.allocation.areas").set_value("cells").run()
    assert not at.exception
    assert at.number_input(key="p.allocation.cells.floor").value == al.DEFAULT_CELL_FLOOR_HOURS
    assert (
        at.number_input(key="p.allocation.cells.total").value
        == al.DEFAULT_HOURS_PER_AREA * al.DEFAULT_TOP_N
    )
    at.toggle(key="p.allocation.patrol.show").set_value(True).run()
    assert not at.exception
    default = al.PATROL_DEFAULTS
    widgets = {
        "dwell": "dwell_minutes",
        "visits": "visits_per_shift",
        "shifts": "shifts_per_week",
        "shift": "shift_hours",
        "speed": "speed_kmh",
    }
    for key, setting in widgets.items():
        widget = at.number_input(key=f"p.allocation.patrol.{key}")
        assert widget.value == getattr(default, setting), setting
        assert (widget.min, widget.max) == al.PATROL_RANGES[setting], setting
    overhead = at.number_input(key="p.allocation.patrol.overhead")  # in percent
    assert overhead.value == 100 * default.overhead_share
    assert (overhead.min, overhead.max) == tuple(
        round(100 * s) for s in al.PATROL_RANGES["overhead_share"]
    )
    assert at.radio(key="p.allocation.patrol.travel").value == default.travel
    assert at.number_input(key="p.allocation.patrol.spots").value == al.DEFAULT_PATROL_SPOTS


def test_the_page_shows_what_run_scenario_gives_for_its_scenario(app):
    # Today's hours uploaded with 80 h moved, harm as demand, the diminishing-returns method,
    # a floor, a ceiling and a saturation: the page's scenario, run by the library alone,
    # gives the page's table (and so the report, which runs the saved scenario).
    sample = load_sample()
    today = pd.read_csv(ROOT / "data" / "sample" / "allocation.csv")
    today.loc[today["district"] == "Market Quarter", "hours_per_week"] += 80
    today.loc[today["district"] == "Castle Hill", "hours_per_week"] -= 80
    at = app(PAGE)
    at.file_uploader(key="allocation.current_file").set_value(
        ("today.csv", today.to_csv(index=False).encode("utf-8"), "text/csv")
    ).run()
    at.radio(key="p.allocation.measure").set_value("harm").run()
    at.radio(key="p.allocation.method").set_value("harm_prevented").run()
    at.number_input(key="p.allocation.districts.floor").set_value(80.0).run()
    at.number_input(key="p.allocation.districts.ceiling").set_value(480.0).run()
    at.number_input(key="p.allocation.districts.saturation").set_value(150.0).run()
    assert not at.exception and not at.error
    run, scenario = at.session_state["allocation.last"]
    uploaded = dict(zip(today["district"], today["hours_per_week"], strict=True))
    assert scenario["current_hours"] == uploaded
    assert (scenario["measure"], scenario["ceiling"], scenario["saturation"]) == ("harm", 480, 150)
    expected = al.run_scenario(sample.incidents, sample.districts, scenario)
    pd.testing.assert_frame_equal(run.allocation.table, expected.allocation.table)
    assert run.allocation.settings == expected.allocation.settings
    shown = _result_table(at)["Recommended (h/week)"].tolist()
    assert shown == expected.allocation.table["recommended_hours"].tolist()

    # Hot-spot cells weighted by the Priorities page's ranking: the same again.
    at.switch_page("pages/priorities.py").run()
    at.switch_page(PAGE).run()
    at.radio(key="p.allocation.areas").set_value("cells").run()
    at.number_input(key="p.allocation.top_n").set_value(20).run()
    at.radio(key="p.allocation.measure").set_value("priority").run()
    assert not at.exception and not at.error
    run, scenario = at.session_state["allocation.last"]
    assert (scenario["areas"], scenario["top_n"], scenario["current_hours"]) == ("cells", 20, None)
    ranking = priorities.rank(sample.incidents, sample.districts)  # the page's, by default
    expected = al.run_scenario(
        sample.incidents, sample.districts, scenario,
        priority_scores=al.priority_scores(ranking.table),
    )  # fmt: skip
    pd.testing.assert_frame_equal(run.allocation.table, expected.allocation.table)
    assert run.polygons["area"].tolist() == expected.polygons["area"].tolist()


def test_broad_class_caveats_are_written_in_the_pages_language(app):
    # The sample's "Drug offences" weigh class 0601, possession and supply together.
    at = app(PAGE, lang="ru")
    at.radio(key="p.allocation.measure").set_value("harm").run()
    assert not at.exception
    captions = " ".join(c.value for c in at.caption)
    assert "Хранение и сбыт вместе" in captions
    assert "Possession and supply" not in captions
