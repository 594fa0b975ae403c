"""Time and peak memory of loading 1,000,000 incidents, against a bare pyarrow read.

Usage::

    .venv/bin/python benchmarks/bench_ingest.py            # 1,000,000 rows
    .venv/bin/python benchmarks/bench_ingest.py --n 200000

The CSV is written once into a temporary folder: the synthetic region of
``ilp_core.data.sample`` (``generate`` + ``write``) when that module exists, otherwise a
similar file made with NumPy. Each measurement runs in a fresh Python process so
its peak resident memory (``VmHWM`` of ``/proc/self/status``, or ``ru_maxrss``
elsewhere; measured after the imports) belongs to that step alone. Aim:
``load_incidents`` within 2x of the bare ``pyarrow.csv.read_csv`` of the same file.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

_CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, {root!r})
import pyarrow as pa, pyarrow.csv as pa_csv
from ilp_core.data import ingest
path, step = {path!r}, {step!r}
districts = ingest.load_boundaries({districts!r}) if step == "load_incidents_districts" else None
names = open(path, encoding="utf-8").readline().strip().split(",")
def peak_kb():
    # VmHWM belongs to this process image; ru_maxrss after fork starts at the
    # parent's peak (the benchmark parent that generated the file is big)
    try:
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
before = peak_kb()
start = time.perf_counter()
if step == "pyarrow_read_csv":
    out = pa_csv.read_csv(path)
elif step == "pyarrow_read_csv_text":
    out = pa_csv.read_csv(path, convert_options=pa_csv.ConvertOptions(
        column_types=dict.fromkeys(names, pa.string())))
elif step == "read_table":
    out = ingest.read_table(path)
else:
    out = ingest.load_incidents(path, districts=districts)
seconds = time.perf_counter() - start
after = peak_kb()
rows = out.num_rows if hasattr(out, "num_rows") else (
    len(out.frame) if hasattr(out, "frame") else out.report.accepted)
print(json.dumps({{"seconds": seconds, "peak_mb": (after - before) / 1024, "rows": rows}}))
"""

STEPS = (
    ("pyarrow_read_csv", "pyarrow.csv.read_csv (bare, types inferred)"),
    ("pyarrow_read_csv_text", "pyarrow.csv.read_csv (every column as text)"),
    ("read_table", "ingest.read_table"),
    ("load_incidents", "ingest.load_incidents"),
    ("load_incidents_districts", "ingest.load_incidents + districts"),
)


def _write_csv(n: int, folder: Path) -> tuple[Path, Path | None, str]:
    """Write the benchmark file; return it, the districts file, and where it came from."""
    try:
        from ilp_core.data import sample
    except ImportError:
        sample = None
    if sample is not None and hasattr(sample, "generate") and hasattr(sample, "write"):
        sample.write(sample.generate(n_incidents=n), folder)
        return folder / "incidents.csv", folder / "districts.geojson", "ilp_core.data.sample"
    rng = np.random.default_rng(1)
    at = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 730 * 1440, n), unit="min")
    to = (at + pd.to_timedelta(rng.integers(0, 600, n), unit="min")).strftime("%Y-%m-%d %H:%M")
    offences = np.array(["Burglary", "Theft from vehicle", "Assault", "Robbery", "Drugs"])
    frame = pd.DataFrame(
        {
            "incident_id": np.char.add("SR-", np.arange(n).astype(str)),
            "occurred_at": at.strftime("%Y-%m-%d %H:%M"),
            "occurred_to": np.where(rng.random(n) < 0.8, "", to),
            "offence": offences[rng.integers(0, len(offences), n)],
            "lat": (45.47 + rng.normal(0, 0.03, n)).round(6),
            "lon": (-30.58 + rng.normal(0, 0.04, n)).round(6),
            "district": np.char.add("District ", rng.integers(0, 20, n).astype(str)),
            "location_id": "",
        }
    )
    path = folder / "incidents.csv"
    frame.to_csv(path, index=False, lineterminator="\n")
    return path, None, "numpy"


def _measure(step: str, path: Path, districts: Path | None) -> dict[str, float]:
    code = _CHILD.format(root=str(ROOT), path=str(path), step=step, districts=str(districts))
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="incidents (default 1,000,000)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        path, districts, origin = _write_csv(args.n, Path(tmp))
        size_mb = path.stat().st_size / 1e6
        print(
            f"{args.n:,} rows from {origin}, {size_mb:.0f} MB CSV "
            f"(written in {time.perf_counter() - start:.1f} s)"
        )
        results = {}
        for step, _label in STEPS:
            if step == "load_incidents_districts" and districts is None:
                continue
            results[step] = _measure(step, path, districts)
    base = results["pyarrow_read_csv"]
    print(f"\n{'step':48s} {'seconds':>8s} {'x pyarrow':>10s} {'peak MB':>8s} {'x pyarrow':>10s}")
    for step, label in STEPS:
        if step not in results:
            continue
        r = results[step]
        print(
            f"{label:48s} {r['seconds']:8.2f} {r['seconds'] / base['seconds']:10.1f} "
            f"{r['peak_mb']:8.0f} {r['peak_mb'] / max(base['peak_mb'], 1):10.1f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
