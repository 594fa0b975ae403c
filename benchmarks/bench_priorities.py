"""Time priority setting: data criteria once, then re-scoring after a weight change.

Run: ``.venv/bin/python benchmarks/bench_priority.py [--incidents 1000000] [--repeat 5]
[--no-apptest]``

The data step includes the likely development (a forecast of every problem, 500
simulated futures each); the forward-looking preset weighs it.

The page computes the data criteria of every problem once per dataset and filter
(:func:`ilp_core.decide.priorities.problem_data`, cached); a change of a weight or an
entered value then re-runs only :func:`criteria_table` (harm from the cached
offence counts), :func:`score` and :func:`rank_stability` (1,000 draws) on the
small problems x criteria table, so re-scoring does not grow with the number of
incidents. Targets: re-scoring under 100 ms on the sample region and under
300 ms with 1,000,000 incidents loaded.

Prints, for the sample region and for ``--incidents`` generated incidents: the
one-off data step, then the median of ``--repeat`` re-scorings (each with a
different weight, as a user's clicks), split into its parts, and the figures the
page draws. With AppTest (default), also the whole page rerun after a weight
change (app.py, sidebar filters and the page).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from anywhere

from ilp_core import figures
from ilp_core.data import sample
from ilp_core.data.dataset import Dataset, load_sample
from ilp_core.data.schema import coerce_incidents
from ilp_core.decide import priorities

ROOT = Path(__file__).resolve().parent.parent


def timed(fn, *args, **kwargs):
    t0 = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - t0


def rescoring(data: priorities.ProblemData, preset: str, repeat: int) -> dict[str, float]:
    """Median seconds of each re-scoring step over ``repeat`` weight changes."""
    base = priorities.preset(preset)
    parts: dict[str, list[float]] = {"criteria_table": [], "score": [], "rank_stability": []}
    total: list[float] = []
    for i in range(repeat):
        weights = {**base.weights, "harm": float(base.weights.get("harm", 1.0) + 0.5 * (i + 1))}
        scheme = priorities.make_scheme(
            base.method,
            weights,
            tiers=base.tiers,
            bands=base.bands,
            position_range=base.position_range,
            axes=base.axes,
        )
        t0 = time.perf_counter()
        criteria, t1 = timed(priorities.criteria_table, data)
        _, t2 = timed(priorities.score, criteria, scheme, missing="lowest")
        _, t3 = timed(priorities.rank_stability, criteria, scheme, missing="lowest")
        total.append(time.perf_counter() - t0)
        for key, value in zip(parts, (t1, t2, t3), strict=True):
            parts[key].append(value)
    out = {k: statistics.median(v) for k, v in parts.items()}
    out["total"] = statistics.median(total)
    return out


def build_figures(data: priorities.ProblemData, preset: str) -> float:
    """Seconds to build the page's tables and four figures once."""
    criteria = priorities.criteria_table(data)
    ranking = priorities.score(criteria, preset, missing="lowest")
    stab = priorities.rank_stability(criteria, preset, missing="lowest")
    t0 = time.perf_counter()
    priorities.ranking_for_display(ranking, "en", stability=stab)
    priorities.ranking_for_display(ranking, "en", stability=stab, full=True)
    figures.priorities.risk_matrix_chart(ranking)
    figures.priorities.contributions_chart(ranking)
    figures.priorities.count_harm_chart(priorities.count_vs_harm(criteria))
    figures.priorities.stability_chart(stab)
    return time.perf_counter() - t0


def report(name: str, incidents, districts, repeat: int) -> None:
    print(f"\n{name}: {len(incidents):,} incidents")
    print(f"{'step':<52} {'ms':>9}")
    for by in ("offence", "offence_district"):
        data, t = timed(priorities.problem_data, incidents, districts, by=by)
        n = len(data.problems)
        print(f"{f'data criteria, once ({by}, {n} problems)':<52} {1000 * t:>9.0f}")
        dev = data.table["development_status"].value_counts().to_dict()
        print(f"{'  likely development: forecast status':<52} {dev}")
        for preset in ("morile", "weighted_sum", "forward_looking"):
            res = rescoring(data, preset, repeat)
            label = f"re-scoring after a weight change ({preset}, {n})"
            print(f"{label:<52} {1000 * res['total']:>9.1f}")
            for key in ("criteria_table", "score", "rank_stability"):
                print(f"{'  ' + key:<52} {1000 * res[key]:>9.1f}")
        label = f"  tables and 4 figures of the page ({n})"
        print(f"{label:<52} {1000 * build_figures(data, 'morile'):>9.1f}")


def apptest_rerun(dataset: Dataset | None, repeat: int) -> float:
    """Median seconds of the whole page rerun after a weight change (AppTest)."""
    from streamlit import logger
    from streamlit.testing.v1 import AppTest

    logger.set_log_level("error")  # AppTest runs outside a server: silence its warnings
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    at.session_state["ilp.lang"] = "en"
    if dataset is not None:
        at.session_state["ilp.upload"] = dataset
        at.session_state["ilp.source"] = "upload"
    at.run()
    at.switch_page("pages/priorities.py")
    at.run()
    times = []
    key = "p.priority.w.morile.harm"
    for i in range(repeat):
        widget = at.number_input(key=key)
        t0 = time.perf_counter()
        widget.set_value(3.0 + 0.5 * (i + 1)).run()
        times.append(time.perf_counter() - t0)
        assert not at.exception, at.exception
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--incidents", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-apptest", action="store_true")
    args = parser.parse_args()

    data = load_sample()
    report("sample region", data.incidents, data.districts, args.repeat)

    t0 = time.perf_counter()
    region = sample.generate(n_incidents=args.incidents)
    raw = region.incidents
    big = coerce_incidents(
        raw.assign(precision="minute", source_row=np.arange(2, len(raw) + 2), duplicate=None)
    )
    print(f"\n(generated {len(big):,} incidents in {time.perf_counter() - t0:.1f} s)")
    report("generated region", big, region.districts, args.repeat)

    if not args.no_apptest:
        print(f"\n{'AppTest: page rerun after a weight change':<52} {'ms':>9}")
        print(f"{'  sample region':<52} {1000 * apptest_rerun(None, args.repeat):>9.0f}")
        upload = Dataset(name="1M", incidents=big, districts=region.districts)
        label = f"  {len(big):,} incidents loaded"
        print(f"{label:<52} {1000 * apptest_rerun(upload, args.repeat):>9.0f}")


if __name__ == "__main__":
    main()
