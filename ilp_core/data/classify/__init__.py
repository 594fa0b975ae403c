"""Offence labels of an export classified in the ICCS, so every label can carry a harm weight.

An export names its offences in its own words: police.uk's "Violence and sexual
offences", Chicago's "DECEPTIVE PRACTICE", a Russian «Кража со взломом», a French
«Vol avec violence». The International Classification of Crime for Statistical
Purposes (ICCS 1.0, UNODC 2015), the standard national statistics offices use,
gives every one of them a class; harm weights (:mod:`ilp_core.decide.harm`) are kept
per class, so a Russian burglary weighs as a burglary.

The steps, each a function:

1. :func:`suggest_classes` suggests a class per label (known export tables,
   the analyst's earlier choices, synonyms in English, Russian, French and
   Spanish), with how sure it is and why;
2. the analyst confirms or corrects each on the Data page; :func:`check_classes`
   checks the result, which is saved with the column mapping
   (``ColumnMapping.offence_classes``) and carried by the ``Dataset``;
3. :func:`classes_for` gives each label its confirmed class (the known export
   tables only, when nothing was confirmed).

The codes and their names in four languages are in ``ilp_core/config/iccs.yaml``
(:func:`iccs_classes`, :func:`class_label`); the tables and synonyms in
``ilp_core/config/offence_classes.yaml``.

References
----------
UNODC (2015). *International Classification of Crime for Statistical Purposes
(ICCS), Version 1.0*. Vienna: United Nations Office on Drugs and Crime.
"""

from ilp_core.data.classify._iccs import (
    NOT_A_CRIME,
    check_class,
    class_label,
    class_level,
    class_name,
    class_parent,
    iccs_classes,
    is_class,
)
from ilp_core.data.classify._suggest import (
    CONFIDENCES,
    SUGGESTION_COLUMNS,
    check_classes,
    classes_for,
    confirmed_classes,
    known_layouts,
    layout_classes,
    suggest_classes,
    suggestions_for_display,
)

__all__ = [
    "CONFIDENCES",
    "NOT_A_CRIME",
    "SUGGESTION_COLUMNS",
    "check_class",
    "check_classes",
    "class_label",
    "class_level",
    "class_name",
    "class_parent",
    "classes_for",
    "confirmed_classes",
    "iccs_classes",
    "is_class",
    "known_layouts",
    "layout_classes",
    "suggest_classes",
    "suggestions_for_display",
]
