"""The session's state, in one place.

Keys in ``st.session_state`` (set by app.py's sidebar; pages only read them):

``ilp.lang``        language code (``en``, ``ru``, ``fr``, ``es``)
``ilp.upload``      the user's own :class:`ilp_core.data.dataset.Dataset`, or absent
``ilp.source``      ``"sample"`` or ``"upload"``: which dataset is active
``ilp.period``      (start, end) dates of the period filter
``ilp.offences``    offence types selected (empty: all)

Widgets whose value is the user's work (weights, answers, settings) use keys that
start with ``p.``; app.py re-asserts them on every run so Streamlit does not
forget them when the user visits another page or switches language. Their starting
values are put in session state with :func:`default`, not given to the widget.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd
import streamlit as st

from ilp_core import i18n, keys
from ilp_core.analysis import hotspots, temporal
from ilp_core.data.dataset import Dataset, filter_incidents, load_sample
from ui import cache

log = logging.getLogger(__name__)

LANG = "ilp.lang"
UPLOAD = "ilp.upload"
SOURCE = "ilp.source"
PERIOD = "ilp.period"
OFFENCES = "ilp.offences"
PERSIST_PREFIX = "p."
_NEXT_SOURCE = "ilp.source_next"  # a source chosen by code, applied before the radio exists


@st.cache_resource(show_spinner=False)
def sample_dataset() -> Dataset:
    """The bundled sample region, loaded once per server and shared read-only."""
    return load_sample()


def lang() -> str:
    """The session's language code."""
    return st.session_state.get(LANG, i18n.DEFAULT_LANGUAGE)


def tr(key: str, /, **params: Any) -> str:
    """Translate a catalog key into the session's language."""
    return i18n.t(key, lang(), **params)


def term(value: Any) -> str:
    """Translate a data value (offence, sample district) when the catalog knows it."""
    return i18n.term(value, lang())


def label(prefix: str) -> Callable[[Any], str]:
    """A ``format_func`` translating ``f"{prefix}{value}"``, in the language of this run.

    The language is captured now: Streamlit (and AppTest) may call a format
    function after the script has finished, when session state is out of reach.
    """
    current = lang()
    return lambda value: i18n.t(f"{prefix}{value}", current)


def term_label(blank: str = "") -> Callable[[Any], str]:
    """A ``format_func`` translating data values (offences, districts) in this run's language.

    An empty value (an "all" option) shows as ``blank``.
    """
    current = lang()
    return lambda value: i18n.term(value, current) if value else blank


def dataset() -> Dataset:
    """The active dataset: the user's upload when chosen, otherwise the sample region."""
    upload = st.session_state.get(UPLOAD)
    source = st.session_state.get(_NEXT_SOURCE) or st.session_state.get(SOURCE)
    if upload is not None and source == "upload":
        return upload
    return sample_dataset()


def set_upload(data: Dataset) -> None:
    """Make ``data`` the session's dataset (kept in memory only, never on disk)."""
    st.session_state[UPLOAD] = data
    # The sidebar's dataset radio owns SOURCE once drawn in this run (a second "Load"):
    # setting it raised StreamlitWidgetAlreadyInstantiatedError. The sidebar applies it
    # on the next run, before it draws the radio.
    st.session_state[_NEXT_SOURCE] = "upload"
    st.session_state.pop(PERIOD, None)
    st.session_state.pop(OFFENCES, None)


def apply_chosen_source() -> None:
    """Give the dataset radio the source code chose last run (call before drawing it)."""
    chosen = st.session_state.get(_NEXT_SOURCE)
    if chosen is not None:
        st.session_state[SOURCE] = chosen
        # dropped only now: Streamlit may stop the run at the write above (any use of
        # the session state, when a click replaced the run): the choice is kept for the next
        st.session_state.pop(_NEXT_SOURCE, None)


@dataclass(frozen=True)
class View:
    """What a page works on: the active dataset, filtered, and a cache key for it."""

    dataset: Dataset
    incidents: pd.DataFrame
    start: dt.date | None
    end: dt.date | None
    offences: tuple[str, ...]
    key: str


def view() -> View:
    """The active dataset with the sidebar's period and offence filters applied."""
    data = dataset()
    period = st.session_state.get(PERIOD) or data.period or (None, None)
    if isinstance(period, dt.date):  # one date, not a range: from that date on
        period = (period,)
    start, end = (tuple(period) + (None, None))[:2]
    offences = tuple(st.session_state.get(OFFENCES) or ())
    # offence names may hold commas ("Human Trafficking (A), Commercial Sex Acts"): join
    # their keys, which cannot, so two selections never share a cache key
    chosen = ",".join(sorted(keys.safe_key(o) for o in offences))
    data_key = cache.dataset_key(data)
    key = f"{data_key}|{start}|{end}|{chosen}"  # all of the data, name included
    _prepare(data_key, data)
    incidents = _filtered(key, data, start, end, offences).copy(deep=False)
    return View(data, incidents, start, end, offences, key)


@st.cache_resource(show_spinner=False, max_entries=8, ttl=cache.UPLOAD_TTL)
def _prepare(key: str, _data: Dataset) -> threading.Thread:  # noqa: ARG001 (the cache key)
    """Once per dataset and server: place its incidents for the maps in the background.

    Every page's first analysis of a dataset starts from the incidents placed on the
    hot-spot grid and from their day numbers and offence codes (at 10,000,000
    incidents 6-9 s, then kept per column by ``ilp_core.memo``); the Concentration
    and Strategy pages from their location ids coded (0.5 s at 10,000,000). Started
    when the dataset is first shown, so they are ready, or under way, when the user
    opens a page (which waits for a run under way instead of starting a second one).
    The whole period and every offence (the sidebar's default) share the dataset's
    columns, so their views find the results; a failure is the page's to explain.
    """

    def run() -> None:
        try:
            hotspots.grid_counts(_data.incidents, _data.districts)  # places them on the grid
            temporal.period_counts(_data.incidents, "month")
            if "location_id" in _data.incidents.columns:  # the repeat locations' ids, coded
                hotspots.repeat_counts(_data.incidents)
        except Exception:  # the page that needs it says why, in the user's language
            log.info("background preparation of a dataset stopped", exc_info=True)

    thread = threading.Thread(target=run, name="ilp-prepare", daemon=True)
    thread.start()
    return thread


def _view_memory(default_mb: int = 1024) -> int:
    """``ILP_VIEW_MEMORY_MB`` in bytes (a number of megabytes from 1), else the default."""
    setting = os.environ.get("ILP_VIEW_MEMORY_MB", "").strip()
    if setting:
        try:
            if int(setting) >= 1:
                return int(setting) * 2**20
        except ValueError:
            pass
        log.warning("ILP_VIEW_MEMORY_MB=%r is not a number of megabytes: %d", setting, default_mb)
    return default_mb * 2**20


#: Memory for the incidents the sidebar's filters copy (an offence filter's rows; a
#: period of rows in date order is a slice of the dataset's, and holds none), shared by
#: every session: ``ILP_VIEW_MEMORY_MB``, 1,024 MB unless set.
VIEW_MEMORY: Final[int] = _view_memory()
_VIEWS = cache.Sized(VIEW_MEMORY, entries=64)


def _filtered(
    key: str,
    data: Dataset,
    start: dt.date | None,
    end: dt.date | None,
    offences: tuple[str, ...],
) -> pd.DataFrame:
    """The dataset's incidents within the filters, one frame for every session.

    Not one per session and rerun: at 10,000,000 incidents one year of two copied
    5,038,100 rows (0.38 GB) in 1.8-2.2 s on every rerun of every session. Ten
    sessions each leaving out an offence of their own would hold ten copies of 600 MB:
    the copies kept stay within :data:`VIEW_MEMORY`, and a view that went is filtered
    again when next shown. Shared read-only: callers get a shallow copy
    (copy-on-write protects the rows) and ``key`` names the dataset and the filters.
    """
    whole = data.incidents
    return _VIEWS.get(
        key,
        lambda: filter_incidents(whole, start, end, offences),
        lambda frame: _own_bytes(frame, whole),
    )


def _own_bytes(frame: pd.DataFrame, whole: pd.DataFrame) -> int:
    """The bytes ``frame`` holds of its own: none when it shares ``whole``'s rows."""
    if len(frame) == 0 or np.may_share_memory(
        frame["occurred_at"].to_numpy(), whole["occurred_at"].to_numpy()
    ):
        return 0  # the whole table, or a period of rows in date order: a slice of them
    return int(frame.memory_usage(deep=True).sum())


def keep_user_work() -> None:
    """Stop Streamlit from dropping the widget values of pages not shown this run.

    Because every ``p.*`` value is set here on each run, a ``p.*`` widget takes its
    starting value from :func:`default`, never from its own ``value=``/``index=``/``default=``.
    """
    for key in list(st.session_state.keys()):
        if isinstance(key, str) and key.startswith(PERSIST_PREFIX):
            st.session_state[key] = st.session_state[key]


def default(key: str, value: Any, *, within: tuple[Any, Any] | None = None) -> None:
    """Give the widget ``key`` its starting ``value`` through session state (call before it).

    A widget given a default of its own (``value=``, ``index=``, ``default=``) while its
    key also holds a session state value, as every ``p.*`` key does after
    :func:`keep_user_work`, makes Streamlit warn that it "was created with a default value
    but also had its value set via the Session State API". So a ``p.*`` widget gets no
    default of its own: its value starts here (a selectbox's or a radio's: the option
    itself, not its index).

    ``within`` (low, high): a kept value outside these bounds (the dataset or the
    period changed) goes back to ``value``, as Streamlit reset a widget given both
    bounds and a default; give it when the widget's bounds come from the data.
    """
    session = st.session_state
    if key not in session or (within is not None and not within[0] <= session[key] <= within[1]):
        session[key] = value
