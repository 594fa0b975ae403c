"""The "likely development" criterion of the Priorities: forecast change with its interval.

Checked against the trends planted in the sample region (the truth of the generator,
``data/sample/planted.json``), hand-worked weighted sums at the interval's ends, and
the forecasts of :mod:`ilp_core.analysis.forecast` it is read from.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from ilp_core import i18n
from ilp_core.analysis import forecast as fc
from ilp_core.data.dataset import SAMPLE_DIR, load_sample
from ilp_core.decide import priorities
from ilp_core.figures import priorities as fig


@pytest.fixture(scope="module")
def sample():
    return load_sample()


@pytest.fixture(scope="module")
def data(sample):
    return priorities.problem_data(sample.incidents, sample.districts)


@pytest.fixture(scope="module")
def ranking(data):
    assessment = priorities.make_assessment(priorities.preset("forward_looking"))
    return priorities.rank_problems(data, assessment)


def _planted(sample, which: str) -> tuple[str, float]:
    """The planted offence and its next-year change if the planted trend goes on, in %."""
    info = json.loads((SAMPLE_DIR / "planted.json").read_text(encoding="utf-8"))[which]
    return info["offence"], 100.0 * ((1 + info["monthly_change_pct"] / 100.0) ** 12 - 1)


def test_the_planted_trends_fall_inside_the_80_percent_interval(sample, data):
    t = data.table.set_index("problem")
    for which in ("rising_offence", "falling_offence"):
        offence, truth = _planted(sample, which)  # +20.4 % (1.0156**12) and -22.2 % (0.9793**12)
        row = t.loc[offence]
        assert row["development_status"] == "forecast"
        assert row["development_lower"] <= truth <= row["development_upper"], (offence, truth)
        assert abs(row["development"] - truth) < 5
    rising, _ = _planted(sample, "rising_offence")
    falling, _ = _planted(sample, "falling_offence")
    assert t.loc[rising, "development_lower"] > 0  # a likely rise
    assert t.loc[falling, "development_upper"] < 0  # a likely fall
    assert t["development"].idxmax() == rising
    assert t["development"].idxmin() == falling


def test_development_is_the_forecast_change_of_the_next_twelve_months(sample, data):
    result = fc.forecast(
        fc.monthly_series(sample.incidents),
        horizons=(priorities.DEVELOPMENT_HORIZON,),
        paths=500,
    )
    change = result.change.set_index("series")
    t = data.table.set_index("problem")
    done = change.index
    np.testing.assert_allclose(t.loc[done, "development"], change["change_pct"])
    np.testing.assert_allclose(t.loc[done, "development_lower"], change["change_lower_80"])
    np.testing.assert_allclose(t.loc[done, "development_upper"], change["change_upper_80"])


def test_a_problem_that_cannot_be_forecast_counts_as_no_change_and_says_why(data):
    t = data.table.set_index("problem")
    # Homicide: a dozen incidents in two years (fewer than 2 a month).
    row = t.loc["Homicide"]
    assert row["development_status"] == "too_sparse"
    assert row["development"] == 0.0
    assert math.isnan(row["development_lower"]) and math.isnan(row["development_upper"])
    declined = t["development_status"] != "forecast"
    assert (t.loc[declined, "development"] == 0).all()
    assert set(t["development_status"]) <= {"forecast", *fc.REFUSALS, "no_baseline"}


def test_the_criterion_is_unavailable_when_nothing_can_be_forecast(sample):
    inc = sample.incidents
    last_year = inc.loc[inc["occurred_at"] >= pd.Timestamp("2025-01-01")]
    data = priorities.problem_data(last_year)
    assert data.unavailable["development"].key == "priorities.unavailable_development"
    assert data.table["development"].isna().all()
    assessment = priorities.make_assessment(priorities.preset("forward_looking"))
    r = priorities.rank_problems(data, assessment)
    assert "development" not in r.criteria
    keys = [w.key for w in r.warnings]
    assert "priorities.criterion_unavailable" in keys


def test_problems_by_district_are_forecast_too(sample):
    data = priorities.problem_data(sample.incidents, sample.districts, by="offence_district")
    t = data.table
    assert (t["development_status"] == "forecast").sum() > 20
    rising, _ = _planted(sample, "rising_offence")
    vehicle = t.loc[(t["offence"] == rising) & (t["development_status"] == "forecast")]
    # The rise is planted in every district; a district's own series is small and noisy
    # (a few incidents a month), so most, not all, show it.
    assert vehicle["development"].median() > 10
    assert (vehicle["development"] > 0).mean() > 0.5


def test_the_decomposition_shows_the_contribution_at_both_ends(data):
    criteria = priorities.criteria_table(data)
    scheme = priorities.make_scheme("weighted_sum", {"volume": 1, "development": 1})
    r = priorities.score(criteria, scheme)
    t = r.table.set_index("problem")
    # weighted_sum: 100 x 1/2 x (value + 50) / 100, clipped to the 0..1 scale.
    for side in ("lower", "upper"):
        value = t[f"development_{side}"].fillna(t["development"])
        expected = 50.0 * np.clip((value + 50.0) / 100.0, 0.0, 1.0)
        np.testing.assert_allclose(t[f"{side}_contrib_development"], expected)
    np.testing.assert_allclose(
        t["contrib_development"], 50.0 * np.clip((t["development"] + 50) / 100, 0, 1)
    )
    assert (t["score_lower"] <= t["score"] + 1e-9).all()
    assert (t["score"] <= t["score_upper"] + 1e-9).all()
    # The bounds are not contributions: the contributions still add up to the score.
    contrib = [c for c in r.table.columns if c.startswith("contrib_")]
    np.testing.assert_allclose(r.table[contrib].sum(axis=1), r.table["score"])


def test_morile_bounds_are_the_score_with_the_development_at_either_end(data, ranking):
    criteria = priorities.criteria_table(data)
    scheme = priorities.preset("forward_looking")
    for side in ("lower", "upper"):
        moved = criteria.assign(
            development=criteria[f"development_{side}"].fillna(criteria["development"])
        ).drop(columns=["development_lower", "development_upper"])
        again = priorities.score(moved, scheme, missing="lowest").table.set_index("problem")
        mine = ranking.table.set_index("problem")
        np.testing.assert_allclose(mine[f"score_{side}"], again.loc[mine.index, "score"])
        np.testing.assert_allclose(
            mine[f"{side}_contrib_development"], again.loc[mine.index, "contrib_development"]
        )


def test_explain_gives_the_interval_of_the_development_only(ranking, sample):
    rising, _ = _planted(sample, "rising_offence")
    why = priorities.explain(ranking, rising).set_index("criterion")
    dev = why.loc["development"]
    assert dev["value_lower"] < dev["value"] < dev["value_upper"]
    assert dev["contribution_lower"] < dev["contribution"] < dev["contribution_upper"]
    others = why.drop(index="development")
    assert others[["value_lower", "contribution_upper"]].isna().all().all()
    row = ranking.table.set_index("problem").loc[rising]
    assert math.isclose(why["contribution"].sum(), row["score"])


def test_the_forward_looking_preset_raises_the_rising_offence(data, sample):
    rising, _ = _planted(sample, "rising_offence")
    falling, _ = _planted(sample, "falling_offence")
    morile = priorities.rank_problems(data, priorities.make_assessment(priorities.preset("morile")))
    ahead = priorities.rank_problems(
        data, priorities.make_assessment(priorities.preset("forward_looking"))
    )

    def place(r, p):
        return int(r.table.set_index("problem").loc[p, "rank"])

    assert place(ahead, rising) < place(morile, rising)
    assert place(ahead, falling) >= place(morile, falling)


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_the_note_says_the_interval_or_why_there_is_none(ranking, sample, lang):
    t = ranking.table.set_index("problem")
    rising, _ = _planted(sample, "rising_offence")
    note = priorities.development_note(t.loc[rising], lang)
    low = i18n.number(round(t.loc[rising, "development_lower"]), lang)
    high = i18n.number(round(t.loc[rising, "development_upper"]), lang)
    assert f"+{low} %" in note and f"+{high} %" in note
    refused = priorities.development_note(t.loc["Homicide"], lang)
    assert refused and refused != note
    assert "2" in refused  # the rule: 2 incidents a month on average
    assert priorities.development_note(pd.Series({"volume": 3}), lang) == ""


def test_the_chart_hatches_the_development_and_draws_its_interval(ranking):
    figure = fig.contributions_chart(ranking, lang="en", top=16)
    dev = [tr for tr in figure.data if "hatched" in tr.name]
    assert len(dev) == 1
    trace = dev[0]
    assert trace.marker.pattern.shape == "/"
    t = ranking.table.head(16)
    x = t["contrib_development"].to_numpy()
    np.testing.assert_allclose(trace.x, x)
    np.testing.assert_allclose(trace.error_x.array, t["upper_contrib_development"] - x, atol=1e-12)
    np.testing.assert_allclose(
        trace.error_x.arrayminus, x - t["lower_contrib_development"], atol=1e-12
    )
    # Without the criterion, no hatching.
    plain = priorities.score(
        priorities.criteria_table(priorities.problem_data(load_sample().incidents)), "morile"
    )
    assert not [tr for tr in fig.contributions_chart(plain).data if tr.marker.pattern.shape]


def test_the_priorities_page_explains_the_development_with_its_interval(app):
    at = app("pages/priorities.py", state={"p.priority.preset": "forward_looking"})
    assert not at.exception
    at.selectbox(key="priorities.why").set_value("Vehicle crime").run()
    captions = [c.value for c in at.caption]
    assert any(c.startswith("Likely development over the next 12 months: +20 %") for c in captions)
    assert i18n.t("development.stability_note", "en") in captions
    tables = [d.value for d in at.dataframe]
    decomposition = next(t for t in tables if "Contribution at the low end" in t.columns)
    assert decomposition.shape[0] > 5
    at.selectbox(key="priorities.why").set_value("Homicide").run()
    captions = [c.value for c in at.caption]
    assert any(
        c.startswith("No forecast for this problem: fewer than 2 incidents") for c in captions
    )


def test_stability_redraws_the_development_within_its_interval(data):
    criteria = priorities.criteria_table(data)
    scheme = priorities.make_scheme("weighted_sum", {"volume": 1, "development": 3})
    kw = {"top_k": 3, "draws": 500, "seed": 7}
    with_forecast = priorities.rank_stability(criteria, scheme, **kw)
    assert with_forecast.redrawn == ("development",)
    # No interval (as if every forecast were certain): the same draws as before the
    # development was redrawn (it is drawn last), so the same figures.
    certain = criteria.assign(
        development_lower=criteria["development"], development_upper=criteria["development"]
    )
    fixed = priorities.rank_stability(certain, scheme, **kw)
    bare = priorities.rank_stability(
        criteria.drop(columns=["development_lower", "development_upper"]), scheme, **kw
    )
    assert bare.redrawn == ()
    pd.testing.assert_frame_equal(fixed.table, bare.table)
    # With the intervals the ranks spread more (weights alone move them less).
    spread = (with_forecast.table["rank_high"] - with_forecast.table["rank_low"]).sum()
    assert spread > (bare.table["rank_high"] - bare.table["rank_low"]).sum()


def test_redrawn_development_has_its_forecast_interval(data):
    """The draws' 10th and 90th percentiles are the forecast's 80 % interval."""
    from ilp_core.decide.priorities import _stability
    from ilp_core.decide.priorities._prepare import _prepare

    criteria = priorities.criteria_table(data)
    scheme = priorities.make_scheme("weighted_sum", {"development": 1})
    cfg = priorities.settings()
    prep = _prepare(criteria, scheme, None, "lowest", cfg)
    rng = np.random.default_rng(0)
    keys, draws = _stability._forecast_draws(criteria, prep, scheme, cfg, rng, 20_000)
    assert keys == ("development",)
    raw = 100.0 * draws[:, :, 0].astype(float) - 50.0  # back from the fixed -50..50 scale
    t = criteria.set_index("problem")
    for j, problem in enumerate(prep.problems):
        low, high = t.loc[problem, ["development_lower", "development_upper"]]
        if np.isfinite(low) and low > -45 and high < 45:  # away from the clipped ends
            q10, q90 = np.percentile(raw[:, j], [10, 90])
            assert abs(q10 - low) < 0.5 and abs(q90 - high) < 0.5, problem
