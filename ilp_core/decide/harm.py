"""Crime harm: days-of-custody weights per offence type and harm totals (CCHI style).

Counting crimes treats a homicide and a shoplifting as equal. A crime harm index
weights each offence by the days of custody at the starting point of the
sentencing guideline for a first offender (the Cambridge Crime Harm Index of
Sherman, Neyroud & Neyroud, 2016), so totals measure harm, not volume.

The default weights live in ``ilp_core/config/harm_weights.yaml`` with the guideline
and category each value comes from; they follow England and Wales and are
illustrative defaults to be checked against the user's own jurisdiction. Offence
names are matched through their catalog slug (``"Residential burglary"`` and
``"residential-burglary"`` are the same offence). An offence with no weight gets
the table's ``unknown_offence_days`` and is flagged (``has_weight`` False) until the
user confirms or replaces it.

The resource-allocation step reuses :func:`harm_weights` and :func:`harm_totals`
(or :func:`incident_harm` for any grouping of its own).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd
import yaml

from ilp_core import checks, i18n
from ilp_core.errors import IlpInputError

#: Columns of :attr:`HarmTable.table`.
HARM_COLUMNS: Final[tuple[str, ...]] = (
    "offence",
    "days",
    "starting_point",
    "guideline",
    "category",
    "note",
)
_GROUPS: Final[frozenset[str]] = frozenset({"offence", "district"})


@dataclass(frozen=True)
class HarmTable:
    """The harm weights with where each one comes from.

    Attributes
    ----------
    table
        One row per offence: ``offence``, ``days`` (days of custody per incident),
        ``starting_point``, ``guideline``, ``category`` (the source of the value)
        and ``note`` (empty when none).
    unknown_offence_days
        Days given to an offence the table does not list (to be confirmed).
    unit
        ``"days_of_custody"``.
    """

    table: pd.DataFrame
    unknown_offence_days: float
    unit: str

    def weights(self) -> dict[str, float]:
        """Return the weights as ``{offence: days}``."""
        return dict(
            zip(self.table["offence"].tolist(), self.table["days"].astype(float), strict=True)
        )


def harm_table(path: str | Path | None = None) -> HarmTable:
    """Read the harm-weight table with the source of every default value.

    Parameters
    ----------
    path
        A YAML file laid out as ``ilp_core/config/harm_weights.yaml``; ``None``
        reads that bundled file.

    Returns
    -------
    HarmTable

    Raises
    ------
    IlpInputError
        ``priority.harm_file_broken`` when the file cannot be read as a harm table,
        ``priority.bad_harm_weight`` for a negative or non-numeric weight,
        ``priority.harm_duplicate`` when two rows name the same offence.

    References
    ----------
    Sherman, L., Neyroud, P., Neyroud, E. (2016). The Cambridge Crime Harm Index:
    measuring total harm from crime based on sentencing guidelines. *Policing*
    10(3), 171-183. doi:10.1093/police/paw003

    Examples
    --------
    >>> t = harm_table()
    >>> t.weights()["Robbery"], t.unknown_offence_days, t.unit
    (365.0, 2.5, 'days_of_custody')
    """
    if path is None:
        return _bundled_table()
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise IlpInputError("priorities.harm_file_broken", reason=str(error)) from None
    return _parse_table(text)


def harm_weights(path: str | Path | None = None) -> dict[str, float]:
    """Return the default harm weight of each offence type, in days of custody.

    Parameters
    ----------
    path
        Optional YAML file replacing the bundled table (see :func:`harm_table`).

    Returns
    -------
    dict
        ``{offence: days}``.

    Examples
    --------
    >>> w = harm_weights()
    >>> w["Homicide"], w["Shoplifting"]
    (5475.0, 2.5)
    """
    return harm_table(path).weights()


@cache
def _bundled_table() -> HarmTable:
    path = resources.files("ilp_core") / "config" / "harm_weights.yaml"
    return _parse_table(path.read_text(encoding="utf-8"))


def _parse_table(text: str) -> HarmTable:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise IlpInputError("priorities.harm_file_broken", reason=str(error)) from None
    if not isinstance(data, Mapping) or not isinstance(data.get("offences"), list):
        raise IlpInputError("priorities.harm_file_broken", reason="offences: list missing")
    rows = []
    for entry in data["offences"]:
        if not isinstance(entry, Mapping) or "offence" not in entry or "days" not in entry:
            raise IlpInputError("priorities.harm_file_broken", reason=f"entry {entry!r}")
        rows.append({c: entry.get(c, "") for c in HARM_COLUMNS})
    table = pd.DataFrame(rows, columns=list(HARM_COLUMNS))
    for col in ("offence", "starting_point", "guideline", "category", "note"):
        table[col] = table[col].fillna("").astype(str).str.strip()
    weights = check_weights(dict(zip(table["offence"], table["days"], strict=True)))
    table["days"] = table["offence"].map(weights).astype(float)
    unknown = _check_days("unknown_offence_days", data.get("unknown_offence_days", 0.0))
    return HarmTable(table=table, unknown_offence_days=unknown, unit=str(data.get("unit", "")))


def _check_days(offence: str, value: Any) -> float:
    ok = isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)
    if not ok or not math.isfinite(float(value)) or float(value) < 0:
        raise IlpInputError("priorities.bad_harm_weight", offence=str(offence), value=str(value))
    return float(value)


def check_weights(weights: Mapping[str, Any]) -> dict[str, float]:
    """Return ``weights`` as ``{offence: days}`` after checking every value.

    Parameters
    ----------
    weights
        Offence name to days of custody (numbers >= 0).

    Returns
    -------
    dict
        The same mapping with float values.

    Raises
    ------
    IlpInputError
        ``priority.bad_harm_weight`` naming the offence and the value;
        ``priority.harm_duplicate`` when two names are the same offence
        (``"Robbery"`` and ``"robbery "``).

    Examples
    --------
    >>> check_weights({"Robbery": 365, "Theft": 2.5})
    {'Robbery': 365.0, 'Theft': 2.5}
    """
    out: dict[str, float] = {}
    seen: dict[str, str] = {}
    for offence, value in weights.items():
        key = i18n.slug(offence)
        if key in seen:
            raise IlpInputError("priorities.harm_duplicate", first=seen[key], second=str(offence))
        seen[key] = str(offence)
        out[str(offence)] = _check_days(str(offence), value)
    return out


def weight_for(
    offences: Sequence[str], weights: Mapping[str, float], default_days: float
) -> tuple[np.ndarray, np.ndarray]:
    """Return (days, has_weight) for each offence name, matched through its catalog slug.

    Examples
    --------
    >>> weight_for(["robbery", "Unknown code 7"], {"Robbery": 365.0}, 2.5)
    (array([365. ,   2.5]), array([ True, False]))
    """
    by_slug = {i18n.slug(k): float(v) for k, v in weights.items()}
    keys = [i18n.slug(o) for o in offences]
    has = np.array([k in by_slug for k in keys], dtype=bool)
    days = np.array([by_slug.get(k, float(default_days)) for k in keys], dtype=float)
    return days, has


def incident_harm(
    incidents: pd.DataFrame,
    weights: Mapping[str, float] | None = None,
    *,
    default_days: float | None = None,
) -> pd.Series:
    """Return the harm (days of custody) of every incident, on the input's index.

    Parameters
    ----------
    incidents
        Canonical incident table (``offence`` is used); not modified.
    weights
        ``{offence: days}``; ``None`` uses :func:`harm_weights`.
    default_days
        Days for offences without a weight; ``None`` uses the table's
        ``unknown_offence_days``. Rows without an offence get 0.

    Returns
    -------
    pandas.Series
        Float days, named ``harm``.

    Examples
    --------
    >>> inc = pd.DataFrame({"offence": ["Robbery", "Shoplifting", "Code 9"]})
    >>> incident_harm(inc, {"Robbery": 365, "Shoplifting": 2.5}, default_days=1).tolist()
    [365.0, 2.5, 1.0]
    """
    weights, default = _resolve(weights, default_days)
    cat = pd.Categorical(incidents["offence"])
    days, _ = weight_for([str(c) for c in cat.categories], weights, default)
    codes = np.asarray(cat.codes)
    values = np.where(codes >= 0, days[np.maximum(codes, 0)] if len(days) else 0.0, 0.0)
    return pd.Series(values, index=incidents.index, name="harm", dtype=float)


def harm_totals(
    incidents: pd.DataFrame,
    weights: Mapping[str, float] | None = None,
    *,
    by: str | Sequence[str] = "offence",
    default_days: float | None = None,
) -> pd.DataFrame:
    """Total the harm of incidents per offence (or district), next to their count.

    The harm of a group is the sum of the days of custody of its incidents
    (count x weight for one offence). Ranking offences by this total instead of by
    count moves rare, serious offences up and frequent, minor ones down.

    Parameters
    ----------
    incidents
        Canonical incident table; not modified. Rows without the grouping value
        are left out.
    weights
        ``{offence: days}``; ``None`` uses the bundled defaults (:func:`harm_weights`).
    by
        ``"offence"``, ``"district"`` or both (``["district", "offence"]``).
    default_days
        Days for an offence without a weight; ``None`` uses the table's
        ``unknown_offence_days``.

    Returns
    -------
    pandas.DataFrame
        One row per group (sorted by harm, largest first): the group columns,
        ``count``, ``harm`` (days), ``harm_share`` (of the total harm),
        ``count_share``, and ``n_without_weight`` (incidents whose offence had no
        weight and got ``default_days``); per offence also ``days`` (the weight
        used) and ``has_weight``.

    Raises
    ------
    IlpInputError
        ``priority.bad_option`` for an unknown grouping, ``priority.bad_harm_weight``
        for a negative or non-numeric weight.

    References
    ----------
    Sherman, L., Neyroud, P., Neyroud, E. (2016). The Cambridge Crime Harm Index.
    *Policing* 10(3), 171-183.

    Examples
    --------
    Ten shopliftings at 2.5 days weigh less than one robbery at 365 days:

    >>> inc = pd.DataFrame({"offence": ["Shoplifting"] * 10 + ["Robbery"]})
    >>> t = harm_totals(inc, {"Shoplifting": 2.5, "Robbery": 365})
    >>> t[["offence", "count", "harm"]].to_numpy().tolist()
    [['Robbery', 1, 365.0], ['Shoplifting', 10, 25.0]]
    """
    groups = [by] if isinstance(by, str) else list(by)
    for group in groups:
        checks.option("by", group, sorted(_GROUPS))
    if not groups or len(set(groups)) < len(groups):  # none, or one named twice
        raise IlpInputError("checks.option", name="by", value=str(by), allowed=", ".join(_GROUPS))
    weights, default = _resolve(weights, default_days)
    frame = pd.DataFrame({g: incidents[g].astype("object") for g in set(groups) | {"offence"}})
    frame["harm"] = incident_harm(incidents, weights, default_days=default).to_numpy()
    names = [str(o) for o in pd.unique(frame["offence"].dropna())]
    _, has = weight_for(names, weights, default)
    missing_names = {o for o, h in zip(names, has, strict=True) if not h}
    frame["no_weight"] = frame["offence"].isin(missing_names)
    frame = frame.dropna(subset=groups)
    out = (
        frame.groupby(groups, observed=True, sort=False)
        .agg(count=("harm", "size"), harm=("harm", "sum"), n_without_weight=("no_weight", "sum"))
        .reset_index()
    )
    for g in groups:
        out[g] = out[g].astype("str")
    out["count"] = out["count"].astype(np.int64)
    out["n_without_weight"] = out["n_without_weight"].astype(np.int64)
    total_harm, total_count = float(out["harm"].sum()), float(out["count"].sum())
    out["harm_share"] = out["harm"] / total_harm if total_harm > 0 else 0.0
    out["count_share"] = out["count"] / total_count if total_count > 0 else 0.0
    if groups == ["offence"]:
        days, has_w = weight_for(out["offence"].tolist(), weights, default)
        out["days"] = days
        out["has_weight"] = has_w
    return out.sort_values(["harm", *groups], ascending=[False] + [True] * len(groups)).reset_index(
        drop=True
    )


def _resolve(
    weights: Mapping[str, float] | None, default_days: float | None
) -> tuple[dict[str, float], float]:
    table = _bundled_table()
    resolved = table.weights() if weights is None else check_weights(weights)
    default = (
        table.unknown_offence_days
        if default_days is None
        else _check_days("default_days", default_days)
    )
    return resolved, default
