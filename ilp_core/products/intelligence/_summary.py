"""Summaries of the log: items per priority and per grade, priorities resting on weak information.

:func:`summarise` matches the items to the priorities (by name, in any of the
app's languages), converts every grade to the reference scheme and flags the
priorities that rest mostly on weak information or on none;
:func:`summary_for_display` and :func:`grades_for_display` prepare its tables for
the page and for download, in the user's language.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from ilp_core import checks, i18n
from ilp_core.errors import Message
from ilp_core.products.intelligence._grades import Grade, crosswalk, weak_rule
from ilp_core.products.intelligence._grading import Grading, code_meaning, grading
from ilp_core.products.intelligence._log import validate_log

#: Why a priority is flagged (``LogSummary.per_problem["flag_reason"]``).
FLAG_REASONS: Final[tuple[str, ...]] = ("no_items", "mostly_weak")


@dataclass(frozen=True, eq=False)
class LogSummary:
    """Items per priority and per grade, and the priorities resting on weak information.

    Attributes
    ----------
    per_problem
        One row per priority given (in their order), then any other problem named
        in the log: ``problem``, ``in_ranking``, ``rank`` and ``tier`` (when given),
        ``n_items``, ``n_weak``, ``weak_share`` (NaN without items), ``flagged``,
        ``flag_reason`` (``no_items``, ``mostly_weak`` or empty), ``last_date``.
    per_grade
        Items per grade in the reference scheme (``grading.yaml``'s ``weak.scheme``,
        after conversion): ``source``, ``information``, ``grade`` (``"B2"``),
        ``weak``, ``n_items``, ``n_converted`` (items graded in another scheme).
    by_problem_grade
        Items per problem (rows, as in ``per_problem``) and reference grade
        (columns ``A1`` ... ``X4`` that occur), counts.
    rule
        The weak rule (:func:`weak_rule`), to state beside the table.
    n_items, n_weak
        Items in the log and weak ones.
    """

    per_problem: pd.DataFrame
    per_grade: pd.DataFrame
    by_problem_grade: pd.DataFrame
    rule: Message
    n_items: int
    n_weak: int


def summarise(
    log: pd.DataFrame, problems: pd.DataFrame | Sequence[str] = (), cfg: Grading | None = None
) -> LogSummary:
    """Count the items per priority and per grade; flag priorities resting on weak information.

    An item belongs to a priority when its ``problem`` names it (any case, or the
    priority's name in any of the app's languages). A priority is flagged
    ``mostly_weak`` when more than ``mostly_share`` (50 %) of its items are weak,
    and ``no_items`` when the log holds none: in both cases what is known about
    it is not corroborated by graded intelligence (see :func:`weak_rule`).

    Parameters
    ----------
    log
        The intelligence log (checked with :func:`validate_log` first).
    problems
        The priorities: names, or a ranking table with ``problem`` (and
        ``rank``, ``tier``, carried over).

    Returns
    -------
    LogSummary

    Raises
    ------
    IlpInputError
        ``checks.missing_columns`` when a ranking table has no ``problem`` column.

    Examples
    --------
    >>> log = pd.DataFrame({"date": ["2025-01-02"] * 3, "summary": ["a", "b", "c"],
    ...     "problem": ["Robbery", "robbery", "Robbery"], "source": ["B", "X", "C"],
    ...     "information": ["2", "2", "2"], "handling": ["H0"] * 3})
    >>> s = summarise(validate_log(log).log, ["Robbery", "Homicide"])
    >>> s.per_problem[["problem", "n_items", "n_weak", "flag_reason"]].values.tolist()
    [['Robbery', 3, 2, 'mostly_weak'], ['Homicide', 0, 0, 'no_items']]
    """
    cfg = cfg or grading()
    log = validate_log(log, cfg).log
    if isinstance(problems, pd.DataFrame):
        checks.columns(problems, ("problem",), table="problems")
        given = problems.reset_index(drop=True)
    else:
        given = pd.DataFrame({"problem": [str(p) for p in problems]})
    # a priority named twice (a custom problem named like an offence) is counted once
    given = given.loc[~given["problem"].astype(str).duplicated()].reset_index(drop=True)
    names = [str(p) for p in given["problem"]]
    items = _items(log, names, cfg)
    others = [p for p in dict.fromkeys(items["problem"]) if p not in set(names)]
    order = names + others
    grades = _grade_table(items, cfg)
    return LogSummary(
        per_problem=_problem_table(items, given, names, order, cfg),
        per_grade=grades,
        by_problem_grade=_problem_grade_grid(items, order, list(grades["grade"])),
        rule=weak_rule(cfg),
        n_items=len(log),
        n_weak=int(items["weak"].sum()),
    )


def _items(log: pd.DataFrame, names: Sequence[str], cfg: Grading) -> pd.DataFrame:
    """One row per item: the priority it names, its grade in the reference scheme, weak or not."""
    refs = [
        crosswalk(Grade(s, i, h, x), cfg.weak_scheme, cfg).grade
        for s, i, h, x in zip(
            log["scheme"], log["source"], log["information"], log["handling"], strict=True
        )
    ]
    weak = np.array(
        [r.source in cfg.weak_source or r.information in cfg.weak_information for r in refs],
        dtype=bool,
    )
    lookup = _problem_lookup(names)
    return pd.DataFrame(
        {
            "problem": [
                lookup.get(str(p).strip().casefold(), str(p).strip()) for p in log["problem"]
            ],
            "weak": weak,
            "date": list(log["date"]),
            "grade": [f"{r.source}{r.information}" for r in refs],
            "source": [r.source for r in refs],
            "information": [r.information for r in refs],
            "converted": (log["scheme"] != cfg.weak_scheme).to_numpy(),
        }
    )


def _problem_table(
    items: pd.DataFrame,
    given: pd.DataFrame,
    names: Sequence[str],
    order: Sequence[str],
    cfg: Grading,
) -> pd.DataFrame:
    """Items, weak items and the flag per problem: ``per_problem``, rows in ``order``.

    ``order`` is ``names`` (the priorities given, one per row of ``given``) followed
    by the other problems the log names.
    """
    ranked = set(names)
    n_others = len(order) - len(names)
    per = items.groupby("problem", sort=False).agg(
        n_items=("weak", "size"), n_weak=("weak", "sum"), last_date=("date", "max")
    )
    per = per.reindex(order)
    table = pd.DataFrame({"problem": pd.array(order, dtype="str")})
    table["in_ranking"] = [p in ranked for p in order]
    for col in ("rank", "tier"):
        if col in given.columns:
            table[col] = list(given[col]) + [None] * n_others
    table["n_items"] = per["n_items"].fillna(0).to_numpy(dtype="int64")
    table["n_weak"] = per["n_weak"].fillna(0).to_numpy(dtype="int64")
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(
            table["n_items"] > 0, table["n_weak"] / table["n_items"].clip(lower=1), np.nan
        )
    table["weak_share"] = share
    reason = np.where(
        table["n_items"].to_numpy() == 0,
        "no_items",
        np.where(np.nan_to_num(share, nan=0.0) > cfg.mostly_share, "mostly_weak", ""),
    )
    table["flagged"] = reason != ""
    table["flag_reason"] = pd.array(reason.tolist(), dtype="str")
    table["last_date"] = list(per["last_date"].astype(object).where(per["last_date"].notna(), None))
    return table


def _problem_grade_grid(
    items: pd.DataFrame, order: Sequence[str], grades: Sequence[str]
) -> pd.DataFrame:
    """Items per problem (rows, in ``order``) and reference grade (columns), counts."""
    if not len(items):
        return pd.DataFrame({"problem": pd.array(order, dtype="str")})
    return (
        pd.crosstab(pd.Categorical(items["problem"], categories=order), items["grade"])
        .reindex(index=order, columns=list(grades), fill_value=0)
        .rename_axis(index="problem", columns=None)
        .reset_index()
    )


def _grade_table(items: pd.DataFrame, cfg: Grading) -> pd.DataFrame:
    scheme = cfg.schemes[cfg.weak_scheme]
    rows = []
    for s in scheme["source"]:
        for i in scheme["information"]:
            here = items[(items["source"] == s) & (items["information"] == i)]
            if len(here):
                rows.append(
                    (
                        s,
                        i,
                        f"{s}{i}",
                        s in cfg.weak_source or i in cfg.weak_information,
                        len(here),
                        int(here["converted"].sum()),
                    )
                )
    return pd.DataFrame(
        rows, columns=["source", "information", "grade", "weak", "n_items", "n_converted"]
    ).astype({"n_items": "int64", "n_converted": "int64", "weak": bool})


def _problem_lookup(names: Sequence[str]) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for name in names:
        lookup.setdefault(name.strip().casefold(), name)
        for lang in i18n.LANGUAGES:
            lookup.setdefault(i18n.term(name, lang).strip().casefold(), name)
    return lookup


def summary_for_display(summary: LogSummary, lang: str = i18n.DEFAULT_LANGUAGE) -> pd.DataFrame:
    """Return the per-priority summary with headers, names and flags in ``lang``.

    Examples
    --------
    >>> from ilp_core.products.intelligence import empty_log
    >>> s = summarise(empty_log(), ["Robbery"])
    >>> summary_for_display(s, "en").iloc[0, :3].astype(str).tolist()
    ['Robbery', '0', '0']
    """
    t = summary.per_problem
    out = pd.DataFrame(
        {
            "problem": [i18n.term(p, lang) for p in t["problem"]],
            "n_items": t["n_items"].to_numpy(),
            "n_weak": t["n_weak"].to_numpy(),
            "weak_share": [
                "" if pd.isna(v) else i18n.percent(float(v), lang) for v in t["weak_share"]
            ],
            "flag": [i18n.t(f"intelligence.flag.{r}", lang) if r else "" for r in t["flag_reason"]],
            "last_date": ["" if d is None else i18n.date(d, lang) for d in t["last_date"]],
        }
    )
    if "tier" in t.columns:
        tiers = [
            i18n.t(f"intelligence.tier.{v}", lang) if v in ("high", "medium", "low") else ""
            for v in t["tier"]
        ]
        out.insert(1, "tier", tiers)
    return out.rename(columns=lambda c: i18n.t(f"intelligence.summary_col.{c}", lang))


def grades_for_display(summary: LogSummary, lang: str = i18n.DEFAULT_LANGUAGE) -> pd.DataFrame:
    """Return the items per reference grade with each code spelled out, headers in ``lang``.

    Examples
    --------
    >>> from ilp_core.products.intelligence import add_item, empty_log
    >>> log = add_item(empty_log(), date="2025-05-02", summary="x", source="1",
    ...                information="B", handling="P", scheme="uk3x5x2")
    >>> grades_for_display(summarise(log), "en").iloc[0].tolist()[0]
    'B3'
    """
    cfg = grading()
    g = summary.per_grade
    ref = cfg.weak_scheme
    out = pd.DataFrame(
        {
            "grade": g["grade"].to_numpy(),
            "source": [code_meaning(ref, "source", c, lang, cfg) for c in g["source"]],
            "information": [
                code_meaning(ref, "information", c, lang, cfg) for c in g["information"]
            ],
            "weak": [i18n.t(f"intelligence.weak.{bool(w)}".lower(), lang) for w in g["weak"]],
            "n_items": g["n_items"].to_numpy(),
            "n_converted": g["n_converted"].to_numpy(),
        }
    )
    return out.rename(columns=lambda c: i18n.t(f"intelligence.grade_col.{c}", lang))
