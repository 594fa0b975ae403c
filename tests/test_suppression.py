"""Small-count suppression: every small count hidden, and none recoverable from the total."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ilp_core.errors import IlpInputError
from ilp_core.products import suppression


def _feasible_values(values, state, k):
    """Brute force: every assignment of the hidden cells that a reader could not rule out.

    The reader sees the shown cells and the exact total, and knows that a "<k" cell
    holds 1..k-1 and a "[c]" cell at least k. Returns, per hidden cell, the set of
    values it takes over all assignments that add up to the total.
    """
    hidden = [i for i, s in enumerate(state) if s != suppression.SHOWN]
    total = int(sum(values[i] for i in hidden))
    ranges = [
        range(1, k) if state[i] == suppression.PRIMARY else range(k, total + 1) for i in hidden
    ]
    seen = [set() for _ in hidden]

    def walk(j, left, chosen):
        if j == len(hidden):
            if left == 0:
                for n, v in enumerate(chosen):
                    seen[n].add(v)
            return
        for v in ranges[j]:
            if v > left:
                break
            walk(j + 1, left - v, [*chosen, v])

    walk(0, total, [])
    return dict(zip(hidden, seen, strict=True))


def test_hand_computed_cases():
    # 3 alone among 120, 40, 9: the total 172 - 160 would give 3 back; hiding the 9 too
    # leaves 12 = (1..4) + (>= 5): 1 + 11, 2 + 10, 3 + 9, 4 + 8.
    assert suppression.suppress_counts([120, 3, 40, 9]).state == (
        "shown",
        "primary",
        "shown",
        "secondary",
    )
    # 2 and 3 protect each other: 5 = 1 + 4 = 2 + 3 = 3 + 2 = 4 + 1.
    assert suppression.suppress_counts([2, 3, 50]).state == ("primary", "primary", "shown")
    # 1 and 1: a total of 2 leaves only 1 + 1, so a third cell (the smaller above k) goes.
    assert suppression.suppress_counts([1, 1, 50, 60]).state == (
        "primary",
        "primary",
        "secondary",
        "shown",
    )
    # 4 and 4 with k = 5: 8 leaves only 4 + 4 (each at most 4), so a third cell goes.
    assert suppression.suppress_counts([4, 4, 30, 7]).state == (
        "primary",
        "primary",
        "shown",
        "secondary",
    )
    # Nothing small: nothing hidden, zeros shown.
    assert suppression.suppress_counts([0, 5, 12]).state == ("shown",) * 3


def test_secondary_cell_is_chosen_by_value_then_label():
    # Two candidates of 9: the label decides, whatever their order in the table.
    a = suppression.suppress_counts([3, 9, 9, 50], labels=["x", "b", "a", "c"])
    b = suppression.suppress_counts([9, 3, 50, 9], labels=["a", "x", "c", "b"])
    hidden_a = {lab for lab, s in zip("xbac", a.state, strict=True) if s == "secondary"}
    hidden_b = {lab for lab, s in zip("axcb", b.state, strict=True) if s == "secondary"}
    assert hidden_a == hidden_b == {"a"}


def test_a_cell_at_k_is_taken_only_when_nothing_is_above_k():
    # 1 and k = 5: hiding a 5 gives 6 = 1 + 5 only (the 5 is known to be >= 5); a 6 is better.
    result = suppression.suppress_counts([1, 5, 6, 40])
    assert result.state == ("primary", "shown", "secondary", "shown")


def test_when_no_cell_can_protect_the_total_is_withheld():
    result = suppression.suppress_counts([3, 0, 0])
    assert result.state == ("primary", "shown", "shown")
    assert result.total_shown is False


@settings(max_examples=150, deadline=None)
@given(
    values=st.lists(st.integers(0, 14), min_size=1, max_size=6),
    k=st.integers(2, 6),
)
def test_no_hidden_cell_can_be_worked_out_from_the_total(values, k):
    result = suppression.suppress_counts(values, k)
    state = result.state
    # Every count from 1 to k - 1 is hidden; zeros and shown cells are never in 1..k-1.
    for v, s in zip(values, state, strict=True):
        if 0 < v < k:
            assert s == suppression.PRIMARY
        if s == suppression.SHOWN:
            assert v == 0 or v >= k
        if s == suppression.SECONDARY:
            assert v >= k
    if not result.total_shown:
        return
    for cell, possible in _feasible_values(values, state, k).items():
        assert values[cell] in possible
        assert len(possible) >= 2, (values, k, state, cell, possible)


def test_round_count_and_small_rows():
    # 100,003 -> 100,000; 15 -> 20 (halves up); 4 -> 0; -15 -> -20.
    assert [suppression.round_count(v) for v in (100_003, 15, 4, -15)] == [100_000, 20, 0, -20]
    assert suppression.small_rows(np.array([0, 1, 4, 5, 12])).tolist() == [
        False,
        True,
        True,
        False,
        False,
    ]
    assert suppression.small_rows([2, 3], k=3).tolist() == [True, False]


@pytest.mark.parametrize("k", [1, 0, 101, 2.5, "5", True])
def test_bad_threshold_is_refused(k):
    with pytest.raises(IlpInputError) as info:
        suppression.suppress_counts([1, 2], k)
    assert info.value.message.key == "report.bad_k"
    assert "2" in info.value.render("ru")


def test_negative_counts_are_a_programming_error():
    with pytest.raises(ValueError, match="non-negative"):
        suppression.suppress_counts([-1, 5])
