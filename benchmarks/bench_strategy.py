"""Time the evidence behind the control-strategy suggestions, per priority, at 1,000,000 incidents.

Run: ``.venv/bin/python benchmarks/bench_strategy.py [--incidents 1000000]``

The Requirements and control strategy page runs, for each priority in scope (the
default: the high tier of the default ranking, at most 10), the hot-spot change,
Knox, repeat-location and seasonality analyses (``strategy.problem_evidence``).
The Knox test's cost grows with the close pairs, so the rules test a random subset
of the events above ``near_repeat.max_pairs`` (``strategy.yaml``). This prints, per
priority, the close pairs, the events tested, the Knox ratio and the time, with the
budget and without it (``--no-budget`` skips the slow run without it).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from anywhere

from _measure import measure

from ilp_core.analysis import near_repeat
from ilp_core.data import sample
from ilp_core.data.dataset import Dataset, load_sample
from ilp_core.data.schema import coerce_incidents
from ilp_core.decide.priorities import rank as default_ranking
from ilp_core.products import strategy


def run(name: str, data: Dataset, *, unbounded: bool) -> None:
    ranking = default_ranking(data.incidents, data.districts)
    table = ranking.table
    scope = table.loc[table["tier"] == "high", "problem"].tolist()[:10] or table["problem"][:10]
    selection = strategy.problem_selection(table)
    budgets = {"budget": strategy.rules()}
    if unbounded:
        cfg = strategy.rules()
        budgets["no budget"] = dataclasses.replace(
            cfg, near_repeat={**cfg.near_repeat, "max_pairs": 10**12}
        )
    print(f"\n{name}: {len(data.incidents):,} incidents, {len(scope)} priorities in scope")
    cols = ("pairs", 12), ("tested", 9), ("of", 9), ("ratio", 6), ("s", 7)
    print(f"{'priority':<28} {'run':<10}" + "".join(f" {c:>{w}}" for c, w in cols))
    totals = dict.fromkeys(budgets, 0.0)
    for problem in scope:
        sel = selection[problem]
        inc = data.incidents
        nr = strategy.rules().near_repeat
        mine = inc.loc[inc["offence"].astype(str).isin(sel["offences"]).to_numpy()]
        when = mine["occurred_at"]
        recent = mine.loc[when > when.max() - pd.Timedelta(days=int(nr["window_days"]))]
        pairs = near_repeat.count_close_pairs(recent, float(nr["distance_m"]))
        for label, cfg in budgets.items():
            ev, (wall, _cpu), _rss, _traced = measure(
                strategy.problem_evidence,
                inc,
                data.districts,
                problem=problem,
                offences=sel["offences"],
                in_districts=sel["districts"],
                cfg=cfg,
                trace=False,
            )
            totals[label] += wall
            print(
                f"{problem[:28]:<28} {label:<10} {pairs:>12,} {ev.knox_events:>9,} "
                f"{ev.knox_window_incidents:>9,} {ev.knox_ratio:>6.2f} {wall:>7.2f}"
            )
    for label, total in totals.items():
        print(f"all priorities, {label}: {total:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--incidents", type=int, default=1_000_000)
    parser.add_argument("--no-budget", action="store_true", help="also run without the budget")
    args = parser.parse_args()
    run("sample region", load_sample(), unbounded=args.no_budget)
    region = sample.generate(n_incidents=args.incidents)
    raw = region.incidents
    incidents = coerce_incidents(
        raw.assign(precision="minute", source_row=np.arange(2, len(raw) + 2), duplicate=None)
    )
    data = Dataset("generated", incidents, region.districts, region.allocation)
    run("generated region", data, unbounded=args.no_budget)


if __name__ == "__main__":
    main()
