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

With ``--room`` the sessions are a workshop room instead (``pages/room.py``): the
trainer's room is created in a fresh store (``ILP_DATA_DIR``) with its free-answer
steps open; the trainer's session opens the Room page and then reruns the projector
fragment every ``refresh_seconds`` of ``room.yaml``, as the browser's timer does;
each participant opens ``?room=CODE``, joins (a nickname for every other one),
answers the open steps (own ranking, weights, two free answers) ``--answers``
times with a think time before each, and in
between reruns its own step fragment every 5 s as its browser would. Reported:
participants' p95 (every interaction), join p95, the projector's refresh p95
(targets < 1 s and < 2 s), errors (exceptions and error boxes) and peak memory.

    .venv/bin/python benchmarks/load_test.py [--sessions 30] [--stagger 0.2]
        [--think 3 10] [--no-warm] [--room [--answers 3]]
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
        self.query = ""  # the address's query string (?room=CODE&t=TOKEN)
        self.fragments: dict[str, float] = {}  # auto-rerun fragment id -> interval (s)

    async def run(
        self,
        page: str | None = None,
        *,
        fragment: str = "",
        timer: bool = False,
        page_name: str = "",
        texts: dict[str, str] | None = None,
        lists: dict[str, list[str]] | None = None,
        points: dict[str, list[float]] | None = None,
        triggers: tuple[str, ...] = (),
        **doubles: float,
    ) -> float:
        """Rerun the script (on ``page``, with keyed widgets set); return ms to done.

        ``fragment``: rerun only that fragment (``timer``: on its ``run_every`` timer,
        otherwise a widget of the fragment was used, as a browser sends it); ``texts``: keyed
        text boxes' values; ``lists``: keyed multiselects' chosen labels; ``points``: keyed
        sliders' values; ``triggers``: keyed buttons (form submit buttons) pressed.
        """
        msg = BackMsg()
        state = msg.rerun_script
        state.page_script_hash = self.pages.get(page, "") if page is not None else self.page
        state.query_string = self.query
        state.page_name = page_name  # a first request for a page's own address
        state.context_info.locale = "en-GB"
        state.context_info.timezone = "UTC"
        if fragment:
            state.fragment_id = fragment
            state.is_auto_rerun = timer
        for key in (*doubles, *(texts or {}), *(lists or {}), *(points or {}), *triggers):
            if key not in self.widgets:
                raise LookupError(f"no widget {key!r} on the page; known: {sorted(self.widgets)}")
        for key, value in doubles.items():
            widget = state.widget_states.widgets.add()
            widget.id = self.widgets[key]
            widget.double_value = value
        for key, text in (texts or {}).items():
            widget = state.widget_states.widgets.add()
            widget.id = self.widgets[key]
            widget.string_value = text
        for key, chosen in (lists or {}).items():
            widget = state.widget_states.widgets.add()
            widget.id = self.widgets[key]
            widget.string_array_value.data[:] = chosen
        for key, values in (points or {}).items():
            widget = state.widget_states.widgets.add()
            widget.id = self.widgets[key]
            widget.double_array_value.data[:] = values
        for key in triggers:
            widget = state.widget_states.widgets.add()
            widget.id = self.widgets[key]
            widget.trigger_value = True
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
            elif kind == "page_info_changed":
                self.query = reply.page_info_changed.query_string
            elif kind == "auto_rerun":
                self.fragments[reply.auto_rerun.fragment_id] = reply.auto_rerun.interval
            elif kind == "script_finished" and reply.script_finished in DONE:
                return 1000 * (time.perf_counter() - started)

    def _read(self, element) -> None:
        kind = element.WhichOneof("type")
        if kind == "exception":
            self.errors.append(f"{element.exception.type}: {element.exception.message[:200]}")
            return
        if kind == "alert" and element.alert.format == element.alert.ERROR:
            self.errors.append(f"error box: {element.alert.body[:200]}")
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


# -- a workshop room (--room) ------------------------------------------------------------------

#: The steps the participants answer, in this order: their own ranking of the problems
#: (a multiselect), the criteria's weights (sliders), two free answers (text boxes).
ROOM_STEPS = ("ranking", "weights", "lesson", "next_step")


SAMPLE_OFFENCES: list[str] = []


def make_room(data_dir: Path) -> str:
    """Create the trainer's room in the store the server will use; return its code."""
    sys.path.insert(0, str(ROOT))
    from ilp_core.data.dataset import load_sample
    from ilp_core.store import Actor, config_from_env, open_store

    SAMPLE_OFFENCES[:] = load_sample().offences

    store = open_store(config_from_env({"ILP_DATA_DIR": str(data_dir)}))
    room = store.create_room(Actor.local(), language="en", steps=list(ROOM_STEPS), name="Load")
    store.open_steps(Actor.local(), room.code, list(ROOM_STEPS))
    store.close()
    return room.code


async def participant(
    base: str, n: int, code: str, times: dict, problems: list, stagger: float,
    think: tuple[float, float], answers: int,
) -> None:  # fmt: skip
    """One participant: open the room, join, answer with think times, their page polling."""
    await asyncio.sleep(n * stagger)
    rng = random.Random(n)
    url = base.replace("http://", "ws://") + "/_stcore/stream"
    mine = times.setdefault("participant (all)", [])
    try:
        async with websockets.connect(url, subprotocols=["streamlit"], max_size=None) as ws:
            s = Session(ws)
            s.query = f"room={code}"  # the address on the projector: .../room?room=CODE
            mine.append(await s.run(page_name="room"))
            times.setdefault("participant open", []).append(mine[-1])
            name = {"room.join.name": f"P{n}"} if n % 2 else {}
            mine.append(await s.run(texts=name, triggers=("room.join.go",)))
            times.setdefault("participant join", []).append(mine[-1])
            if "t=" not in s.query:
                problems.append(f"participant {n}: no token in the address after joining")
            for k in range(answers):
                await _think(s, rng.uniform(*think), times)
                step = ROOM_STEPS[k % len(ROOM_STEPS)]
                key = f"room.a.{code}.{step}.0"
                # the form lives in the page's step fragment: the browser reruns only that
                fragment = next(iter(s.fragments), "")
                mine.append(
                    await s.run(
                        fragment=fragment, **_answer(rng, step, key, n), triggers=(f"{key}.send",)
                    )
                )
                times.setdefault("participant answer", []).append(mine[-1])
            problems += [f"participant {n}: {e}" for e in s.errors]
    except Exception as error:
        problems.append(f"participant {n}: {type(error).__name__}: {str(error)[:300]}")


def _answer(rng: random.Random, step: str, key: str, n: int) -> dict:
    """The widget values of one participant's answer to ``step`` (an English room)."""
    from ilp_core import i18n
    from ilp_core.learn import room, workshop

    if step == "ranking":
        offered = set(SAMPLE_OFFENCES)
        order = [p for p in workshop.scenario().ranking_problems if p in offered]
        rng.shuffle(order)
        return {"lists": {f"{key}.v": [i18n.term(p, "en") for p in order]}}
    if step == "weights":
        cfg = room.room_config()
        return {"points": {f"{key}.w.{c}": [rng.randint(0, cfg.max_weight)] for c in cfg.criteria}}
    text = rng.choice(["More patrols", "more patrols!", "Prevention", f"idea {n}"])
    return {"texts": {f"{key}.v": text}}


async def _think(s: Session, seconds: float, times: dict) -> None:
    """Read the page for ``seconds`` while its fragment reruns on its timer, as a browser's."""
    end = time.perf_counter() + seconds
    while s.fragments:
        fragment, interval = next(iter(s.fragments.items()))
        if time.perf_counter() + interval > end:
            break
        await asyncio.sleep(interval)
        ms = await s.run(fragment=fragment, timer=True)
        times.setdefault("participant (all)", []).append(ms)
        times.setdefault("participant refresh", []).append(ms)
    await asyncio.sleep(max(0.0, end - time.perf_counter()))


async def trainer(
    base: str, ready: asyncio.Event, done: asyncio.Event, times: dict, problems: list
) -> None:
    """The trainer's projector: open the Room page, then rerun its fragment on its timer."""
    url = base.replace("http://", "ws://") + "/_stcore/stream"
    try:
        async with websockets.connect(url, subprotocols=["streamlit"], max_size=None) as ws:
            s = Session(ws)
            await s.run()  # the root first: app.py's navigation, then the Room page
            times.setdefault("trainer open", []).append(await s.run(page="room"))
            ready.set()
            if not s.fragments:
                problems.append("trainer: the projector has no auto-rerun fragment")
                return
            fragment, interval = next(iter(s.fragments.items()))
            while not done.is_set():
                await asyncio.sleep(interval)
                ms = await s.run(fragment=fragment, timer=True)
                times.setdefault("projector refresh", []).append(ms)
            problems += [f"trainer: {e}" for e in s.errors]
    except Exception as error:
        problems.append(f"trainer: {type(error).__name__}: {str(error)[:300]}")


async def run_workshop_room(
    base: str, code: str, sessions: int, stagger: float, think: tuple[float, float],
    answers: int, on_room: Callable[[], None],
) -> tuple[dict, list]:  # fmt: skip
    times: dict[str, list[float]] = {}
    problems: list[str] = []
    done, ready = asyncio.Event(), asyncio.Event()
    projector = asyncio.create_task(trainer(base, ready, done, times, problems))
    await asyncio.wait_for(ready.wait(), 300)  # the projector is up before the room arrives
    on_room()
    times["_room_start"] = [time.time()]
    started = time.perf_counter()
    await asyncio.gather(
        *(participant(base, i, code, times, problems, stagger, think, answers)
          for i in range(sessions))
    )  # fmt: skip
    done.set()
    await projector
    times["_wall_s"] = [time.perf_counter() - started]
    problems += check_answers(code, sessions, answers)
    return times, problems


def check_answers(code: str, sessions: int, answers: int) -> list[str]:
    """Every participant's answers reached the store (none lost under load)."""
    from ilp_core.store import Actor, config_from_env, open_store

    store = open_store(config_from_env())
    got = store.room_answers(Actor.local(), code)
    members = store.room_members(Actor.local(), code)
    store.close()
    expected = sessions * min(answers, len(ROOM_STEPS))
    out = []
    if members != sessions:
        out.append(f"store: {members} members joined, {sessions} expected")
    if len(got) != expected:
        out.append(f"store: {len(got)} answers stored, {expected} expected")
    print(f"\nstore: {members} participants joined, {len(got)} answers stored")
    return out


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


def start_server(
    run_log: Path, extra_env: dict[str, str] | None = None
) -> tuple[subprocess.Popen, str]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    env = dict(os.environ, STREAMLIT_BROWSER_GATHER_USAGE_STATS="false", ILP_RUN_LOG=str(run_log))
    env.update(extra_env or {})
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
    parser.add_argument("--room", action="store_true", help="a workshop room (pages/room.py)")
    parser.add_argument("--answers", type=int, default=4, help="answers per participant (--room)")
    args = parser.parse_args()

    load_before = os.getloadavg()
    run_log = Path(tempfile.mkdtemp()) / "runs.txt"
    extra_env: dict[str, str] = {}
    code = ""
    if args.room:
        data_dir = run_log.parent / "store"
        extra_env = {"ILP_DATA_DIR": str(data_dir), "ILP_DATABASE_URL": ""}
        code = make_room(data_dir)
        os.environ.update(extra_env)  # check_answers reads the same store
    proc, base = start_server(run_log, extra_env)
    sampler = Sampler(proc.pid)
    sampler.start()
    time.sleep(1.0)
    idle = sampler.server[-1] if sampler.server else (0.0, 0.0)
    cpu_start = cpu_seconds(_tree(proc.pid))
    before_room: list[tuple[float, float]] = []
    try:
        if args.room:
            times, problems = asyncio.run(
                run_workshop_room(
                    base, code, args.sessions, args.stagger, tuple(args.think), args.answers,
                    lambda: before_room.append(memory_mb(_tree(proc.pid))),
                )
            )  # fmt: skip
        else:
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
    if args.room:
        _room_verdict(times)
    print(f"\nerrors: {len(problems)}")
    for problem in problems[:20]:
        print("  " + problem)
    return 1 if problems else 0


def _room_verdict(times: dict[str, list[float]]) -> None:
    """The room's targets: participants' p95 < 1 s, the projector's refresh p95 < 2 s."""
    print("\nworkshop room targets")
    for label, target in (
        ("participant (all)", 1000),
        ("participant join", 1000),
        ("projector refresh", 2000),
    ):
        values = times.get(label) or []
        p95 = _q(values, 95)
        verdict = "met" if values and p95 < target else "NOT met"
        print(
            f"  {label:<22} p95 {p95:>7.0f} ms (target < {target} ms, n={len(values)}): {verdict}"
        )


def _q(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


if __name__ == "__main__":
    raise SystemExit(main())
