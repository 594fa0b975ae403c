"""Shared by the benchmark scripts: time a call and watch its memory."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
import tracemalloc
from pathlib import Path

_PAGE = 4096


def rss_bytes() -> int:
    """Resident memory of this process now (Linux ``/proc``)."""
    return int(Path("/proc/self/statm").read_text().split()[1]) * _PAGE


def measure(fn, *args, trace: bool = True, **kwargs):
    """Run ``fn``; return (result, (wall, CPU) seconds, peak extra RSS, peak traced bytes).

    RSS is sampled every 5 ms and can miss memory the allocator reuses; the traced
    peak (``tracemalloc``: NumPy arrays and Python objects, not SciPy's internal
    C++ buffers) catches those. ``trace=False`` skips tracemalloc (it slows
    Python-heavy code) and reports 0 traced bytes.
    """
    base = rss_bytes()
    peak = [base]
    done = threading.Event()

    def sample_rss() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], rss_bytes())
            time.sleep(0.005)

    thread = threading.Thread(target=sample_rss, daemon=True)
    thread.start()
    if trace:
        tracemalloc.start()
    t0, c0 = time.perf_counter(), time.process_time()
    result = fn(*args, **kwargs)
    seconds = (time.perf_counter() - t0, time.process_time() - c0)
    traced = 0
    if trace:
        traced = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    done.set()
    thread.join()
    return result, seconds, max(peak[0], rss_bytes()) - base, traced


def fresh_memory() -> str:
    """How long this machine takes to write 1 GB of memory no process used lately.

    Printed beside each benchmark's figures: on a virtual machine that hands memory
    back to its host (a balloon's free page reporting, as on this project's
    development machine), every array that lands on such memory costs the time to
    fetch it again (4 GB: 9.7 s the first time, 0.5 s written again at once, 9.9 s
    again after 30 s idle). A server whose memory stays its own writes 1 GB in about
    0.1 s; figures that make large new arrays (loads, copies, cold pages) are slower
    on the former by the difference.
    """
    code = "import numpy as np\nheld = [np.ones(2**24) for _ in range(8)]\n"  # 8 x 128 MB
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    seconds = time.perf_counter() - start
    return f"this machine wrote 1 GB of fresh memory in {seconds:.2f} s (process start included)"
