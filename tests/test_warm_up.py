"""The compiled analyses are made ready once per server, before the first user needs them."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def test_after_the_warm_up_the_first_local_moran_of_a_process_does_not_compile():
    # Without it, the first Local Moran of a process compiled esda's kernels: 15.5 s.
    code = (
        "import time\n"
        "from ilp_core.analysis import hotspots\n"
        "from ilp_core.data.dataset import load_sample\n"
        "s = load_sample()\n"
        "print(round(hotspots.warm_up(), 2))\n"
        "t = time.perf_counter()\n"
        "hotspots.local_moran(s.incidents, s.districts)\n"
        "print(round(time.perf_counter() - t, 2))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert out.returncode == 0, out.stderr[-2000:]
    warm, first = map(float, out.stdout.split())
    assert first < 2.0 and first < warm, (warm, first)


def test_the_app_starts_the_warm_up_once_per_server():
    from ui import shared

    thread = shared._warm_up()
    assert shared._warm_up() is thread and thread.name == "ilp-warm-up"
    thread.join(timeout=300)
    assert not thread.is_alive()
