"""Shared by the benchmark scripts: time a call and watch its memory."""

from __future__ import annotations

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
