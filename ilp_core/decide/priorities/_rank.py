"""From an assessment to a ranking: the one way the pages, the products and the report rank.

An :class:`~ilp_core.decide.priorities.Assessment` (or its saved dict) says how
to rank: the problem level, the method and its weights, the harm weights, the
entered values and the stability settings. :func:`rank` applies it to the
incidents in view; :func:`rank_problems` and :func:`assessment_stability` do the
same from problem data already computed (the Priorities page caches them), and
:func:`default_assessment` is what the Priorities page starts from.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import pandas as pd

from ilp_core.decide.priorities._assessment import Assessment, load_assessment, make_assessment
from ilp_core.decide.priorities._harm_criteria import criteria_table
from ilp_core.decide.priorities._problem_data import ProblemData, problem_data
from ilp_core.decide.priorities._scoring import Ranking, score
from ilp_core.decide.priorities._settings import preset, presets
from ilp_core.decide.priorities._stability import Stability, rank_stability

AssessmentLike = Assessment | Mapping[str, Any] | None


def default_assessment() -> Assessment:
    """Return the assessment the Priorities page starts from.

    Problems are offence types, scored with the first preset of the settings
    file and its weights, the bundled harm weights, no entered value, and the
    settings' stability defaults (top k, draws, seed).

    Examples
    --------
    >>> a = default_assessment()
    >>> a.scheme.preset, a.by, a.entered
    ('morile', 'offence', ())
    """
    return make_assessment(preset(presets()[0]))


def _chosen(assessment: AssessmentLike) -> Assessment:
    """An assessment given as an object, as its saved dict, or None (the default)."""
    if assessment is None:
        return default_assessment()
    if isinstance(assessment, Assessment):
        return assessment
    return load_assessment(json.dumps(dict(assessment))).assessment


def rank(
    incidents: pd.DataFrame,
    districts: gpd.GeoDataFrame | None = None,
    assessment: AssessmentLike = None,
    *,
    classes: Mapping[str, str | None] | None = None,
) -> Ranking:
    """Rank the problems of the incidents in view as an assessment says.

    For an analyst this is the ranking the Priorities page shows for the same
    settings: the page, the Strategy and Workshop pages, the allocation's
    priority-weighted harm and the report all rank through it, so they cannot
    disagree. Missing data values score as the lowest, as on the page.

    Parameters
    ----------
    incidents
        The incidents in view (canonical table).
    districts
        District boundaries (for rates and problems by district), or None.
    assessment
        An :class:`Assessment`, its ``to_dict()`` (as saved in a session file), or
        None for :func:`default_assessment` with the harm weights of each offence's
        class.
    classes
        The dataset's confirmed offence classification (``Dataset.offence_classes``):
        the default harm weights follow it when no assessment is given.

    Returns
    -------
    Ranking

    Raises
    ------
    IlpInputError
        The errors of :func:`problem_data`, :func:`criteria_table`, :func:`score`
        and, for a dict, :func:`load_assessment`.

    Examples
    --------
    >>> from ilp_core.data.schema import example_incidents
    >>> inc = example_incidents(["Robbery", "Robbery", "Shoplifting", "Shoplifting",
    ...                          "Shoplifting"])
    >>> harm = make_assessment(preset("harm_weighted"))
    >>> rank(inc, assessment=harm).table["problem"].tolist()  # 2 x 365 days > 3 x 2.5
    ['Robbery', 'Shoplifting']
    """
    chosen = _chosen(assessment)
    data = problem_data(incidents, districts, by=chosen.by, custom=chosen.custom)  # type: ignore[arg-type]
    return rank_problems(data, assessment, classes=classes)


def rank_problems(
    data: ProblemData,
    assessment: AssessmentLike = None,
    *,
    classes: Mapping[str, str | None] | None = None,
) -> Ranking:
    """Rank problem data already computed (:func:`problem_data`) as an assessment says.

    The same as :func:`rank` when ``data`` are the problem data of the
    assessment's level (``by``) and problems (``custom``); the Priorities page
    computes them once per view and ranks every change of a weight from them.

    Parameters
    ----------
    data
        Output of :func:`problem_data`.
    assessment
        As for :func:`rank`.

    Returns
    -------
    Ranking
    """
    chosen = _chosen(assessment)
    criteria, entered = _inputs(data, chosen, classes, default=assessment is None)
    return score(criteria, chosen.scheme, entered, missing="lowest")


def assessment_stability(
    data: ProblemData,
    assessment: AssessmentLike = None,
    *,
    classes: Mapping[str, str | None] | None = None,
) -> Stability:
    """How firm the ranking of :func:`rank_problems` is, with the assessment's own settings.

    :func:`rank_stability` on the same criteria, scheme and entered values, with
    the assessment's top k (at most the number of problems), draws and seed: the
    figures the Priorities page showed when the assessment was made.

    Parameters
    ----------
    data
        Output of :func:`problem_data`.
    assessment
        As for :func:`rank`.

    Returns
    -------
    Stability
    """
    chosen = _chosen(assessment)
    criteria, entered = _inputs(data, chosen, classes, default=assessment is None)
    return rank_stability(
        criteria,
        chosen.scheme,
        entered,
        missing="lowest",
        top_k=min(int(chosen.top_k), len(criteria)),
        draws=chosen.draws,
        seed=chosen.seed,
    )


def _inputs(
    data: ProblemData,
    assessment: Assessment,
    classes: Mapping[str, str | None] | None,
    *,
    default: bool,
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The criteria with the assessment's harm weights, and its entered values (None if none).

    The default assessment weighs each offence by its class (``classes``), not by
    the sample region's offence names.
    """
    if default:
        criteria = criteria_table(data, classes=classes)
    else:
        criteria = criteria_table(
            data, assessment.harm_weights, default_days=assessment.default_harm_days
        )
    entered = assessment.entered_frame()
    return criteria, entered if len(entered) else None
