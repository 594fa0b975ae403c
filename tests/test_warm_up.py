"""The compiled analyses are made ready once, in another process, before users need them."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import ROOT

FIRST_MORAN = (
    "import time\n"
    "from ilp_core.analysis import hotspots\n"
    "from ilp_core.data.dataset import load_sample\n"
    "s = load_sample()\n"
    "t = time.perf_counter()\n"
    "hotspots.local_moran(s.incidents, s.districts)\n"
    "print(round(time.perf_counter() - t, 2))\n"
)


def _run(code: str, env: dict[str, str]) -> float:
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=600,
        env=env,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    return float(out.stdout.split()[-1])


def test_a_warm_up_in_another_process_readies_the_next_process(tmp_path):
    # esda compiles its kernels at the first Local Moran of a process (15.5 s here);
    # the project keeps them in numba's disk cache, so a warm-up anywhere readies
    # every later process. A fresh cache folder: the first process compiles.
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path / "numba"))
    compiled = _run("from ilp_core.analysis import hotspots\nprint(hotspots.warm_up())", env)
    first = _run(FIRST_MORAN, env)  # a new process: kernels from the disk cache
    assert first < compiled / 2 and first < 8.0, (compiled, first)


def test_the_app_starts_the_warm_up_once_per_server_in_its_own_process():
    from ui import shared

    process = shared._warm_up()
    assert shared._warm_up() is process and process.pid != os.getpid()
    assert process.wait(timeout=300) == 0
