"""The product tables: requirements, control strategy, PESTEL, SWOT; empty, checked, linked.

Each table's columns are stable API (:data:`REQUIREMENT_COLUMNS`,
:data:`STRATEGY_COLUMNS`, :data:`PESTEL_COLUMNS`, :data:`SWOT_COLUMNS`). The
``check_*`` functions type a table the analyst edited and refuse a bad cell with
a message naming its row; :func:`factor_links` lists which factors affect which
priority; :func:`position_values` reads the organisation's assessed position.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final, Literal, get_args

import numpy as np
import pandas as pd

from ilp_core import checks, i18n
from ilp_core.errors import IlpInputError
from ilp_core.products import intelligence

Pillar = Literal["prevention", "intelligence", "enforcement", "reassurance"]
Status = Literal["open", "in_progress", "closed"]
PestelCategory = Literal[
    "political", "economic", "social", "technological", "environmental", "legal"
]
SwotQuadrant = Literal["strengths", "weaknesses", "opportunities", "threats"]
Impact = Literal["low", "medium", "high"]

PILLARS: Final[tuple[str, ...]] = get_args(Pillar)
STATUSES: Final[tuple[str, ...]] = get_args(Status)
PESTEL_CATEGORIES: Final[tuple[str, ...]] = get_args(PestelCategory)
SWOT_QUADRANTS: Final[tuple[str, ...]] = get_args(SwotQuadrant)
IMPACTS: Final[tuple[str, ...]] = get_args(Impact)

#: Columns of the intelligence requirements (``ilp.requirements``), stable API.
REQUIREMENT_COLUMNS: Final[tuple[str, ...]] = (
    "problem",
    "known",
    "gap",
    "requirement",
    "owner",
    "due",
    "status",
)
#: Columns of the control strategy (``ilp.strategy``), stable API.
STRATEGY_COLUMNS: Final[tuple[str, ...]] = ("problem", "pillar", "action", "owner", "suggested")
#: Columns of the PESTEL table (``ilp.pestel``), stable API.
PESTEL_COLUMNS: Final[tuple[str, ...]] = ("category", "factor", "problems", "impact")
#: Columns of the SWOT table (``ilp.swot``), stable API.
SWOT_COLUMNS: Final[tuple[str, ...]] = ("quadrant", "factor", "problems")
#: Catalog key of the reminder every product and report carries.
REMINDER_KEY: Final[str] = "strategy.reminder"

#: Entered criteria of the organisation's position (0-4, higher = larger gap).
POSITION_CRITERIA: Final[tuple[str, ...]] = (
    "position_knowledge",
    "position_capacity",
    "position_capability",
)


def empty_requirements() -> pd.DataFrame:
    """Return an empty requirements table (:data:`REQUIREMENT_COLUMNS`)."""
    return check_requirements(pd.DataFrame({c: [] for c in REQUIREMENT_COLUMNS}))


def empty_strategy() -> pd.DataFrame:
    """Return an empty control strategy (:data:`STRATEGY_COLUMNS`)."""
    return check_strategy(pd.DataFrame({c: [] for c in STRATEGY_COLUMNS}))


def empty_pestel() -> pd.DataFrame:
    """Return an empty PESTEL table (:data:`PESTEL_COLUMNS`)."""
    return check_pestel(pd.DataFrame({c: [] for c in PESTEL_COLUMNS}))


def empty_swot() -> pd.DataFrame:
    """Return an empty SWOT table (:data:`SWOT_COLUMNS`)."""
    return check_swot(pd.DataFrame({c: [] for c in SWOT_COLUMNS}))


def _text_column(values: Sequence[Any]) -> pd.api.extensions.ExtensionArray:
    return pd.array(["" if _blank(v) else str(v).strip() for v in values], dtype="str")


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple | np.ndarray):
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _choices(
    table: str, column: str, values: Sequence[Any], allowed: tuple[str, ...], default: str | None
) -> list[str]:
    """Return a column's cells in lower case; refuse a cell outside ``allowed`` naming its row.

    A check of what the analyst typed in a table (not of a function argument), so
    its message names the row and the column's own choices.
    """
    out = []
    for i, value in enumerate(values):
        if _blank(value) and default is not None:
            out.append(default)
            continue
        text = "" if _blank(value) else str(value).strip().lower()
        if text not in allowed:
            raise IlpInputError(
                f"strategy.bad_option.{column}",
                rows=(i + 1,),
                columns=(column,),
                table=table,
                row=i + 1,
                value="" if _blank(value) else str(value),
                allowed=", ".join(allowed),
            )
        out.append(text)
    return out


def _problem_lists(table: str, values: Sequence[Any]) -> list[list[str]]:
    out = []
    for i, value in enumerate(values):
        if _blank(value):
            out.append([])
        elif isinstance(value, str):
            out.append([p.strip() for p in value.split(";") if p.strip()])
        elif isinstance(value, list | tuple | np.ndarray | pd.Series):
            out.append([str(p).strip() for p in value if not _blank(p)])
        else:
            raise IlpInputError(
                "strategy.bad_problems",
                rows=(i + 1,),
                columns=("problems",),
                table=table,
                row=i + 1,
            )
    return out


def _factor(table: str, values: Sequence[Any]) -> pd.api.extensions.ExtensionArray:
    for i, value in enumerate(values):
        if _blank(value):
            raise IlpInputError(
                "strategy.factor_missing",
                rows=(i + 1,),
                columns=("factor",),
                table=table,
                row=i + 1,
            )
    return _text_column(values)


def check_requirements(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the requirements table checked and typed (a new frame).

    ``due`` is read as a date (ISO or day first; blank stays None); ``status``
    must be ``open``, ``in_progress`` or ``closed`` (blank: ``open``); rows with
    every text cell empty are dropped (an editor's blank line).

    Raises
    ------
    IlpInputError
        ``checks.missing_columns``, ``strategy.bad_option``, ``strategy.bad_date``.

    Examples
    --------
    >>> r = check_requirements(pd.DataFrame({"problem": ["Robbery"], "known": [""], "gap": [""],
    ...     "requirement": ["Who?"], "owner": [""], "due": ["01.02.2026"], "status": [None]}))
    >>> r.loc[0, "due"], r.loc[0, "status"]
    (datetime.date(2026, 2, 1), 'open')
    """
    checks.columns(frame, REQUIREMENT_COLUMNS, table="requirements")
    frame = _drop_blank_rows(frame, ("problem", "known", "gap", "requirement", "owner"))
    out = pd.DataFrame(index=pd.RangeIndex(len(frame)))
    for col in ("problem", "known", "gap", "requirement", "owner"):
        out[col] = _text_column(list(frame[col]))
    dues = []
    for i, value in enumerate(frame["due"]):
        if _blank(value):
            dues.append(None)
            continue
        day = intelligence.parse_date(value)
        if day is None:
            raise IlpInputError(
                "strategy.bad_date", rows=(i + 1,), columns=("due",), row=i + 1, value=str(value)
            )
        dues.append(day)
    out["due"] = pd.Series(dues, dtype=object)
    out["status"] = pd.array(
        _choices("requirements", "status", list(frame["status"]), STATUSES, "open"), dtype="str"
    )
    return out


def check_strategy(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the control strategy checked and typed (a new frame).

    Raises
    ------
    IlpInputError
        ``checks.missing_columns``, ``strategy.bad_option`` (pillar),
        ``strategy.action_missing``.

    Examples
    --------
    >>> s = check_strategy(pd.DataFrame({"problem": ["Robbery"], "pillar": ["Enforcement"],
    ...     "action": ["Op Nightjar"], "owner": ["CID"], "suggested": [None]}))
    >>> s.loc[0, "pillar"], bool(s.loc[0, "suggested"])
    ('enforcement', False)
    """
    checks.columns(frame, STRATEGY_COLUMNS, table="strategy")
    frame = _drop_blank_rows(frame, ("problem", "action", "owner"))
    out = pd.DataFrame(index=pd.RangeIndex(len(frame)))
    out["problem"] = _text_column(list(frame["problem"]))
    out["pillar"] = pd.array(
        _choices("strategy", "pillar", list(frame["pillar"]), PILLARS, None), dtype="str"
    )
    for i, value in enumerate(frame["action"]):
        if _blank(value):
            raise IlpInputError(
                "strategy.action_missing", rows=(i + 1,), columns=("action",), row=i + 1
            )
    out["action"] = _text_column(list(frame["action"]))
    out["owner"] = _text_column(list(frame["owner"]))
    out["suggested"] = np.array([bool(v) and not _blank(v) for v in frame["suggested"]], dtype=bool)
    return out


def check_pestel(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the PESTEL table checked and typed; ``problems`` as lists of names.

    ``problems`` may be a list or a ``;``-separated text; ``impact`` blank is
    ``medium``.

    Raises
    ------
    IlpInputError
        ``checks.missing_columns``, ``strategy.bad_option``,
        ``strategy.factor_missing``, ``strategy.bad_problems``.

    Examples
    --------
    >>> p = check_pestel(pd.DataFrame({"category": ["Economic"], "factor": ["Cost of living"],
    ...     "problems": ["Shoplifting; Robbery"], "impact": [""]}))
    >>> p.loc[0, "problems"], p.loc[0, "impact"]
    (['Shoplifting', 'Robbery'], 'medium')
    """
    checks.columns(frame, PESTEL_COLUMNS, table="pestel")
    frame = _drop_blank_rows(frame, ("factor",), also_empty=("category",))
    out = pd.DataFrame(index=pd.RangeIndex(len(frame)))
    out["category"] = pd.array(
        _choices("pestel", "category", list(frame["category"]), PESTEL_CATEGORIES, None),
        dtype="str",
    )
    out["factor"] = _factor("pestel", list(frame["factor"]))
    out["problems"] = pd.Series(_problem_lists("pestel", list(frame["problems"])), dtype=object)
    out["impact"] = pd.array(
        _choices("pestel", "impact", list(frame["impact"]), IMPACTS, "medium"), dtype="str"
    )
    return out


def check_swot(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the SWOT table checked and typed; ``problems`` as lists of names.

    Raises
    ------
    IlpInputError
        ``checks.missing_columns``, ``strategy.bad_option``,
        ``strategy.factor_missing``, ``strategy.bad_problems``.

    Examples
    --------
    >>> s = check_swot(pd.DataFrame({"quadrant": ["threats"], "factor": ["New port"],
    ...     "problems": [["Drug offences"]]}))
    >>> s.loc[0, "problems"]
    ['Drug offences']
    """
    checks.columns(frame, SWOT_COLUMNS, table="swot")
    frame = _drop_blank_rows(frame, ("factor",), also_empty=("quadrant",))
    out = pd.DataFrame(index=pd.RangeIndex(len(frame)))
    out["quadrant"] = pd.array(
        _choices("swot", "quadrant", list(frame["quadrant"]), SWOT_QUADRANTS, None), dtype="str"
    )
    out["factor"] = _factor("swot", list(frame["factor"]))
    out["problems"] = pd.Series(_problem_lists("swot", list(frame["problems"])), dtype=object)
    return out


def _drop_blank_rows(
    frame: pd.DataFrame, text: Sequence[str], also_empty: Sequence[str] = ()
) -> pd.DataFrame:
    keep = [
        not all(_blank(frame[c].iloc[i]) for c in (*text, *also_empty)) for i in range(len(frame))
    ]
    return frame.loc[np.asarray(keep, dtype=bool)] if len(frame) else frame


def factor_links(
    pestel: pd.DataFrame, swot: pd.DataFrame, problems: Sequence[str] = ()
) -> pd.DataFrame:
    """List which PESTEL and SWOT factors affect each priority.

    Parameters
    ----------
    pestel, swot
        The two tables (checked here).
    problems
        Priorities to list first, in this order (each factor names its problems;
        problems named by a factor but not given come after them).

    Returns
    -------
    pandas.DataFrame
        ``problem``, ``source`` (``pestel`` or ``swot``), ``category`` (PESTEL
        category or SWOT quadrant), ``factor``, ``impact`` (empty for SWOT).

    Examples
    --------
    >>> p = pd.DataFrame({"category": ["economic"], "factor": ["Cost of living"],
    ...     "problems": [["Shoplifting", "Robbery"]], "impact": ["high"]})
    >>> s = pd.DataFrame({"quadrant": ["strengths"], "factor": ["Retail partnership"],
    ...     "problems": [["Shoplifting"]]})
    >>> factor_links(p, s, ["Shoplifting"])[["problem", "source", "factor"]].values.tolist()
    [['Shoplifting', 'pestel', 'Cost of living'], ['Shoplifting', 'swot', 'Retail partnership'], ['Robbery', 'pestel', 'Cost of living']]
    """  # noqa: E501
    pestel, swot = check_pestel(pestel), check_swot(swot)
    rows = []
    for r in pestel.itertuples(index=False):
        rows += [(p, "pestel", r.category, r.factor, r.impact) for p in r.problems]
    for r in swot.itertuples(index=False):
        rows += [(p, "swot", r.quadrant, r.factor, "") for p in r.problems]
    out = pd.DataFrame(rows, columns=["problem", "source", "category", "factor", "impact"])
    order = list(dict.fromkeys([*map(str, problems), *out["problem"]]))
    rank = {p: i for i, p in enumerate(order)}
    out["_order"] = out["problem"].map(rank)
    out = out.sort_values(["_order", "source"], kind="stable").drop(columns="_order")
    return out.reset_index(drop=True).astype("str")


def position_values(entered: pd.DataFrame | None) -> dict[str, dict[str, float]]:
    """Return each problem's assessed position gaps from a priority assessment's entered values.

    Only values that were assessed are in the assessment's entered values, so a
    problem or criterion missing here was not assessed.

    Examples
    --------
    >>> e = pd.DataFrame({"problem": ["Robbery", "Robbery"],
    ...     "criterion": ["position_knowledge", "vulnerability"],
    ...     "value": [3.0, 4.0], "confidence": ["medium", "high"]})
    >>> position_values(e)
    {'Robbery': {'position_knowledge': 3.0}}
    """
    out: dict[str, dict[str, float]] = {}
    if entered is None or not len(entered):
        return out
    rows = entered[entered["criterion"].isin(list(POSITION_CRITERIA))]
    for p, c, v in zip(rows["problem"], rows["criterion"], rows["value"], strict=True):
        out.setdefault(str(p), {})[str(c)] = float(v)
    return out


def reminder(lang: str = i18n.DEFAULT_LANGUAGE) -> str:
    """The reminder every product carries: decision support on recorded crime, not instructions.

    Examples
    --------
    >>> reminder("en").startswith("Rankings and allocations are decision support")
    True
    """
    return i18n.t(REMINDER_KEY, lang)
