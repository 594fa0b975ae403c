"""Progress and cancel of long library work: ingest and the report (Knox: test_near_repeat).

A ``progress(fraction, step)`` callback is called with increasing fractions from 0
to 1; raising :class:`~ilp_core.errors.Cancelled` from it stops the work and nothing
is returned. Both functions are pure, so "nothing returned" is "nothing half-done".
"""

from __future__ import annotations

import pytest

from ilp_core.data import ingest
from ilp_core.data.dataset import load_sample
from ilp_core.errors import Cancelled
from ilp_core.products import report

CSV = (
    b"Date,Crime,Lat,Lon\n"
    b"2024-03-18 23:45,Theft,51.5,-0.12\n"
    b"2024-03-19 08:00,Burglary,51.51,-0.13\n"
    b"2024-03-19,,51.5,-0.12\n"
)


class _Recorder:
    """Records every call; raises Cancelled at the ``stop_at``-th call (1-based)."""

    def __init__(self, stop_at: int | None = None) -> None:
        self.calls: list[tuple[float, str]] = []
        self.stop_at = stop_at

    def __call__(self, fraction: float, step: str) -> None:
        self.calls.append((fraction, step))
        if self.stop_at is not None and len(self.calls) >= self.stop_at:
            raise Cancelled()

    @property
    def fractions(self) -> list[float]:
        return [f for f, _ in self.calls]


def _increasing_from_0_to_1(fractions: list[float]) -> None:
    assert fractions[0] == 0.0
    assert fractions[-1] == 1.0
    backwards = [(a, b) for a, b in zip(fractions, fractions[1:], strict=False) if b < a]
    assert not backwards
    assert len(set(fractions)) >= 4  # a bar that moves, not only 0 then 1


def test_load_incidents_reports_increasing_fractions_and_same_result() -> None:
    seen = _Recorder()
    result = ingest.load_incidents(CSV, "a.csv", progress=seen)
    _increasing_from_0_to_1(seen.fractions)
    steps = [s for _, s in seen.calls]
    assert steps[0] == "reading" and steps[-1] == "done"
    assert {"columns", "dates", "places", "assembling"} <= set(steps)
    plain = ingest.load_incidents(CSV, "a.csv")  # the callback changes nothing
    assert result.report.accepted == plain.report.accepted == 2
    assert result.incidents.equals(plain.incidents)


def test_build_incidents_fractions_span_0_to_1() -> None:
    raw = ingest.read_table(CSV, "a.csv")
    seen = _Recorder()
    ingest.build_incidents(raw, ingest.suggest_mapping(raw.frame.columns), progress=seen)
    _increasing_from_0_to_1(seen.fractions)


@pytest.mark.parametrize("stop_at", [1, 2, 3, 4, 5])
def test_cancelled_load_returns_nothing(stop_at: int) -> None:
    """Stopped at any step: Cancelled propagates, no result exists, the input is untouched."""
    raw = ingest.read_table(CSV, "a.csv")
    before = raw.frame.copy()
    seen = _Recorder(stop_at=stop_at)
    result = None
    with pytest.raises(Cancelled):
        result = ingest.build_incidents(
            raw, ingest.suggest_mapping(raw.frame.columns), progress=seen
        )
    assert result is None
    assert len(seen.calls) == stop_at  # stopped at once: no call after the raise
    assert raw.frame.equals(before)


@pytest.fixture(scope="module")
def sample():
    return load_sample()


def test_build_report_reports_sections_in_order(sample) -> None:
    seen = _Recorder()
    chosen = ("data", "findings", "when")
    rep = report.build_report(sample, sections=chosen, progress=seen)
    _increasing_from_0_to_1(seen.fractions)
    steps = [s for _, s in seen.calls]
    assert steps[-1] == "done"
    # each chosen section is announced, in the report's order, after the analyses
    announced = [s for f, s in seen.calls if f >= 2 / 3 and s != "done"]
    assert announced == list(chosen)
    assert [s.key for s in rep.sections] == list(chosen)


@pytest.mark.parametrize("stop_at", [1, 4, 9])
def test_cancelled_report_returns_nothing(sample, stop_at: int) -> None:
    seen = _Recorder(stop_at=stop_at)
    rep = None
    with pytest.raises(Cancelled):
        rep = report.build_report(sample, sections=("data", "findings", "when"), progress=seen)
    assert rep is None
    assert len(seen.calls) == stop_at


def test_report_passes_progress_into_the_knox_test(sample) -> None:
    """The long analyses inside a report report too (Knox, the scan): Stop acts within them."""
    seen = _Recorder()
    report.build_report(sample, sections=("near_repeat",), progress=seen)
    inside = [f for f, s in seen.calls if s == "near_repeat" and f < 2 / 3]
    assert len(inside) > 3  # the Knox test's own blocks, not only the step's start
    _increasing_from_0_to_1(seen.fractions)
