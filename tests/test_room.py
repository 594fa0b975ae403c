"""The room's statistics against hand-worked cases, SciPy and brute force; its exports' safety."""

from __future__ import annotations

import itertools
import re

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from ilp_core import i18n
from ilp_core.errors import IlpInputError
from ilp_core.learn import room
from ilp_core.learn.room import RoomResults

PROBLEMS = ["Robbery", "Burglary", "Shoplifting", "Vehicle crime"]


def test_kendall_w_by_hand_without_ties():
    # R = 3, 7, 8 (mean 6): S = 9 + 1 + 4 = 14; W = 12 * 14 / (3^2 * (27 - 3)) = 168 / 216
    r = room.kendall_w(np.array([[1, 2, 3], [1, 3, 2], [1, 2, 3]]))
    assert r.w == pytest.approx(168 / 216)
    assert r.chi2 == pytest.approx(3 * 2 * 168 / 216) and r.df == 2
    assert r.p_value == pytest.approx(np.exp(-r.chi2 / 2))  # chi-square on 2 df: e^(-x/2)


def test_kendall_w_by_hand_with_ties():
    # rows 1,2,3 and 1,2.5,2.5: R = 2, 4.5, 5.5 (mean 4), S = 4 + 0.25 + 2.25 = 6.5;
    # ties: one pair in row 2, T = 2^3 - 2 = 6; W = 12 * 6.5 / (4 * 24 - 2 * 6) = 78 / 84
    r = room.kendall_w(np.array([[1, 2, 3], [1, 2.5, 2.5]]))
    assert r.w == pytest.approx(78 / 84)
    untied = 12 * 6.5 / (4 * 24)  # without the correction W would be lower
    assert untied < r.w


def test_kendall_w_on_a_published_worked_example():
    # "The Kendall's coefficient of concordance W", Example 1 (a published classroom handout,
    # scribd.com/document/659863121): 10 projects
    # ranked by 4 judges; rank sums 10 8 12 16 21 22 25 31 37 38 (mean 22), sum of D^2 = 1048,
    # W = 12 * 1048 / (4^2 * 10 * (10^2 - 1)) = 12576 / 15840 = 0.794
    judges = np.array(
        [
            [1, 3, 4, 5, 2, 8, 6, 7, 10, 9],
            [2, 1, 4, 5, 6, 3, 8, 7, 10, 9],
            [3, 2, 1, 5, 7, 4, 6, 8, 9, 10],
            [4, 2, 3, 1, 6, 7, 5, 9, 8, 10],
        ]
    )
    assert judges.sum(axis=0).tolist() == [10, 8, 12, 16, 21, 22, 25, 31, 37, 38]
    r = room.kendall_w(judges)
    assert r.w == pytest.approx(12576 / 15840) and round(r.w, 3) == 0.794
    assert r.chi2 == pytest.approx(4 * 9 * 12576 / 15840) and r.df == 9


@pytest.mark.parametrize("seed", range(5))
def test_kendall_w_is_friedmans_chi_square_scaled(seed):
    # Friedman's statistic (SciPy, with its own tie correction) = m (n - 1) W
    rng = np.random.default_rng(seed)
    m, n = 30, 8
    scores = rng.integers(0, 5, size=(m, n)).astype(float)  # many ties
    scores += np.arange(n) * 0.3 * (seed % 2)  # some agreement in half the cases
    ranks = stats.rankdata(scores, axis=1)
    ours = room.kendall_w(ranks)
    friedman = stats.friedmanchisquare(*ranks.T)
    assert ours.chi2 == pytest.approx(friedman.statistic, rel=1e-10)
    assert ours.p_value == pytest.approx(friedman.pvalue, rel=1e-8)
    assert ours.w == pytest.approx(friedman.statistic / (m * (n - 1)))


def test_kendall_w_at_its_bounds_and_on_bad_input():
    same = np.tile(np.arange(1, 6), (4, 1))
    assert room.kendall_w(same).w == pytest.approx(1.0)
    assert room.kendall_w(np.array([[1, 2], [2, 1]])).w == pytest.approx(0.0)  # opposite
    with pytest.raises(IlpInputError) as err:
        room.kendall_w(np.array([[1, 2, 3]]))
    assert err.value.message.key == "room.too_few_rankings"


def _random_rankings(rng, m):
    return [list(rng.permutation(PROBLEMS)) for _ in range(m)]


def test_consensus_against_brute_force():
    rng = np.random.default_rng(7)
    rankings = _random_rankings(rng, 12)
    scored = ["Shoplifting", "Robbery", "Vehicle crime", "Burglary"]
    c = room.consensus(rankings + [["Robbery"], ["Robbery"] * 4], PROBLEMS, scored)
    assert c.incomplete == 2 and len(c.ranks) == 12
    table = c.table.set_index("problem")
    n = len(PROBLEMS)
    for p in PROBLEMS:
        ranks = [r.index(p) + 1 for r in rankings]
        assert table.loc[p, "mean_rank"] == pytest.approx(np.mean(ranks), abs=0.005)
        assert table.loc[p, "borda"] == sum(n - k for k in ranks)
        assert table.loc[p, "rank_sd"] == pytest.approx(np.std(ranks), abs=0.005)
        assert (table.loc[p, "rank_min"], table.loc[p, "rank_max"]) == (min(ranks), max(ranks))
        assert table.loc[p, "scored_rank"] == scored.index(p) + 1
    # Borda's order is the mean rank's order (complete rankings)
    assert list(c.table.sort_values("borda", ascending=False)["problem"]) == list(
        c.table["problem"]
    )
    assert c.disagreed[0] == c.table.sort_values("rank_sd", ascending=False)["problem"].iloc[0]
    rho = stats.spearmanr(table.loc[PROBLEMS, "mean_rank"], [scored.index(p) + 1 for p in PROBLEMS])
    assert c.rho == pytest.approx(rho.statistic)


def test_a_unanimous_room_agrees_perfectly_and_disputes_nothing():
    c = room.consensus([PROBLEMS] * 5, PROBLEMS, PROBLEMS[::-1])
    assert c.agreement.w == pytest.approx(1.0) and c.agreement.p_value < 0.01
    assert c.disagreed == ()
    assert list(c.table["difference"]) == [-3.0, -1.0, 1.0, 3.0]
    assert c.rho == pytest.approx(-1.0)


def test_no_or_one_answer_is_not_an_error():
    c = room.consensus([], PROBLEMS)
    assert c.agreement is None and c.table["mean_rank"].isna().all() and c.rho is None
    one = room.consensus([PROBLEMS], PROBLEMS)
    assert one.agreement is None and list(one.table["problem"]) == PROBLEMS


def test_weight_ranges_against_brute_force():
    rng = np.random.default_rng(3)
    criteria = ["volume", "trend", "harm"]
    values = pd.DataFrame(rng.random((5, 3)), index=list("abcde"), columns=criteria)
    chosen = [dict(zip(criteria, rng.integers(0, 6, 3).tolist(), strict=True)) for _ in range(9)]
    chosen.append({"volume": "x", "harm": -3})  # nothing usable: left out
    r = room.weight_results(chosen, criteria, values)
    usable = [w for w in chosen[:-1] if sum(w.values()) > 0]
    assert r.n == len(usable)
    orders = set()
    ranks_by_problem = {p: [] for p in values.index}
    for w in usable:
        score = {
            p: sum(w[c] * values.loc[p, c] for c in criteria) / sum(w.values())
            for p in values.index
        }
        order = sorted(values.index, key=lambda p: -score[p])
        orders.add(tuple(order))
        for i, p in enumerate(order, 1):
            ranks_by_problem[p].append(i)
    ranges = r.ranges.set_index("problem")
    for p, ranks in ranks_by_problem.items():
        assert (ranges.loc[p, "best_rank"], ranges.loc[p, "worst_rank"]) == (min(ranks), max(ranks))
        assert ranges.loc[p, "median_rank"] == np.median(ranks)
    assert r.distinct_rankings == len(orders)
    summary = r.weights.set_index("criterion")
    for c in criteria:
        given = [w[c] for w in usable]
        assert summary.loc[c, "mean"] == pytest.approx(np.mean(given), abs=0.005)
        assert summary.loc[c, "median"] == pytest.approx(np.median(given))
    with pytest.raises(IlpInputError):
        room.weight_results(chosen, ["volume", "surge"], values)


def test_free_answers_are_grouped_by_normalised_text_and_names_only_when_shown():
    grouped = room.group_free(
        [
            ("More patrols.", ""),
            ("more   PATROLS", "Ann"),
            ("  ", ""),
            ("Prévention", ""),
            ("prévention!", ""),
        ]
    )
    assert grouped.values.tolist() == [["More patrols.", 2, "Ann"], ["Prévention", 2, ""]]
    assert room.normalise_text("Ｐａｔｒｏｌｓ") == "patrols"  # full-width letters (NFKC)


def _results() -> RoomResults:
    answers = pd.DataFrame(
        {
            "participant": ["1", "2", "3", "1", "2", "3", "1", "2"],
            "nickname": ["", "", "", "", "", "", '=HYPERLINK("x")', ""],
            "step": ["ranking"] * 3 + ["weights"] * 2 + ["allocation", "lesson", "lesson"],
            "answers": [
                {"ranking": PROBLEMS},
                {"ranking": PROBLEMS[::-1]},
                {"ranking": PROBLEMS},
                {"weights": {"volume": 5, "harm": 1}},
                {"weights": {"harm": 4}},
                {"choice": "hot_spots"},
                {"text": "=cmd|' /C calc'!A0"},
                {"text": "[link](javascript:alert(1)) <img src=x>"},
            ],
        }
    )
    values = pd.DataFrame(
        np.linspace(0, 1, len(PROBLEMS) * 5).reshape(len(PROBLEMS), 5),
        index=PROBLEMS,
        columns=list(room.room_config().criteria),
    )
    return room.room_results(
        answers, room.room_config(), problems=PROBLEMS, scored=PROBLEMS, values=values, members=4
    )


def test_room_results_step_by_step():
    r = _results()
    assert r.members == 4 and r.answered == {
        "ranking": 3,
        "weights": 2,
        "allocation": 1,
        "lesson": 2,
        "next_step": 0,
    }
    assert r.ranking.agreement.m == 3 and r.weights.n == 2
    assert r.choices["allocation"].set_index("option")["count"].to_dict() == {
        "hot_spots": 1,
        "proportional": 0,
        "current": 0,
        "prevention": 0,
    }
    assert r.free["lesson"]["count"].sum() == 2


def test_exports_neutralise_formulas_and_escape_markdown():
    r = _results()
    text = room.results_csv(r).decode("utf-8-sig")
    assert "'=cmd" in text and "'=HYPERLINK" in text  # shown by its author, neutralised
    for line in text.splitlines():
        for cell in line.split(","):
            assert not cell.startswith(("=", "+", "@")), line
            assert not cell.strip('"').startswith(("=", "@")), line
    md = room.results_markdown(r, "fr", title="Séminaire *Kyiv*")
    assert "](javascript" not in md and "\\*Kyiv\\*" in md
    assert not re.search(r"(?<!\\)[<\[]", md)  # no tag nor link opens unescaped
    assert "W de Kendall" in md
    for lang in ("en", "ru", "fr", "es"):
        pdf = room.results_pdf(r, lang, title="Комната")
        assert pdf.startswith(b"%PDF-") and len(pdf) > 2000
    table = room.results_table(r)
    assert list(table.columns) == list(room.TABLE_COLUMNS)
    w = table[(table.section == "agreement") & (table.measure == "w")]["value"].iloc[0]
    assert w == pytest.approx(r.ranking.agreement.w)


def test_the_bundled_configuration_and_a_broken_one(tmp_path):
    c = room.room_config()
    assert {s.kind for s in c.steps} == set(room.STEP_KINDS)
    bad = tmp_path / "room.yaml"
    for text in (
        "steps: [{kind: ranking}]",
        "steps: [{id: a, kind: poll}]",
        "steps: [{id: a, kind: choice}]",
        "steps: [{id: a, kind: text}, {id: a, kind: text}]",
    ):
        bad.write_text(text, encoding="utf-8")
        with pytest.raises(IlpInputError) as err:
            room.room_config(bad)
        assert err.value.message.key == "room.config_broken"


def test_permutations_of_three_give_the_textbook_null_distribution():
    # all 6 x 6 pairs of rankings of 3 items: W's mean under the null is 1/m = 0.5 for m = 2
    items = list("abc")
    ws = [
        room.consensus([list(p), list(q)], items).agreement.w
        for p, q in itertools.product(itertools.permutations(items), repeat=2)
    ]
    assert np.mean(ws) == pytest.approx(0.5)


def test_the_projector_charts_draw_the_tables():
    r = _results()
    c = r.ranking
    hidden = room.ranking_figure(c, "ru")
    shown = room.ranking_figure(c, "ru", revealed=True)
    assert len(hidden.data) == 2 and len(shown.data) == 3  # the scored rank only once revealed
    bars, mean, scored = shown.data
    assert list(bars.base) == c.table["rank_min"].tolist()
    assert (bars.base + bars.x).tolist() == c.table["rank_max"].tolist()
    assert mean.x.tolist() == c.table["mean_rank"].tolist()
    assert scored.x.tolist() == c.table["scored_rank"].tolist()
    assert scored.marker.symbol == "diamond" and mean.marker.symbol == "circle"
    boxes = room.weights_figure(r.weights, "fr")
    assert [b.name for b in boxes.data][:2] == [
        i18n.t("priorities.criterion.volume", "fr"),
        i18n.t("priorities.criterion.trend", "fr"),
    ]
    harm = next(b for b in boxes.data if b.name == i18n.t("priorities.criterion.harm", "fr"))
    assert sorted(harm.y.tolist()) == [1.0, 4.0]
    assert boxes.layout.font.size >= 20  # legible from the back of a room
