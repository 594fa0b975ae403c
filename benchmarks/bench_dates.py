"""Reading a date column by its written form, beside Arrow's bare ``strptime`` of it.

Usage::

    .venv/bin/python benchmarks/bench_dates.py              # 1,000,000 dates
    .venv/bin/python benchmarks/bench_dates.py 10000000

For each form (ISO, Russian ``18.03.2024 09:05``, US ``03/18/2024``, and the ISO
column with one date in a thousand written otherwise) the column is made on the fly
and read three ways, best of three each: ``pyarrow.compute.strptime`` alone (the
reference: what the loader did before, without its check of the day), the
loader's ``parse_column`` (the ISO 8601 cast where every cell is written in full,
``strptime`` otherwise), and whether both read the same dates.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ilp_core.data.ingest._dates import DateFormat, DatePlan, parse_column

_FORMS = {
    "ISO 2024-03-18 09:05": "%Y-%m-%d %H:%M",
    "Russian 18.03.2024 09:05": "%d.%m.%Y %H:%M",
    "US 03/18/2024": "%m/%d/%Y",
}


def _column(n: int, pattern: str, odd: bool) -> pa.ChunkedArray:
    """``n`` dates written with ``pattern``, in blocks like those of Arrow's CSV reader."""
    rng = np.random.default_rng(1)
    minutes = rng.integers(0, 6 * 365 * 1440, n).astype("timedelta64[m]")
    stamps = (np.datetime64("2020-01-01T00:00") + minutes).astype(object)
    # the first 1,000,000 written, then repeated (strftime of 10 million takes minutes)
    first = [t.strftime(pattern) for t in stamps[: min(n, 1_000_000)]]
    cells = (first * (n // len(first) + 1))[:n]
    if odd:
        for i in range(0, n, 1000):
            cells[i] = stamps[i].strftime("%d/%m/%Y")
    whole = pa.array(cells, pa.large_string())
    size = 11_600
    return pa.chunked_array([whole.slice(i, size) for i in range(0, n, size)])


def _best(func, repeat: int = 3) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        out = func()
        best = min(best, time.perf_counter() - start)
    return best, out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("n", type=int, nargs="?", default=1_000_000, help="dates (1,000,000)")
    n = parser.parse_args(argv).n
    print(f"{n:,} dates a column; seconds, best of 3")
    print(f"{'written form':40s} {'strptime alone':>15s} {'parse_column':>13s} {'same':>5s}")
    rows = [(name, pattern, False) for name, pattern in _FORMS.items()]
    rows.append(("ISO, 1 in 1,000 written dd/mm/yyyy", "%Y-%m-%d %H:%M", True))
    for name, pattern, odd in rows:
        column = _column(n, pattern, odd)
        fmt = DateFormat(pattern, "day" if "%H" not in pattern else "minute")
        plan = DatePlan(field="datetime", column="when", kind="date", formats=(fmt,))
        bare, ref = _best(
            lambda c=column, p=pattern: pc.strptime(c, format=p, unit="s", error_is_null=True)
        )
        ours, parsed = _best(lambda c=column, p=plan: parse_column(c, p))
        reference = ref.to_numpy(zero_copy_only=False).astype("datetime64[s]")
        same = np.array_equal(parsed.values, reference, equal_nan=True)
        print(f"{name:40s} {bare:15.3f} {ours:13.3f} {'yes' if same else 'NO':>5s}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
