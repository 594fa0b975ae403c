"""Intelligence requirements, the control strategy, PESTEL and SWOT: the products of ILP.

The strategic assessment ranks the problems; this package turns its priorities into
the documents that drive tasking and co-ordination (OSCE, 2017):

* **intelligence requirements** (:data:`REQUIREMENT_COLUMNS`): for each priority,
  what is known, the intelligence gap and what must be found out, by whom and by
  when. :func:`draft_requirements` pre-fills a draft from the ranking (volume,
  trend, harm, the organisation's knowledge gap) and the intelligence log
  (:func:`ilp_core.products.intelligence.summarise`); the analyst edits it;
* the **control strategy** (:data:`STRATEGY_COLUMNS`): actions under prevention,
  intelligence, enforcement and reassurance. :func:`suggest_actions` proposes
  actions from the analyses, each citing its evidence (:func:`problem_evidence`:
  persistent and emerging hot spots, the Knox near-repeat test, repeat locations,
  seasonality); nothing enters the strategy until the user accepts it
  (:func:`accept_suggestions`);
* **emerging issues** (:data:`EMERGING_COLUMNS`): offences rising beyond their
  season or new, and new clusters in space and time (the Outlook page), each
  offered as an action and an intelligence requirement (:func:`emerging_issues`),
  added when the user accepts them (:func:`accept_emerging`);
* **PESTEL** and **SWOT** factors (:data:`PESTEL_COLUMNS`, :data:`SWOT_COLUMNS`),
  each linked to the priorities it affects (:func:`factor_links`).

Rules and thresholds live in ``ilp_core/config/strategy.yaml``. Every product
carries the reminder (catalog key :data:`REMINDER_KEY`) that rankings and
allocations are decision support built on recorded crime, not instructions.

Where things are:

=====================  ===============================================================
``_rules.py``          :class:`Rules`, :func:`rules`: the thresholds of ``strategy.yaml``
``_evidence.py``       :class:`Evidence`, :func:`problem_selection`,
                       :func:`problem_evidence` and the per-analysis evidence (hot
                       spots, Knox, repeat locations, seasons)
``_common.py``         one priority's facts and wording, shared by suggestions and drafts
``_suggestions.py``    the table of rules, :func:`suggest_actions`,
                       :func:`accept_suggestions`, :func:`suggestions_for_display`
``_emerging.py``       :func:`emerging_issues`, :func:`accept_emerging`: what the
                       Outlook found new, offered to the strategy and requirements
``_requirements.py``   :func:`draft_requirements` (one step per sentence it drafts),
                       :func:`merge_requirements`
``_tables.py``         the tables' columns, ``empty_*`` and ``check_*``,
                       :func:`factor_links`, :func:`position_values`, :func:`reminder`
=====================  ===============================================================

References
----------
OSCE (2017). *OSCE Guidebook: Intelligence-Led Policing*, chapters on the strategic
assessment, the control strategy and intelligence requirements.
Koper, C. S. (1995). Just enough police presence: reducing crime and disorderly
behavior by optimizing patrol time in crime hot spots. *Justice Quarterly*, 12(4).
Johnson, S. D., Bowers, K. J. (2004). The burglary as clue to the future: the
beginnings of prospective hot-spotting. *European Journal of Criminology*, 1(2).
Farrell, G., Pease, K. (1993). *Once bitten, twice bitten: repeat victimisation and
its implications for crime prevention*. Home Office Police Research Group.
"""

from ilp_core.products.strategy._emerging import (
    EMERGING_COLUMNS,
    EMERGING_KINDS,
    accept_emerging,
    emerging_for_display,
    emerging_issues,
)
from ilp_core.products.strategy._evidence import Evidence, problem_evidence, problem_selection
from ilp_core.products.strategy._requirements import draft_requirements, merge_requirements
from ilp_core.products.strategy._rules import Rules, rules
from ilp_core.products.strategy._suggestions import (
    RULES,
    SUGGESTION_COLUMNS,
    accept_suggestions,
    suggest_actions,
    suggestions_for_display,
)
from ilp_core.products.strategy._tables import (
    IMPACTS,
    PESTEL_CATEGORIES,
    PESTEL_COLUMNS,
    PILLARS,
    POSITION_CRITERIA,
    REMINDER_KEY,
    REQUIREMENT_COLUMNS,
    STATUSES,
    STRATEGY_COLUMNS,
    SWOT_COLUMNS,
    SWOT_QUADRANTS,
    Impact,
    PestelCategory,
    Pillar,
    Status,
    SwotQuadrant,
    check_pestel,
    check_requirements,
    check_strategy,
    check_swot,
    empty_pestel,
    empty_requirements,
    empty_strategy,
    empty_swot,
    factor_links,
    position_values,
    reminder,
)

__all__ = [
    "EMERGING_COLUMNS",
    "EMERGING_KINDS",
    "IMPACTS",
    "PESTEL_CATEGORIES",
    "PESTEL_COLUMNS",
    "PILLARS",
    "POSITION_CRITERIA",
    "REMINDER_KEY",
    "REQUIREMENT_COLUMNS",
    "RULES",
    "STATUSES",
    "STRATEGY_COLUMNS",
    "SUGGESTION_COLUMNS",
    "SWOT_COLUMNS",
    "SWOT_QUADRANTS",
    "Evidence",
    "Impact",
    "PestelCategory",
    "Pillar",
    "Rules",
    "Status",
    "SwotQuadrant",
    "accept_emerging",
    "accept_suggestions",
    "check_pestel",
    "check_requirements",
    "check_strategy",
    "check_swot",
    "draft_requirements",
    "emerging_for_display",
    "emerging_issues",
    "empty_pestel",
    "empty_requirements",
    "empty_strategy",
    "empty_swot",
    "factor_links",
    "merge_requirements",
    "position_values",
    "problem_evidence",
    "problem_selection",
    "reminder",
    "rules",
    "suggest_actions",
    "suggestions_for_display",
]
