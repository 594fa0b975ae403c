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


def test_the_first_local_moran_of_a_new_process_compiles_nothing(tmp_path):
    # esda compiled its permutation kernel at the first Local Moran of every process
    # (5.3-6.9 s, which its disk cache could not keep); the permutations are NumPy
    # now. A fresh, empty numba cache: nothing is compiled or loaded.
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path / "numba"))
    first = _run(FIRST_MORAN, env)
    assert first < 2.0, first
    assert not list((tmp_path / "numba").rglob("*.nbi"))


def test_a_warm_up_in_another_process_readies_the_compiled_kernels(tmp_path):
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path / "numba"))
    code = "from ilp_core.analysis import hotspots, near_repeat, temporal\n"
    code += "print(hotspots.warm_up() + near_repeat.warm_up() + temporal.warm_up())"
    compiled = _run(code, env)
    kept = {p.name.split(".")[0] for p in (tmp_path / "numba").rglob("*.nbi")}
    assert {"_binning", "_kernels", "_tally"} <= kept  # kept on disk for the next process
    loaded = _run(code, env)
    assert loaded < compiled / 2, (compiled, loaded)


def test_the_app_starts_the_warm_up_once_per_server_in_its_own_process():
    from ui import shared

    process = shared._warm_up()
    assert shared._warm_up() is process and process.pid != os.getpid()
    assert process.wait(timeout=300) == 0


def test_a_servers_first_page_is_followed_by_the_maps_imports():
    # A new server process: PySAL and the compiled kernels are not imported by the
    # first page (the overview) itself, but are once its run has ended; the first hot-spot
    # map then does not import them (1.5 s of it at 10 million incidents).
    code = (
        "import sys\n"
        "from streamlit.testing.v1 import AppTest\n"
        "import ui.shared as shared\n"
        "seen = {}\n"
        "real = shared.preload\n"
        "def spy():\n"
        "    seen['before'] = {'esda', 'libpysal'} & set(sys.modules)\n"
        "    return real()\n"
        "shared.preload = spy\n"
        "at = AppTest.from_file('app.py', default_timeout=300).run()\n"
        "assert not at.exception, at.exception\n"
        "shared._warm_up().wait(timeout=300)\n"
        "kernels = 'ilp_core.analysis.hotspots._binning' in sys.modules\n"
        "print(int(not seen['before'] and {'esda', 'libpysal'} <= set(sys.modules) and kernels))\n"
    )
    assert _run(code, dict(os.environ)) == 1
