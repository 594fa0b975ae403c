"""The saved session: round trip (hostile text included), other data, broken and foreign files."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ilp_core
from ilp_core.decide import allocation, priorities
from ilp_core.errors import IlpInputError
from ilp_core.products import intelligence, strategy, workspace

HOSTILE = [
    '"; DROP TABLE log; --',
    "<script>alert('x')</script>",
    "line one\nline two\r\nline three",
    "Кража из жилища, ул. Ленина",
    '=HYPERLINK("http://x")',
    "+1",
    "-2",
    "@SUM(A1)",
    "\ttab",
    "emoji 🚓 and \\ backslash",
    "ünïcödé «quotes» ‘single’",
]
text = st.one_of(st.sampled_from(HOSTILE), st.text(min_size=1, max_size=30)).filter(str.strip)


def _tables(draw_text, n):
    log = intelligence.empty_log()
    for i in range(n):
        log = intelligence.add_item(
            log,
            date=dt.date(2025, 1, 1) + dt.timedelta(days=i),
            summary=draw_text[i % len(draw_text)],
            problem=draw_text[(i + 1) % len(draw_text)],
            area=draw_text[(i + 2) % len(draw_text)],
            notes=draw_text[(i + 3) % len(draw_text)],
            scheme=intelligence.SCHEMES[i % 3],
            source=["B", "1", "E"][i % 3],
            information=["2", "C", "5"][i % 3],
            handling=["H1", "P", "4"][i % 3],
        )
    words = [draw_text[i % len(draw_text)] for i in range(n)]
    requirements = pd.DataFrame(
        {
            "problem": words,
            "known": words,
            "gap": words[::-1],
            "requirement": words,
            "owner": words,
            "due": [dt.date(2026, 3, 1)] * n,
            "status": ["open"] * n,
        }
    )
    control = pd.DataFrame(
        {
            "problem": words,
            "pillar": [strategy.PILLARS[i % 4] for i in range(n)],
            "action": words,
            "owner": words[::-1],
            "suggested": [i % 2 == 0 for i in range(n)],
        }
    )
    pestel = pd.DataFrame(
        {
            "category": [strategy.PESTEL_CATEGORIES[i % 6] for i in range(n)],
            "factor": words,
            "problems": [words[: i + 1] for i in range(n)],
            "impact": ["high"] * n,
        }
    )
    swot = pd.DataFrame(
        {
            "quadrant": [strategy.SWOT_QUADRANTS[i % 4] for i in range(n)],
            "factor": words,
            "problems": [[w] for w in words],
        }
    )
    return {
        "intel_log": log,
        "requirements": requirements,
        "strategy": control,
        "pestel": pestel,
        "swot": swot,
    }


def _assert_same(a: workspace.Workspace, b: workspace.Workspace) -> None:
    for name in workspace.TABLES:
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))
    for field in (
        "fingerprint",
        "dataset",
        "saved_at",
        "view",
        "where",
        "priority",
        "near_repeat",
        "allocation",
        "workshop",
        "privacy_actions",
        "format_version",
        "app_version",
    ):
        assert getattr(a, field) == getattr(b, field), field


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(text, min_size=1, max_size=6), st.integers(min_value=0, max_value=5))
def test_round_trip_keeps_every_table_exactly_even_hostile_text(words, n):
    made = workspace.make_workspace(
        fingerprint="f00d",
        dataset=words[0],
        saved_at="2026-01-05T10:00:00",
        view={"start": dt.date(2025, 1, 1), "end": "2025-06-30", "offences": words},
        where={"cell_size": 250, "fdr": False},
        near_repeat={"offences": words[:2], "permutations": 49, "metric": "manhattan"},
        allocation={
            "areas": "districts",
            "total_hours": 4000,
            "method": "harm_prevented",
            "current_hours": {w: 10.5 * i for i, w in enumerate(dict.fromkeys(words))},
        },
        workshop={"priorities": {"q1": words[0]}, "own_ranking": ["Robbery", "Homicide"]},
        privacy_actions=["pseudonymise:Адрес", "drop:Victim name"],
        **_tables(words, n),
    )
    loaded = workspace.from_json(made.to_json(), fingerprint="f00d")
    assert loaded.same_data and loaded.warnings == ()
    _assert_same(made, loaded.workspace)
    assert loaded.workspace.scenario() == made.scenario()
    assert loaded.workspace.period() == (dt.date(2025, 1, 1), dt.date(2025, 6, 30))
    assert loaded.workspace.offences() == tuple(words)
    again = workspace.from_json(loaded.workspace.to_json().encode("utf-8"), fingerprint="f00d")
    assert again.workspace.to_json() == made.to_json()


def test_hostile_text_stays_text_in_the_file():
    made = workspace.make_workspace(fingerprint="x", **_tables(HOSTILE, 4))
    data = json.loads(made.to_json())
    assert data["format"] == "ilp-workspace" and data["version"] == workspace.FORMAT_VERSION
    assert data["app_version"] == ilp_core.__version__
    assert data["tables"]["intel_log"][0]["summary"] == HOSTILE[0]
    assert data["tables"]["intel_log"][0]["date"] == "2025-01-01"
    assert data["tables"]["strategy"][0]["action"] == HOSTILE[0]
    assert data["tables"]["pestel"][1]["problems"] == HOSTILE[:2]


def test_the_priority_assessment_round_trips_and_loads_as_an_object():
    scheme = priorities.preset("risk_matrix")
    entered = pd.DataFrame(
        {
            "problem": ["Robbery"],
            "criterion": ["vulnerability"],
            "value": [4.0],
            "confidence": ["high"],
        }
    )
    assessment = priorities.make_assessment(scheme, entered, fingerprint="abc", dataset="Sample")
    made = workspace.make_workspace(fingerprint="abc", priority=assessment)
    loaded = workspace.from_json(made.to_json(), fingerprint="abc").workspace
    assert loaded.assessment() == assessment
    assert workspace.make_workspace(fingerprint="abc").assessment() is None


def test_a_session_from_other_data_loads_with_a_warning():
    made = workspace.make_workspace(fingerprint="aaaa", dataset="Last quarter")
    loaded = workspace.from_json(made.to_json(), fingerprint="bbbb")
    assert loaded.same_data is False
    (warning,) = loaded.warnings
    assert warning.key == "strategy.workspace_other_data"
    assert "Last quarter" in warning.render() and "aaaa" in warning.render("ru")


def test_an_older_app_version_is_noted():
    data = json.loads(workspace.make_workspace(fingerprint="a").to_json())
    data["app_version"] = "0.0.9"
    loaded = workspace.from_json(json.dumps(data), fingerprint="a")
    assert [w.key for w in loaded.warnings] == ["strategy.workspace_other_app"]


def _broken(**change):
    data = json.loads(workspace.make_workspace(fingerprint="a", **_tables(["x"], 1)).to_json())
    data.update(change)
    return json.dumps(data)


@pytest.mark.parametrize(
    ("content", "key", "part"),
    [
        ("not json at all", "strategy.workspace_broken", "JSON"),
        (b"\xff\xfe\x00garbage", "strategy.workspace_broken", "UTF-8"),
        ("[1, 2, 3]", "strategy.workspace_broken", "format"),
        ('{"format": "ilp-workspace"}', "strategy.workspace_broken", "version"),
        ('{"format": "ilp-workspace", "version": true}', "strategy.workspace_broken", "version"),
        (_broken(tables={"intel_log": "oops"}), "strategy.workspace_broken", "intel_log"),
        (_broken(tables=[]), "strategy.workspace_broken", "tables"),
        (_broken(priority="morile"), "strategy.workspace_broken", "priority"),
        (_broken(privacy_actions="drop:x"), "strategy.workspace_broken", "privacy_actions"),
    ],
)
def test_broken_files_are_refused_naming_the_part(content, key, part):
    with pytest.raises(IlpInputError) as caught:
        workspace.from_json(content, fingerprint="a")
    assert caught.value.message.key == key
    assert caught.value.message.params.get("part") == part


def test_foreign_and_newer_files_are_refused_with_their_own_message():
    assessment = priorities.make_assessment(priorities.preset("morile"), fingerprint="a")
    with pytest.raises(IlpInputError) as caught:
        workspace.from_json(assessment.to_json())
    assert caught.value.message.key == "strategy.workspace_foreign_priority"
    with pytest.raises(IlpInputError, match="'geojson'"):
        workspace.from_json('{"format": "geojson", "version": 1}')
    with pytest.raises(IlpInputError) as caught:
        workspace.from_json(_broken(version=workspace.FORMAT_VERSION + 1))
    assert caught.value.message.key == "strategy.workspace_version"
    assert "newer version" in str(caught.value)


def test_bad_rows_inside_a_file_are_refused_with_the_rows_reason():
    data = json.loads(_broken())
    data["tables"]["intel_log"][0]["source"] = "Z"
    with pytest.raises(IlpInputError) as caught:
        workspace.from_json(json.dumps(data))
    assert caught.value.message.key == "strategy.workspace_bad_log"
    assert "'Z'" in str(caught.value) and "A (" in str(caught.value)
    data = json.loads(_broken())
    data["tables"]["strategy"][0]["pillar"] = "crackdown"
    with pytest.raises(IlpInputError, match="'crackdown'"):
        workspace.from_json(json.dumps(data))
    data = json.loads(_broken())
    data["priority"] = {"format": "ilp-priority-assessment", "version": 1, "scheme": {}}
    with pytest.raises(IlpInputError) as caught:
        workspace.from_json(json.dumps(data))
    assert caught.value.message.key == "priorities.config_broken"


def test_a_new_workspace_holds_every_page_default():
    made = workspace.make_workspace(fingerprint="a")
    data = json.loads(made.to_json())
    assert data["version"] == workspace.FORMAT_VERSION == 2
    assert data["view"] == {"start": None, "end": None, "offences": []}  # all the data
    assert data["where"] == {"cell_size": None, "fdr": True}  # the Where page's defaults
    assert data["priority"] is data["near_repeat"] is data["allocation"] is None
    assert made.period() == (None, None) and made.offences() == () and made.scenario() is None


def _version_1() -> dict:
    """A session file as format 1 wrote it: no view, Where or near-repeat part, and the
    Allocation page's settings with ``allocate``'s (no current hours)."""
    log = intelligence.add_item(
        intelligence.empty_log(), date="2025-06-01", summary="Van seen", source="B",
        information="2", handling="H0", problem="Robbery",
    )  # fmt: skip
    tables = json.loads(workspace.make_workspace(fingerprint="x", intel_log=log).to_json())
    return {
        "format": "ilp-workspace",
        "version": 1,
        "app_version": "0.1.0",
        "fingerprint": "a4d6e82d0740f1cd",
        "dataset": "Sample region (synthetic)",
        "saved_at": "2026-01-05T10:00:00",
        "priority": priorities.make_assessment(priorities.preset("risk_matrix")).to_dict(),
        "allocation": {
            "areas": "districts",
            "measure": "harm",
            "top_n": 50,
            "method": "match_share",
            "total_hours": 4000,
            "floor": 80,
            "ceiling": None,
            "max_change_hours": None,
            "max_change_share": None,
            "step": 8,
            "saturation": 200,
            "max_segments": 32,
            "n_areas": 20,
        },  # fmt: skip
        "tables": tables["tables"],
        "workshop": {"own_ranking": ["Robbery"]},
        "privacy_actions": ["drop:Victim name"],
    }


def test_a_version_1_file_still_loads_and_saves_as_version_2():
    loaded = workspace.from_json(json.dumps(_version_1()), fingerprint="a4d6e82d0740f1cd")
    w = loaded.workspace
    assert loaded.same_data and w.format_version == 1
    assert w.view == {"start": None, "end": None, "offences": []}
    assert w.where == {"cell_size": None, "fdr": True} and w.near_repeat is None
    assert w.assessment().scheme.method == "risk_matrix"
    assert w.intel_log.loc[0, "summary"] == "Van seen" and w.privacy_actions == (
        "drop:Victim name",
    )
    # The page's settings become a scenario; format 1 did not save today's hours.
    assert w.scenario() == allocation.Scenario(
        measure="harm", method="match_share", total_hours=4000, floor=80, step=8,
        saturation=200,
    )  # fmt: skip
    again = workspace.from_json(w.to_json()).workspace
    assert json.loads(w.to_json())["version"] == 2 and again.format_version == 2
    assert again.scenario() == w.scenario()


def test_a_version_1_allocation_that_is_no_scenario_is_refused():
    old = _version_1()
    old["allocation"] = {"areas": "districts", "total": 4000}
    with pytest.raises(IlpInputError) as caught:
        workspace.from_json(json.dumps(old))
    assert caught.value.message.key == "strategy.workspace_broken"
    assert caught.value.message.params["part"] == "allocation"


@pytest.mark.parametrize(
    ("parts", "key", "name"),
    [
        ({"view": {"period": "2025"}}, "strategy.workspace_broken", "view"),
        ({"view": {"start": "1 March"}}, "strategy.workspace_broken", "view"),
        ({"view": {"offences": "Robbery"}}, "strategy.workspace_broken", "view"),
        ({"where": {"cell_size": -100}}, "checks.number", "cell_size"),
        ({"where": {"fdr": 1}}, "checks.flag", "fdr"),
        ({"where": {"kernel": "quartic"}}, "strategy.workspace_broken", "where"),
        ({"near_repeat": {"permutations": 99}}, "strategy.workspace_broken", "near_repeat"),
        ({"near_repeat": {"offences": ["x"], "radius": 2}}, "strategy.workspace_broken",
         "near_repeat"),
        ({"allocation": {"total_hours": 40, "note": "x"}}, "checks.option", "scenario"),
        ({"allocation": {"areas": "districts"}}, "checks.number", "total_hours"),
        ({"allocation": {"total_hours": 40, "areas": "beats"}}, "checks.option", "areas"),
        ({"allocation": {"total_hours": 40, "current_hours": {"A": -1}}}, "checks.number",
         "current_hours[A]"),
        ({"allocation": {"total_hours": 40, "current_hours": [1, 2]}},
         "strategy.workspace_broken", "allocation"),
    ],
)  # fmt: skip
def test_bad_settings_are_refused_naming_the_part_or_setting(parts, key, name):
    with pytest.raises(IlpInputError) as caught:
        workspace.make_workspace(fingerprint="a", **parts)
    message = caught.value.message
    assert message.key == key
    assert message.params.get("part", message.params.get("name")) == name
    data = json.loads(workspace.make_workspace(fingerprint="a").to_json())
    data.update(parts)
    with pytest.raises(IlpInputError) as caught:  # the same part of a file: the same message
        workspace.from_json(json.dumps(data))
    assert caught.value.message.key == key


def test_settings_that_are_not_plain_json_cannot_be_saved():
    with pytest.raises(IlpInputError) as caught:
        workspace.make_workspace(fingerprint="a", near_repeat={"offences": ["x"], "seed": object()})
    assert caught.value.message.key == "strategy.workspace_not_json"
    with pytest.raises(IlpInputError):
        workspace.make_workspace(fingerprint="a", workshop={"x": float("nan")})


def test_a_workspace_nested_1000_deep_is_a_message():
    with pytest.raises(IlpInputError) as error:
        workspace.from_json(
            '{"format": "ilp-workspace", "tables": ' + "[" * 1000 + "]" * 1000 + "}"
        )
    assert error.value.message.key == "checks.document_too_deep"
