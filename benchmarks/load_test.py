"""A room of participants on one server: 30 browser sessions at once, their server time
and the memory of the server and of the browser.

Starts ``streamlit run app.py`` on localhost (as ``tests/e2e/conftest.py`` does), opens
its root once (the trainer's run-through, which also fills the shared caches), then
drives N sessions concurrently from one Debian Chromium (one browser context each, one
asyncio task each). Every session:

1. opens the app's root address;
2. opens the Workshop page (sidebar link);
3. opens the Priorities page and changes a weight (each session its own value, so no
   session is served another's cached ranking);
4. opens the Where page (the hot-spot map).

Each interaction is timed from the action to the app's ``data-test-script-state``
returning to ``notRunning`` (recorded in the page by a MutationObserver, so no
transition is missed between polls). Memory is sampled every 0.5 s from /proc: the
server process with its children, and the browser's processes, as the sum of RSS and
of PSS (RSS counts pages shared between processes once per process; PSS shares them
out, so it is the better total).

    .venv/bin/python benchmarks/load_test.py [--sessions 30] [--stagger 0.2] [--no-warm]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ilp_core import i18n, priority  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]  # fmt: skip  (the flags of tests/e2e/conftest.py)
STATE_RECORDER = """
() => {
  // Every change of the app's script state, with its time. Observed on the whole
  // document (Streamlit may mount a new stApp element) and polled every 100 ms as well.
  window.__ilpStates = [];
  const record = () => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app) return;
    const state = app.getAttribute('data-test-script-state');
    const s = window.__ilpStates;
    if (!s.length || s[s.length - 1][1] !== state) s.push([performance.now(), state]);
  };
  const start = () => {
    new MutationObserver(record).observe(document.documentElement, {attributes: true,
      subtree: true, childList: true, attributeFilter: ['data-test-script-state']});
    setInterval(record, 100);
    record();
  };
  if (document.documentElement) start(); else setTimeout(start, 0);
}
"""
SETTLED = """
([t0, quietMs]) => {
  const s = window.__ilpStates || [];
  const after = s.filter(([t]) => t >= t0);
  const ran = after.some(([, v]) => v !== 'notRunning');
  const last = s.length ? s[s.length - 1] : null;
  if (!ran || !last || last[1] !== 'notRunning') return null;
  if (performance.now() - last[0] < quietMs) return null;
  if (document.querySelector('[data-testid="stSkeleton"]')) return null;
  return last[0];
}
"""


# -- memory from /proc ---------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            out += [int(c) for c in (task / "children").read_text().split()]
    return out


def _tree(pid: int) -> list[int]:
    todo, seen = [pid], []
    while todo:
        p = todo.pop()
        seen.append(p)
        todo += _children(p)
    return seen


def _kb(path: str, field: str) -> int:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of the processes (their threads included), in seconds."""
    ticks = 0
    for p in pids:
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def memory_mb(pids: list[int]) -> tuple[float, float]:
    """Sum of RSS and of PSS of the processes, in MB."""
    rss = sum(_kb(f"/proc/{p}/status", "VmRSS") for p in pids)
    pss = sum(_kb(f"/proc/{p}/smaps_rollup", "Pss") for p in pids)
    return rss / 1024, pss / 1024


def browser_pids() -> list[int]:
    """Chromium processes started by this script (descendants of this process)."""
    out = []
    for pid in _tree(os.getpid())[1:]:
        try:
            exe = os.readlink(f"/proc/{pid}/exe")
        except OSError:
            continue
        if "chrom" in exe:
            out.append(pid)
    return out


class Sampler(threading.Thread):
    """Samples server and browser memory every 0.5 s."""

    def __init__(self, server_pid: int) -> None:
        super().__init__(daemon=True)
        self.server_pid = server_pid
        self.server: list[tuple[float, float]] = []
        self.browser: list[tuple[float, float]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            self.server.append(memory_mb(_tree(self.server_pid)))
            self.browser.append(memory_mb(browser_pids()))
            self.stop.wait(0.5)


# -- the sessions --------------------------------------------------------------------------


def watch_replies(page) -> list[float]:
    """Arrival times (perf_counter) of the server's "script finished" messages on the socket.

    The server's reply, before the browser has drawn it: with 30 tabs on two cores the
    browser's own work dominates the time to ``notRunning``, and this separates it.
    """
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    finished: list[float] = []

    def on_frame(payload: str | bytes) -> None:
        if isinstance(payload, bytes):
            msg = ForwardMsg()
            with contextlib.suppress(Exception):  # not every frame is a ForwardMsg
                msg.ParseFromString(payload)
                if msg.WhichOneof("type") == "script_finished":
                    finished.append(time.perf_counter())

    page.on("websocket", lambda ws: ws.on("framereceived", on_frame))
    return finished


async def timed(
    page, action, label: str, times: dict, replies: list[float], quiet_ms: int = 400, load=False
):
    """Run ``action`` and return when the script has run and is idle again; record ms.

    ``load``: the action loads a new document, timed from its navigation start. Also
    records, under ``label + " (reply)"``, the time to the server's last "script
    finished" message of the interaction.
    """
    t0 = 0.0 if load else await page.evaluate("performance.now()")
    started = time.perf_counter()
    await action()
    handle = await page.wait_for_function(SETTLED, arg=[t0, quiet_ms], timeout=600_000, polling=250)
    end = await handle.json_value()
    times.setdefault(label, []).append(end - t0)
    mine = [t for t in replies if t >= started]
    if mine and not load:
        times.setdefault(label + " (reply)", []).append(1000 * (mine[-1] - started))


async def errors_on(page) -> list[str]:
    found = [
        await e.inner_text() for e in await page.query_selector_all('[data-testid="stException"]')
    ]
    return [f[:200] for f in found] + list(page.script_errors)


async def session(browser, base: str, n: int, times: dict, problems: list, stagger: float):
    await asyncio.sleep(n * stagger)
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(600_000)  # 30 tabs on 2 cores: loading is slow, not broken
    page = await context.new_page()
    page.script_errors = []
    page.on("pageerror", lambda e: page.script_errors.append(str(e)))
    await page.add_init_script(f"({STATE_RECORDER})()")
    replies = watch_replies(page)
    nav = page.get_by_test_id("stSidebarNav")
    try:
        await timed(
            page, lambda: page.goto(base, wait_until="domcontentloaded"), "open app", times,
            replies, load=True,
        )  # fmt: skip
        await timed(page, lambda: nav.get_by_text(i18n.t("nav.workshop"), exact=True).click(),
                    "open Workshop", times, replies)  # fmt: skip
        await timed(page, lambda: nav.get_by_text(i18n.t("nav.priorities"), exact=True).click(),
                    "open Priorities", times, replies)  # fmt: skip
        await page.get_by_text(i18n.t("priority.weights_title"), exact=True).click()
        box = (
            page.get_by_test_id("stNumberInput")
            .filter(has_text=priority.criterion_label("harm", "en"))
            .locator("input")
        )
        await box.fill(f"{3.5 + 0.1 * n:.1f}")
        await timed(page, lambda: box.press("Enter"), "change a weight", times, replies)
        await timed(page, lambda: nav.get_by_text(i18n.t("nav.patterns_where"), exact=True).click(),
                    "open Where (map)", times, replies)  # fmt: skip
        problems += [f"session {n}: {e}" for e in await errors_on(page)]
    except Exception as error:  # noqa: BLE001 (a failed session is reported, not fatal)
        problems.append(f"session {n}: {type(error).__name__}: {str(error)[:300]}")
    finally:
        await context.close()


async def run_room(base: str, sessions: int, stagger: float, warm: bool) -> tuple[dict, list]:
    from playwright.async_api import async_playwright

    times: dict[str, list[float]] = {}
    problems: list[str] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        if warm:  # the trainer's run-through before the room arrives
            await session(browser, base, 0, {}, problems, 0.0)
        times["_room_start"] = [time.time()]
        started = time.perf_counter()
        await asyncio.gather(
            *(session(browser, base, i, times, problems, stagger) for i in range(sessions))
        )
        times["_wall_s"] = [time.perf_counter() - started]
        await browser.close()
    return times, problems


# -- the server ----------------------------------------------------------------------------

#: Starts ``streamlit run`` with the script runner timed: every script run's duration on
#: the server (ms) and its page are appended to $ILP_RUN_LOG. The app is not changed.
SERVER_BOOTSTRAP = """
import os, sys, threading, time
from streamlit.runtime.scriptrunner import script_runner as sr
_log = open(os.environ["ILP_RUN_LOG"], "a", buffering=1)
_lock = threading.Lock()
_orig = sr.ScriptRunner._run_script
def _timed(self, rerun_data):
    start = time.time()
    t = time.perf_counter()
    try:
        return _orig(self, rerun_data)
    finally:
        ms = 1000 * (time.perf_counter() - t)
        pm = self._pages_manager
        page = pm.get_pages().get(pm.current_page_script_hash, {}).get("page_name", "?")
        with _lock:
            _log.write(f"{start:.3f} {ms:.1f} {page}\\n")
sr.ScriptRunner._run_script = _timed
from streamlit.web import cli
sys.argv = ["streamlit", "run", "app.py", *sys.argv[1:]]
cli.main()
"""


def server_runs(path: Path, since: float) -> dict[str, list[float]]:
    """Durations (ms) of the server's script runs started after ``since``, by page."""
    runs: dict[str, list[float]] = {}
    if not path.exists():
        return runs
    for line in path.read_text().splitlines():
        start, ms, page = line.split(" ", 2)
        if float(start) >= since:
            runs.setdefault(page or "?", []).append(float(ms))
    return runs


def start_server(run_log: Path) -> tuple[subprocess.Popen, str]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    env = dict(os.environ, STREAMLIT_BROWSER_GATHER_USAGE_STATS="false", ILP_RUN_LOG=str(run_log))
    log = open(run_log.with_name("server.log"), "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-c", SERVER_BOOTSTRAP, "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    for _ in range(240):
        try:
            if urllib.request.urlopen(base + "/_stcore/health", timeout=2).read() == b"ok":
                return proc, base
        except OSError:
            time.sleep(0.5)
    proc.terminate()
    raise SystemExit("the app server never became healthy")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--stagger", type=float, default=1.0, help="seconds between starts")
    parser.add_argument("--no-warm", action="store_true", help="skip the trainer's run-through")
    args = parser.parse_args()

    load_before = os.getloadavg()
    run_log = Path(tempfile.mkdtemp()) / "runs.txt"
    proc, base = start_server(run_log)
    sampler = Sampler(proc.pid)
    sampler.start()
    time.sleep(1.0)
    idle = sampler.server[-1] if sampler.server else (0.0, 0.0)
    cpu_start = cpu_seconds(_tree(proc.pid))
    try:
        times, problems = asyncio.run(run_room(base, args.sessions, args.stagger, not args.no_warm))
    finally:
        cpu_used = cpu_seconds(_tree(proc.pid)) - cpu_start
        sampler.stop.set()
        sampler.join()
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
    load_after = os.getloadavg()

    wall = times.pop("_wall_s")[0]
    runs = server_runs(run_log, times.pop("_room_start")[0])
    print(f"\n{args.sessions} concurrent sessions (started {args.stagger} s apart), "
          f"{os.cpu_count()} CPUs; wall time {wall:.1f} s")  # fmt: skip
    print(f"load average before {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}, "
          f"after {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}")  # fmt: skip
    print("\nserver time per interaction (ms, action -> script state back to notRunning;")
    print("'(reply)': action -> the server's last 'script finished' message on the socket)")
    print(f"{'interaction':<28}{'n':>5}{'p50':>9}{'p95':>9}{'max':>9}")
    everything = []
    for label, values in sorted(times.items()):
        if not label.endswith("(reply)"):
            everything += values
        print(f"{label:<28}{len(values):>5}{_q(values, 50):>9.0f}{_q(values, 95):>9.0f}"
              f"{max(values):>9.0f}")  # fmt: skip
    if everything:
        print(f"{'all (state)':<28}{len(everything):>5}{_q(everything, 50):>9.0f}"
              f"{_q(everything, 95):>9.0f}{max(everything):>9.0f}")  # fmt: skip
    print("\nserver-side duration of each script run during the room phase (ms; includes")
    print("waiting for the CPU and the GIL behind the other sessions' runs)")
    print(f"{'page':<28}{'runs':>5}{'p50':>9}{'p95':>9}{'max':>9}")
    all_runs = [v for values in runs.values() for v in values]
    for page, values in sorted(runs.items()):
        print(f"{page:<28}{len(values):>5}{_q(values, 50):>9.0f}{_q(values, 95):>9.0f}"
              f"{max(values):>9.0f}")  # fmt: skip
    if all_runs:
        print(f"{'all':<28}{len(all_runs):>5}{_q(all_runs, 50):>9.0f}{_q(all_runs, 95):>9.0f}"
              f"{max(all_runs):>9.0f}")  # fmt: skip
    peak_server = max(sampler.server, key=lambda m: m[1])
    peak_browser = max(sampler.browser, key=lambda m: m[1], default=(0.0, 0.0))
    print("\nmemory (MB)                  RSS sum   PSS sum")
    print(f"server, idle after start   {idle[0]:>9.0f} {idle[1]:>9.0f}")
    print(f"server, peak               {peak_server[0]:>9.0f} {peak_server[1]:>9.0f}")
    print(f"server, at the end         {sampler.server[-1][0]:>9.0f} {sampler.server[-1][1]:>9.0f}")
    print(f"browser, peak              {peak_browser[0]:>9.0f} {peak_browser[1]:>9.0f}")
    n_actions = len(everything) + (5 if not args.no_warm else 0)
    print(f"\nserver CPU time during the run: {cpu_used:.1f} s for {n_actions} interactions "
          f"({1000 * cpu_used / max(n_actions, 1):.0f} ms each on average)")  # fmt: skip
    print(f"\nerrors: {len(problems)}")
    for problem in problems[:20]:
        print("  " + problem)
    return 1 if problems else 0


def _q(values: list[float], q: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


if __name__ == "__main__":
    raise SystemExit(main())
