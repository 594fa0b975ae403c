"""No ``p.*`` widget has both a default of its own and a session state value.

``app.py`` re-asserts every ``p.*`` key on each run (``ui.state.keep_user_work``): a
widget that also passes ``value=``/``index=``/``default=`` made Streamlit log, once per
server process, 'The widget with key "p.where.cell" was created with a default value but
also had its value set via the Session State API.' Such widgets take their starting
value from ``ui.state.default`` instead.
"""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from conftest import ROOT
from streamlit.elements.lib import policies
from streamlit.testing.v1 import AppTest

from ilp_core.data.dataset import load_sample

DUPLICATION = (
    "was created with a default value but also had its value set via the Session State API"
)
PAGES = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "pages").glob("*.py"))
PATROL = {"p.allocation.patrol.show": True}  # the patrol plan's widgets are shown on demand
CASES = [pytest.param(page, PATROL, id=page) for page in PAGES]
CASES.append(
    pytest.param("pages/allocation.py", {**PATROL, "p.allocation.areas": "cells"}, id="cells")
)


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture
def duplications(monkeypatch):
    """The messages of the duplication warning logged while the test runs.

    Streamlit logs it once per process (``policies._shown_default_value_warning``): the
    flag is cleared before every widget's check, so an earlier test cannot hide a
    duplication and every duplicated widget is named, not only the first. Streamlit's
    loggers do not propagate (``streamlit.logger.get_logger``): the handler is put on
    the policies module's own logger, where caplog would see nothing.
    """
    check = policies.check_session_state_rules

    def every_time(*args, **kwargs):
        policies._shown_default_value_warning = False
        return check(*args, **kwargs)

    monkeypatch.setattr(policies, "check_session_state_rules", every_time)
    records = _Records()
    logger = logging.getLogger(policies.__name__)
    logger.addHandler(records)
    try:
        yield records.messages
    finally:
        logger.removeHandler(records)


@pytest.mark.parametrize(("page", "state"), CASES)
def test_no_widget_has_a_default_and_a_session_state_value(app, duplications, page, state):
    at = app(page, state=state)
    at.run()  # the page again: now every p.* key of its widgets is re-asserted by app.py
    assert not at.exception
    assert [m for m in duplications if DUPLICATION in m] == []


def _both() -> None:
    import streamlit as st

    st.session_state["p.x"] = st.session_state.get("p.x", 1)  # as keep_user_work does
    st.number_input("x", value=1, key="p.x")


def test_a_widget_given_both_is_reported(duplications):
    # The check can fail: the warning it looks for is seen when a widget has both.
    at = AppTest.from_function(_both).run()
    assert not at.exception
    assert [m for m in duplications if DUPLICATION in m] == [
        f'The widget with key "p.x" {DUPLICATION}.'
    ]


@pytest.mark.parametrize("kept", [dt.date(1990, 1, 1), dt.date(2099, 1, 1)])
def test_a_kept_split_outside_the_period_goes_back_to_the_default(app, kept):
    # The split's bounds are the period in view: a date kept from another dataset or
    # period is replaced by the default, as Streamlit did when the widget had value=.
    assert load_sample().period[1] == dt.date(2025, 12, 31)
    at = app("pages/patterns_concentration.py", state={"p.concentration.split": kept})
    assert not at.exception
    # the default: 90 days before the end, 2025-12-31 - 90 days == 2025-10-02
    assert at.date_input(key="p.concentration.split").value == dt.date(2025, 10, 2)
