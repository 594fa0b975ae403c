"""Time the ``ilp`` command as a scheduled job runs it: each run a new process.

Usage::

    .venv/bin/python benchmarks/bench_cli.py               # the sample region (100,000 incidents)
    .venv/bin/python benchmarks/bench_cli.py --pg          # also on a throw-away PostgreSQL

Measured per command, on a fresh embedded store (and on PostgreSQL with ``--pg``):
wall time of the whole process (Python start and imports included, as cron pays
them) and its peak resident memory (``ru_maxrss`` of the child):

* ``load``: the sample region's ``incidents.csv`` (100,000 rows) with its
  suggested mapping: read, checked, built, stored as one version;
* ``report html`` / ``report pdf``: the full strategic assessment of that version
  over the first half of 2025 with a risk-matrix priority assessment.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from ilp_core.data import ingest  # noqa: E402
from ilp_core.data.dataset import SAMPLE_DIR  # noqa: E402
from ilp_core.decide import priorities  # noqa: E402


def _run(env: dict[str, str], *args: str) -> tuple[float, float]:
    """Wall seconds and peak MiB of one ``python -m ilp_core`` process."""
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # the child becomes the command
        os.chdir(ROOT)
        os.execve(sys.executable, [sys.executable, "-m", "ilp_core", *args], env)
    _, status, usage = os.wait4(pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"ilp {' '.join(args)} failed")
    return seconds, usage.ru_maxrss / 1024


def bench(env: dict[str, str], folder: Path, label: str) -> list[tuple[str, str, float, float]]:
    sample = SAMPLE_DIR / "incidents.csv"
    mapping = folder / "mapping.json"
    raw = ingest.read_table(sample)
    mapping.write_text(ingest.suggest_mapping(list(raw.frame.columns)).to_json(), "utf-8")
    chosen = priorities.make_assessment(priorities.preset("risk_matrix"), fingerprint="")
    assessment = folder / "priorities.yaml"
    assessment.write_text(chosen.to_yaml(), encoding="utf-8")
    rows = [(label, "load 100k", *_run(env, "load", str(sample), "--mapping", str(mapping),
                                        "--dataset", "S"))]  # fmt: skip
    for fmt in ("html", "pdf"):
        out = folder / f"report.{fmt}"
        args = ("report", "--dataset", "S", "--period", "2025-01-01..2025-06-30",
                "--assessment", str(assessment), "--format", fmt, "--out", str(out))  # fmt: skip
        rows.append((label, f"report {fmt}", *_run(env, *args)))
        print(f"  {fmt}: {out.stat().st_size / 1e6:.1f} MB", file=sys.stderr)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", action="store_true", help="also on a throw-away PostgreSQL")
    args = parser.parse_args()
    base = {k: v for k, v in os.environ.items() if not k.startswith("ILP_")}
    base["PYTHONPATH"] = str(ROOT)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        rows += bench({**base, "ILP_DATA_DIR": str(folder)}, folder, "sqlite")
        if args.pg:
            from pg_server import TempPostgres

            server = TempPostgres().start()
            try:
                env = {**base, "ILP_DATA_DIR": str(folder / "pg"),
                       "ILP_DATABASE_URL": server.create_database("bench")}  # fmt: skip
                (folder / "pg").mkdir()
                rows += bench(env, folder / "pg", "postgresql")
            finally:
                server.stop()
    print(f"{'store':<12}{'command':<14}{'seconds':>9}{'peak MiB':>10}")
    for store, command, seconds, mib in rows:
        print(f"{store:<12}{command:<14}{seconds:>9.1f}{mib:>10.0f}")


if __name__ == "__main__":
    main()
