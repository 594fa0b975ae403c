"""Priority setting: score the problems, explain every score, test how stable the ranking is.

The strategic assessment ranks *problems* (offence types by default; optionally
offence type by district, or problems the analyst defines, such as a drug market)
on stated criteria, and its top tier becomes the draft control strategy.

Criteria (``ilp_core/config/priority_presets.yaml`` states each one's scale):

* computed from the data, once per dataset (:func:`problem_data`, cached by the
  page): ``volume`` (incidents), ``rate`` (per 1,000 residents per year),
  ``trend`` (Sen's slope, % of the mean per year, from
  :func:`ilp_core.analysis.temporal.trend`), ``surge`` (% change of the last 91 days
  against the same days a year earlier, :func:`ilp_core.analysis.temporal.compare_periods`),
  ``seasonality`` (% by which the peak month exceeds the average,
  :func:`ilp_core.analysis.temporal.seasonality`), ``concentration`` (generalised Gini
  over grid cells, from :func:`ilp_core.analysis.hotspots.concentration_from_counts`);
  and, from the harm weights, cheaply on every change (:func:`criteria_table`):
  ``harm`` (days of custody, :mod:`ilp_core.decide.harm`) and ``harm_change`` (% change of
  harm, last year against the year before);
* entered by the analyst or the workshop, each with a confidence (low, medium,
  high): impact on victims and the community (physical, psychological, financial,
  community and environment), vulnerability of victims, public concern,
  organised-crime indicators in the style of Europol's SOCTA (cross-border reach,
  use of violence, corruption, use of legal business structures,
  countermeasures) and the organisation's position (capacity, capability and
  knowledge gaps).

Methods (:func:`score`; presets in the YAML file, every weight editable):

* ``morile``: harm x likelihood = risk; the organisation's position modifies
  risk into priority; confidence is reported beside the score, never mixed in;
* ``risk_matrix``: likelihood 1-5 x impact 1-5 on the grid, with bands;
* ``harm_weighted``: harm index total and its trend;
* ``weighted_sum``: weighted mean of the normalised criteria, any weights.

Every score decomposes exactly into the contribution of each criterion (Shapley
values of the method's formula, :func:`explain`); :func:`rank_stability` redraws
weights and entered values within their stated uncertainty (seeded, all draws at
once) and says how often each problem stays in the top k. An :class:`Assessment`
(method, weights, entered values, harm table, data fingerprint) saves to JSON or
YAML and loads back next quarter.

Count versus harm on the sample region (``data/sample``, default harm weights):
the count ranking is led by violence without injury, shoplifting and criminal
damage; the harm ranking (:func:`count_vs_harm`) is led by sexual offences,
robbery and violence with injury, none of which is in the count top three. Sexual
offences move from 10th (tied) to 1st, robbery from 13th (tied) to 2nd, homicide
from last (16th, a dozen incidents) to 5th; violence without injury falls from
1st to 6th and shoplifting from 2nd to 7th. ``tests/test_priorities.py`` checks this.

Where each part lives (the steps of an assessment, in order):

==================  ==================================================================
``_settings``       criteria, confidence levels and presets read from the YAML file;
                    :class:`Scheme` and :func:`make_scheme` (a method with its weights)
``_problem_data``   the problems and their data criteria, once per dataset
                    (:func:`problem_data`, :func:`generalised_gini`)
``_development``    the likely development: each problem's forecast change and its
                    80 % interval (:func:`development_note` says it in words)
``_harm_criteria``  harm and its change from the current harm weights, on every change
                    (:func:`criteria_table`), and :func:`count_vs_harm`
``_entered``        the entered-values table (:func:`entered_template`) and its checks
``_prepare``        criteria, scheme and entered values laid out as the arrays every
                    method scores (normalisation, the risk matrix's axes)
``_scoring``        the methods, the Shapley split of each score, ranks, tiers
                    (:func:`natural_breaks`), :func:`score`, :func:`explain`
``_stability``      :func:`rank_stability`: redraws of weights and entered values
``_assessment``     :class:`Assessment`, :func:`make_assessment`,
                    :func:`load_assessment`: save and load the whole configuration
``_rank``           :func:`rank`: an assessment (or the page's default,
                    :func:`default_assessment`) applied to the incidents in view, the
                    one way every page and product ranks; :func:`rank_problems` and
                    :func:`assessment_stability` from problem data already computed
``_labels``         names for people: problems, criteria, presets, the ranked table,
                    messages (:func:`ranking_for_display`)
==================  ==================================================================
"""

from ilp_core.decide.priorities._assessment import (
    ASSESSMENT_VERSION,
    Assessment,
    ConfigFormat,
    LoadedAssessment,
    load_assessment,
    make_assessment,
)
from ilp_core.decide.priorities._development import (
    DEVELOPMENT_HORIZON,
    development_note,
)
from ilp_core.decide.priorities._entered import ENTERED_COLUMNS, entered_template
from ilp_core.decide.priorities._harm_criteria import count_vs_harm, criteria_table
from ilp_core.decide.priorities._labels import (
    criterion_label,
    preset_label,
    problem_label,
    problem_labels,
    ranking_for_display,
)
from ilp_core.decide.priorities._prepare import Missing
from ilp_core.decide.priorities._problem_data import (
    PROBLEM_LEVELS,
    SURGE_DAYS,
    ProblemData,
    ProblemLevel,
    generalised_gini,
    problem_data,
)
from ilp_core.decide.priorities._rank import (
    assessment_stability,
    default_assessment,
    rank,
    rank_problems,
)
from ilp_core.decide.priorities._scoring import Ranking, explain, natural_breaks, score
from ilp_core.decide.priorities._settings import (
    DATA_CRITERIA,
    GROUPS,
    METHODS,
    TIERS,
    Criterion,
    Method,
    Scheme,
    Settings,
    Tiering,
    make_scheme,
    preset,
    presets,
    settings,
)
from ilp_core.decide.priorities._stability import Stability, rank_stability

__all__ = [
    "ASSESSMENT_VERSION",
    "DATA_CRITERIA",
    "DEVELOPMENT_HORIZON",
    "ENTERED_COLUMNS",
    "GROUPS",
    "METHODS",
    "PROBLEM_LEVELS",
    "SURGE_DAYS",
    "TIERS",
    "Assessment",
    "ConfigFormat",
    "Criterion",
    "LoadedAssessment",
    "Method",
    "Missing",
    "ProblemData",
    "ProblemLevel",
    "Ranking",
    "Scheme",
    "Settings",
    "Stability",
    "Tiering",
    "assessment_stability",
    "count_vs_harm",
    "criteria_table",
    "criterion_label",
    "default_assessment",
    "development_note",
    "entered_template",
    "explain",
    "generalised_gini",
    "load_assessment",
    "make_assessment",
    "make_scheme",
    "natural_breaks",
    "preset",
    "preset_label",
    "presets",
    "problem_data",
    "problem_label",
    "problem_labels",
    "rank",
    "rank_problems",
    "rank_stability",
    "ranking_for_display",
    "score",
    "settings",
]
