"""Labels for people: problem, criterion and preset names, the ranked table and messages translated.

Results carry stable keys (``"vulnerability"``, ``"Robbery | Docklands"``); these
functions show them in the user's language for a page, a download or a report.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ilp_core import checks, i18n
from ilp_core.decide.priorities._scoring import Ranking
from ilp_core.decide.priorities._stability import Stability
from ilp_core.errors import translates_params


def problem_label(
    problem: str, kind: str | None, offence: Any, district: Any, lang: str = i18n.DEFAULT_LANGUAGE
) -> str:
    """Return a problem's name in ``lang`` (offence and district names translated when known).

    Examples
    --------
    >>> problem_label("Robbery | Docklands", "offence_district", "Robbery", "Docklands", "en")
    'Robbery · Docklands'
    """
    if kind == "offence":
        return i18n.term(offence, lang)
    if kind == "offence_district":
        return f"{i18n.term(offence, lang)} · {i18n.term(district, lang)}"
    return str(problem)


def problem_labels(table: pd.DataFrame, lang: str = i18n.DEFAULT_LANGUAGE) -> pd.Series:
    """Return the problems' names in ``lang``, on the table's index.

    Examples
    --------
    >>> t = pd.DataFrame({"problem": ["Robbery", "Crew"], "kind": ["offence", "custom"],
    ...                   "offence": ["Robbery", None], "district": [None, None]})
    >>> problem_labels(t, "en").tolist()
    ['Robbery', 'Crew']
    """
    kinds = table["kind"] if "kind" in table.columns else pd.Series("", index=table.index)
    offence = table["offence"] if "offence" in table.columns else kinds
    district = table["district"] if "district" in table.columns else kinds
    return pd.Series(
        [
            problem_label(p, k, o, d, lang)
            for p, k, o, d in zip(table["problem"], kinds, offence, district, strict=True)
        ],
        index=table.index,
        dtype="str",
    )


def criterion_label(key: str, lang: str = i18n.DEFAULT_LANGUAGE) -> str:
    """Return a criterion's name in ``lang`` (its key when the catalog lacks it).

    Examples
    --------
    >>> criterion_label("vulnerability", "fr")
    'Vulnérabilité des victimes'
    """
    name = f"priorities.criterion.{key}"
    return i18n.t(name, lang) if i18n.has(name, lang) else key


def preset_label(name: str, lang: str = i18n.DEFAULT_LANGUAGE) -> str:
    """Return a preset's name in ``lang`` (its YAML name when the catalog lacks it).

    Examples
    --------
    >>> preset_label("risk_matrix", "en"), preset_label("my_own_preset", "en")
    ('Risk matrix: likelihood 1–5 × impact 1–5', 'my_own_preset')
    """
    key = f"priorities.preset.{name}"
    return i18n.t(key, lang) if i18n.has(key, lang) else name


def ranking_for_display(
    ranking: Ranking,
    lang: str = i18n.DEFAULT_LANGUAGE,
    *,
    stability: Stability | None = None,
    full: bool = False,
) -> pd.DataFrame:
    """Return the ranked table with translated headers and values, for a page or a download.

    Parameters
    ----------
    ranking
        Output of :func:`score`.
    lang
        Language of the headers, tiers, confidence and problem names.
    stability
        Optional :func:`rank_stability` result: adds the top-k probability and
        the fragile flag.
    full
        Also every criterion value used and every contribution (for downloads).

    Returns
    -------
    pandas.DataFrame
        Translated table (column names are for people, not for code).

    Raises
    ------
    IlpInputError
        ``checks.flag`` when ``full`` is not true or false.

    Examples
    --------
    >>> from ilp_core.decide.priorities import make_scheme, score
    >>> t = pd.DataFrame({"problem": ["Robbery", "Shoplifting"], "volume": [20, 400],
    ...                   "harm": [7300.0, 1000.0]})
    >>> r = score(t, make_scheme("weighted_sum", {"harm": 2, "volume": 1}))
    >>> ranking_for_display(r, "fr").columns[:4].tolist()
    ['Rang', 'Problème', 'Niveau', 'Score']
    """
    full = checks.flag("full", full)
    t = ranking.table

    def col(key: str) -> str:
        return i18n.t(f"priorities.col.{key}", lang)

    out = pd.DataFrame(
        {
            col("rank"): t["rank"].to_numpy(),
            col("problem"): problem_labels(t, lang).to_numpy(),
            col("tier"): [i18n.t(f"priorities.tier.{v}", lang) for v in t["tier"]],
            col("score"): t["score"].round(2).to_numpy(),
            col("confidence"): [
                i18n.t(f"priorities.confidence.{v}", lang) for v in t["confidence"]
            ],
            col("volume"): t["volume"].to_numpy() if "volume" in t.columns else np.nan,
            col("harm"): t["harm"].round(1).to_numpy() if "harm" in t.columns else np.nan,
        }
    )
    if stability is not None:
        st = stability.table.set_index("problem").reindex(t["problem"])
        out[i18n.t("priorities.col.p_top_k", lang, k=stability.top_k)] = (
            st["p_top_k"].round(3).to_numpy()
        )
        out[col("fragile")] = [
            i18n.t("priorities.yes" if f else "priorities.no", lang) for f in st["fragile"]
        ]
    if "harm_without_weight" in t.columns:
        out[col("harm_without_weight")] = t["harm_without_weight"].to_numpy()
    if full:
        for key in ranking.criteria:
            if key not in ("volume", "harm"):
                out[criterion_label(key, lang)] = t[key].to_numpy()
        out[col("contrib_base")] = t["contrib_base"].to_numpy()
        for key in ranking.criteria:
            out[
                i18n.t("priorities.col.contribution_of", lang, criterion=criterion_label(key, lang))
            ] = t[f"contrib_{key}"].to_numpy()
        if "contrib_rounding" in t.columns:
            out[col("contrib_rounding")] = t["contrib_rounding"].to_numpy()
    return out


@translates_params("priorities")
def _translated(params: dict[str, Any], lang: str) -> dict[str, Any]:
    """Criterion, group and method keys of a priorities message as people read them.

    Examples
    --------
    >>> from ilp_core.errors import Message
    >>> Message("priorities.missing_value", {"problem": "A", "criterion": "vulnerability"}
    ...         ).render("en")[:48]
    '"A" has no value for "Vulnerability of victims".'
    """
    if "criterion" in params:
        params["criterion"] = criterion_label(str(params["criterion"]), lang)
    if "group" in params:
        params["group"] = i18n.t(f"priorities.group.{params['group']}", lang)
    if "method" in params and i18n.has(f"priorities.method.{params['method']}", lang):
        params["method"] = i18n.t(f"priorities.method.{params['method']}", lang)
    return params
