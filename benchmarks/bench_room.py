"""Time the projector's sums and the room's exports for a large room.

Usage::

    .venv/bin/python benchmarks/bench_room.py [--participants 40]

Every participant ranks the workshop's problems, weighs the criteria, chooses an
allocation and writes two free answers (random, seeded); the scored ranking and the
criteria values are the sample region's. Timed: :func:`room_results` (what the
projector recomputes when an answer changed), the CSV, Markdown and PDF exports.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ilp_core.data.dataset import load_sample
from ilp_core.decide import priorities
from ilp_core.learn import room, workshop


def answers(n: int, problems: list[str], cfg: room.RoomConfig) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    rows = []
    for i in range(n):
        who = str(i)
        rows.append((who, "", "ranking", {"ranking": list(rng.permutation(problems))}))
        w = {c: int(rng.integers(0, cfg.max_weight + 1)) for c in cfg.criteria}
        rows.append((who, "", "weights", {"weights": w}))
        rows.append((who, "", "allocation", {"choice": str(rng.choice(cfg.steps[2].options))}))
        for step in ("lesson", "next_step"):
            text = rng.choice(["More patrols", "more patrols!", "Prevention", f"idea {i}"])
            rows.append((who, f"P{i}" if i % 3 == 0 else "", step, {"text": text}))
    return pd.DataFrame(rows, columns=["participant", "nickname", "step", "answers"])


def timed(label: str, fn, repeat: int = 5) -> None:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    print(f"{label:<34}{1000 * best:>9.1f} ms (best of {repeat})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=40)
    args = parser.parse_args()
    cfg = room.room_config()
    data = load_sample()
    problems = [p for p in workshop.scenario().ranking_problems if p in set(data.offences)]
    ranking = priorities.rank(data.incidents, data.districts)
    scored = workshop.scored_order(ranking.table, problems)
    values = ranking.normalised.reindex(problems)
    table = answers(args.participants, problems, cfg)
    print(f"{args.participants} participants, {len(problems)} problems, {len(table)} answers")

    def results() -> room.RoomResults:
        return room.room_results(
            table, cfg, problems=problems, scored=scored, values=values, members=args.participants
        )

    got = results()
    timed("room_results (projector's sums)", results)
    timed("CSV export", lambda: room.results_csv(got))
    timed("Markdown export", lambda: room.results_markdown(got, "ru"))
    timed("PDF export", lambda: room.results_pdf(got, "ru"), repeat=3)
    print(f"Kendall's W {got.ranking.agreement.w:.3f} (p = {got.ranking.agreement.p_value:.3f})")


if __name__ == "__main__":
    main()
