"""A room of participants on one server: 30 sessions at once, their server time and memory.

Starts ``streamlit run app.py`` on localhost, opens one session first (the trainer's
run-through, which also fills the shared caches), then opens N sessions concurrently.
Each session is a client of Streamlit's own websocket protocol (the messages a browser
tab sends), so the server does exactly the work it does for N browser tabs, while the
30 participants' browsers, which in a room run on 30 other machines, do not compete
with it for this machine's two cores. Every session:

1. opens the app's root address (the Overview page);
2. opens the Workshop page;
3. opens the Priorities page and changes a weight (each session its own value, so no
   session is served another's cached ranking);
4. opens the Where page (the hot-spot map).

Between two interactions a participant reads the page for a think time drawn from
``--think`` (seconds, uniform, seeded per session; default 3-10 s, a person reading a
page and choosing a weight); ``--think 0 0`` makes every participant click again the
instant a page is done, the worst case of 150 interactions in a few seconds.

Each interaction is timed from the message sent to the server's "script finished"
reply; the server's own duration of every script run is logged as well. Memory is
the server process with its children, sampled every 0.5 s from /proc (RSS and PSS).
The browser side (Chromium drawing the pages) is covered by ``tests/e2e``.

    .venv/bin/python benchmarks/load_test.py [--sessions 30] [--stagger 0.2]
        [--think 3 10] [--no-warm]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

ROOT = Path(__file__).resolve().parent.parent
HARM = "p.priority.w.morile.harm"  # the harm weight of the default (MoRiLE-style) preset
DONE = (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY)


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


class Sampler(threading.Thread):
    """Samples the server's memory every 0.5 s."""

    def __init__(self, server_pid: int) -> None:
        super().__init__(daemon=True)
        self.server_pid = server_pid
        self.server: list[tuple[float, float]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            self.server.append(memory_mb(_tree(self.server_pid)))
            self.stop.wait(0.5)


# -- the sessions --------------------------------------------------------------------------


class Session:
    """One participant: a websocket session speaking Streamlit's protocol, as a browser tab."""

    def __init__(self, ws) -> None:
        self.ws = ws
        self.pages: dict[str, str] = {}  # url path -> page script hash
        self.widgets: dict[str, str] = {}  # user key -> widget id
        self.page = ""
        self.errors: list[str] = []

    async def run(self, page: str | None = None, **doubles: float) -> float:
        """Rerun the script (on ``page``, with keyed number inputs set); return ms to done."""
        msg = BackMsg()
        state = msg.rerun_script
        state.page_script_hash = self.pages.get(page, "") if page is not None else self.page
        state.context_info.locale = "en-GB"
        state.context_info.timezone = "UTC"
        for key, value in doubles.items():
            if key not in self.widgets:
                raise LookupError(f"no widget {key!r} on the page; known: {sorted(self.widgets)}")
            widget = state.widget_states.widgets.add()
            widget.id = self.widgets[key]
            widget.double_value = value
        started = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        while True:
            reply = ForwardMsg()
            reply.ParseFromString(await self.ws.recv())
            kind = reply.WhichOneof("type")
            if kind == "navigation":
                nav = reply.navigation
                self.pages = {p.url_pathname: p.page_script_hash for p in nav.app_pages}
                self.page = nav.page_script_hash
            elif kind == "delta" and reply.delta.WhichOneof("type") == "new_element":
                self._read(reply.delta.new_element)
            elif kind == "script_finished" and reply.script_finished in DONE:
                return 1000 * (time.perf_counter() - started)

    def _read(self, element) -> None:
        kind = element.WhichOneof("type")
        if kind == "exception":
            self.errors.append(f"{element.exception.type}: {element.exception.message[:200]}")
            return
        widget_id = getattr(getattr(element, kind), "id", "") if kind else ""
        if isinstance(widget_id, str) and widget_id.startswith("$$ID-"):
            self.widgets[widget_id.split("-", 2)[2]] = widget_id


async def session(
    base: str, n: int, times: dict, problems: list, stagger: float, think: tuple[float, float]
) -> None:
    await asyncio.sleep(n * stagger)
    rng = random.Random(n)
    url = base.replace("http://", "ws://") + "/_stcore/stream"
    try:
        async with websockets.connect(url, subprotocols=["streamlit"], max_size=None) as ws:
            s = Session(ws)
            steps = [
                ("open app", {}),
                ("open Workshop", {"page": "workshop"}),
                ("open Priorities", {"page": "priorities"}),
                ("change a weight", {HARM: round(3.5 + 0.1 * n, 1)}),
                ("open Where (map)", {"page": "patterns_where"}),
            ]
            for i, (label, action) in enumerate(steps):
                if i:
                    await asyncio.sleep(rng.uniform(*think))
                times.setdefault(label, []).append(await s.run(**action))
            problems += [f"session {n}: {e}" for e in s.errors]
    except Exception as error:
        problems.append(f"session {n}: {type(error).__name__}: {str(error)[:300]}")


async def run_room(
    base: str,
    sessions: int,
    stagger: float,
    think: tuple[float, float],
    warm: bool,
    on_room: Callable[[], None],
) -> tuple[dict, list]:
    times: dict[str, list[float]] = {}
    problems: list[str] = []
    if warm:  # the trainer's run-through before the room arrives
        await session(base, 0, {}, problems, 0.0, (0.0, 0.0))
    on_room()
    times["_room_start"] = [time.time()]
    started = time.perf_counter()
    await asyncio.gather(
        *(session(base, i, times, problems, stagger, think) for i in range(sessions))
    )
    times["_wall_s"] = [time.perf_counter() - started]
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
    parser.add_argument("--stagger", type=float, default=0.2, help="seconds between starts")
    parser.add_argument(
        "--think", type=float, nargs=2, default=(3.0, 10.0), metavar=("MIN", "MAX"),
        help="seconds a participant reads a page before the next interaction",
    )  # fmt: skip
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
    before_room: list[tuple[float, float]] = []
    try:
        times, problems = asyncio.run(
            run_room(
                base, args.sessions, args.stagger, tuple(args.think), not args.no_warm,
                lambda: before_room.append(memory_mb(_tree(proc.pid))),
            )
        )  # fmt: skip
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
    print(f"\n{args.sessions} concurrent sessions (started {args.stagger} s apart, "
          f"{args.think[0]:g}-{args.think[1]:g} s between a participant's interactions), "
          f"{os.cpu_count()} CPUs; wall time {wall:.1f} s")  # fmt: skip
    print(f"load average before {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}, "
          f"after {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}")  # fmt: skip
    print("\nserver time per interaction (ms, message sent -> 'script finished' received)")
    print(f"{'interaction':<28}{'n':>5}{'p50':>9}{'p95':>9}{'max':>9}")
    everything = []
    for label, values in times.items():
        if not values:
            continue
        everything += values
        print(f"{label:<28}{len(values):>5}{_q(values, 50):>9.0f}{_q(values, 95):>9.0f}"
              f"{max(values):>9.0f}")  # fmt: skip
    if everything:
        print(f"{'all':<28}{len(everything):>5}{_q(everything, 50):>9.0f}"
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
    peak = max(sampler.server, key=lambda m: m[1])
    print("\nserver memory (MB)         RSS sum   PSS sum")
    print(f"idle after start           {idle[0]:>9.0f} {idle[1]:>9.0f}")
    if before_room:
        warm = before_room[0]
        print(f"one session (the trainer)  {warm[0]:>9.0f} {warm[1]:>9.0f}")
    print(f"peak                       {peak[0]:>9.0f} {peak[1]:>9.0f}")
    print(f"at the end                 {sampler.server[-1][0]:>9.0f} {sampler.server[-1][1]:>9.0f}")
    n_actions = len(everything) + (5 if not args.no_warm else 0)
    print(f"\nserver CPU time during the run: {cpu_used:.1f} s for {n_actions} interactions "
          f"({1000 * cpu_used / max(n_actions, 1):.0f} ms each on average)")  # fmt: skip
    print(f"\nerrors: {len(problems)}")
    for problem in problems[:20]:
        print("  " + problem)
    return 1 if problems else 0


def _q(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


if __name__ == "__main__":
    raise SystemExit(main())
