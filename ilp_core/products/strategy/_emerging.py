"""Emerging issues offered to the control strategy and the intelligence requirements.

What the Outlook found new (offences rising beyond their season or appearing for
the first time, :func:`ilp_core.analysis.forecast.emerging_offences`; new clusters
in space and time, :func:`ilp_core.analysis.space_time_scan.space_time_scan`) is
not yet a priority: the strategic assessment ranked the past. :func:`emerging_issues`
turns each finding into an offer, one action for the control strategy and one
intelligence requirement, each citing its evidence; :func:`accept_emerging` adds
the ones the user accepts (nothing enters the strategy silently).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Final

import numpy as np
import pandas as pd

from ilp_core import i18n
from ilp_core.analysis.forecast import EmergingOffences
from ilp_core.analysis.space_time_scan import SpaceTimeScan
from ilp_core.errors import IlpInputError
from ilp_core.products.strategy._rules import Rules, rules
from ilp_core.products.strategy._tables import check_requirements, check_strategy

#: Columns of the emerging issues (stable API).
EMERGING_COLUMNS: Final[tuple[str, ...]] = (
    "issue_id",
    "kind",
    "problem",
    "finding",
    "gap",
    "pillar",
    "action",
    "requirement",
)
#: Kinds of emerging issue, in the order they are offered.
EMERGING_KINDS: Final[tuple[str, ...]] = ("new_offence", "emerging_offence", "cluster")
#: Pillar of the control strategy each kind's action belongs to.
_PILLAR: Final[dict[str, str]] = {
    "new_offence": "intelligence",
    "emerging_offence": "intelligence",
    "cluster": "prevention",
}


def emerging_issues(
    emerging: EmergingOffences | None = None,
    scan: SpaceTimeScan | None = None,
    *,
    lang: str = i18n.DEFAULT_LANGUAGE,
) -> pd.DataFrame:
    """Offer each emerging offence and each significant new cluster to the strategy.

    Parameters
    ----------
    emerging
        Output of :func:`ilp_core.analysis.forecast.emerging_offences` (offences of
        status ``new`` or ``emerging`` are offered), or None.
    scan
        Output of :func:`ilp_core.analysis.space_time_scan.space_time_scan`
        (clusters with ``significant`` true are offered), or None.
    lang
        Language of the texts.

    Returns
    -------
    pandas.DataFrame
        :data:`EMERGING_COLUMNS`: ``issue_id`` (``"<kind>|<problem>"``, with the
        cluster's rank for clusters), ``kind`` (``new_offence``,
        ``emerging_offence`` or ``cluster``), ``problem`` (the offence: for a
        cluster its most frequent one), ``finding`` (what was found, with its
        figures), ``pillar`` and ``action`` (offered to the control strategy),
        ``requirement`` (offered to the intelligence requirements).

    Examples
    --------
    >>> from ilp_core.data.dataset import load_sample
    >>> from ilp_core.analysis.forecast import emerging_offences
    >>> issues = emerging_issues(emerging_offences(load_sample().incidents))
    >>> issues[["kind", "problem", "pillar"]].to_numpy().tolist()
    [['emerging_offence', 'Vehicle crime', 'intelligence']]
    """
    rows: list[dict[str, str]] = []
    if emerging is not None:
        rows += _offence_rows(emerging, lang)
    if scan is not None:
        rows += _cluster_rows(scan, lang)
    out = pd.DataFrame(rows, columns=list(EMERGING_COLUMNS))
    order = {k: i for i, k in enumerate(EMERGING_KINDS)}
    out = out.iloc[np.argsort(out["kind"].map(order).to_numpy(), kind="stable")]
    return out.reset_index(drop=True).astype(dict.fromkeys(EMERGING_COLUMNS, "str"))


def _offence_rows(emerging: EmergingOffences, lang: str) -> list[dict[str, str]]:
    rows = []
    t = emerging.table
    period = {
        "start": i18n.date(emerging.recent_start, lang),
        "end": i18n.date(emerging.recent_end, lang),
    }
    for r in t.loc[t["status"].isin(["new", "emerging"])].itertuples(index=False):
        offence = str(r.offence)
        name = i18n.term(offence, lang)
        if r.status == "new":
            kind = "new_offence"
            first = pd.Timestamp(r.first_seen)
            finding = i18n.t(
                "strategy.emerging.finding.new_offence",
                lang,
                offence=name,
                n=int(r.recent_count),
                first=i18n.date(first.date(), lang) if pd.notna(first) else "",
                **period,
            )
        else:
            kind = "emerging_offence"
            finding = i18n.t(
                "strategy.emerging.finding.emerging_offence",
                lang,
                offence=name,
                n=int(r.recent_count),
                expected=i18n.number(float(r.expected), lang),
                ratio=i18n.number(float(r.ratio), lang, 1),
                p=i18n.number(float(r.p_fdr), lang, 3),
                **period,
            )
        rows.append(_row(kind, offence, offence, finding, name, "", lang))
    return rows


def _cluster_rows(scan: SpaceTimeScan, lang: str) -> list[dict[str, str]]:
    rows = []
    c = scan.clusters
    for r in c.loc[c["significant"].astype(bool)].itertuples(index=False):
        offence = str(r.top_offence)
        name = i18n.term(offence, lang) if offence else ""
        place = i18n.term(str(r.district), lang) if str(r.district) else ""
        finding = i18n.t(
            "strategy.emerging.finding.cluster",
            lang,
            offence=name,
            place=place,
            radius=i18n.number(float(r.radius_m), lang),
            start=i18n.date(r.start, lang),
            observed=int(r.observed),
            expected=i18n.number(float(r.expected), lang, 1),
            p=i18n.number(float(r.p_value), lang, 3),
            years=i18n.number(float(r.recurrence_years), lang, 1),
        )
        rows.append(
            _row("cluster", f"{offence}|{int(r.rank)}", offence, finding, name, place, lang)
        )
    return rows


def _row(
    kind: str, key: str, problem: str, finding: str, name: str, place: str, lang: str
) -> dict[str, str]:
    return {
        "issue_id": f"{kind}|{key}",
        "kind": kind,
        "problem": problem,
        "finding": finding,
        "gap": i18n.t(f"strategy.emerging.gap.{kind}", lang),
        "pillar": _PILLAR[kind],
        "action": i18n.t(f"strategy.emerging.action.{kind}", lang, offence=name, place=place),
        "requirement": i18n.t(
            f"strategy.emerging.requirement.{kind}", lang, offence=name, place=place
        ),
    }


def accept_emerging(
    strategy: pd.DataFrame,
    requirements: pd.DataFrame,
    issues: pd.DataFrame,
    ids: Sequence[str],
    *,
    owner: str = "",
    today: dt.date | None = None,
    cfg: Rules | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Add the accepted emerging issues: their action to the strategy, their requirement too.

    The action joins the control strategy marked ``suggested``; the requirement
    joins the intelligence requirements (``known``: the finding; ``gap``: what is
    not known yet; status ``open``, due ``requirements.due_days`` from
    ``today``, as drafted requirements are). Neither is added twice.

    Parameters
    ----------
    strategy, requirements
        The current tables (:data:`STRATEGY_COLUMNS`, :data:`REQUIREMENT_COLUMNS`).
    issues
        Output of :func:`emerging_issues`.
    ids
        The ``issue_id`` values the user accepted.
    owner
        Owner of the new rows.
    today
        Date the due dates count from (default: today).
    cfg
        Strategy rules (default: the bundled file).

    Returns
    -------
    tuple of pandas.DataFrame
        The new strategy and the new requirements.

    Raises
    ------
    IlpInputError
        ``strategy.unknown_suggestion`` for an id that is not among the issues.

    Examples
    --------
    >>> from ilp_core.products.strategy import empty_requirements, empty_strategy
    >>> issues = pd.DataFrame({"issue_id": ["new_offence|Fraud"], "kind": ["new_offence"],
    ...     "problem": ["Fraud"], "finding": ["12 since May"], "gap": ["Unknown"],
    ...     "pillar": ["intelligence"],
    ...     "action": ["Brief the teams"], "requirement": ["Who commits it?"]})
    >>> s, r = accept_emerging(empty_strategy(), empty_requirements(), issues,
    ...                        ["new_offence|Fraud"], today=dt.date(2026, 1, 1))
    >>> s[["problem", "pillar", "suggested"]].values.tolist(), r["requirement"].tolist()
    ([['Fraud', 'intelligence', True]], ['Who commits it?'])
    """
    cfg = cfg or rules()
    current_s, current_r = check_strategy(strategy), check_requirements(requirements)
    known = set(issues["issue_id"])
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise IlpInputError("strategy.unknown_suggestion", value=str(unknown[0]))
    chosen = issues[issues["issue_id"].isin(list(ids))]
    have_s = set(zip(current_s["problem"], current_s["pillar"], current_s["action"], strict=True))
    have_r = set(zip(current_r["problem"], current_r["requirement"], strict=True))
    due = (today or dt.date.today()) + dt.timedelta(days=int(cfg.requirements["due_days"]))
    new_s, new_r = [], []
    for r in chosen.itertuples(index=False):
        if (r.problem, r.pillar, r.action) not in have_s:
            new_s.append(
                {
                    "problem": r.problem,
                    "pillar": r.pillar,
                    "action": r.action,
                    "owner": owner,
                    "suggested": True,
                }
            )
        if (r.problem, r.requirement) not in have_r:
            new_r.append(
                {
                    "problem": r.problem,
                    "known": r.finding,
                    "gap": r.gap,
                    "requirement": r.requirement,
                    "owner": owner,
                    "due": due,
                    "status": "open",
                }
            )
    if new_s:
        current_s = check_strategy(pd.concat([current_s, pd.DataFrame(new_s)], ignore_index=True))
    if new_r:
        current_r = check_requirements(
            pd.concat([current_r, pd.DataFrame(new_r)], ignore_index=True)
        )
    return current_s, current_r


def emerging_for_display(issues: pd.DataFrame, lang: str = i18n.DEFAULT_LANGUAGE) -> pd.DataFrame:
    """Return the emerging issues with kinds, offences and headers in ``lang``.

    Examples
    --------
    >>> issues = pd.DataFrame({"issue_id": ["new_offence|Fraud"], "kind": ["new_offence"],
    ...     "problem": ["Fraud"], "finding": ["12 since May"], "gap": ["Unknown"],
    ...     "pillar": ["intelligence"], "action": ["Brief"], "requirement": ["Who?"]})
    >>> emerging_for_display(issues, "es").columns.tolist()
    ['Tipo', 'Delito', 'Hallazgo', 'Acción propuesta', 'Necesidad propuesta']
    """
    out = pd.DataFrame(
        {
            "kind": [i18n.t(f"strategy.emerging.kind.{k}", lang) for k in issues["kind"]],
            "problem": [i18n.term(p, lang) for p in issues["problem"]],
            "finding": issues["finding"].to_numpy(),
            "action": issues["action"].to_numpy(),
            "requirement": issues["requirement"].to_numpy(),
        }
    )
    return out.rename(columns=lambda c: i18n.t(f"strategy.emerging.col.{c}", lang))
