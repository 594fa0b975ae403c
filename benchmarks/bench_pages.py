"""Server time of every page on the sample region and on 1,000,000 generated incidents.

Runs each page in Streamlit's AppTest (the script's own run time, no browser) twice:
cold (analyses computed) and warm (served from the cache, as when a user changes a
widget elsewhere on the page), and measures the HTML size of the hot-spot map to show
that it does not grow with the number of incidents. The sample's pages run first, in
the same process: the big dataset's cold times are a dataset's first visits in a
server that has started (its one-time imports are in the sample's first run).

    .venv/bin/python benchmarks/bench_pages.py [n_incidents]
        [--offences one|all-but-one]

``--offences`` then runs every page again in the same session under the sidebar's
offence filter, cold and warm: the most frequent offence alone, or every offence
but the least frequent (the largest copy an offence filter makes). The run starts
by timing how fast the machine hands out fresh memory (``_measure.fresh_memory``).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from _measure import fresh_memory  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from ilp_core import figures  # noqa: E402
from ilp_core.analysis import hotspots  # noqa: E402
from ilp_core.data import ingest, sample  # noqa: E402
from ilp_core.data.dataset import Dataset, load_sample  # noqa: E402

PAGES = [
    "pages/home.py", "pages/data.py", "pages/patterns_where.py", "pages/patterns_concentration.py",
    "pages/patterns_when.py", "pages/near_repeat.py", "pages/priorities.py", "pages/allocation.py",
    "pages/intelligence.py", "pages/strategy.py", "pages/report.py", "pages/workshop.py",
]  # fmt: skip


def big_dataset(n: int) -> Dataset:
    region = sample.generate(n_incidents=n)
    with tempfile.TemporaryDirectory() as folder:
        sample.write(region, Path(folder))
        districts = ingest.load_boundaries(Path(folder) / "districts.geojson")
        t = time.perf_counter()
        result = ingest.load_incidents(Path(folder) / "incidents.csv", districts=districts)
        print(f"ingest of {n:,} rows: {time.perf_counter() - t:.1f} s")
    return Dataset(
        name=f"generated-{n}", incidents=result.incidents, districts=districts,
        allocation=region.allocation, report=result.report, rejects=result.rejects,
    )  # fmt: skip


def time_pages(
    data: Dataset | None, offences: list[str] | None = None
) -> tuple[dict[str, tuple[float, float]], dict[str, tuple[float, float]]]:
    """Every page cold and warm; then, with ``offences``, again under that filter."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    if data is not None:
        at.session_state["ilp.upload"] = data
        at.session_state["ilp.source"] = "upload"
    t = time.perf_counter()
    at.run()  # the overview; in a new process also the server's one-time preload
    times = {"(first run of the app)": (time.perf_counter() - t, float("nan"))}
    times.update(_each_page(at))
    filtered: dict[str, tuple[float, float]] = {}
    if offences:
        at.session_state["ilp.offences"] = offences
        filtered = {"(first run of the app)": (float("nan"), float("nan"))}
        filtered.update(_each_page(at))
    return times, filtered


def _each_page(at: AppTest) -> dict[str, tuple[float, float]]:
    times = {}
    for page in PAGES:
        t = time.perf_counter()
        at.switch_page(page).run()
        cold = time.perf_counter() - t
        t = time.perf_counter()
        at.run()
        warm = time.perf_counter() - t
        assert not at.exception, (page, at.exception[0].value[:300])
        times[page] = (cold, warm)
    return times


def map_size(data: Dataset) -> int:
    gi = hotspots.gi_star(data.incidents, data.districts)
    density = hotspots.kernel_density(data.incidents, data.districts, rule="spatial")
    counts = hotspots.district_counts(data.incidents, data.districts)
    m = figures.where.hotspot_map(districts=counts.table, gi=gi, density=density)
    return len(figures.maps.render_html(m))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("n", nargs="?", type=int, default=1_000_000, help="incidents (1,000,000)")
    parser.add_argument("--offences", choices=("one", "all-but-one"), help="then under this filter")
    args = parser.parse_args()
    print(fresh_memory())
    n = args.n
    small = load_sample()
    big = big_dataset(n)
    chosen = None
    if args.offences:
        by_size = big.incidents["offence"].value_counts().index.astype(str).tolist()
        chosen = by_size[:1] if args.offences == "one" else by_size[:-1]
        kept = int(big.incidents["offence"].isin(chosen).sum())
        print(f"offence filter {args.offences}: {kept:,} of {n:,} incidents")
    rows = {"sample (100,000)": time_pages(None)[0]}
    whole, filtered = time_pages(big, chosen)
    rows[f"generated ({n:,})"] = whole
    if filtered:
        rows[f"then offences {args.offences}"] = filtered
    print(f"\n{'page':36s}" + "".join(f"{k:>28s}" for k in rows))
    print(f"{'':36s}" + "".join(f"{'cold s':>14s}{'warm s':>14s}" for _ in rows))
    for page in ["(first run of the app)", *PAGES]:
        cells = "".join(f"{rows[k][page][0]:14.2f}{rows[k][page][1]:14.2f}" for k in rows)
        print(f"{page:36s}{cells}")
    sizes = map_size(small), map_size(big)
    print(f"\nhot-spot map HTML: sample {sizes[0]:,} bytes, {n:,} incidents {sizes[1]:,} bytes")


if __name__ == "__main__":
    main()
