"""Emerging issues offered to the control strategy and the intelligence requirements.

The findings come from the analyses' own results (the sample region's planted rise
of vehicle crime; a new offence type and a cluster planted here), so the offers
are checked against what was planted; accepting is checked on the tables.
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest

from ilp_core import i18n
from ilp_core.analysis import forecast as fc
from ilp_core.analysis.space_time_scan import space_time_scan
from ilp_core.data.dataset import load_sample
from ilp_core.data.schema import coerce_incidents, example_incidents
from ilp_core.errors import IlpInputError
from ilp_core.products import strategy

STRATEGY = "pages/strategy.py"


@pytest.fixture(scope="module")
def sample():
    return load_sample()


@pytest.fixture(scope="module")
def with_fraud(sample):
    """The sample region plus five incidents of an offence never seen before."""
    inc = sample.incidents
    fraud = example_incidents(["Online fraud"] * 5, occurred_at="2025-11-20 10:00")
    frames = [f.assign(offence=f["offence"].astype(str)) for f in (inc, fraud)]
    return coerce_incidents(pd.concat(frames, ignore_index=True))


@pytest.fixture(scope="module")
def cluster_scan():
    """Nine incidents in one cell on the last two days, one a day elsewhere before."""
    days = pd.date_range("2024-01-01", periods=30).tolist()
    when = days + [days[-1]] * 5 + [days[-2]] * 4
    lat = [45.40 + 0.002 * i for i in range(30)] + [45.5] * 9
    offences = ["Theft"] * 30 + ["Robbery"] * 9
    df = example_incidents(offences, occurred_at=when, lat=lat, lon=-30.5, district="Harbour")
    return space_time_scan(df, study_days=30, max_days=14, step_days=2, permutations=99, seed=1)


def test_the_sample_offers_its_planted_rise(sample):
    em = fc.emerging_offences(sample.incidents)
    issues = strategy.emerging_issues(em)
    assert issues.columns.tolist() == list(strategy.EMERGING_COLUMNS)
    flagged = em.table.loc[em.table["status"] != "as_expected", "offence"].tolist()
    assert issues["problem"].tolist() == flagged == ["Vehicle crime"]
    row = issues.iloc[0]
    assert row["kind"] == "emerging_offence" and row["pillar"] == "intelligence"
    vehicle = em.table.set_index("offence").loc["Vehicle crime"]
    assert f"{int(vehicle['recent_count']):,}" in row["finding"]
    assert "Vehicle crime" in row["action"] and "Vehicle crime" in row["requirement"]


def test_a_new_offence_type_is_offered_first_with_its_first_day(with_fraud):
    issues = strategy.emerging_issues(fc.emerging_offences(with_fraud))
    assert issues["kind"].tolist()[:1] == ["new_offence"]
    new = issues.iloc[0]
    assert new["problem"] == "Online fraud" and new["issue_id"] == "new_offence|Online fraud"
    assert i18n.date(dt.date(2025, 11, 20)) in new["finding"] and " 5 incidents" in new["finding"]


def test_only_significant_clusters_are_offered(cluster_scan):
    issues = strategy.emerging_issues(scan=cluster_scan)
    significant = cluster_scan.clusters.loc[cluster_scan.clusters["significant"]]
    assert len(issues) == len(significant) >= 1
    top = issues.iloc[0]
    assert top["kind"] == "cluster" and top["pillar"] == "prevention"
    assert top["problem"] == "Robbery"  # the most frequent offence of the cluster
    assert "Harbour" in top["finding"] and i18n.date(dt.date(2024, 1, 29)) in top["finding"]
    assert " 9 incidents" in top["finding"]


def test_nothing_to_offer_is_an_empty_table():
    issues = strategy.emerging_issues()
    assert issues.empty and issues.columns.tolist() == list(strategy.EMERGING_COLUMNS)


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_every_text_is_filled_in_every_language(with_fraud, cluster_scan, lang):
    issues = strategy.emerging_issues(fc.emerging_offences(with_fraud), cluster_scan, lang=lang)
    assert set(issues["kind"]) == set(strategy.EMERGING_KINDS)
    for col in ("finding", "gap", "action", "requirement"):
        for text in issues[col]:
            assert text and not re.search(r"\{\w+\}", text), (col, text)
    shown = strategy.emerging_for_display(issues, lang)
    assert len(shown.columns) == 5 and len(shown) == len(issues)


def test_accepting_adds_an_action_and_a_requirement_once(with_fraud, cluster_scan):
    issues = strategy.emerging_issues(fc.emerging_offences(with_fraud), cluster_scan)
    ids = issues["issue_id"].tolist()[:2]
    today = dt.date(2026, 1, 10)
    s, r = strategy.accept_emerging(
        strategy.empty_strategy(), strategy.empty_requirements(), issues, ids, owner="DI Ray",
        today=today,
    )  # fmt: skip
    assert len(s) == len(r) == 2
    assert s["suggested"].all() and (s["owner"] == "DI Ray").all()
    assert s["problem"].tolist() == issues["problem"].tolist()[:2]
    due = today + dt.timedelta(days=int(strategy.rules().requirements["due_days"]))
    assert (r["due"] == due).all() and (r["status"] == "open").all()
    assert r["known"].tolist() == issues["finding"].tolist()[:2]
    again = strategy.accept_emerging(s, r, issues, ids, today=today)
    assert len(again[0]) == 2 and len(again[1]) == 2  # not added twice
    with pytest.raises(IlpInputError) as err:
        strategy.accept_emerging(s, r, issues, ["cluster|nowhere|9"])
    assert err.value.message.key == "strategy.unknown_suggestion"


def test_the_strategy_page_offers_and_accepts_emerging_issues(app):
    at = app(STRATEGY)
    assert not at.exception
    picker = at.multiselect(key="strategy.emerging_picked")
    assert picker.options  # Vehicle crime, rising beyond its season
    before = len(at.session_state["ilp.requirements"])
    assert len(at.session_state["ilp.strategy"]) == 0  # offered, never added silently
    picker.set_value(["emerging_offence|Vehicle crime"]).run()
    at.button(key="strategy.emerging_accept").click().run()
    assert not at.exception
    control = at.session_state["ilp.strategy"]
    assert len(control) == 1 and control.iloc[0]["problem"] == "Vehicle crime"
    assert len(at.session_state["ilp.requirements"]) == before + 1
    assert at.multiselect(key="strategy.emerging_picked").value == []
