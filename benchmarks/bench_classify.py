"""Time the offence classification and harm defaults at 1,000,000 incidents.

Usage::

    .venv/bin/python benchmarks/bench_classify.py            # 1,000,000 rows
    .venv/bin/python benchmarks/bench_classify.py --n 200000

What runs on the Data page and on every rerun of the Priorities page:

* ``ingest.offence_labels``: the labels of an upload (and their counts) before loading;
* ``merge_spellings``: one label per offence inside ``build_incidents``;
* ``classify.suggest_classes``: a class per label, for 40 labels and for 400
  (a detailed Russian export by article and part);
* ``harm.default_weights``: the default weights of 40 labels (every Priorities rerun);
* ``coverage.location_coverage``: the rows without a location (every Where rerun).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks._measure import measure  # noqa: E402
from ilp_core.data import classify, coverage, ingest  # noqa: E402
from ilp_core.data.ingest._offences import merge_spellings  # noqa: E402
from ilp_core.decide import harm  # noqa: E402

RUSSIAN = [
    "Кража", "Кража со взломом", "Грабёж", "ГРАБЕЖ", "Разбой", "Мошенничество", "Угон",
    "Хулиганство", "Побои", "Угроза убийством", "Вымогательство", "Поджог", "Убийство",
    "Незаконный оборот наркотиков", "Уничтожение или повреждение имущества", "Изнасилование",
    "Присвоение или растрата", "Незаконное хранение оружия", "Кража из квартиры",
    "Кража из магазина",
]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1_000_000)
    n = parser.parse_args().n
    rng = np.random.default_rng(0)
    labels40 = RUSSIAN + [f"{name} (ч. 2)" for name in RUSSIAN]
    labels400 = [f"{labels40[i % 40]} ст. {100 + i}" for i in range(400)]
    column = np.array(labels40, dtype=object)[rng.integers(40, size=n)]
    raw = ingest.read_table(
        pd.DataFrame({"Вид": column}).to_csv(index=False).encode("utf-8"), "big.csv"
    )
    mapping = ingest.ColumnMapping({"offence": "Вид"})
    incidents = pd.DataFrame(
        {
            "lat": np.where(rng.random(n) < 0.03, np.nan, 55.75),
            "lon": 37.6,
            "district": pd.Categorical(np.where(rng.random(n) < 0.5, "A", None)),
        }
    )
    categorical = pd.Categorical(column)
    rows = [
        ("offence_labels (rows)", n, lambda: ingest.offence_labels(raw, mapping)),
        ("merge_spellings (rows)", n, lambda: merge_spellings(categorical)),
        ("suggest_classes (labels)", 40, lambda: classify.suggest_classes(labels40)),
        ("suggest_classes (labels)", 400, lambda: classify.suggest_classes(labels400)),
        ("default_weights (labels)", 40, lambda: harm.default_weights(labels40)),
        ("default_weights again", 40, lambda: harm.default_weights(labels40)),
        ("location_coverage (rows)", n, lambda: coverage.location_coverage(incidents)),
    ]
    print(f"{'step':<28} {'size':>10} {'wall s':>8} {'CPU s':>8} {'peak MB':>8}")
    for name, size, fn in rows:
        _, (wall, cpu), peak, _traced = measure(fn, trace=False)
        print(f"{name:<28} {size:>10,} {wall:>8.3f} {cpu:>8.3f} {peak / 1e6:>8.1f}")


if __name__ == "__main__":
    main()
