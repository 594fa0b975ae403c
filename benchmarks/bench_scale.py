"""National scale: load and aggregate N incidents, each figure beside its reference, in one run.

Usage::

    .venv/bin/python benchmarks/bench_scale.py             # 1,000,000 incidents
    .venv/bin/python benchmarks/bench_scale.py 10000000    # 10 million (about 2 GB CSV)

The synthetic region (``ilp_core.data.sample``) is generated on the fly into a
temporary folder (never committed) and written as CSV. Each step runs in a fresh
Python process, so its peak resident memory (``VmHWM``, measured after the
imports) is its own:

1. **Load**: ``ingest.load_incidents`` of the CSV against a bare
   ``pyarrow.csv.read_csv`` of the same file (the call alone), in time and in
   peak memory, and the Arrow table's own size; once as the first load of a
   process and once after a load of the file's first 1,000 rows, as every later
   load of an app process (the configuration and the land map of the
   swapped-coordinates check are then read). Each of the three runs ``--repeat``
   times (3), interleaved, and keeps its best time and its highest peak: on a
   shared machine one run of the bare read took 2.3 s and another 5.9 s. Targets:
   load within 3x the bare read, peak memory within 3x the Arrow table. With
   ``--cyrillic utf-8`` or ``--cyrillic cp1251`` the cells are written in Cyrillic
   letters in that encoding (a Russian export; the bare read is told the encoding)
   and only the load is measured.
2. **Aggregations**: incidents per district, per month and per grid cell (the
   study grid of the Where page), and the same after a period + offence filter,
   by the project's pandas path (``hotspots.district_counts``,
   ``temporal.period_counts``, ``hotspots.grid_counts`` on the loaded frame) and
   by DuckDB through the Ibis query layer (``ilp_core.data.query``) reading the
   dataset's Parquet file; cold (first call) and warm (second), the peak memory of
   each process, and a check that both count the same.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from _measure import fresh_memory  # noqa: E402
from bench_ingest import _write_csv  # noqa: E402 - the same CSV as the ingest benchmark

_PEAK = r"""
import json, resource, sys, time
sys.path.insert(0, {root!r})
def peak_mb():
    try:
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
"""

_LOAD = (
    _PEAK
    + r"""
import pyarrow.csv as pa_csv
from ilp_core.data import ingest
path, step, parquet, encoding = {path!r}, {step!r}, {parquet!r}, {encoding!r}
if step == "ilp_warm":  # what an app process reads once: configuration, land map
    import io
    with open(path, "rb") as whole:
        head = b"".join(whole.readline() for _ in range(1_001))
    ingest.load_incidents(io.BytesIO(head), filename="head.csv")
before = peak_mb()
start = time.perf_counter()
if step == "pyarrow":
    out = pa_csv.read_csv(path, read_options=pa_csv.ReadOptions(encoding=encoding))
    rows, table_mb = out.num_rows, out.nbytes / 2**20
else:
    out = ingest.load_incidents(path)
    rows, table_mb = len(out.incidents), out.incidents.memory_usage(deep=True).sum() / 2**20
seconds = time.perf_counter() - start
peak = peak_mb() - before
if step == "ilp" and parquet:
    import pyarrow as pa, pyarrow.parquet as pq
    pq.write_table(pa.Table.from_pandas(out.incidents, preserve_index=False), parquet)
print(json.dumps({{"seconds": seconds, "peak_mb": peak, "rows": rows, "table_mb": table_mb}}))
"""
)

_AGGREGATE = (
    _PEAK
    + r"""
import datetime as dt
import numpy as np
path, engine = {parquet!r}, {engine!r}
FILTER = dict(start=dt.date(2025, 1, 1), end=dt.date(2025, 6, 30),
              offences=("Residential burglary", "Robbery", "Other theft"))
base = peak_mb()
times, counts = {{}}, {{}}

def timed(name, fn):
    for run in ("cold", "warm"):
        start = time.perf_counter()
        out = fn()
        times[f"{{name}} {{run}}"] = time.perf_counter() - start
    return out

if engine == "pandas":
    import pyarrow.parquet as pq
    from ilp_core.analysis import hotspots, temporal
    from ilp_core.data.dataset import filter_incidents
    from ilp_core.store import _codec
    start = time.perf_counter()
    inc = _codec.to_pandas(pq.read_table(path))
    times["open (read into pandas)"] = time.perf_counter() - start
    d = timed("district", lambda: hotspots.district_counts(inc))
    m = timed("month", lambda: temporal.period_counts(inc, "month", partial="flag"))
    g = timed("grid", lambda: hotspots.grid_counts(inc))
    sub = lambda: filter_incidents(inc, FILTER["start"], FILTER["end"], FILTER["offences"])
    fd = timed("district, filtered", lambda: hotspots.district_counts(sub()))
    fg = timed("grid, filtered", lambda: hotspots.grid_counts(sub()))
    counts["district"] = dict(zip(d.table["district"], d.table["count"].tolist()))
    mt = m.table.groupby("period_start")["count"].sum()
    counts["month"] = {{str(k.date()): int(v) for k, v in mt.items() if v}}
    counts["grid"] = [g.grid.x0, g.grid.y0, g.grid.nx, g.grid.ny, int(g.counts.sum()),
                      int((g.counts > 0).sum())]
    counts["district, filtered"] = dict(zip(fd.table["district"], fd.table["count"].tolist()))
    counts["grid, filtered"] = int(fg.counts.sum())
else:
    from ilp_core.data import query
    start = time.perf_counter()
    source = query.from_parquet(path)
    times["open (Parquet scan set up)"] = time.perf_counter() - start
    f = query.Filters(**FILTER)
    d = timed("district", lambda: query.district_counts(source))
    m = timed("month", lambda: query.period_counts(source, "month"))
    grid = timed("study grid", lambda: query.study_grid(source))
    g = timed("grid", lambda: query.grid_counts(source, grid))
    fd = timed("district, filtered", lambda: query.district_counts(source, f))
    fgrid = query.study_grid(source, filters=f)
    fg = timed("grid, filtered", lambda: query.grid_counts(source, fgrid, f))
    counts["district"] = dict(zip(d.table["district"], d.table["count"].tolist()))
    months = zip(m.table["period_start"], m.table["count"])
    counts["month"] = {{str(k.date()): int(v) for k, v in months}}
    counts["grid"] = [grid.x0, grid.y0, grid.nx, grid.ny, g.counted, len(g.table)]
    counts["district, filtered"] = dict(zip(fd.table["district"], fd.table["count"].tolist()))
    counts["grid, filtered"] = fg.counted
print(json.dumps({{"times": times, "peak_mb": peak_mb() - base, "counts": counts}}))
"""
)


def _best(runs: list[dict]) -> dict:
    """The fastest run's figures, with the highest peak memory of all the runs."""
    best = dict(min(runs, key=lambda r: r["seconds"]))
    best["peak_mb"] = max(r["peak_mb"] for r in runs)
    return best


def _child(code: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
    )
    if out.returncode != 0:
        raise SystemExit(f"a benchmark step failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


_LATIN = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_CYRILLIC = "АБЦДЕФГХИЙКЛМНОПЯРСТУВШЖЫЗабцдефгхийклмнопярстувшжыз"


def _to_cyrillic(path: Path, encoding: str) -> None:
    """Rewrite the CSV's cells (not its header) in Cyrillic letters and ``encoding``.

    What a Russian export looks like to the reader: offences, districts and ids in
    two-byte UTF-8 or in Windows-1251.
    """
    table = str.maketrans(_LATIN, _CYRILLIC)
    source = path.with_suffix(".latin.csv")
    path.rename(source)
    with (
        source.open(encoding="utf-8", newline="") as inp,
        path.open("w", encoding=encoding, newline="") as out,
    ):
        out.write(inp.readline())
        while block := inp.read(1 << 24):
            out.write(block.translate(table))
    source.unlink()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("n", nargs="?", type=int, default=1_000_000, help="incidents (1,000,000)")
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of each load, interleaved (3; best time kept)"
    )
    parser.add_argument(
        "--cyrillic",
        choices=("utf-8", "cp1251"),
        help="write every name and id in Cyrillic letters, in this encoding (the load only)",
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ilp-scale-") as tmp:
        folder = Path(tmp)
        start = time.perf_counter()
        path, _districts, origin = _write_csv(args.n, folder)
        encoding = "utf-8"
        if args.cyrillic:
            encoding = args.cyrillic
            _to_cyrillic(path, encoding)
            origin += f", its names in Cyrillic letters ({encoding})"
        size_mb = path.stat().st_size / 1e6
        print(
            f"{args.n:,} incidents from {origin}: {size_mb:,.0f} MB of CSV "
            f"(generated in {time.perf_counter() - start:.0f} s)"
        )
        print(fresh_memory() + "\n")
        parquet = folder / "incidents.parquet"
        runs: dict[str, list[dict]] = {"pyarrow": [], "ilp": [], "ilp_warm": []}
        for _ in range(max(1, args.repeat)):  # interleaved: a slow spell hits every step
            for step, out in runs.items():
                target = str(parquet) if step == "ilp" and not parquet.exists() else ""
                code = _LOAD.format(
                    root=str(ROOT), path=str(path), step=step, parquet=target, encoding=encoding
                )
                out.append(_child(code))
        bare, ilp, warm = (_best(runs[step]) for step in ("pyarrow", "ilp", "ilp_warm"))
        print(
            f"1. Load (each in a fresh process, {args.repeat} runs of each, interleaved: the "
            "best time, the highest peak; peak = VmHWM growth during the call)"
        )
        spread = ", ".join(
            f"{step} {min(r['seconds'] for r in rs):.2f}-{max(r['seconds'] for r in rs):.2f} s"
            for step, rs in runs.items()
        )
        print(f"times over the runs: {spread}")
        print(f"{'':40s} {'seconds':>8s} {'peak MB':>8s} {'table MB':>9s} {'rows':>11s}")
        for label, r in (
            ("pyarrow.csv.read_csv (bare)", bare),
            ("ilp_core ingest.load_incidents", ilp),
            ("  the same, a later load of the process", warm),
        ):
            print(
                f"{label:40s} {r['seconds']:8.2f} {r['peak_mb']:8.0f} "
                f"{r['table_mb']:9.0f} {r['rows']:11,}"
            )
        for label, r, step in (
            ("first load of a process", ilp, "ilp"),
            ("later loads", warm, "ilp_warm"),
        ):
            t_ratio = r["seconds"] / bare["seconds"]
            m_ratio = r["peak_mb"] / max(bare["table_mb"], 1)
            # each round's load against the same round's bare read: a slow spell of the
            # machine hits both (the best of each can come from different spells)
            rounds = sorted(
                i["seconds"] / b["seconds"]
                for b, i in zip(runs["pyarrow"], runs[step], strict=True)
            )
            print(
                f"{label}: time {t_ratio:.1f}x the bare read (target 3x: "
                f"{'met' if t_ratio <= 3 else 'NOT met'}; round by round "
                f"{rounds[0]:.1f}-{rounds[-1]:.1f}x, median {statistics.median(rounds):.1f}x); "
                f"peak memory {m_ratio:.1f}x the "
                f"Arrow table (target 3x: {'met' if m_ratio <= 3 else 'NOT met'}), "
                f"{r['peak_mb'] / max(bare['peak_mb'], 1):.1f}x the bare read's peak"
            )
        print(f"Parquet file {parquet.stat().st_size / 1e6:,.0f} MB\n")
        if args.cyrillic:  # the aggregations' filter names the sample's offences
            return 0
        runs = {
            engine: _child(_AGGREGATE.format(root=str(ROOT), parquet=str(parquet), engine=engine))
            for engine in ("pandas", "duckdb")
        }
    pd_t, db_t = runs["pandas"]["times"], runs["duckdb"]["times"]
    print("2. Aggregations (seconds; cold = first call, warm = second)")
    print(f"{'':30s} {'pandas':>9s} {'DuckDB/Ibis':>12s} {'speed-up':>9s}")
    names = list(dict.fromkeys([*pd_t, *db_t]))
    for name in names:
        a, b = pd_t.get(name), db_t.get(name)
        ratio = f"{a / b:8.1f}x" if a is not None and b else ""
        print(
            f"{name:30s} {'' if a is None else f'{a:9.3f}':>9s} "
            f"{'' if b is None else f'{b:12.3f}':>12s} {ratio:>9s}"
        )
    print(
        f"{'peak memory of the process (MB)':30s} {runs['pandas']['peak_mb']:9.0f} "
        f"{runs['duckdb']['peak_mb']:12.0f}"
    )
    pc, dc = runs["pandas"]["counts"], runs["duckdb"]["counts"]
    same = {key: pc[key] == dc[key] for key in pc}
    print("same counts: " + ", ".join(f"{k} {'yes' if v else 'NO'}" for k, v in same.items()))
    return 0 if all(same.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
