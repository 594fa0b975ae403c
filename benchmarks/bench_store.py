"""Time saving and opening a 1,000,000-incident version in the workspace store.

Usage::

    .venv/bin/python benchmarks/bench_store.py             # 1,000,000 incidents
    .venv/bin/python benchmarks/bench_store.py --n 200000

On the embedded SQLite database and on a throw-away PostgreSQL server (Debian's
binaries, started like the tests' one: ``fsync=off``, so PostgreSQL's figures omit
the disk flush a production server makes at commit). The incidents are the sample
region's 100,000 repeated with new ids, so offences, districts and text columns
look like a real export. Measured, each on the same version:

* ``save``: Parquet encoding, the chunks written in one transaction, the Arrow
  copy written for the loading session;
* ``open, first on this machine``: no Arrow copy yet (chunks read, Parquet decoded,
  the copy written and mapped, the frame built);
* ``open, another process``: the copy exists (mapped, frame built), what every
  other session pays;
* ``open again, same process``: the opened version kept in memory (access check
  and audit row only).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from _measure import measure  # noqa: E402

from ilp_core.data.dataset import Dataset, load_sample  # noqa: E402
from ilp_core.store import Actor, StoreConfig, _datasets, open_store  # noqa: E402


def big_dataset(n: int) -> Dataset:
    sample = load_sample()
    copies = -(-n // len(sample.incidents))
    parts = []
    for i in range(copies):
        part = sample.incidents.copy()
        part["incident_id"] = part["incident_id"] + f"-{i}"
        parts.append(part)
    incidents = pd.concat(parts, ignore_index=True).iloc[:n].reset_index(drop=True)
    for column in ("precision", "offence", "district", "duplicate"):
        incidents[column] = incidents[column].astype(sample.incidents[column].dtype)
    return dataclasses.replace(
        sample, name="bench.csv", incidents=incidents, is_sample=False, fingerprint=""
    )


def run(label: str, config: StoreConfig, dataset: Dataset) -> list[tuple[str, str, float, float]]:
    store = open_store(config)
    actor = Actor.local()
    rows = []
    info, (wall, _), rss, _ = measure(store.save_dataset, actor, dataset, trace=False)
    rows.append((label, "save", wall, rss / 2**20))

    def forget(delete_copy: bool) -> None:
        _datasets._OPENED.clear()
        _datasets._TABLES.clear()
        if delete_copy:
            store.cache_path(info.id).unlink(missing_ok=True)

    forget(delete_copy=True)
    _, (wall, _), rss, _ = measure(store.open_dataset, actor, info.dataset_id, trace=False)
    rows.append((label, "open, first on this machine", wall, rss / 2**20))
    forget(delete_copy=False)
    _, (wall, _), rss, _ = measure(store.open_dataset, actor, info.dataset_id, trace=False)
    rows.append((label, "open, another process", wall, rss / 2**20))
    _, (wall, _), rss, _ = measure(store.open_dataset, actor, info.dataset_id, trace=False)
    rows.append((label, "open again, same process", wall, rss / 2**20))
    print(
        f"{label}: Parquet {info.incidents_bytes / 2**20:.1f} MiB, "
        f"Arrow copy {store.cache_path(info.id).stat().st_size / 2**20:.1f} MiB"
    )
    store.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1_000_000)
    args = parser.parse_args()
    dataset = big_dataset(args.n)
    print(f"{len(dataset.incidents):,} incidents")
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        sqlite = StoreConfig(url=f"sqlite:///{folder}/ilp.sqlite3", data_dir=Path(folder))
        rows += run("SQLite", sqlite, dataset)
    from pg_server import TempPostgres

    server = TempPostgres().start()
    try:
        with tempfile.TemporaryDirectory() as folder:
            url = server.create_database("bench")
            rows += run("PostgreSQL", StoreConfig(url=url, data_dir=Path(folder)), dataset)
    finally:
        server.stop()
    print(f"\n{'database':<11} {'step':<30} {'seconds':>8} {'peak extra RSS MiB':>19}")
    for label, step, seconds, mib in rows:
        print(f"{label:<11} {step:<30} {seconds:>8.2f} {mib:>19.0f}")


if __name__ == "__main__":
    main()
