"""Priority setting: methods on hand-computed cases, properties, stability, configuration, harm."""

from __future__ import annotations

import dataclasses
import math
import warnings
from importlib import resources

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ilp_core import i18n
from ilp_core.analysis import temporal
from ilp_core.data import classify
from ilp_core.data.schema import coerce_incidents, example_incidents
from ilp_core.decide import harm, priorities
from ilp_core.errors import IlpInputError

CFG = priorities.settings()


def _table(**cols) -> pd.DataFrame:
    return pd.DataFrame(cols)


def _entered(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(priorities.ENTERED_COLUMNS))


def _contrib_sum(row: pd.Series) -> float:
    return math.fsum(float(row[c]) for c in row.index if str(c).startswith("contrib_"))


# --------------------------------------------------------------------------------------
# Methods on hand-computed cases
# --------------------------------------------------------------------------------------


def test_weighted_sum_by_hand():
    # concentration is "fixed" on 0..1, trend on -50..50 (% per year).
    # weights 1 and 3 -> 0.25 and 0.75.
    # A: 100 * (0.25 * 0.2 + 0.75 * 0.5) = 100 * (0.05 + 0.375) = 42.5
    # B: 100 * (0.25 * 0.5 + 0.75 * 1.0) = 100 * (0.125 + 0.75) = 87.5
    # C: 100 * (0.25 * 1.0 + 0.75 * 0.0) = 25
    t = _table(problem=["A", "B", "C"], concentration=[0.2, 0.5, 1.0], trend=[0.0, 50.0, -50.0])
    scheme = priorities.make_scheme("weighted_sum", {"concentration": 1, "trend": 3})
    r = priorities.score(t, scheme)
    assert r.table["problem"].tolist() == ["B", "A", "C"]
    assert r.table["score"].tolist() == pytest.approx([87.5, 42.5, 25.0])
    a = r.table.set_index("problem").loc["A"]
    assert a["contrib_concentration"] == pytest.approx(5.0)
    assert a["contrib_trend"] == pytest.approx(37.5)
    assert a["contrib_base"] == 0.0
    assert r.weights == {"trend": 0.75, "concentration": 0.25}
    expl = priorities.explain(r, "A")
    assert expl["criterion"].tolist() == ["trend", "concentration", "base"]
    assert math.fsum(expl["contribution"]) == pytest.approx(42.5)


def test_morile_by_hand():
    # H = 1 + 4 * n(vulnerability), L = 1 + 4 * n(trend), M = 0.75 + 0.5 * n(capacity gap).
    # A: vulnerability 4 (n 1), trend +50 (n 1), capacity 0 (n 0): H 5, L 5, M 0.75 -> 18.75
    # B: vulnerability 2 (n .5), trend 0 (n .5), capacity 4 (n 1): H 3, L 3, M 1.25 -> 11.25
    t = _table(problem=["A", "B"], trend=[50.0, 0.0])
    entered = _entered(
        [
            ("A", "vulnerability", 4, "high"),
            ("A", "position_capacity", 0, "high"),
            ("B", "vulnerability", 2, "medium"),
            ("B", "position_capacity", 4, "low"),
        ]
    )
    scheme = priorities.make_scheme(
        "morile", {"vulnerability": 1, "trend": 1, "position_capacity": 1}
    )
    r = priorities.score(t, scheme, entered)
    table = r.table.set_index("problem")
    assert table["score"].tolist() == pytest.approx([18.75, 11.25])
    assert table.loc["A", "risk"] == pytest.approx(25.0)
    assert table.loc["B", "position_factor"] == pytest.approx(1.25)
    # Shapley split of (1 + a)(1 + b)(0.75 + c):
    # A: a = b = 4, c = 0: base 0.75; a gets 4 * (0.75 + 4 * 0.75 / 2) = 9, b the same.
    assert table.loc["A", "contrib_base"] == pytest.approx(0.75)
    assert table.loc["A", "contrib_vulnerability"] == pytest.approx(9.0)
    assert table.loc["A", "contrib_trend"] == pytest.approx(9.0)
    # B: a = b = 2, c = 0.5: a gets 2 * (0.75 + 2 * .75 / 2 + .5 / 2 + 2 * .5 / 3) = 4.1667;
    # c gets 0.5 * (1 + 2 / 2 + 2 / 2 + 2 * 2 / 3) = 2.1667; 0.75 + 2 * 4.1667 + 2.1667 = 11.25.
    assert table.loc["B", "contrib_vulnerability"] == pytest.approx(25 / 6)
    assert table.loc["B", "contrib_position_capacity"] == pytest.approx(13 / 6)
    # Confidence is reported beside the score (A: high values; B: medium and low -> 1.5 -> medium).
    assert table.loc["A", "confidence"] == "high"
    assert table.loc["B", "confidence"] == "medium"


def test_risk_matrix_by_hand():
    # likelihood = 1 + 4 * n(trend), impact = 1 + 4 * n(vulnerability), each rounded half up.
    # A: trend 10 -> n .6 -> 3.4 -> 3; vulnerability 3 -> n .75 -> 4: score 12, high (>= 10)
    # B: trend -50 -> 1; vulnerability 0 -> 1: score 1, low
    # C: trend 0 -> 3; vulnerability 1 -> 2: score 6, medium (5 to 9)
    t = _table(problem=["A", "B", "C"], trend=[10.0, -50.0, 0.0])
    entered = _entered(
        [
            ("A", "vulnerability", 3, "high"),
            ("B", "vulnerability", 0, "high"),
            ("C", "vulnerability", 1, "high"),
        ]
    )
    scheme = priorities.make_scheme("risk_matrix", {"trend": 1, "vulnerability": 1})
    r = priorities.score(t, scheme, entered)
    table = r.table.set_index("problem")
    assert table["score"].to_dict() == {"A": 12.0, "C": 6.0, "B": 1.0}
    assert table["tier"].to_dict() == {"A": "high", "C": "medium", "B": "low"}
    assert table.loc["A", ["likelihood_cell", "impact_cell"]].tolist() == [3, 4]
    # A: (1 + 2.4 - 0.4)(1 + 3): trend gets 2.4 * (1 + 3 / 2) = 6, the rounding -0.4 * 2.5 = -1,
    # vulnerability 3 * (1 + 2 / 2) = 6, base 1: 1 + 6 - 1 + 6 = 12.
    assert table.loc["A", "contrib_trend"] == pytest.approx(6.0)
    assert table.loc["A", "contrib_rounding"] == pytest.approx(-1.0)
    assert table.loc["A", "contrib_vulnerability"] == pytest.approx(6.0)


def test_harm_weighted_by_hand():
    # tau = 1 / (2 + 1) = 1/3; g = change / 50 clipped to -1..1.
    # A: 1000 days, +50 % -> 1000 * (1 + 1/3) = 1333.33 (harm 1000 * (1 + 1/6), change 166.67)
    # B: 1200 days, -60 % -> g = -1 -> 1200 * (1 - 1/3) = 800
    t = _table(problem=["A", "B"], harm=[1000.0, 1200.0], harm_change=[50.0, -60.0])
    r = priorities.score(t, priorities.make_scheme("harm_weighted", {"harm": 2, "harm_change": 1}))
    table = r.table.set_index("problem")
    assert r.table["problem"].tolist() == ["A", "B"]  # B has more harm but it is falling
    assert table.loc["A", "score"] == pytest.approx(4000 / 3)
    assert table.loc["B", "score"] == pytest.approx(800.0)
    assert table.loc["A", "contrib_harm"] == pytest.approx(1000 * 7 / 6)
    assert table.loc["A", "contrib_harm_change"] == pytest.approx(1000 / 6)
    assert table.loc["B", "contrib_harm_change"] == pytest.approx(-200.0)


def test_presets_are_documented_in_every_language():
    for name in priorities.presets():
        scheme = priorities.preset(name)
        assert scheme.method in priorities.METHODS
        for lang in i18n.LANGUAGES:
            assert i18n.has(f"priorities.preset.{name}", lang)
            assert len(i18n.t(f"priorities.preset_explain.{scheme.method}", lang)) > 80
        assert priorities.score.__doc__ and scheme.method in priorities.score.__doc__


# --------------------------------------------------------------------------------------
# Properties (Hypothesis)
# --------------------------------------------------------------------------------------

ENTERED_KEYS = ("vulnerability", "impact_physical", "position_capacity", "oc_violence")
DATA_KEYS = ("volume", "harm", "trend", "concentration", "harm_change")


@st.composite
def cases(draw):
    n = draw(st.integers(2, 7))
    names = [f"P{i}" for i in range(n)]
    floats = st.floats(allow_nan=False, allow_infinity=False, width=32)
    t = pd.DataFrame(
        {
            "problem": names,
            "volume": draw(st.lists(st.integers(0, 50_000), min_size=n, max_size=n)),
            "harm": draw(st.lists(floats.filter(lambda x: 0 <= x <= 1e7), min_size=n, max_size=n)),
            "trend": draw(st.lists(st.floats(-80, 80), min_size=n, max_size=n)),
            "concentration": draw(st.lists(st.floats(0, 1), min_size=n, max_size=n)),
            "harm_change": draw(st.lists(st.floats(-90, 200), min_size=n, max_size=n)),
        }
    )
    rows = []
    for p in names:
        for key in ENTERED_KEYS:
            c = CFG.criteria[key]
            value = draw(st.integers(int(c.low), int(c.high)))
            rows.append((p, key, float(value), draw(st.sampled_from(["low", "medium", "high"]))))
    method = draw(st.sampled_from(priorities.METHODS))
    w = st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.0])
    weights = {k: draw(w) for k in (*DATA_KEYS, *ENTERED_KEYS)}
    weights["harm"] = draw(st.sampled_from([0.5, 1.0, 2.0]))  # every group weighs something
    weights["trend"] = draw(st.sampled_from([0.5, 1.0, 2.0]))
    scheme = priorities.make_scheme(method, weights)
    return t, _entered(rows), scheme


PROPS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPS
@given(cases(), st.data())
def test_raising_harm_never_lowers_the_rank(case, data):
    t, entered, scheme = case
    i = data.draw(st.integers(0, len(t) - 1))
    extra = data.draw(st.floats(0.5, 1e6))
    before = priorities.score(t, scheme, entered).table.set_index("problem")["rank"]
    raised = t.copy()
    raised.loc[i, "harm"] = raised.loc[i, "harm"] + extra
    after = priorities.score(raised, scheme, entered).table.set_index("problem")["rank"]
    name = t.loc[i, "problem"]
    assert after[name] <= before[name]


@PROPS
@given(cases(), st.floats(1e-3, 1e3))
def test_scaling_all_weights_changes_nothing(case, factor):
    t, entered, scheme = case
    scaled = dataclasses.replace(scheme, weights={k: v * factor for k, v in scheme.weights.items()})
    a = priorities.score(t, scheme, entered).table
    b = priorities.score(t, scaled, entered).table
    assert a["problem"].tolist() == b["problem"].tolist()
    np.testing.assert_allclose(a["score"], b["score"], rtol=1e-9, atol=1e-9)


@PROPS
@given(cases())
def test_contributions_add_up_to_the_score(case):
    t, entered, scheme = case
    r = priorities.score(t, scheme, entered)
    for _, row in r.table.iterrows():
        assert _contrib_sum(row) == row["score"]  # exactly: score is their fsum
    # ... and the score is the method's formula (independent recomputation).
    n, w = r.normalised, r.weights
    table = r.table.set_index("problem")

    def group(g):
        return sum(w[k] * n[k] for k in r.criteria if CFG.criteria[k].group == g)

    if scheme.method == "weighted_sum":
        expected = 100 * sum(w[k] * n[k] for k in r.criteria)
    elif scheme.method == "harm_weighted":
        expected = n["harm"] * (1 + (w.get("harm_change", 0) * n.get("harm_change", 0)))
    elif scheme.method == "morile":
        lo, hi = scheme.position_range
        pos = [k for k in r.criteria if CFG.criteria[k].group == "position"]
        m = lo + (hi - lo) * group("position") if pos else 1.0
        expected = (1 + 4 * group("harm")) * (1 + 4 * group("likelihood")) * m
    else:
        expected = np.clip(np.floor(1 + 4 * group("harm") + 0.5 + 1e-9), 1, 5) * np.clip(
            np.floor(1 + 4 * group("likelihood") + 0.5 + 1e-9), 1, 5
        )
    np.testing.assert_allclose(table.loc[n.index, "score"], expected, rtol=1e-9, atol=1e-9)


@PROPS
@given(cases(), st.randoms(use_true_random=False))
def test_permuting_the_input_changes_nothing(case, rnd):
    t, entered, scheme = case
    order = list(range(len(t)))
    rnd.shuffle(order)
    a = priorities.score(t, scheme, entered).table
    b = priorities.score(
        t.iloc[order].reset_index(drop=True), scheme, entered.sample(frac=1.0, random_state=1)
    ).table
    pd.testing.assert_frame_equal(a, b)


# --------------------------------------------------------------------------------------
# Tiers, stability
# --------------------------------------------------------------------------------------


def test_natural_breaks_match_mapclassify():
    import mapclassify

    rng = np.random.default_rng(3)
    for n in (8, 25, 60):
        y = rng.gamma(2.0, 10.0, size=n)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "Numba not installed"
            expected = mapclassify.FisherJenks(y, k=3).yb
        assert priorities.natural_breaks(y, 3).tolist() == expected.tolist()
    assert priorities.natural_breaks(np.array([5.0, 5.0, 1.0]), 3).tolist() == [1, 1, 0]


def _stability_case():
    t = _table(
        problem=["A", "B", "C", "D"],
        volume=[100, 400, 50, 900],
        harm=[9000.0, 1000.0, 8000.0, 300.0],
        trend=[5.0, -10.0, 30.0, 0.0],
    )
    entered = _entered(
        [
            ("A", "vulnerability", 3, "high"),
            ("B", "vulnerability", 1, "low"),
            ("C", "vulnerability", 2, "medium"),
        ]
    )  # D not assessed: default 2, low confidence
    scheme = priorities.make_scheme(
        "weighted_sum", {"harm": 2, "volume": 1, "trend": 1, "vulnerability": 1}
    )
    return t, entered, scheme


def test_stability_equals_a_brute_force_replay_of_the_same_draws():
    t, entered, scheme = _stability_case()
    draws, seed, k = 120, 7, 2
    res = priorities.rank_stability(t, scheme, entered, top_k=k, draws=draws, seed=seed)
    # Replay the same random numbers through the plain scorer, one draw at a time.
    base = priorities.score(t, scheme, entered)
    keys = list(base.criteria)  # volume, trend, harm, vulnerability (settings order)
    problems = t["problem"].tolist()
    rng = np.random.default_rng(seed)
    u = CFG.weight_uncertainty
    w = np.array([scheme.weights[k_] for k_ in keys]) * rng.uniform(1 - u, 1 + u, (draws, 4))
    values = np.array([3.0, 1.0, 2.0, 2.0])
    half = np.array([0.5, 1.5, 1.0, 1.5])  # high, low, medium, low (not assessed)
    r = rng.random((draws, 4, 1), dtype=np.float32)[..., 0]
    # value + (2r - 1) * half-width, clipped to 0..4, normalised (the library's float32 steps)
    n = np.clip(
        r * (2 * half / 4).astype(np.float32) + ((values - half) / 4).astype(np.float32), 0, 1
    )
    hits = dict.fromkeys(problems, 0)
    for d in range(draws):
        s = priorities.make_scheme("weighted_sum", dict(zip(keys, w[d], strict=True)))
        v = 4.0 * n[d].astype(float)
        e = _entered([(p, "vulnerability", v[i], "high") for i, p in enumerate(problems)])
        top = priorities.score(t, s, e).table["problem"].head(k)
        for p in top:
            hits[p] += 1
    got = res.table.set_index("problem")["p_top_k"]
    for p in problems:
        assert got[p] == pytest.approx(hits[p] / draws)
    assert res.table["problem"].tolist() == base.table["problem"].tolist()


def test_stability_is_seeded_and_marks_fragile_ranks():
    t, entered, scheme = _stability_case()
    a = priorities.rank_stability(t, scheme, entered, top_k=2, draws=500, seed=11)
    b = priorities.rank_stability(t, scheme, entered, top_k=2, draws=500, seed=11)
    pd.testing.assert_frame_equal(a.table, b.table)
    table = a.table
    expected = np.where(table["in_top_k"], table["p_top_k"] < 0.8, table["p_top_k"] > 0.2)
    assert table["fragile"].tolist() == expected.tolist()
    # Without any uncertainty nothing moves: probabilities are 0 or 1, nothing fragile.
    exact = dataclasses.replace(
        CFG, weight_uncertainty=0.0, half_width=dict.fromkeys(CFG.half_width, 0.0)
    )
    c = priorities.rank_stability(t, scheme, entered, top_k=2, draws=100, seed=1, cfg=exact)
    assert set(c.table["p_top_k"]) <= {0.0, 1.0}
    assert not c.table["fragile"].any()
    assert (c.table["p_top_k"] == c.table["in_top_k"].astype(float)).all()


# --------------------------------------------------------------------------------------
# Bad input: every message names what is wrong and what to do
# --------------------------------------------------------------------------------------


def test_weights_that_sum_to_zero():
    t = _table(problem=["A", "B"], volume=[1, 2], harm=[1.0, 2.0])
    with pytest.raises(IlpInputError) as err:
        priorities.score(t, priorities.make_scheme("weighted_sum", {"harm": 0, "volume": 0}))
    assert err.value.message.key == "priorities.weights_zero"
    with pytest.raises(IlpInputError) as err:
        priorities.score(t, priorities.make_scheme("morile", {"harm": 1}))
    assert err.value.message.key == "priorities.group_weights_zero"
    assert "Likelihood criteria" in err.value.render("en")  # the group named as people read it


def test_values_out_of_scale_and_missing():
    t = _table(problem=["A", "B"], volume=[1, 2])
    scheme = priorities.make_scheme("weighted_sum", {"volume": 1, "vulnerability": 1})
    with pytest.raises(IlpInputError) as err:
        priorities.score(t, scheme, _entered([("A", "vulnerability", 7, "high")]))
    text = err.value.render("en")
    assert err.value.message.key == "priorities.value_out_of_scale"
    assert all(s in text for s in ("A", "Vulnerability of victims", "7", "0 to 4"))
    assert err.value.rows == (0,)
    with pytest.raises(IlpInputError) as err:
        priorities.score(t, scheme, _entered([("A", "vulnerability", None, "high")]))
    assert err.value.message.key == "priorities.missing_value"
    with pytest.raises(IlpInputError) as err:
        priorities.score(t, scheme, _entered([("A", "vulnerability", 2, "sure")]))
    assert err.value.message.key == "priorities.bad_confidence"
    with pytest.raises(IlpInputError) as err:
        priorities.make_scheme("weighted_sum", {"volume": -1})
    assert err.value.message.key == "checks.number"
    with pytest.raises(IlpInputError) as err:
        priorities.make_scheme("weighted_sum", {"glamour": 1})
    assert err.value.message.key == "priorities.unknown_criterion"


_T = pd.DataFrame({"problem": ["A", "B"], "volume": [1, 2], "harm": [1.0, 2.0]})
_SUM = priorities.Scheme("weighted_sum", {"harm": 1.0, "volume": 1.0})


@pytest.mark.parametrize(
    ("call", "key", "name"),
    [
        (lambda: priorities.preset("nonsense"), "checks.option", "preset"),
        (lambda: priorities.make_scheme("guess", {"harm": 1}), "checks.option", "method"),
        (
            lambda: priorities.make_scheme("weighted_sum", {"harm": 1}, tiers="quartiles"),
            "checks.option",
            "tiers",
        ),
        (
            lambda: priorities.make_scheme("risk_matrix", {"harm": 1}, axes={"speed": {}}),
            "checks.option",
            "axes",
        ),
        (
            lambda: priorities.make_scheme("weighted_sum", {"harm": True}),
            "checks.number",
            "weights['harm']",
        ),
        (
            lambda: priorities.make_scheme("weighted_sum", {"harm": float("nan")}),
            "checks.number",
            "weights['harm']",
        ),
        (
            lambda: priorities.make_scheme("weighted_sum", {"harm": 1}, position_range=(-1, 1)),
            "checks.number",
            "position_range[0]",
        ),
        (
            lambda: priorities.make_scheme("weighted_sum", {"harm": 1}, bands=(10, 5)),
            "priorities.bad_parameter",
            "bands",
        ),
        (lambda: priorities.score(_T, _SUM, missing="zero"), "checks.option", "missing"),
        (lambda: priorities.rank_stability(_T, _SUM, top_k=1, draws=50), "checks.whole", "draws"),
        (lambda: priorities.rank_stability(_T, _SUM, top_k=3), "checks.whole", "top_k"),
        (lambda: priorities.rank_stability(_T, _SUM, top_k=1, seed=True), "checks.whole", "seed"),
        (lambda: priorities.make_assessment(_SUM, by="street"), "checks.option", "by"),
        (lambda: priorities.make_assessment(_SUM, top_k=2.5), "checks.whole", "top_k"),
        (
            lambda: priorities.make_assessment(_SUM, harm_default_confirmed="yes"),
            "checks.flag",
            "harm_default_confirmed",
        ),
        (
            lambda: priorities.problem_data(example_incidents(), by="street"),
            "checks.option",
            "by",
        ),
        (lambda: priorities.natural_breaks(np.arange(5.0), 4), "checks.whole", "k"),
        (
            lambda: priorities.score(
                _T, _SUM, pd.DataFrame({"problem": ["A"], "criterion": ["vulnerability"]})
            ),
            "checks.missing_columns",
            "value, confidence",
        ),
    ],
)
def test_bad_arguments_raise_the_shared_checks(call, key, name):
    with pytest.raises(IlpInputError) as err:
        call()
    assert err.value.message.key == key
    assert name in err.value.render("en")


def test_missing_data_values_error_or_score_lowest():
    t = _table(problem=["A", "B", "C"], volume=[5, 9, 7], trend=[10.0, np.nan, 0.0])
    scheme = priorities.make_scheme("weighted_sum", {"volume": 1, "trend": 1})
    with pytest.raises(IlpInputError) as err:
        priorities.score(t, scheme)
    assert err.value.message.key == "priorities.missing_value"
    assert "B" in err.value.render("ru") and "Тренд" in err.value.render("ru")  # not the key
    r = priorities.score(t, scheme, missing="lowest")
    assert [m.key for m in r.warnings] == ["priorities.missing_scored_lowest"]
    assert r.normalised.loc["B", "trend"] == 0.0
    # A criterion absent for every problem is left out, with a warning.
    r = priorities.score(t.drop(columns="trend"), scheme)
    assert r.criteria == ("volume",)
    assert r.warnings[0].key == "priorities.criterion_unavailable"


def test_entered_values_not_assessed_are_defaults_with_a_warning():
    t = _table(problem=["A", "B"], volume=[1, 2])
    r = priorities.score(
        t, priorities.make_scheme("weighted_sum", {"volume": 1, "vulnerability": 1})
    )
    assert r.table.set_index("problem")["vulnerability"].tolist() == [2.0, 2.0]
    assert r.warnings[0].key == "priorities.not_assessed"
    assert r.table["confidence"].eq("low").all()


# --------------------------------------------------------------------------------------
# Configuration: save, load, reproduce
# --------------------------------------------------------------------------------------


def test_assessment_round_trip_reproduces_the_ranking():
    t, entered, scheme = _stability_case()
    a = priorities.make_assessment(
        scheme,
        entered,
        harm_weights={"Robbery": 300.0},
        fingerprint="f00",
        dataset="x",
        custom=[{"name": "Harbour crew", "offences": ["Drug offences"], "districts": []}],
    )
    for text in (a.to_json(), a.to_yaml(), a.to_json().encode()):
        loaded = priorities.load_assessment(text, fingerprint="f00")
        assert loaded.same_data and not loaded.warnings
        assert loaded.assessment == a
        again = priorities.score(t, loaded.assessment.scheme, loaded.assessment.entered_frame())
        pd.testing.assert_frame_equal(again.table, priorities.score(t, scheme, entered).table)


def test_loading_other_data_warns_and_broken_files_say_so():
    a = priorities.make_assessment(priorities.preset("morile"), fingerprint="f00", dataset="Q1")
    loaded = priorities.load_assessment(a.to_json(), fingerprint="bar")
    assert not loaded.same_data
    assert loaded.assessment.scheme == a.scheme  # settings still load
    assert "f00" in loaded.warnings[0].render("en") and "bar" in loaded.warnings[0].render("en")
    for broken in ("{", "[1, 2]", '{"format": "something else"}', b"\xff\xfe"):
        with pytest.raises(IlpInputError) as err:
            priorities.load_assessment(broken)
        assert err.value.message.key == "priorities.config_broken"
    bad = a.to_dict()
    bad["entered"] = [
        {"problem": "A", "criterion": "vulnerability", "value": 9, "confidence": "low"}
    ]
    with pytest.raises(IlpInputError) as err:
        priorities.load_assessment(pd.io.json.ujson_dumps(bad))
    assert err.value.message.key == "priorities.value_out_of_scale"
    newer = {**a.to_dict(), "version": 99}
    with pytest.raises(IlpInputError) as err:
        priorities.load_assessment(pd.io.json.ujson_dumps(newer))
    assert err.value.message.key == "priorities.config_version"


# --------------------------------------------------------------------------------------
# Harm
# --------------------------------------------------------------------------------------


def test_harm_table_cites_a_source_for_every_default():
    table = harm.harm_table().table
    assert (table["days"] >= 0).all()
    for col in ("guideline", "category", "starting_point"):
        assert table[col].str.len().gt(5).all(), col
    text = (resources.files("ilp_core") / "config" / "harm_weights.yaml").read_text(
        encoding="utf-8"
    )
    assert "ILLUSTRATIVE DEFAULTS" in text and "Sherman, Neyroud & Neyroud 2016" in text


def test_every_class_takes_its_own_row_or_the_nearest_row_above_it_to_level_2():
    # the rule of HarmTable.weight_of, walked here over the table's rows by hand
    table = harm.harm_table()
    rows = {str(r["iccs"]): r for _, r in table.table.iterrows()}
    codes = set(rows) | {c + "1" for c in rows} | {c + "19" for c in rows} | {"0209", "11", "x"}
    for code in sorted(codes):
        found = table.weight_of(code)
        own, parent = code in rows, [p for p in rows if code.startswith(p) and len(p) >= 4]
        if not classify.is_class(code):
            assert found is None
        elif own:
            assert found[1] == "class" and found[0].equals(rows[code])
        elif parent:
            best = max(parent, key=len)
            assert found[1] == "parent" and found[0]["iccs"] == best
        else:
            assert found is None, code


def test_harm_totals_by_hand_and_unknown_offences_flagged():
    inc = pd.DataFrame(
        {
            "offence": ["Robbery", "robbery", "Shoplifting", "Code 99", None],
            "district": ["N", "S", "N", "N", "N"],
        }
    )
    t = harm.harm_totals(inc, {"Robbery": 365, "Shoplifting": 2.5}, default_days=1.0)
    by = t.set_index("offence")
    # "robbery" matches "Robbery" through its slug; Code 99 has no weight: 1 day, flagged.
    assert by.loc["Robbery", "harm"] == 365.0 and by.loc["robbery", "harm"] == 365.0
    assert not by.loc["Code 99", "has_weight"] and by.loc["Code 99", "harm"] == 1.0
    assert by.loc["Code 99", "n_without_weight"] == 1
    d = harm.harm_totals(inc, {"Robbery": 365, "Shoplifting": 2.5}, by="district", default_days=1)
    # N: 365 + 2.5 + 1 (+ the row without offence: 0) = 368.5; S: 365
    assert d.set_index("district")["harm"].to_dict() == {"N": 368.5, "S": 365.0}
    with pytest.raises(IlpInputError) as err:
        harm.harm_totals(inc, {"Robbery": -3})
    assert "Robbery" in err.value.render("fr")


def _incidents(rows):
    frame = pd.DataFrame(rows, columns=["offence", "when", "lat", "lon", "district"])
    n = len(frame)
    return coerce_incidents(
        pd.DataFrame(
            {
                "incident_id": [str(i) for i in range(n)],
                "occurred_at": pd.to_datetime(frame["when"]),
                "occurred_to": pd.NaT,
                "precision": "day",
                "offence": frame["offence"],
                "lat": frame["lat"],
                "lon": frame["lon"],
                "district": frame["district"],
                "location_id": None,
                "source_row": range(2, n + 2),
                "duplicate": None,
            }
        )
    )


def test_problem_data_levels_custom_problems_and_generalised_gini():
    # A: 4 incidents at one point; B: 5 incidents each ~1 km apart (distinct 100 m cells).
    rows = [("A", "2024-01-05", 45.5, -30.5, "N")] * 4 + [
        ("B", "2024-01-05", 45.5 + 0.01 * k, -30.5, "S" if k % 2 else "N") for k in range(5)
    ]
    inc = _incidents(rows)
    d = priorities.problem_data(inc, by="offence", cell_size=100)
    conc = d.table.set_index("problem")["concentration"]
    # Generalised Gini (Bernasco & Steenbeek 2017): all 4 in one cell -> (4 - 1) / 4 = 0.75;
    # one per cell -> 0 (the most even spread 5 incidents can have).
    assert conc["A"] == pytest.approx(0.75)
    assert conc["B"] == pytest.approx(0.0, abs=1e-12)
    d2 = priorities.problem_data(
        inc,
        by="offence_district",
        custom=[
            {"name": "Crew", "offences": ["B"], "districts": ["S"]},
            {"name": "OCG by hand", "offences": [], "districts": []},
        ],
    )
    vol = d2.table.set_index("problem")["volume"].to_dict()
    assert vol == {"A | N": 4, "B | N": 3, "B | S": 2, "Crew": 2, "OCG by hand": 0}
    with pytest.raises(IlpInputError) as err:
        priorities.problem_data(inc, custom=[{"name": "A"}])
    assert err.value.message.key == "priorities.bad_custom_problem"


def test_generalised_gini_agrees_with_hotspots():
    from ilp_core.analysis import hotspots

    rng = np.random.default_rng(5)
    counts = np.vstack([rng.poisson(lam, size=300) for lam in (0.01, 0.2, 3.0)])
    got = priorities.generalised_gini(counts)
    for row, g in zip(counts, got, strict=True):
        n, units = row.sum(), len(row)
        plain = hotspots.concentration_from_counts(row).gini
        expected = (plain * units - (units - n)) / n if n < units else plain
        assert g == pytest.approx(max(expected, 0.0), abs=1e-12)


# --------------------------------------------------------------------------------------
# The sample region: harm ranking differs from count ranking in the documented way
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample():
    from ilp_core.data.dataset import load_sample

    data = load_sample()
    problems = priorities.problem_data(data.incidents, data.districts)
    return data, problems, priorities.criteria_table(problems)


def test_problem_data_same_when_an_incident_has_no_offence(sample):
    """Every incident a member (columns used as they are) or not (rows taken): same criteria."""
    data, problems, _ = sample
    inc = data.incidents
    assert inc["offence"].notna().all()  # the sample: every incident a member
    extra = inc.iloc[[len(inc) // 2]].copy()
    extra["offence"] = pd.Series([None], index=extra.index, dtype=inc["offence"].dtype)
    with_gap = pd.concat([inc, extra], ignore_index=True)
    other = priorities.problem_data(with_gap, data.districts)
    assert other.table.columns.tolist() == problems.table.columns.tolist()
    pd.testing.assert_frame_equal(other.table, problems.table)
    pd.testing.assert_frame_equal(other.offence_counts, problems.offence_counts)
    pd.testing.assert_frame_equal(other.offence_counts_late, problems.offence_counts_late)
    assert other.surge_periods == problems.surge_periods


def test_sample_harm_ranking_differs_from_count_ranking_as_documented(sample):
    _, _, criteria = sample
    cmp = priorities.count_vs_harm(criteria).set_index("problem")
    count_top3 = set(cmp.sort_values("count_rank").index[:3])
    harm_top3 = cmp.sort_values("harm_rank").index[:3].tolist()
    assert count_top3 == {"Violence without injury", "Shoplifting", "Criminal damage"}
    assert harm_top3 == ["Sexual offences", "Robbery", "Violence with injury"]
    assert not count_top3 & set(harm_top3)
    assert cmp.loc["Sexual offences", "count_rank"] == 10
    assert cmp.loc["Robbery", "count_rank"] == 13
    assert cmp.loc["Homicide", "count_rank"] == len(cmp) == 16
    assert cmp.loc["Homicide", "harm_rank"] == 5
    assert cmp.loc["Violence without injury", "harm_rank"] == 6
    assert cmp.loc["Shoplifting", "harm_rank"] == 7
    # Independent truth for the harm totals: count x days from the raw incidents.
    days = harm.harm_weights()
    counts = sample[0].incidents["offence"].value_counts()
    for offence, n in counts.items():
        assert cmp.loc[str(offence), "harm"] == pytest.approx(n * days[str(offence)])


def test_sample_trend_criterion_comes_from_temporal(sample):
    data, problems, criteria = sample
    tr = temporal.trend(temporal.period_counts(data.incidents, "month")).table.set_index("offence")
    got = criteria.set_index("problem")
    for offence in ("Vehicle crime", "Criminal damage", "Robbery"):
        assert got.loc[offence, "trend"] == pytest.approx(tr.loc[offence, "slope_pct_per_year"])
    assert got.loc["Vehicle crime", "trend_direction"] == "rising"  # planted +40 %
    assert got.loc["Criminal damage", "trend_direction"] == "falling"  # planted -35 %
    assert (
        got.loc["Vehicle crime", "harm_change"]
        > 10
        > -10
        > got.loc["Criminal damage", "harm_change"]
    )
    assert not problems.unavailable


def test_sample_every_preset_ranks_with_exact_decomposition(sample):
    _, _, criteria = sample
    for name in priorities.presets():
        r = priorities.score(criteria, name)
        assert sorted(r.table["rank"]) == list(range(1, len(criteria) + 1))
        assert set(r.table["tier"]) <= set(priorities.TIERS)
        for _, row in r.table.iterrows():
            assert _contrib_sum(row) == row["score"]


# --------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------


def test_figures_show_the_results_translated(sample):
    from ilp_core.figures import priorities as charts

    _, _, criteria = sample
    r = priorities.score(criteria, "morile")
    fig = charts.risk_matrix_chart(r, size_by="harm", lang="ru")
    assert fig.layout.xaxis.title.text.startswith("Вероятность")
    bubbles = [tr for tr in fig.data if tr.type == "scatter"]
    assert {tr.name for tr in bubbles} <= {"высокий", "средний", "низкий"}
    # Bubble area is proportional to harm: marker sizes are the harm totals themselves.
    shown = {
        p: s for tr in bubbles for p, s in zip(tr.customdata[:, 0], tr.marker.size, strict=True)
    }
    robbery = i18n.term("Robbery", "ru")
    assert shown[robbery] == pytest.approx(2000 * 365.0)
    # The stacked bars of each problem add up to its score.
    bars = charts.contributions_chart(r, lang="en", top=16)
    totals = {}
    for tr in bars.data:
        for y, x in zip(tr.y, tr.x, strict=True):
            totals[y] = totals.get(y, 0.0) + x
    for _, row in r.table.iterrows():
        assert totals[row["problem"]] == pytest.approx(row["score"])
    # Count against harm: sexual offences rise (solid red line), shoplifting falls.
    ch = charts.count_harm_chart(priorities.count_vs_harm(criteria), lang="en")
    red = next(tr for tr in ch.data if tr.line.color == "#b2182b")
    assert " Sexual offences" in red.text and " Shoplifting" not in red.text
    s = priorities.rank_stability(criteria, "morile", top_k=5, draws=200, seed=3)
    st_fig = charts.stability_chart(s, lang="fr")
    shapes = list(st_fig.data[0].marker.pattern.shape)
    assert shapes == ["/" if f else "" for f in s.table["fragile"]]
    assert "5" in st_fig.layout.title.text


# --------------------------------------------------------------------------------------
# One way from an assessment to a ranking: rank(), the Priorities page, the products
# --------------------------------------------------------------------------------------


def test_rank_scores_the_assessment_s_problems_criteria_and_entered_values(sample):
    data, _, _ = sample
    entered = _entered([("Robbery | Market Quarter", "vulnerability", 4.0, "high")])
    a = priorities.make_assessment(
        priorities.preset("risk_matrix"), entered, harm_weights={"Robbery": 500.0},
        by="offence_district", top_k=3, draws=150, seed=7,
    )  # fmt: skip
    problems = priorities.problem_data(data.incidents, data.districts, by="offence_district")
    criteria = priorities.criteria_table(problems, a.harm_weights, default_days=a.default_harm_days)
    expected = priorities.score(criteria, a.scheme, a.entered_frame(), missing="lowest")
    for spec in (a, a.to_dict()):  # the object, or as a session file saves it
        ranking = priorities.rank(data.incidents, data.districts, spec)
        pd.testing.assert_frame_equal(ranking.table, expected.table)
        assert ranking.warnings == expected.warnings
    stability = priorities.assessment_stability(problems, a.to_dict())
    replay = priorities.rank_stability(
        criteria, a.scheme, a.entered_frame(), missing="lowest", top_k=3, draws=150, seed=7
    )
    pd.testing.assert_frame_equal(stability.table, replay.table)
    # Without an assessment: the page's starting point, the first preset and bundled harm.
    default = priorities.rank(data.incidents, data.districts)
    by_offence = priorities.problem_data(data.incidents, data.districts)
    first = priorities.preset(priorities.presets()[0])
    manual = priorities.score(priorities.criteria_table(by_offence), first, missing="lowest")
    pd.testing.assert_frame_equal(default.table, manual.table)
    assert priorities.default_assessment().scheme == first
    market = ranking.table.set_index("problem").loc["Robbery | Market Quarter"]
    assert market["vulnerability"] == 4.0  # the entered value was used


def test_rank_equals_the_priorities_page_for_the_same_assessment(app):
    from ilp_core.data.dataset import load_sample

    state = {
        "p.priority.preset": "weighted_sum",
        "p.priority.w.weighted_sum.harm": 4.0,
        "p.priority.w.weighted_sum.vulnerability": 2.0,
        "p.priority.harm.Robbery": 730.0,
    }
    at = app("pages/priorities.py", state=state)
    assert not at.exception and not at.error
    slider = next(s for s in at.slider if s.key and s.key.endswith(".vulnerability"))
    slider.set_value(4.0).run()  # an entered value for the first problem
    _, assessment = at.session_state["priorities.assessment"]
    ranking, stability = at.session_state["priorities.last"][1][:2]
    assert assessment.entered and assessment.harm_weights["Robbery"] == 730.0
    data = load_sample()
    again = priorities.rank(data.incidents, data.districts, assessment.to_dict())
    pd.testing.assert_frame_equal(again.table, ranking.table)
    problems = priorities.problem_data(data.incidents, data.districts)
    firm = priorities.assessment_stability(problems, assessment.to_dict())
    pd.testing.assert_frame_equal(firm.table, stability.table)


def test_the_problems_series_read_the_tables_own_dates_and_their_day_numbers(sample):
    # by offence every incident belongs to a problem: its dates are the table's column,
    # not a copy, so the day numbers the pages keep for the table serve the series too
    from ilp_core.analysis.temporal import _common
    from ilp_core.decide.priorities import _problem_data as pd_

    incidents = sample[0].incidents
    offence_codes, offences = _common._offence_codes(incidents)
    members = pd_._members(incidents, offence_codes, offences, "offence", ())
    ids = [p["problem"] for p in members.problems]
    frame = pd_._incidents_by_problem(incidents, members, pd_._days(incidents), ids)
    assert np.shares_memory(frame["occurred_at"].to_numpy(), incidents["occurred_at"].to_numpy())
    whole = _common._incident_days(incidents)
    assert _common._incident_days.peek(frame) is whole  # remembered once, for both
    # the problems are the offences: each row's problem is its offence
    assert (frame["offence"].astype(str) == incidents["offence"].astype(str)).all()
