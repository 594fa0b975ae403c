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

``--app`` measures what a user waits for instead: the app (app.py, its Overview
page, in AppTest) opening a stored 1,000,000-incident dataset in a first session
and in a second session of the same process. The second must reuse the first's
copy (the same frame object, no second copy in memory)::

    .venv/bin/python benchmarks/bench_store.py --app
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


def app_sessions(dataset: Dataset) -> None:
    """First and second session of the app opening the same stored dataset."""
    import os

    from streamlit.testing.v1 import AppTest

    with tempfile.TemporaryDirectory() as folder:
        os.environ["ILP_DATA_DIR"] = folder
        os.environ.pop("ILP_DATABASE_URL", None)
        store = open_store()
        info = store.save_dataset(Actor.local(), dataset)
        _datasets._OPENED.clear()  # as in a process that did not load it: the Arrow copy only
        _datasets._TABLES.clear()
        del dataset

        def session() -> AppTest:
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
            at.session_state["ilp.dataset_request"] = info.dataset_id
            at.run()
            assert not at.exception, [e.value for e in at.exception]
            assert at.session_state["ilp.dataset_id"] == info.dataset_id
            return at

        rows = []
        warm = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
        warm.run()  # imports, the sample region: paid once per process, not per session
        first, (wall, _), rss, _ = measure(session, trace=False)
        rows.append(("first session", wall, rss / 2**20))
        second, (wall, _), rss, _ = measure(session, trace=False)
        rows.append(("second session", wall, rss / 2**20))
        same = (
            first.session_state["ilp.upload"].incidents
            is second.session_state["ilp.upload"].incidents
        )
        print(f"{info.rows:,} incidents; the second session reuses the first's frame: {same}")
        print(f"\n{'app.py, Overview page':<22} {'seconds':>8} {'peak extra RSS MiB':>19}")
        for step, seconds, mib in rows:
            print(f"{step:<22} {seconds:>8.2f} {mib:>19.0f}")
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--app", action="store_true", help="time the app's sessions instead")
    args = parser.parse_args()
    dataset = big_dataset(args.n)
    print(f"{len(dataset.incidents):,} incidents")
    if args.app:
        app_sessions(dataset)
        return
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
