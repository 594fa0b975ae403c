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

import pandas as pd
import streamlit as st

from ilp_core import priority
from ui import cache
from ui import priority as ui_priority
from ui.state import View

#: A priority assessment restored from a saved session (``priority.Assessment``),
#: used until the Priorities page produces a ranking of its own.
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

    When the Priorities page ranked the same view, its settings are read back from
    the page's widget state (the same values its own "save" button stores);
    otherwise a loaded assessment is returned, or None (the default preset).

    Raises
    ------
    IlpInputError
        As ``priority.make_assessment`` for settings it refuses.
    """
    state = st.session_state
    saved = state.get(ui_priority.LAST)
    if saved is None or saved[0][0] != view.key:
        loaded = state.get(LOADED)
        return loaded if isinstance(loaded, priority.Assessment) else None
    (_key, by, _custom), (ranking, stability, _criteria) = saved
    p = ui_priority.P
    harm_prefix = f"{p}harm."
    harm_weights = {
        k[len(harm_prefix) :]: float(v)
        for k, v in state.items()
        if isinstance(k, str) and k.startswith(harm_prefix)
    }
    rows = []
    entered_keys = [k for k in priority.settings().entered if ranking.scheme.weights.get(k, 0) > 0]
    for problem in ranking.table["problem"]:
        for criterion in entered_keys:
            vkey, ckey = ui_priority._value_keys(str(problem), criterion)  # noqa: SLF001
            confidence = state.get(ckey, ui_priority.NOT_ASSESSED)
            if confidence != ui_priority.NOT_ASSESSED and vkey in state:
                rows.append((str(problem), criterion, float(state[vkey]), str(confidence)))
    entered = pd.DataFrame(rows, columns=list(priority.ENTERED_COLUMNS))
    return priority.make_assessment(
        ranking.scheme,
        entered if len(entered) else None,
        harm_weights=harm_weights or None,
        default_harm_days=state.get(p + "harm_default"),
        harm_default_confirmed=bool(state.get(p + "harm_confirm", False)),
        by=by,
        custom=list(state.get(ui_priority.CUSTOM) or ()),
        top_k=int(stability.top_k),
        draws=int(stability.draws),
        seed=int(stability.seed),
        fingerprint=view.dataset.fingerprint,
        dataset=view.dataset.name,
    )
