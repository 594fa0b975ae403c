"""Caching of library calls, keyed on everything that reaches their output.

The frames themselves are not hashed on every call (hashing 1,000,000 rows on every
rerun would cost more than most analyses); the caller passes the view's key, which
names the dataset and its filters. A dataset is named by :func:`dataset_key`: its
incidents' fingerprint *and* what travels with them into a result (the file name,
the quality report, the rejected rows, the current allocation, the
classification), so two analysts whose accepted rows are the same still get their
own results (a report names its file and counts its rejects). The cache is shared
by all sessions, so the sample region's analyses are computed once for a whole
workshop room; entries made from an upload expire after :data:`UPLOAD_TTL` seconds
(:func:`compute`, :func:`shared`, :func:`with_progress`; :func:`by_content` and
:func:`figure` expire every entry), so an upload's results do not outlive its use.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Final, TypeVar

import pandas as pd
import streamlit as st
from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

from ilp_core.data.dataset import Dataset

T = TypeVar("T")

#: Seconds an entry made from an upload is kept (and :func:`by_content`/:func:`figure` ones).
UPLOAD_TTL: Final[int] = 3600
_SAMPLE: Final[str] = "sample:"
_UPLOAD: Final[str] = "upload:"
_KEYS: weakref.WeakKeyDictionary[Dataset, str] = weakref.WeakKeyDictionary()
_KEYS_LOCK = threading.Lock()


def dataset_key(data: Dataset) -> str:
    """The cache name of a dataset: everything of it that can reach a result.

    ``sample:<fingerprint>`` for the bundled region; for an upload,
    ``upload:<digest>`` of the fingerprint (incidents, boundaries, classification),
    the file name, the quality report, the rejected rows and the current
    allocation. Computed once per dataset (hashing 10,000 rejects: a few ms).
    """
    with _KEYS_LOCK:
        known = _KEYS.get(data)
    if known is not None:
        return known
    if data.is_sample:
        key = _SAMPLE + data.fingerprint
    else:
        digest = hashlib.sha256()
        for part in (data.fingerprint, data.name, _report_bytes(data.report)):
            digest.update(part if isinstance(part, bytes) else str(part).encode("utf-8"))
            digest.update(b"\x1f")
        for frame in (data.rejects, data.allocation):
            digest.update(_frame_bytes(frame))
            digest.update(b"\x1f")
        key = _UPLOAD + digest.hexdigest()[:24]
    with _KEYS_LOCK:
        _KEYS[data] = key
    return key


def _report_bytes(report: Any) -> bytes:
    try:
        return pickle.dumps(report, protocol=5)
    except (pickle.PicklingError, TypeError, AttributeError):  # not picklable: its text
        return repr(report).encode("utf-8")


def _frame_bytes(frame: pd.DataFrame | None) -> bytes:
    if frame is None:
        return b"-"
    text = frame.astype(str)  # rejects hold raw cells of any type
    rows = pd.util.hash_pandas_object(text, index=True).to_numpy().tobytes()
    return rows + "\x1f".join(map(str, frame.columns)).encode("utf-8")


def _from_upload(data_key: str) -> bool:
    return not data_key.startswith(_SAMPLE)


def _expired(data_key: str, made: float, now: float, ttl: float = UPLOAD_TTL) -> bool:
    """Whether an entry made at ``made`` from ``data_key`` has expired (uploads only)."""
    return _from_upload(data_key) and now - made > ttl


def compute(func: Callable[..., T], data_key: str, /, *data: Any, **params: Any) -> T:
    """Return ``func(*data, **params)``, cached on ``(func, data_key, params)``.

    ``data`` are the (unhashed) frames the key stands for; ``params`` must be
    JSON-serialisable plain values (they form the cache key). Results are copied
    for each caller (``st.cache_data``), so no session can change another's.
    """
    name = f"{func.__module__}.{func.__qualname__}"
    cached = _compute_upload if _from_upload(data_key) else _compute
    return cached(name, data_key, _params_key(params), func, data, params)


#: Calls of :func:`compute_each` run at once (the two cores of a small server).
EACH_THREADS: Final[int] = 2


def compute_each(
    func: Callable[..., T],
    data_key: str,
    /,
    *data: Any,
    calls: Sequence[dict[str, Any]],
    threads: int = EACH_THREADS,
) -> list[T]:
    """:func:`compute` for each parameter set of ``calls``, ``threads`` at a time.

    Each call is cached on its own, so a new set computes only its new calls. The
    analyses release Python's lock in their NumPy, pyproj and compiled parts: the
    evidence of the 7 priorities in scope at 10,000,000 incidents took 3.9 s one
    after the other and 2.7 s two at a time.
    """
    context = get_script_run_ctx()

    def one(params: dict[str, Any]) -> T:
        add_script_run_ctx(threading.current_thread(), context)  # the session's caches
        return compute(func, data_key, *data, **params)

    if len(calls) < 2 or threads < 2:
        return [one(params) for params in calls]
    with ThreadPoolExecutor(threads, thread_name_prefix="ilp-each") as pool:
        return list(pool.map(one, calls))


def shared(func: Callable[..., T], data_key: str, /, *data: Any, **params: Any) -> T:
    """Like :func:`compute`, but one object shared by all sessions (not copied).

    For read-only results that are costly to copy or cannot be pickled, such as
    folium maps: callers must not modify what they get.
    """
    name = f"{func.__module__}.{func.__qualname__}"
    cached = _shared_upload if _from_upload(data_key) else _shared
    return cached(name, data_key, _params_key(params), func, data, params)


def by_content(func: Callable[..., T], /, *inputs: Any, **params: Any) -> T:
    """Like :func:`compute`, keyed on a digest of the pickled ``inputs`` (small ones only).

    For quick analyses of small tables (the ranking of 20 problems and its 1,000
    stability draws) that every session runs on the same inputs until the user
    changes one: computed once for a workshop room, copied for each caller.
    """
    name = f"{func.__module__}.{func.__qualname__}"
    return _compute_upload(name, _digest(inputs), _params_key(params), func, inputs, params)


def figure(func: Callable[..., T], /, *results: Any, **params: Any) -> T:
    """A figure made by ``func(*results, **params)``, made once for every session alike.

    For plotly figures of small results (a ranking, a table of 20 rows): the key is
    a digest of the pickled results, so the 30 participants of a workshop who open a
    page with the same settings share one figure (building the Priorities page's
    four figures took 55 ms of each rerun). Callers must not modify what they get.
    """
    name = f"{func.__module__}.{func.__qualname__}"
    return _figure(name, _digest(results), _params_key(params), func, results, params)


_RUNS: OrderedDict[tuple[str, str, str], tuple[float, Any]] = OrderedDict()
_RUNS_LOCK = threading.Lock()
#: Long runs kept (a space-time scan's result is a few kilobytes).
_RUNS_KEPT = 32


def with_progress(
    func: Callable[..., T],
    data_key: str,
    /,
    *data: Any,
    progress: Callable[[float], None],
    **params: Any,
) -> T:
    """Like :func:`shared`, for a long run behind a button that reports its progress.

    Streamlit's caches refuse a call that updates an element made outside it (the
    page's progress bar), so these results are kept here, the last 32, shared
    read-only by every session: a room of 30 running the same scan waits once.
    ``progress`` is passed to ``func``; a run it stops (the page's cancel raises
    from inside it) is not kept. Runs on an upload expire after :data:`UPLOAD_TTL`.
    """
    key = (f"{func.__module__}.{func.__qualname__}", data_key, _params_key(params))
    now = time.monotonic()
    with _RUNS_LOCK:
        for old in [k for k, (t, _) in _RUNS.items() if _expired(k[1], t, now)]:
            del _RUNS[old]
        if key in _RUNS:
            _RUNS.move_to_end(key)
            return _RUNS[key][1]
    result = func(*data, progress=progress, **params)
    with _RUNS_LOCK:
        _RUNS[key] = (time.monotonic(), result)
        while len(_RUNS) > _RUNS_KEPT:
            _RUNS.popitem(last=False)
    return result


class Sized:
    """Objects shared by every session, kept within a number of bytes, then a number.

    For what is costly both to make and to hold, like the copy of the incidents an
    offence filter keeps (8,300,000 of 10,000,000 rows: 600 MB): made once for every
    session asking for it (a second caller of the same key waits for the first),
    then kept until the objects kept hold more than ``budget`` bytes (``size`` of
    each, 0 for what holds no memory of its own) or number more than ``entries``;
    the least recently used go first, the most recently used never. An object that went
    is made again for the next caller. Entries of an upload expire after ``ttl``.
    """

    def __init__(self, budget: int, *, entries: int, ttl: float = UPLOAD_TTL) -> None:
        self.budget, self.entries, self.ttl = budget, entries, ttl
        self._kept: OrderedDict[str, tuple[float, int, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self._making: dict[str, threading.Lock] = {}

    def get(self, key: str, make: Callable[[], T], size: Callable[[T], int]) -> T:
        """The object kept under ``key`` (a :func:`dataset_key` first), made when missing."""
        found = self._find(key)
        if found is not None:
            return found[0]
        with self._lock:
            gate = self._making.setdefault(key, threading.Lock())
        with gate:
            found = self._find(key)
            if found is not None:
                return found[0]
            try:
                made = make()
                with self._lock:
                    self._kept[key] = (time.monotonic(), size(made), made)
                    self._trim()
            finally:
                with self._lock:
                    self._making.pop(key, None)
        return made

    def held(self) -> int:
        """Bytes held by the objects kept."""
        with self._lock:
            return sum(size for _, size, _ in self._kept.values())

    def _find(self, key: str) -> tuple[Any] | None:
        with self._lock:
            self._trim()
            if key not in self._kept:
                return None
            self._kept.move_to_end(key)
            return (self._kept[key][2],)

    def _trim(self) -> None:
        """Drop expired uploads, then the oldest while over a limit (the lock held).

        The most recently used stays whatever its size: its session shows it on each rerun.
        """
        now = time.monotonic()
        for old in [k for k, (t, _, _) in self._kept.items() if _expired(k, t, now, self.ttl)]:
            del self._kept[old]
        total = sum(size for _, size, _ in self._kept.values())
        for old in list(self._kept)[:-1]:
            if total <= self.budget and len(self._kept) <= self.entries:
                break
            total -= self._kept.pop(old)[1]


def _digest(values: tuple[Any, ...]) -> str:
    return hashlib.sha1(pickle.dumps(values, protocol=5)).hexdigest()


def _params_key(params: dict[str, Any]) -> str:
    return json.dumps(params, sort_keys=True, default=str)


@st.cache_data(show_spinner=False, max_entries=256)
def _compute(
    name: str,  # noqa: ARG001 (part of the cache key)
    data_key: str,  # noqa: ARG001
    params_key: str,  # noqa: ARG001
    _func: Callable[..., Any],
    _data: tuple[Any, ...],
    _params: dict[str, Any],
) -> Any:
    return _func(*_data, **_params)


@st.cache_data(show_spinner=False, max_entries=256, ttl=UPLOAD_TTL)
def _compute_upload(
    name: str,  # noqa: ARG001 (part of the cache key)
    data_key: str,  # noqa: ARG001
    params_key: str,  # noqa: ARG001
    _func: Callable[..., Any],
    _data: tuple[Any, ...],
    _params: dict[str, Any],
) -> Any:
    return _func(*_data, **_params)


@st.cache_resource(show_spinner=False, max_entries=64, ttl=UPLOAD_TTL)
def _shared_upload(
    name: str,  # noqa: ARG001 (part of the cache key)
    data_key: str,  # noqa: ARG001
    params_key: str,  # noqa: ARG001
    _func: Callable[..., Any],
    _data: tuple[Any, ...],
    _params: dict[str, Any],
) -> Any:
    return _func(*_data, **_params)


@st.cache_resource(show_spinner=False, max_entries=64)
def _shared(
    name: str,  # noqa: ARG001 (part of the cache key)
    data_key: str,  # noqa: ARG001
    params_key: str,  # noqa: ARG001
    _func: Callable[..., Any],
    _data: tuple[Any, ...],
    _params: dict[str, Any],
) -> Any:
    return _func(*_data, **_params)


# Apart from the maps (64, larger): a room of 30 participants with their own weights
# shows 120 figures on the Priorities page alone.
@st.cache_resource(show_spinner=False, max_entries=256, ttl=UPLOAD_TTL)
def _figure(
    name: str,  # noqa: ARG001 (part of the cache key)
    digest: str,  # noqa: ARG001
    params_key: str,  # noqa: ARG001
    _func: Callable[..., Any],
    _results: tuple[Any, ...],
    _params: dict[str, Any],
) -> Any:
    return _func(*_results, **_params)
