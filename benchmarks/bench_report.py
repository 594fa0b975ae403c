"""Time the strategic assessment export: content, HTML and PDF, on the sample and at 1,000,000.

Run: ``.venv/bin/python benchmarks/bench_report.py [--incidents 1000000]``

First the bundled sample region (100,000 incidents), then a generated region of
``--incidents`` incidents (same generator, same city). The report is built as
the Report page builds it, from the dataset and a session's work
(:class:`ilp_core.products.workspace.Workspace`): here a session that did
nothing yet, so every section runs with its page's defaults (the default
ranking, the allocation of today's hours, the near-repeat test with 99
permutations on the residential burglaries). The default ranking is timed alone
first: the report computes it again.
Prints, per step, wall and CPU time and the size of the files: the report holds
aggregates only, so its size does not grow with the number of incidents.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from anywhere

from ilp_core.data import sample
from ilp_core.data.dataset import Dataset, load_sample
from ilp_core.data.schema import coerce_incidents
from ilp_core.decide import priorities
from ilp_core.products import report, workspace


def timed(fn, *args, **kwargs):
    """Run ``fn``; return its result and the (wall, CPU) seconds it took."""
    t0, c0 = time.perf_counter(), time.process_time()
    result = fn(*args, **kwargs)
    return result, (time.perf_counter() - t0, time.process_time() - c0)


def run(name: str, data: Dataset) -> None:
    _, t_rank = timed(priorities.rank, data.incidents, data.districts)
    work = workspace.make_workspace(fingerprint=data.fingerprint, dataset=data.name)
    content, t_build = timed(report.build_report, data, work)
    page, t_html = timed(report.to_html, content)
    pdf, t_pdf = timed(report.to_pdf, content)
    wider, t_wider = timed(report.build_report, data, work, wider_release=True)
    _, t_outlook = timed(report.build_report, data, work, sections=("outlook",))
    rows = [
        ("default ranking (alone)", t_rank, ""),
        ("build_report (all sections)", t_build, ""),
        ("to_html", t_html, f"{len(page) / 1e6:.2f} MB"),
        ("to_pdf", t_pdf, f"{len(pdf) / 1e6:.2f} MB"),
        ("build_report, wider release", t_wider, f"{len(wider.findings)} findings"),
        ("  outlook section alone", t_outlook, "forecasts, emerging, scan (999)"),
    ]
    total = t_build[0] + t_html[0]
    print(f"\n{name}: {len(data.incidents):,} incidents")
    print(f"{'step':<32} {'wall s':>8} {'CPU s':>8}  size")
    for label, (wall, cpu), size in rows:
        print(f"{label:<32} {wall:>8.2f} {cpu:>8.2f}  {size}")
    print(f"{'HTML report (build + render)':<32} {total:>8.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--incidents", type=int, default=1_000_000)
    args = parser.parse_args()
    run("sample region", load_sample())
    t0 = time.perf_counter()
    region = sample.generate(n_incidents=args.incidents)
    raw = region.incidents
    incidents = coerce_incidents(
        raw.assign(precision="minute", source_row=np.arange(2, len(raw) + 2), duplicate=None)
    )
    data = Dataset("generated", incidents, region.districts, region.allocation)
    print(f"\ngenerated {len(incidents):,} incidents in {time.perf_counter() - t0:.1f} s")
    run("generated region", data)


if __name__ == "__main__":
    main()
