"""Requirements, control-strategy suggestions, PESTEL/SWOT: hand-made tables, the sample region."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT

from ilp_core import i18n
from ilp_core.analysis import near_repeat
from ilp_core.data.dataset import load_sample
from ilp_core.decide import priorities
from ilp_core.errors import IlpInputError
from ilp_core.products import intelligence, strategy

PLANTED = json.loads((ROOT / "data" / "sample" / "planted.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def sample():
    """The sample region ranked with the default preset, and every offence's evidence."""
    ds = load_sample()
    data = priorities.problem_data(ds.incidents, ds.districts, by="offence")
    ranking = priorities.score(
        priorities.criteria_table(data), priorities.preset("morile"), missing="lowest"
    )
    selection = strategy.problem_selection(ranking.table)
    evidence = {
        p: strategy.problem_evidence(
            ds.incidents,
            ds.districts,
            problem=p,
            **{"offences": s["offences"], "in_districts": s["districts"]},
        )
        for p, s in selection.items()
    }
    summary = intelligence.summarise(intelligence.empty_log(), ranking.table)
    suggestions = strategy.suggest_actions(ranking.table, evidence, summary)
    return ds, ranking, evidence, summary, suggestions


def _with_rule(suggestions, rule):
    return set(suggestions.loc[suggestions["rule"] == rule, "problem"])


# -- suggestions on the sample region (planted ground truth) -----------------------------------


def test_residential_burglary_and_only_it_gets_the_near_repeat_suggestion(sample):
    _, _, evidence, _, suggestions = sample
    assert PLANTED["near_repeat"]["offence"] == "Residential burglary"
    assert _with_rule(suggestions, "near_repeat") == {"Residential burglary"}
    ev = evidence["Residential burglary"]
    assert ev.knox_ratio > 1.5 and ev.knox_p <= 0.05 and ev.knox_ratio_after < 1.2
    row = suggestions[suggestions["suggestion_id"] == "near_repeat|Residential burglary"].iloc[0]
    assert row["pillar"] == "prevention"
    assert "200 m" in row["action"] and "14 days" in row["action"]
    assert "Knox" in row["evidence"] and "p = 0.025" in row["evidence"]
    # the emerging drug market and robbery cluster persist for months: not near repeats
    assert evidence["Drug offences"].knox_ratio > 1.5
    assert evidence["Drug offences"].knox_ratio_after > 1.5


def test_close_pairs_of_a_large_window_are_estimated_within_a_few_percent():
    # 200,000 events in 400 hot spots (as shoplifting at shops): 20 times the subset
    # the estimate counts. Reference: the exact count (k-d tree, tested against pdist).
    from ilp_core.data.schema import coerce_incidents
    from ilp_core.products.strategy import _evidence

    rng = np.random.default_rng(7)
    n = 200_000
    assert n >= 20 * _evidence.PAIR_ESTIMATE_EVENTS
    centre = rng.integers(0, 400, n)
    lat = 45.5 + (centre % 20) * 0.01 + rng.normal(0, 0.0008, n)
    lon = -30.5 + (centre // 20) * 0.014 + rng.normal(0, 0.0011, n)
    days = pd.to_timedelta(rng.integers(0, 365, n), "D")
    events = coerce_incidents(
        pd.DataFrame({
            "incident_id": np.arange(n).astype(str),
            "occurred_at": pd.Timestamp("2024-01-01") + days,
            "occurred_to": pd.NaT, "precision": "day", "offence": "Shoplifting",
            "lat": lat, "lon": lon, "district": None, "location_id": None,
            "source_row": np.arange(n) + 2, "duplicate": None,
        })
    )  # fmt: skip
    exact = near_repeat.count_close_pairs(events, 200.0)
    budget = 1_000_000
    share = _evidence._sample_share(events, 200.0, budget)
    assert exact > 30 * budget  # far over the budget: the estimate is used
    assert share == pytest.approx(math.sqrt(budget / exact), rel=0.03)
    # seeded: the same events, the same share; the small window is still counted exactly
    assert _evidence._sample_share(events, 200.0, budget) == share
    small = events.iloc[: _evidence.PAIR_ESTIMATE_EVENTS]
    exact_small = near_repeat.count_close_pairs(small, 200.0)
    assert _evidence._sample_share(small, 200.0, budget) == pytest.approx(
        min(1.0, math.sqrt(budget / exact_small))
    )


def test_near_repeat_evidence_tests_a_random_subset_above_the_pair_budget(sample):
    ds, ranking, evidence, summary, _ = sample
    full = evidence["Residential burglary"]
    assert full.knox_sample_share == 1.0  # 17,675 close pairs: under the 1,000,000 budget
    cfg = strategy.rules()
    tight = dataclasses.replace(cfg, near_repeat={**cfg.near_repeat, "max_pairs": 4_000})
    ev = strategy.problem_evidence(
        ds.incidents, ds.districts, problem="Residential burglary",
        offences=["Residential burglary"], cfg=tight,
    )  # fmt: skip
    burglary = ds.incidents[ds.incidents["offence"] == "Residential burglary"]
    when = burglary["occurred_at"]
    window = burglary[when > when.max() - pd.Timedelta(days=cfg.near_repeat["window_days"])]
    pairs = near_repeat.count_close_pairs(window, cfg.near_repeat["distance_m"])
    assert ev.knox_window_incidents == len(window) == full.knox_window_incidents
    # each event kept with sqrt(4,000 / pairs) = 0.48, so each pair with 0.23
    assert ev.knox_sample_share == pytest.approx(math.sqrt(4_000 / pairs))
    assert abs(ev.knox_events / full.knox_events - ev.knox_sample_share) < 0.05
    # The planted near repeats survive: the ratio keeps its expectation (1.95 on all)
    assert ev.knox_ratio > 1.5 and ev.knox_p <= 0.05 and ev.knox_ratio_after < 1.2
    shown = strategy.suggest_actions(
        ranking.table, {**evidence, "Residential burglary": ev}, summary, cfg=tight
    )
    row = shown[shown["suggestion_id"] == "near_repeat|Residential burglary"].iloc[0]
    assert f"random {ev.knox_events:,} of the {len(window):,}".replace(",", "") in row[
        "evidence"
    ].replace(",", "").replace("\u202f", "").replace("\xa0", "")


def test_the_persistent_hot_spot_offences_get_the_patrol_suggestion(sample):
    _, _, evidence, _, suggestions = sample
    persistent = {
        o for h in PLANTED["hotspots"] if h["kind"] == "persistent" for o in h["offences"]
    }
    patrol = _with_rule(suggestions, "hotspot_patrol")
    assert patrol == persistent
    for offence in persistent:
        row = suggestions[suggestions["suggestion_id"] == f"hotspot_patrol|{offence}"].iloc[0]
        assert "10-15 minutes" in row["action"]
        cited = {
            h["district"]
            for h in PLANTED["hotspots"]
            if h["kind"] == "persistent" and offence in h["offences"]
        }
        assert cited <= set(evidence[offence].persistent_districts)
        assert all(str(c) in row["action"] for c in evidence[offence].persistent_cells)


def test_emerging_hot_spots_are_those_planted(sample):
    _, _, _, _, suggestions = sample
    planted = {o for h in PLANTED["hotspots"] if h["kind"] == "emerging" for o in h["offences"]}
    assert _with_rule(suggestions, "emerging_hotspot") == planted  # Station: drugs, robbery


def test_seasonal_campaigns_only_for_seasonal_offences_and_before_their_season(sample):
    _, _, evidence, _, suggestions = sample
    seasonal = _with_rule(suggestions, "seasonal")
    planted = set(PLANTED["seasonality"])
    assert seasonal <= planted and len(seasonal) >= 5
    burglary = evidence["Residential burglary"]
    assert (burglary.season_peak_month, burglary.season_start) == (12, 11)  # dark months
    row = suggestions[suggestions["suggestion_id"] == "seasonal|Residential burglary"].iloc[0]
    assert "before November" in row["action"]


def test_repeat_location_suggestions_cite_the_share_of_the_top_locations(sample):
    _, _, evidence, _, suggestions = sample
    chosen = _with_rule(suggestions, "repeat_locations")
    assert "Shoplifting" in chosen and "Residential burglary" not in chosen
    ev = evidence["Shoplifting"]
    assert ev.repeat_share >= 0.15 and len(ev.repeat_locations) == 10
    row = suggestions[suggestions["suggestion_id"] == "repeat_locations|Shoplifting"].iloc[0]
    assert ev.repeat_locations[0] in row["action"]


def test_repeat_and_season_evidence_agree_with_the_full_analyses(sample):
    """The evidence's short cuts give what the full tables say, for every offence."""
    from ilp_core.analysis import hotspots, temporal

    ds, _, evidence, _, _ = sample
    inc, top = ds.incidents, int(strategy.rules().repeat_locations["top"])
    for problem, ev in evidence.items():
        mine = inc[inc["offence"].astype(str) == problem]
        table = hotspots.repeat_locations(mine).head(top)
        assert ev.repeat_locations == tuple(table["location_id"])
        assert ev.repeat_count == int(table["count"].sum())
        assert ev.repeat_share == pytest.approx(float(table["share"].sum()))
        index = temporal.seasonality(temporal.period_counts(mine.assign(offence="p"), "month"))
        values = index.sort_values("month")["seasonal_index"].to_numpy()
        assert ev.season_peak_month == int(np.argmax(values)) + 1
        assert ev.season_peak_index == pytest.approx(values.max())


def test_evidence_from_the_whole_tables_points_equals_projecting_each_priority(sample):
    """Taking each priority's points from the table's projection changes no figure."""
    from ilp_core.data import geo
    from ilp_core.products.strategy import _evidence

    ds, _, _, _, _ = sample
    inc, cfg = ds.incidents, strategy.rules()
    whole = geo.projection(inc)
    for offence in ("Residential burglary", "Shoplifting", "Robbery"):
        mask = (inc["offence"].astype(str) == offence).to_numpy()
        sub = inc.loc[mask]
        assert geo.utm_crs(sub["lat"], sub["lon"]) == whole.crs  # one zone: same grid
        points = whole.select(mask)
        for step in (_evidence._hotspot_evidence, _evidence._knox_evidence):
            assert step(sub, ds.districts, cfg, points) == step(sub, ds.districts, cfg, None)
    with pytest.raises(ValueError):
        from ilp_core.analysis import hotspots

        hotspots.hotspot_change(inc.iloc[:10], ds.districts, projected=whole)


def test_with_an_empty_log_every_priority_gets_the_coverage_review(sample):
    _, ranking, _, _, suggestions = sample
    assert _with_rule(suggestions, "weak_information") == set(ranking.table["problem"])
    assert _with_rule(suggestions, "rising_trend") == {PLANTED["rising_offence"]["offence"]}


def test_suggestions_come_in_the_users_language(sample):
    _, ranking, evidence, summary, _ = sample
    ru = strategy.suggest_actions(ranking.table, evidence, summary, lang="ru")
    row = ru[ru["rule"] == "near_repeat"].iloc[0]
    assert "соседей" in row["action"] and "Кража из жилища" in row["action"]
    seasonal = ru[ru["suggestion_id"] == "seasonal|Residential burglary"].iloc[0]
    assert "ноябрь" in seasonal["action"]


def test_rules_on_hand_made_evidence():
    t = pd.DataFrame(
        {
            "problem": ["P"],
            "kind": ["custom"],
            "trend": [25.0],
            "trend_direction": ["rising"],
            "public_concern": [4.0],
        }
    )
    # A Knox excess that does not fade after two weeks is a cluster, not near repeats.
    flat = strategy.Evidence("P", 100, knox_ratio=2.0, knox_p=0.01, knox_ratio_after=1.8)
    fading = strategy.Evidence("P", 100, knox_ratio=2.0, knox_p=0.01, knox_ratio_after=1.2)
    # excess 1.0 >= 2 x 0.2 (fading); excess 1.0 < 2 x 0.8 (flat)
    assert "near_repeat" not in set(strategy.suggest_actions(t, {"P": flat})["rule"])
    assert "near_repeat" in set(strategy.suggest_actions(t, {"P": fading})["rule"])
    gap = {"P": {"position_knowledge": 3.0}}
    rules = strategy.suggest_actions(t, {"P": fading}, position=gap)["rule"].tolist()
    assert rules == ["near_repeat", "knowledge_gap", "rising_trend", "reassurance"]
    some = {"P": {"position_knowledge": 2.0}}
    assert strategy.suggest_actions(t, position=some)["rule"].tolist() == [
        "rising_trend",
        "reassurance",
    ]


def _every_rule_fires():
    """Two priorities: Burglary meets every rule's threshold (strategy.yaml), Fraud only two."""
    t = pd.DataFrame(
        {
            "problem": ["Burglary", "Fraud"],
            "kind": ["custom", "custom"],
            "trend": [20.0, 5.0],  # >= 10 % a year for Burglary only
            "trend_direction": ["rising", "rising"],
            "public_concern": [1.0, 3.5],  # >= 3 for Fraud only
            "volume": [400.0, 50.0],
            "rank": [1, 2],
            "tier": ["high", "low"],
        }
    )
    ev = strategy.Evidence(
        "Burglary",
        400,
        cell_size=250.0,
        period_days=91,
        n_persistent=2,
        persistent_cells=(17, 4),
        persistent_districts=("Docklands",),
        n_emerging=1,
        emerging_cells=(23,),
        emerging_districts=("Old Town",),
        # excess 1.0 >= 2 x 0.1 after: near repeats; 120 of 300 events tested
        knox_ratio=2.0,
        knox_p=0.01,
        knox_ratio_after=1.1,
        knox_events=120,
        knox_window_incidents=300,
        knox_sample_share=0.4,
        repeat_locations=("L1", "L2"),
        repeat_share=0.25,  # >= 0.15
        repeat_count=100,
        season_peak_month=12,  # index 1.3 >= 1.15, November to January: 3 months
        season_peak_index=1.3,
        season_start=11,
        season_end=1,
    )
    summary = intelligence.summarise(intelligence.empty_log(), t)  # no items: both flagged
    return t, {"Burglary": ev}, summary


def test_suggestions_follow_the_ranking_then_the_order_of_the_rules():
    t, evidence, summary = _every_rule_fires()
    gap = {"Burglary": {"position_knowledge": 3.0}}  # >= large_gap 3
    shown = strategy.suggest_actions(t, evidence, summary, position=gap)
    assert shown["suggestion_id"].tolist() == [
        "hotspot_patrol|Burglary",
        "near_repeat|Burglary",
        "repeat_locations|Burglary",
        "seasonal|Burglary",
        "emerging_hotspot|Burglary",
        "weak_information|Burglary",
        "knowledge_gap|Burglary",
        "rising_trend|Burglary",
        "reassurance|Burglary",
        "weak_information|Fraud",
        "reassurance|Fraud",
    ]
    assert tuple(shown["rule"].head(9)) == strategy.RULES
    assert shown["pillar"].tolist() == [
        *["prevention"] * 4,
        *["intelligence"] * 3,
        "enforcement",
        "reassurance",
        "intelligence",
        "reassurance",
    ]
    row = shown.set_index("suggestion_id")
    assert row.loc["hotspot_patrol|Burglary", "action"] == (
        "Hot-spot patrols of 10-15 minutes at irregular times in the persistent hot-spot"
        " cells 17, 4 (Docklands)."
    )
    assert row.loc["near_repeat|Burglary", "evidence"].startswith(
        "Knox test on a random 120 of the 300 events of the last 365 days"
    )
    assert "25%" in row.loc["repeat_locations|Burglary", "evidence"]  # 0.25 of the incidents
    assert "before November" in row.loc["seasonal|Burglary", "action"]
    assert "30% above" in row.loc["seasonal|Burglary", "evidence"]  # index 1.3
    # Burglary is reassured for its hot spots, Fraud for the public concern of 3.5
    assert "Persistent hot spots in Docklands" in row.loc["reassurance|Burglary", "evidence"]
    assert row.loc["reassurance|Fraud", "evidence"] == (
        "Public concern assessed at 3.5 of 4 on the Priorities page."
    )


def test_drafted_requirements_write_their_sentences_in_a_fixed_order():
    t, evidence, summary = _every_rule_fires()
    position = {
        "Burglary": {
            "position_knowledge": 2.0,  # between small_gap 1 and large_gap 3: partial
            "position_capacity": 3.0,
            "position_capability": 4.0,
        }
    }
    d = strategy.draft_requirements(
        t, summary, evidence=evidence, position=position, today=dt.date(2026, 1, 1)
    )
    burglary, fraud = d.iloc[0], d.iloc[1]
    assert burglary["known"] == (
        "400 recorded incidents in the period in view; rank 1, high tier."
        " Trend 20 % a year (rising)."
        " 2 persistent hot-spot cells, in Docklands."
        " Near repeats: 2.0 times the expected pairs within 200 m and 14 days."
    )
    assert burglary["gap"] == (
        "The organisation's knowledge of this problem was assessed as a partial gap (2 of 4)."
        " The capacity to deal with it was assessed as a large gap (3 of 4)."
        " The capability (skills, powers, equipment) to deal with it was assessed as a large"
        " gap (4 of 4)."
        " No graded intelligence item about it: what is known comes from recorded crime only."
    )
    assert burglary["requirement"] == (
        "Identify who is offending, against whom, where, when and how for Burglary."
        " Establish what makes the hot-spot cells 17, 4 attractive (places, times, guardians)."
        " Establish what drives the emerging hot spot in cells 23."
        " Corroborate the intelligence from independent, graded sources."
    )
    assert fraud["gap"].startswith("The organisation's knowledge of this problem has not been")
    assert fraud["requirement"] == (
        "Identify who is offending, against whom, where, when and how for Fraud."
        " Corroborate the intelligence from independent, graded sources."
    )
    assert d["due"].tolist() == [dt.date(2026, 4, 1)] * 2  # 90 days later


# -- accepting suggestions -----------------------------------------------------------------------


def test_suggestions_are_only_added_when_accepted_and_never_twice(sample):
    _, _, _, _, suggestions = sample
    empty = strategy.empty_strategy()
    ids = ["near_repeat|Residential burglary", "hotspot_patrol|Shoplifting"]
    once = strategy.accept_suggestions(empty, suggestions, ids, owner="Neighbourhood team")
    assert len(empty) == 0
    assert once["problem"].tolist() == ["Residential burglary", "Shoplifting"]  # ranking order
    assert once["suggested"].tolist() == [True, True]
    assert set(once["owner"]) == {"Neighbourhood team"}
    twice = strategy.accept_suggestions(once, suggestions, ids)
    assert twice.equals(once)
    with pytest.raises(IlpInputError) as caught:
        strategy.accept_suggestions(once, suggestions, ["made_up|Robbery"])
    assert caught.value.message.key == "strategy.unknown_suggestion"


# -- requirement drafts ----------------------------------------------------------------------------


def test_requirement_drafts_on_the_sample_region(sample):
    _, ranking, evidence, _, _ = sample
    log = intelligence.validate_log(
        pd.DataFrame(
            {
                "date": ["2025-11-02", "2025-11-03"],
                "summary": ["tip", "rumour"],
                "problem": ["Residential burglary"] * 2,
                "source": ["X", "C"],
                "information": ["4", "2"],
                "handling": ["H0", "H0"],
            }
        )
    ).log
    summary = intelligence.summarise(log, ranking.table)
    top = ranking.table[ranking.table["problem"].isin(["Residential burglary", "Robbery"])]
    drafts = strategy.draft_requirements(
        top,
        summary,
        evidence=evidence,
        position={"Robbery": {"position_knowledge": 4.0, "position_capacity": 3.0}},
        today=dt.date(2026, 1, 15),
        owner="Analyst",
    ).set_index("problem")
    burglary, robbery = drafts.loc["Residential burglary"], drafts.loc["Robbery"]
    assert "5,339 recorded incidents" in burglary["known"]
    assert (
        "Near repeats" in burglary["known"] and "2 graded intelligence items" in burglary["known"]
    )
    assert "has not been assessed" in burglary["gap"]
    assert "2 of its 2 graded items are weak" in burglary["gap"]
    assert "large gap (4 of 4)" in robbery["gap"]
    assert "capacity" in robbery["gap"] and "capacity" not in burglary["gap"]
    assert "No graded intelligence item" in robbery["gap"]
    assert "Corroborate" in burglary["requirement"]
    assert set(drafts["due"]) == {dt.date(2026, 4, 15)}  # 90 days later
    assert set(drafts["status"]) == {"open"} and set(drafts["owner"]) == {"Analyst"}


def test_drafts_never_overwrite_the_users_requirements():
    mine = strategy.check_requirements(
        pd.DataFrame(
            {
                "problem": ["Robbery"],
                "known": ["mine"],
                "gap": ["mine"],
                "requirement": ["mine"],
                "owner": ["DI Smith"],
                "due": ["2026-02-01"],
                "status": ["in_progress"],
            }
        )
    )
    t = pd.DataFrame(
        {
            "problem": ["Robbery", "Homicide"],
            "kind": ["offence"] * 2,
            "offence": ["Robbery", "Homicide"],
            "district": [None, None],
        }
    )
    merged = strategy.merge_requirements(mine, strategy.draft_requirements(t))
    assert merged["problem"].tolist() == ["Robbery", "Homicide"]
    assert merged.loc[0, "requirement"] == "mine" and merged.loc[0, "status"] == "in_progress"


# -- checking the tables ---------------------------------------------------------------------------


def test_table_checks_name_the_bad_value_and_the_allowed_ones():
    bad = pd.DataFrame(
        {
            "problem": ["Robbery"],
            "pillar": ["deterrence"],
            "action": ["x"],
            "owner": [""],
            "suggested": [False],
        }
    )
    with pytest.raises(IlpInputError) as caught:
        strategy.check_strategy(bad)
    text = str(caught.value)
    assert "'deterrence'" in text and "prevention, intelligence, enforcement, reassurance" in text
    assert caught.value.rows == (1,)
    with pytest.raises(IlpInputError, match="no action"):
        strategy.check_strategy(bad.assign(pillar="prevention", action="  "))
    with pytest.raises(IlpInputError, match="'someday'"):
        strategy.check_requirements(
            pd.DataFrame({c: ["x"] for c in strategy.REQUIREMENT_COLUMNS}).assign(
                due="someday", status="open"
            )
        )
    blank = pd.DataFrame({c: [None] for c in strategy.STRATEGY_COLUMNS})
    assert len(strategy.check_strategy(blank)) == 0  # an editor's empty line is dropped


def test_a_table_without_its_columns_is_a_wrong_argument():
    with pytest.raises(IlpInputError) as caught:
        strategy.check_strategy(pd.DataFrame({"problem": ["Robbery"], "action": ["x"]}))
    assert caught.value.message.key == "checks.missing_columns"
    assert caught.value.columns == ("pillar", "owner", "suggested")
    assert "pillar, owner, suggested" in str(caught.value)


def test_pestel_and_swot_factors_are_linked_to_the_priorities_they_affect():
    pestel = strategy.check_pestel(
        pd.DataFrame(
            {
                "category": ["Economic", "legal"],
                "factor": ["Cost of living", "New licensing hours"],
                "problems": ["Shoplifting; Robbery", ["Violence with injury"]],
                "impact": ["high", None],
            }
        )
    )
    swot = strategy.check_swot(
        pd.DataFrame(
            {
                "quadrant": ["strengths", "threats"],
                "factor": ["Retail partnership", "Port expansion"],
                "problems": [["Shoplifting"], []],
            }
        )
    )
    assert pestel["problems"].tolist() == [["Shoplifting", "Robbery"], ["Violence with injury"]]
    assert pestel["impact"].tolist() == ["high", "medium"]
    links = strategy.factor_links(pestel, swot, ["Violence with injury", "Shoplifting"])
    assert links[["problem", "source", "category", "factor"]].values.tolist() == [
        ["Violence with injury", "pestel", "legal", "New licensing hours"],
        ["Shoplifting", "pestel", "economic", "Cost of living"],
        ["Shoplifting", "swot", "strengths", "Retail partnership"],
        ["Robbery", "pestel", "economic", "Cost of living"],
    ]
    with pytest.raises(IlpInputError, match="'STEEP'"):
        strategy.check_pestel(pestel.assign(category="STEEP"))
    with pytest.raises(IlpInputError):
        strategy.check_swot(swot.assign(factor=["", "x"]))


def test_the_reminder_is_in_every_language():
    for lang in i18n.LANGUAGES:
        text = strategy.reminder(lang)
        assert len(text) > 80 and text == i18n.t("strategy.reminder", lang)
    assert "not instructions" in strategy.reminder("en")


def test_evidence_of_a_problem_without_incidents_says_so(sample):
    ds = sample[0]
    ev = strategy.problem_evidence(
        ds.incidents, ds.districts, problem="None", offences=["No such offence"]
    )
    assert ev.n_incidents == 0 and [m.key for m in ev.notes] == ["strategy.note.no_incidents"]
    assert math.isnan(ev.knox_ratio)
    tiny = strategy.problem_evidence(
        ds.incidents, ds.districts, problem="Homicide", offences=["Homicide"]
    )
    assert any(m.params.get("analysis") == "near_repeat" for m in tiny.notes)  # 12 events
