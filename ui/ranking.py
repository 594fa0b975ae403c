"""The session's current priority ranking, for the product pages (strategy, report).

The Priorities page keeps its last good ``(ranking, stability, criteria)`` in
``st.session_state[ui.priority.LAST]``. A product page needs a ranking even when
the user never opened that page: :func:`current_ranking` then scores the data in
view with a loaded assessment (a saved session restored on the Strategy page) or,
failing that, with the first preset of ``priority_presets.yaml`` and the default
harm weights.
"""

from __future__ import annotations

import json
from typing import Any

import streamlit as st

from ilp_core import priority
from ui import cache
from ui import priority as ui_priority
from ui.state import View

#: A priority assessment restored from a saved session (``priority.Assessment``),
#: used until the Priorities page produces a ranking of its own.
ASSESSMENT = "priority.assessment"  # (view key, Assessment) set by the Priorities page
LOADED = "products.assessment"


def current_ranking(view: View) -> priority.Ranking:
    """The ranking the user last saw for these data, or the default one.

    Parameters
    ----------
    view
        The filtered dataset (``ui.state.view()``).

    Returns
    -------
    priority.Ranking
        From the Priorities page when it ranked the same view; otherwise computed
        (cached for all sessions) from a loaded assessment or the default preset.
    """
    saved = st.session_state.get(ui_priority.LAST)
    if saved is not None and saved[0][0] == view.key:
        return saved[1][0]
    loaded = st.session_state.get(LOADED)
    spec = loaded.to_dict() if isinstance(loaded, priority.Assessment) else None
    return cache.compute(
        default_ranking, view.key, view.incidents, view.dataset.districts, assessment=spec
    )


def default_ranking(
    incidents: Any, districts: Any = None, *, assessment: dict[str, Any] | None = None
) -> priority.Ranking:
    """Score the problems with a saved assessment's settings, or the first preset's defaults.

    Parameters
    ----------
    incidents, districts
        The data in view.
    assessment
        ``priority.Assessment.to_dict()``, or None for the default preset.

    Returns
    -------
    priority.Ranking
    """
    if assessment is None:
        data = priority.problem_data(incidents, districts, by="offence")
        criteria = priority.criteria_table(data)
        scheme = priority.preset(priority.presets()[0])
        return priority.score(criteria, scheme, None, missing="lowest")
    a = priority.load_assessment(json.dumps(assessment)).assessment
    data = priority.problem_data(incidents, districts, by=a.by, custom=a.custom)  # type: ignore[arg-type]
    criteria = priority.criteria_table(data, a.harm_weights, default_days=a.default_harm_days)
    entered = a.entered_frame()
    return priority.score(criteria, a.scheme, entered if len(entered) else None, missing="lowest")


def current_assessment(view: View) -> priority.Assessment | None:
    """The priority assessment behind :func:`current_ranking`, ready to save; None for the default.

    The Priorities page stores the assessment it shows (``ASSESSMENT``, with the
    view it was made on); otherwise a loaded assessment is returned, or None (the
    default preset).
    """
    shown = st.session_state.get(ASSESSMENT)
    if shown is not None and shown[0] == view.key:
        return shown[1]
    loaded = st.session_state.get(LOADED)
    return loaded if isinstance(loaded, priority.Assessment) else None
