"""Ten sessions of the app on one stored dataset: server memory in total, and their waits.

Usage::

    .venv/bin/python benchmarks/bench_sessions.py                  # 10,000,000 incidents
    .venv/bin/python benchmarks/bench_sessions.py --n 1000000 --sessions 10
    .venv/bin/python benchmarks/bench_sessions.py --own-periods --date-order
    .venv/bin/python benchmarks/bench_sessions.py --own-offences all-but-one

``--own-periods``: each session picks its own year in the sidebar (session ``k``
the twelve months from the ``k``-th month of the data), as managers comparing
periods do; each then has its own view of the incidents. ``--own-offences``: each
session filters the offences its own way, ``one`` (session ``k`` the ``k``-th most
frequent offence) or ``all-but-one`` (every offence but that one: the largest copy
an offence filter makes). ``--date-order``: the
stored rows in date order, as exports usually are (the repeated sample region is
not): a period of such rows is a slice of the shared copy, not a copy of its own.

The dataset (the sample region's rows repeated with new ids, as in
``bench_store.py``) is saved in a throw-away workspace store (the embedded
SQLite database), then forgotten by the process, as on a server that did not
load it: what the sessions share is the store's memory-mapped Arrow copy. Each
session is the app itself (app.py in Streamlit's AppTest, in this one process,
sharing its caches as the sessions of one server do): it opens the stored
dataset and visits the pages a manager reads first. The first session pays the
analyses (cold); the others are served from the shared caches. Printed per
session: seconds to open the dataset, seconds for the pages, and the process's
resident memory after it; then the total against the target (4 GB for ten
sessions on 10,000,000 incidents) and the Arrow table's size beside it.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import os
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from _measure import fresh_memory, rss_bytes  # noqa: E402
from bench_store import big_dataset  # noqa: E402

from ilp_core.store import Actor, _datasets, open_store  # noqa: E402

PAGES = ("pages/patterns_where.py", "pages/patterns_when.py", "pages/priorities.py")
MIB = 2**20


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=10_000_000)
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--own-periods", action="store_true", help="a year of its own each")
    parser.add_argument("--date-order", action="store_true", help="rows stored in date order")
    parser.add_argument(
        "--own-offences", choices=("one", "all-but-one"),
        help="an offence filter of its own each: the k-th most frequent offence, or all but it",
    )  # fmt: skip
    args = parser.parse_args()

    from streamlit.testing.v1 import AppTest

    with tempfile.TemporaryDirectory() as folder:
        os.environ["ILP_DATA_DIR"] = folder
        os.environ.pop("ILP_DATABASE_URL", None)
        store = open_store()
        t = time.perf_counter()
        dataset = big_dataset(args.n)
        if args.date_order:
            rows = dataset.incidents.sort_values("occurred_at", kind="stable")
            dataset = dataclasses.replace(dataset, incidents=rows.reset_index(drop=True))
        first, last = dataset.incidents["occurred_at"].min(), dataset.incidents["occurred_at"].max()
        by_size = dataset.incidents["offence"].value_counts().index.astype(str).tolist()
        info = store.save_dataset(Actor.local(), dataset)
        del dataset
        print(f"{info.rows:,} incidents saved in {time.perf_counter() - t:.1f} s")
        arrow_mib = store.cache_path(info.id).stat().st_size / MIB
        _datasets._OPENED.clear()  # as a process that did not load it: the Arrow copy only
        _datasets._TABLES.clear()
        gc.collect()

        warm = AppTest.from_file(str(ROOT / "app.py"), default_timeout=1800)
        warm.run()  # imports and the sample region: once per server, not per session
        base = rss_bytes()
        print(f"server after start-up (imports, sample region): {base / MIB:,.0f} MiB")
        print(fresh_memory())
        rows, sessions = [], []
        for number in range(1, args.sessions + 1):
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=1800)
            at.session_state["ilp.dataset_request"] = info.dataset_id
            t = time.perf_counter()
            at.run()
            opened = time.perf_counter() - t
            assert not at.exception, [e.value for e in at.exception]
            assert at.session_state["ilp.dataset_id"] == info.dataset_id
            if args.own_periods:  # the twelve months from the data's (number - 1)-th month
                start = (first + pd.DateOffset(months=number - 1)).date().replace(day=1)
                end = min((pd.Timestamp(start) + pd.DateOffset(years=1, days=-1)), last).date()
                at.date_input(key="ilp.period").set_value((start, end)).run()
                assert not at.exception, [e.value for e in at.exception]
                assert tuple(at.session_state["ilp.period"]) == (start, end)
            if args.own_offences:
                mine = by_size[(number - 1) % len(by_size)]
                chosen = [mine] if args.own_offences == "one" else [o for o in by_size if o != mine]
                at.multiselect(key="ilp.offences").set_value(chosen).run()
                assert not at.exception, [e.value for e in at.exception]
                assert list(at.session_state["ilp.offences"]) == chosen
            t = time.perf_counter()
            for page in PAGES:
                at.switch_page(page).run()
                assert not at.exception, (page, [e.value[:300] for e in at.exception])
            pages = time.perf_counter() - t
            sessions.append(at)  # kept open, as ten users' sessions are
            gc.collect()
            rows.append((number, opened, pages, rss_bytes() / MIB))
            print(f"session {number}: open {opened:.2f} s, pages {pages:.2f} s", flush=True)
        frames = {id(s.session_state["ilp.upload"].incidents) for s in sessions}
        if args.own_periods:
            print(f"periods: one year each, from {first:%Y-%m}, by month")
        if args.date_order:
            print("rows stored in date order")
        if args.own_offences:
            print(f"offences: {args.own_offences} of their own each, by frequency")
        print(f"\nsessions sharing one incident frame: {len(frames) == 1}")
        print(f"{'session':>8} {'open s':>8} {'pages s':>8} {'server RSS MiB':>15}")
        for number, opened, pages, rss in rows:
            print(f"{number:>8} {opened:>8.2f} {pages:>8.2f} {rss:>15,.0f}")
        total = rows[-1][3]
        print(
            f"\n{args.sessions} sessions on {info.rows:,} incidents: {total:,.0f} MiB of server "
            f"memory in total (target for 10 on 10,000,000: 4,096 MiB); the Arrow copy is "
            f"{arrow_mib:,.0f} MiB; pages visited: {', '.join(Path(p).stem for p in PAGES)}"
        )
        store.close()


if __name__ == "__main__":
    main()
