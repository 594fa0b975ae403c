"""Time and peak memory of reading each hostile upload (the bomb classes of issue 14).

Each bomb of ``tests/fixtures/bombs.py`` is built in the parent, written to a
temporary file, and read in a fresh Python process by the loader the Data page
uses (``read_table`` for incidents, ``load_boundaries`` for boundaries). The
parent samples the child's resident memory (``VmRSS`` of ``/proc/<pid>/status``)
every 50 ms and kills it above ``--cap`` MB or after ``--timeout`` seconds, so
measuring the code before the fix cannot take the machine down. Memory is shown
above the imports' baseline (the child reports it before reading).

    .venv/bin/python benchmarks/bench_bombs.py [--cap 6000] [--timeout 60] [--only NAME]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "fixtures"))

import bombs  # noqa: E402

CASES = (
    ("xlsx_dimension", "xlsx", "read_table"),
    ("xlsx_corner_cells", "xlsx", "read_table"),
    ("xlsx_sheet_xml", "xlsx", "read_table"),
    ("xlsx_big_cell", "xlsx", "read_table"),
    ("parquet_rle", "parquet", "read_table"),
    ("parquet_long_text", "parquet", "read_table"),
    ("zipped_geojson", "zip", "load_boundaries"),
    ("csv_wide", "csv", "load_incidents"),
    ("csv_long_cell", "csv", "load_incidents"),
    ("csv_empty_cells", "csv", "read_table"),
)

_CHILD = r"""
import sys, time
sys.path.insert(0, {root!r})
from ilp_core.data import ingest
from ilp_core.errors import IlpInputError
data = open({path!r}, "rb").read()
print("ready", flush=True)
sys.stdin.readline()
start = time.perf_counter()
try:
    out = getattr(ingest, {func!r})(data, {name!r})
    outcome = "accepted"
except IlpInputError as error:
    outcome = "message " + error.message.key
except BaseException as error:  # the point of the benchmark: what escapes
    outcome = "UNCAUGHT " + type(error).__name__
print("done", round(time.perf_counter() - start, 2), outcome, flush=True)
"""


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def run(name: str, ext: str, func: str, cap_mb: float, timeout: float) -> tuple[str, ...]:
    data = getattr(bombs, name)()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{name}.{ext}"
        path.write_bytes(data)
        code = _CHILD.format(root=str(ROOT), path=str(path), func=func, name=path.name)
        child = subprocess.Popen(
            [sys.executable, "-c", code],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        assert child.stdout is not None and child.stdin is not None
        child.stdout.readline()  # "ready": imports done, file read
        base = _rss_kb(child.pid)
        child.stdin.write("\n")
        child.stdin.flush()
        start, peak, verdict = time.perf_counter(), base, ""
        while child.poll() is None:
            peak = max(peak, _rss_kb(child.pid))
            elapsed = time.perf_counter() - start
            if peak > base + cap_mb * 1024:
                verdict = f"KILLED above {cap_mb:.0f} MB after {elapsed:.1f} s"
            elif elapsed > timeout:
                verdict = f"KILLED still running after {timeout:.0f} s"
            if verdict:
                child.kill()
                break
            time.sleep(0.05)
        out = child.communicate()[0].strip().splitlines()
        if not verdict:
            done = next((line for line in out if line.startswith("done")), "done ? crashed")
            _, seconds, outcome = done.split(" ", 2)
            verdict = f"{outcome} after {seconds} s"
    return name, f"{len(data):,} B", f"{(peak - base) / 1024:,.0f} MB", verdict


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cap", type=float, default=6000, help="kill above this many MB")
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("--only", default=None)
    args = parser.parse_args()
    print(f"{'bomb':<20} {'file':>14} {'peak above base':>16}  outcome")
    for name, ext, func in CASES:
        if args.only and args.only not in name:
            continue
        row = run(name, ext, func, args.cap, args.timeout)
        print(f"{row[0]:<20} {row[1]:>14} {row[2]:>16}  {row[3]}", flush=True)


if __name__ == "__main__":
    main()
