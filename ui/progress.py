"""A progress bar with a Stop button for long library work (loading, the Knox test, the report).

The library's long functions take a ``progress`` callback (``progress(fraction,
step)``; the Knox test's ``progress(fraction)``), called on the calling thread,
and stop with no result when it raises :class:`~ilp_core.errors.Cancelled`.
:func:`run` shows a bar with a translated label and a Stop button, and passes a
callback that moves the bar and raises ``Cancelled`` once the work's stop flag is
set. A page calls :func:`stopped` just after, where the message should appear.

How a click on Stop stops the work: Streamlit ends the running script at its next
call into Streamlit (the callback's bar update: ``runner.fastReruns``, on by
default) by raising its own control exception through the library, which frees
what it built (the Knox test's pair search waits for its workers); then the Stop
button's callback sets the flag and the page's :func:`stopped` says the work was
stopped. Nothing half-done remains: the work's result is only kept (the session's
Knox result, the loaded dataset, the report's files) after the call returned.

Session keys: ``progress.stop.<key>`` (the stop flag of one work; read once by
:func:`stopped`, which clears it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import streamlit as st

from ilp_core import i18n
from ilp_core.errors import Cancelled
from ui import widgets
from ui.state import lang, tr

T = TypeVar("T")
_PREFIX = "progress.stop."
#: Where a step's code is looked up for its label, in this order.
_STEP_KEYS = ("progress.step.{}", "report.section.{}")
#: The bar moves by at least this much between two messages to the browser.
_MOVE = 0.01


def flag(key: str) -> str:
    """The session key of the stop flag of the work ``key`` (tests set it to cancel)."""
    return _PREFIX + key


def run(key: str, func: Callable[..., T], /, *args: Any, label: str, **kwargs: Any) -> T | None:
    """Run ``func(*args, progress=..., **kwargs)`` under a progress bar with a Stop button.

    Returns the result, or None when the work was stopped (the flag is then left for
    :func:`stopped`) or raised an :class:`~ilp_core.errors.IlpInputError` (shown as
    :func:`ui.widgets.attempt` shows it). ``label`` is the translated text of the bar.
    """
    box = st.container()
    bar = box.progress(0.0, text=label)
    box.button(
        tr("progress.stop"), key=f"progress.button.{key}", icon=":material/stop_circle:",
        on_click=_stop, args=(key,),
    )  # fmt: skip

    shown = {"fraction": -1.0, "text": label}

    def report(fraction: float, step: str | None = None) -> None:
        if st.session_state.get(flag(key)):
            raise Cancelled()
        text = label if step is None else f"{label} · {_step_label(step)}"
        fraction = min(1.0, max(0.0, float(fraction)))
        # a message to the browser per percent or new step, not per call (the scan: 999)
        if fraction - shown["fraction"] >= _MOVE or text != shown["text"]:
            bar.progress(fraction, text=text)
            shown.update(fraction=fraction, text=text)

    try:
        result = widgets.attempt(func, *args, progress=report, **kwargs)
    except Cancelled:
        st.session_state[flag(key)] = True
        result = None
    box.empty()
    return result


def stopped(key: str) -> bool:
    """Say that the work ``key`` was stopped, when it was (once); True if so."""
    if not st.session_state.pop(flag(key), False):
        return False
    st.warning(tr("progress.stopped"), icon=":material/stop_circle:")
    return True


def _stop(key: str) -> None:
    st.session_state[flag(key)] = True


def _step_label(step: str) -> str:
    for pattern in _STEP_KEYS:
        if i18n.has(pattern.format(step), lang()):
            return tr(pattern.format(step))
    return step
