"""One item's grade: its codes checked against the scheme, converted between schemes, judged weak.

:func:`check_scheme` and :func:`check_code` read a scheme and a code as an
analyst entered them (any case, ``2.0`` from a spreadsheet) and refuse a wrong
one with a message listing every allowed code and its meaning;
:func:`make_grade` checks the three codes of an item at once. :func:`crosswalk`
converts a :class:`Grade` to another scheme (always approximate), :func:`is_weak`
and :func:`weak_rule` say which items are weak and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ilp_core import checks, i18n
from ilp_core.errors import IlpInputError, Message
from ilp_core.products.intelligence._grading import (
    AXES,
    SCHEMES,
    Grading,
    GradingScheme,
    _blank,
    _norm,
    allowed_text,
    grading,
    scheme_label,
)


def _code_error(key: str, scheme: str, axis: str, code: str) -> IlpInputError:
    return IlpInputError(
        key,
        columns=(axis,),
        scheme=scheme,
        scheme_name=scheme_label(scheme),
        axis=axis,
        axis_name=i18n.t(f"intelligence.axis.{axis}"),
        code=code,
        allowed=allowed_text(scheme, axis),
    )


def check_scheme(value: Any, cfg: Grading | None = None) -> str:
    """Return the scheme named by ``value`` (blank: the default scheme), or refuse it.

    Raises
    ------
    IlpInputError
        ``intelligence.bad_scheme`` naming the value and the schemes allowed.

    Examples
    --------
    >>> check_scheme(" UK3x5x2 "), check_scheme("")
    ('uk3x5x2', 'eu4x4')
    """
    cfg = cfg or grading()
    if _blank(value):
        return cfg.default_scheme
    text = str(value).strip().lower()
    if text not in cfg.schemes:
        raise IlpInputError(
            "intelligence.bad_scheme",
            columns=("scheme",),
            value=str(value),
            allowed=", ".join(SCHEMES),
        )
    return text


def check_code(scheme: str, axis: str, value: Any, cfg: Grading | None = None) -> str:
    """Return ``value`` as a code of ``scheme``'s ``axis`` (``"b"`` becomes ``"B"``), or refuse it.

    Parameters
    ----------
    scheme
        One of :data:`SCHEMES`.
    axis
        ``"source"``, ``"information"`` or ``"handling"``.
    value
        The code as entered (text or a number).

    Returns
    -------
    str

    Raises
    ------
    IlpInputError
        ``intelligence.code_missing`` or ``intelligence.bad_code``: the message
        names the code and every allowed code with its meaning;
        ``checks.option`` when ``scheme`` or ``axis`` is not one of those named.

    Examples
    --------
    >>> check_code("eu4x4", "handling", " h1 ")
    'H1'
    >>> try:
    ...     check_code("eu4x4", "source", "Z")
    ... except IlpInputError as error:
    ...     print(str(error)[:58])
    Source 'Z' is not a code of the EU/Europol 4x4 scheme: use
    """
    cfg = cfg or grading()
    checks.option("scheme", scheme, SCHEMES)
    checks.option("axis", axis, AXES)
    if _blank(value):
        raise _code_error("intelligence.code_missing", scheme, axis, "")
    code = _norm(value)
    if code not in cfg.schemes[scheme][axis]:
        raise _code_error("intelligence.bad_code", scheme, axis, str(value).strip())
    return code


@dataclass(frozen=True)
class Grade:
    """One item's evaluation: scheme, source code, information code, handling code."""

    scheme: str
    source: str
    information: str
    handling: str

    @property
    def label(self) -> str:
        """The grade as analysts write it (``"B2 H1"``, ``"1A P"``, ``"B3 5"``)."""
        return f"{self.source}{self.information} {self.handling}"


def make_grade(
    scheme: GradingScheme | str,
    source: Any,
    information: Any,
    handling: Any,
    cfg: Grading | None = None,
) -> Grade:
    """Check the three codes of an item against its scheme and return its grade.

    Parameters
    ----------
    scheme
        ``"eu4x4"``, ``"uk3x5x2"`` or ``"5x5x5"`` (blank: the default scheme).
    source, information, handling
        The codes as entered.

    Returns
    -------
    Grade

    Raises
    ------
    IlpInputError
        ``intelligence.bad_scheme``, ``intelligence.code_missing`` or
        ``intelligence.bad_code`` for the first code that is wrong.

    Examples
    --------
    >>> make_grade("eu4x4", "b", 2, "h0").label
    'B2 H0'
    """
    cfg = cfg or grading()
    name = check_scheme(scheme, cfg)
    return Grade(
        scheme=name,
        source=check_code(name, "source", source, cfg),
        information=check_code(name, "information", information, cfg),
        handling=check_code(name, "handling", handling, cfg),
    )


@dataclass(frozen=True)
class Converted:
    """A grade converted to another scheme.

    Attributes
    ----------
    grade
        The grade in the target scheme.
    original
        The grade converted.
    approximate
        True whenever the schemes differ: no crosswalk is exact.
    note
        What the conversion means (``intelligence.crosswalk.approximate`` or
        ``intelligence.crosswalk.same``).
    """

    grade: Grade
    original: Grade
    approximate: bool
    note: Message


def crosswalk(grade: Grade, to: GradingScheme | str, cfg: Grading | None = None) -> Converted:
    """Convert a grade to another scheme, flagged approximate, with a note saying so.

    The mapping tables are in ``grading.yaml`` (``crosswalks``): where several
    codes meet, the weaker grade and the more restrictive handling were chosen.

    Parameters
    ----------
    grade
        A grade from :func:`make_grade`.
    to
        The target scheme: ``"eu4x4"``, ``"uk3x5x2"`` or ``"5x5x5"``.

    Returns
    -------
    Converted

    Raises
    ------
    IlpInputError
        ``checks.option`` when ``to`` is not one of the schemes.

    Examples
    --------
    >>> c = crosswalk(make_grade("uk3x5x2", "1", "B", "P"), "eu4x4")
    >>> c.grade.label, c.approximate
    ('B3 H0', True)
    >>> crosswalk(c.grade, "uk3x5x2").grade.label  # back where it started
    '1B P'
    """
    cfg = cfg or grading()
    target = checks.option("to", to, SCHEMES)
    if target == grade.scheme:
        return Converted(grade, grade, False, Message("intelligence.crosswalk.same"))
    table = cfg.crosswalks[grade.scheme][target]
    out = Grade(
        scheme=target,
        source=table["source"][grade.source],
        information=table["information"][grade.information],
        handling=table["handling"][grade.handling],
    )
    note = Message(
        "intelligence.crosswalk.approximate",
        {
            "original": grade.label,
            "from_scheme": grade.scheme,
            "from_scheme_name": scheme_label(grade.scheme),
            "converted": out.label,
            "to_scheme": target,
            "to_scheme_name": scheme_label(target),
        },
    )
    return Converted(out, grade, True, note)


def is_weak(grade: Grade, cfg: Grading | None = None) -> bool:
    """Whether an item is weak.

    An item is weak when, after conversion to the reference scheme, its source or
    information code is in the weak lists of ``grading.yaml``.

    Examples
    --------
    >>> is_weak(make_grade("eu4x4", "B", "2", "H0")), is_weak(make_grade("eu4x4", "X", "1", "H0"))
    (False, True)
    >>> is_weak(make_grade("uk3x5x2", "2", "A", "P"))  # untested source: X in 4x4
    True
    """
    cfg = cfg or grading()
    ref = crosswalk(grade, cfg.weak_scheme, cfg).grade
    return ref.source in cfg.weak_source or ref.information in cfg.weak_information


def weak_rule(cfg: Grading | None = None) -> Message:
    """The rule that calls an item weak and flags a priority, as a message for the page.

    Examples
    --------
    >>> print(weak_rule().render("en"))  # doctest: +ELLIPSIS
    An item is weak when, converted to EU/Europol 4x4, its source code is one of C, X or ...
    """
    cfg = cfg or grading()
    return Message(
        "intelligence.weak_rule",
        {
            "scheme": cfg.weak_scheme,
            "scheme_name": scheme_label(cfg.weak_scheme),
            "sources": ", ".join(cfg.weak_source),
            "information": ", ".join(cfg.weak_information),
            "share": round(100 * cfg.mostly_share),
        },
    )
