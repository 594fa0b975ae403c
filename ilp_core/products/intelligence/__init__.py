"""The intelligence log: graded items, their validation, crosswalks between schemes, summaries.

Intelligence-led policing rests its products on information whose reliability is
graded (OSCE, 2017): every item of the log carries the evaluation of its source,
the evaluation of the information itself and a handling code, in one of three
schemes (``ilp_core/config/grading.yaml`` holds the codes, their meanings, the
crosswalks and the "weak" rule):

* ``eu4x4`` (default): the EU/Europol 4x4 system, source A, B, C, X and
  information 1-4 (Europol Regulation, Article 29), handling codes H0-H3;
* ``uk3x5x2``: the UK 3x5x2 (College of Policing APP), source 1-3,
  intelligence A-E, handling P (lawful sharing permitted) or C (with conditions);
* ``5x5x5``: the older UK National Intelligence Model report, source A-E,
  intelligence 1-5, handling 1-5.

A code outside its scheme is refused with a message that spells out every
allowed code and its meaning. :func:`crosswalk` converts a grade between schemes,
always flagged approximate. :func:`summarise` counts the items per priority and
per grade and flags the priorities that rest mostly on weak information (the rule
is stated by :func:`weak_rule`).

The log (:data:`LOG_COLUMNS`, the ``ilp.intel_log`` table of the app) is entered
in the app or read from a CSV file; every row is either accepted or rejected with
its reason, as in the incident ingest (``accepted + rejected == rows read``).

Where each part lives:

================  =================================================================
``_grading.py``   the configuration (:class:`Grading`, :func:`grading`, the YAML
                  checks) and its words in the user's language
                  (:func:`scheme_label`, :func:`code_meaning`,
                  :func:`allowed_text`)
``_grades.py``    one item's grade: :func:`check_scheme`, :func:`check_code`,
                  :class:`Grade`, :func:`make_grade`, :class:`Converted`,
                  :func:`crosswalk`, :func:`is_weak`, :func:`weak_rule`
``_log.py``       the log table: :func:`empty_log`, :class:`LogCheck`,
                  :func:`validate_log` and its row checks, :func:`parse_date`,
                  :func:`add_item`, :func:`append_items`, :func:`read_log`,
                  :func:`rejects_for_display`, :func:`log_for_display`
``_summary.py``   :class:`LogSummary`, :func:`summarise`,
                  :func:`summary_for_display`, :func:`grades_for_display`
================  =================================================================

Each module imports only those above it in this table.

References
----------
OSCE (2017). *OSCE Guidebook: Intelligence-Led Policing*. TNTD/SPMU Publication
Series Vol. 13, Vienna.
Regulation (EU) 2016/794 (Europol Regulation), Article 29.
College of Policing. *Authorised Professional Practice: Intelligence management*.
"""

from ilp_core.products.intelligence._grades import (
    Converted,
    Grade,
    check_code,
    check_scheme,
    crosswalk,
    is_weak,
    make_grade,
    weak_rule,
)
from ilp_core.products.intelligence._grading import (
    AXES,
    SCHEMES,
    Axis,
    Grading,
    GradingScheme,
    allowed_text,
    code_meaning,
    grading,
    scheme_label,
)
from ilp_core.products.intelligence._log import (
    LOG_COLUMNS,
    REASONS,
    REJECT_COLUMNS,
    REQUIRED_COLUMNS,
    LogCheck,
    add_item,
    append_items,
    empty_log,
    log_for_display,
    parse_date,
    read_log,
    rejects_for_display,
    validate_log,
)
from ilp_core.products.intelligence._summary import (
    FLAG_REASONS,
    LogSummary,
    grades_for_display,
    summarise,
    summary_for_display,
)

__all__ = [
    "AXES",
    "FLAG_REASONS",
    "LOG_COLUMNS",
    "REASONS",
    "REJECT_COLUMNS",
    "REQUIRED_COLUMNS",
    "SCHEMES",
    "Axis",
    "Converted",
    "Grade",
    "Grading",
    "GradingScheme",
    "LogCheck",
    "LogSummary",
    "add_item",
    "allowed_text",
    "append_items",
    "check_code",
    "check_scheme",
    "code_meaning",
    "crosswalk",
    "empty_log",
    "grades_for_display",
    "grading",
    "is_weak",
    "log_for_display",
    "make_grade",
    "parse_date",
    "read_log",
    "rejects_for_display",
    "scheme_label",
    "summarise",
    "summary_for_display",
    "validate_log",
    "weak_rule",
]
