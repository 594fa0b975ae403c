"""Crime harm: days-of-custody weights per offence class and harm totals (CCHI style).

Counting crimes treats a homicide and a shoplifting as equal. A crime harm index
weights each offence by the days of custody at the starting point of the
sentencing guideline for a first offender (the Cambridge Crime Harm Index of
Sherman, Neyroud & Neyroud, 2016), so totals measure harm, not volume.

Weights belong to classes of the International Classification of Crime for
Statistical Purposes (ICCS, :mod:`ilp_core.data.classify`), not to the words of
one export: an offence label takes the weight of the class the analyst confirmed
for it on the Data page (``Dataset.offence_classes``), so «Кража со взломом»,
"BURGLARY" and "Cambriolage" weigh as burglary. The default weights live in
``ilp_core/config/harm_weights.yaml`` with the guideline and category each value
comes from; they follow England and Wales and are illustrative defaults to be
checked against the user's own jurisdiction. A broad class (police.uk's
"Violence and sexual offences") has a documented blended weight and a caveat
that every page shows where the weight is used. A label with no class, or whose
class has no weight, has no weight: it is listed (``has_weight`` False) and gets
``unknown_offence_days`` only as an explicit, flagged choice of the user.

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

from ilp_core import _yaml, checks, i18n, keys
from ilp_core.data import classify
from ilp_core.errors import IlpInputError

#: Columns of :attr:`HarmTable.table` (one row per class) and :attr:`HarmTable.offences`
#: (one row per label weighted by name; ``offence`` instead of ``iccs``).
HARM_COLUMNS: Final[tuple[str, ...]] = (
    "iccs",
    "days",
    "starting_point",
    "guideline",
    "category",
    "note",
    "caveat",
    "caveats",
)
#: Columns of :attr:`HarmDefaults.table`.
DEFAULT_COLUMNS: Final[tuple[str, ...]] = (
    "offence",
    "iccs",
    "days",
    "has_weight",
    "basis",
    "weight_class",
    "source",
    "caveat",
    "caveats",
    "class_note",
)
#: Where an offence's default weight comes from: its label (``offences`` of the
#: file), its class, the level-2 class above it (``parent``), or nowhere.
BASES: Final[tuple[str, ...]] = ("offence", "class", "parent", "none")
_TEXT: Final[tuple[str, ...]] = ("starting_point", "guideline", "category", "note")
_GROUPS: Final[frozenset[str]] = frozenset({"offence", "district"})


@dataclass(frozen=True)
class HarmTable:
    """The harm weights per class with where each one comes from.

    Attributes
    ----------
    table
        One row per class (:data:`HARM_COLUMNS`): ``iccs`` (the class code),
        ``days`` (days of custody per incident), ``starting_point``,
        ``guideline``, ``category`` (the source of the value), ``note``,
        ``caveat`` (shown wherever a broad class's weight is used; "" when none)
        and ``caveats`` (the caveat in each language the file gives,
        ``{language: text}``; read with :func:`caveat_in`).
    offences
        Weights given to offence labels by name, ahead of their class (same
        columns with ``offence`` in place of ``iccs``); empty by default.
    unknown_offence_days
        The placeholder a user may confirm for an offence without a weight.
    unit
        ``"days_of_custody"``.
    """

    table: pd.DataFrame
    offences: pd.DataFrame
    unknown_offence_days: float
    unit: str

    def weight_of(self, code: str | None) -> tuple[pd.Series, str] | None:
        """The row weighting class ``code`` and the basis (``class`` or ``parent``), or None.

        A class without a row of its own takes the row of a class above it, up
        to level 2 (``05013`` takes ``0501``; a variant its ICCS code); never a
        section's (2 digits), which would be far too coarse.

        Examples
        --------
        >>> t = harm_table()
        >>> row, basis = t.weight_of("05012")
        >>> float(row["days"]), basis
        (18.75, 'class')
        >>> row, basis = t.weight_of("05022")
        >>> row["iccs"], basis
        ('0502', 'parent')
        >>> t.weight_of("0209") is None
        True
        """
        if code is None or not classify.is_class(code):
            return None
        by_code = _rows_by_code(self)
        current: str | None = code
        basis = "class"
        while current is not None:
            if current in by_code:
                return by_code[current], basis
            current = classify.class_parent(current)
            basis = "parent"
            if current is not None and classify.class_level(current) < 2:
                return None
        return None


class _RowsByCode:
    """The table's row of a class code (the last row of a code, as a dict of rows kept).

    Only the rows asked for become Series: a dict of every row built by ``iterrows``
    at each question took 0.14 s of a Strategy page's 50 questions.
    """

    def __init__(self, table: pd.DataFrame) -> None:
        self.table = table
        self.codes = table["iccs"].astype(str).to_numpy()

    def __contains__(self, code: str) -> bool:
        return bool((self.codes == code).any())

    def __getitem__(self, code: str) -> pd.Series:
        return self.table.iloc[int(np.flatnonzero(self.codes == code)[-1])]


def _rows_by_code(table: HarmTable) -> _RowsByCode:
    return _RowsByCode(table.table)


@dataclass(frozen=True)
class HarmDefaults:
    """The default harm weight of each offence label of a dataset, and its basis.

    Attributes
    ----------
    table
        One row per offence (:data:`DEFAULT_COLUMNS`): ``offence``, ``iccs`` (its
        confirmed class; None when unclassified), ``days`` (NaN without a
        weight), ``has_weight``, ``basis`` (one of :data:`BASES`),
        ``weight_class`` (the class whose row gave the weight), ``source``
        (guideline, category and starting point), ``caveat`` (of a broad class,
        in the language asked for; "" when none), ``caveats`` (``{language:
        text}``, every language of the file) and ``class_note`` (the judgement behind the class of a
        known export's category).
    unknown_offence_days
        The placeholder the user may confirm for offences without a weight.
    """

    table: pd.DataFrame
    unknown_offence_days: float

    def weights(self) -> dict[str, float]:
        """``{offence: days}`` of the offences that have a weight.

        Examples
        --------
        >>> default_weights(["Burglary", "Code 9"]).weights()
        {'Burglary': 14.625}
        """
        has = self.table[self.table["has_weight"]]
        return dict(zip(has["offence"].astype(str), has["days"].astype(float), strict=True))

    def unweighted(self) -> list[str]:
        """The offences without a weight (unclassified, or a class with no weight)."""
        return self.table.loc[~self.table["has_weight"], "offence"].astype(str).tolist()


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
        ``priority.harm_duplicate`` when two rows name the same class or offence,
        ``classify.unknown_class`` for a class code the classification does not know.

    References
    ----------
    Sherman, L., Neyroud, P., Neyroud, E. (2016). The Cambridge Crime Harm Index:
    measuring total harm from crime based on sentencing guidelines. *Policing*
    10(3), 171-183. doi:10.1093/police/paw003

    Examples
    --------
    >>> t = harm_table()
    >>> t.table.set_index("iccs").loc["0401", "days"], t.unknown_offence_days, t.unit
    (np.float64(365.0), 2.5, 'days_of_custody')
    >>> float(t.table.set_index("iccs").loc["0501", "days"])  # 0.7 x 18.75 + 0.3 x 5
    14.625
    """
    if path is None:
        return _bundled_table()
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise IlpInputError("priorities.harm_file_broken", reason=str(error)) from None
    return _parse_table(text)


def default_weights(
    offences: Sequence[str],
    classes: Mapping[str, str | None] | None = None,
    *,
    table: HarmTable | None = None,
    lang: str = "en",
) -> HarmDefaults:
    """The default harm weight of each offence label, through its confirmed class.

    Parameters
    ----------
    offences
        Offence labels as written in the data.
    classes
        The confirmed classification ``{label: code}`` (``Dataset.offence_classes``;
        labels matched by :func:`ilp_core.keys.name_key`); a label it leaves out
        has no class. ``None``: only the categories of known exports are classified
        (:func:`ilp_core.data.classify.classes_for`).
    table
        The harm table (default: the bundled one).
    lang
        The language of the ``caveat`` column (English where the file gives none
        in that language).

    Returns
    -------
    HarmDefaults
        One row per offence, in the given order.

    Examples
    --------
    >>> d = default_weights(["Кража со взломом", "Грабёж", "Код 7"],
    ...                     {"Кража со взломом": "0501", "Грабёж": "050221"})
    >>> d.table[["iccs", "days", "basis"]].to_numpy().tolist()
    [['0501', 14.625, 'class'], ['050221', 2.5, 'class'], [None, nan, 'none']]
    >>> d.unweighted()
    ['Код 7']
    """
    table = table or _bundled_table()
    names = [str(o) for o in offences]
    resolved = classify.classes_for(names, classes)
    by_name = {keys.name_key(r["offence"]): r for _, r in table.offences.iterrows()}
    notes = _class_notes(names, classes)
    rows = []
    for name in names:
        code = resolved.get(name)
        found: tuple[pd.Series, str] | None
        if keys.name_key(name) in by_name:
            found = (by_name[keys.name_key(name)], "offence")
        else:
            found = table.weight_of(code)
        if found is None:
            note = notes.get(name, "")
            rows.append((name, code, math.nan, False, "none", None, "", "", {}, note))
            continue
        row, basis = found
        source = f"{row['guideline']}; {row['category']}: {row['starting_point']}"
        weight_class = None if basis == "offence" else str(row["iccs"])
        caveats = dict(row["caveats"])
        rows.append(
            (name, code, float(row["days"]), True, basis, weight_class, source,
             caveat_in(caveats, lang), caveats, notes.get(name, ""))
        )  # fmt: skip
    frame = pd.DataFrame(rows, columns=list(DEFAULT_COLUMNS))
    frame["days"] = frame["days"].astype(float)
    frame["has_weight"] = frame["has_weight"].astype(bool)
    for col in ("iccs", "weight_class"):
        frame[col] = frame[col].astype(object).where(frame[col].notna(), None)
    return HarmDefaults(table=frame, unknown_offence_days=table.unknown_offence_days)


def caveat_in(caveats: Mapping[str, str], lang: str) -> str:
    """The caveat in ``lang``, else in English, else "" (``caveats`` as ``{language: text}``).

    Examples
    --------
    >>> caveat_in({"en": "A floor.", "ru": "Нижняя граница."}, "ru")
    'Нижняя граница.'
    >>> caveat_in({"en": "A floor."}, "fr"), caveat_in({}, "fr")
    ('A floor.', '')
    """
    return str(caveats.get(lang) or caveats.get("en") or "")


def _class_notes(names: list[str], classes: Mapping[str, str | None] | None) -> dict[str, str]:
    """The judgement behind a known export's category class, when the class is the table's."""
    suggested = classify.suggest_classes(names)
    resolved = classify.classes_for(names, classes)
    return {
        str(r.offence): str(r.note)
        for r in suggested.itertuples(index=False)
        if r.note and r.confidence == "exact" and resolved.get(str(r.offence)) == r.code
    }


def harm_weights(
    offences: Sequence[str] | None = None,
    classes: Mapping[str, str | None] | None = None,
    path: str | Path | None = None,
) -> dict[str, float]:
    """Return the default harm weight of each offence that has one, in days of custody.

    Parameters
    ----------
    offences
        Offence labels; ``None``: the offence types of the bundled sample region.
    classes
        The confirmed classification (see :func:`default_weights`).
    path
        Optional YAML file replacing the bundled table (see :func:`harm_table`).

    Returns
    -------
    dict
        ``{offence: days}``; offences without a weight are left out.

    Examples
    --------
    >>> w = harm_weights()
    >>> w["Homicide"], w["Shoplifting"], w["Arson"], w["Criminal damage"]
    (5475.0, 2.5, 18.75, 2.5)
    >>> harm_weights(["BURGLARY", "Burglary"])  # Chicago's and police.uk's: one class
    {'BURGLARY': 14.625, 'Burglary': 14.625}
    """
    if offences is None:
        offences = classify.known_layouts()["sample"]
    table = None if path is None else harm_table(path)
    return default_weights(offences, classes, table=table).weights()


@cache
def _bundled_table() -> HarmTable:
    path = resources.files("ilp_core") / "config" / "harm_weights.yaml"
    return _parse_table(path.read_text(encoding="utf-8"))


def _parse_table(text: str) -> HarmTable:
    try:
        data = _yaml.load(text)
    except yaml.YAMLError as error:
        raise IlpInputError("priorities.harm_file_broken", reason=str(error)) from None
    if not isinstance(data, Mapping) or not isinstance(data.get("classes"), list):
        raise IlpInputError("priorities.harm_file_broken", reason="classes: list missing")
    classes = _rows(data["classes"], "iccs")
    for code in classes["iccs"]:
        classify.check_class(code)
    offences = _rows(data.get("offences") or [], "offence")
    unknown = _check_days("unknown_offence_days", data.get("unknown_offence_days", 0.0))
    return HarmTable(
        table=classes,
        offences=offences,
        unknown_offence_days=unknown,
        unit=str(data.get("unit", "")),
    )


def _rows(entries: Any, key: str) -> pd.DataFrame:
    """Rows of one list of the file (``classes`` by ``iccs``, ``offences`` by ``offence``)."""
    if not isinstance(entries, list):
        raise IlpInputError("priorities.harm_file_broken", reason=f"{key}: not a list")
    rows = []
    for entry in entries:
        if not isinstance(entry, Mapping) or key not in entry:
            raise IlpInputError("priorities.harm_file_broken", reason=f"entry {entry!r}")
        row: dict[str, Any] = {c: _words(entry.get(c)) for c in _TEXT}
        row[key] = str(entry[key]).strip()
        row["caveats"] = _caveats(row[key], entry.get("caveat"))
        row["caveat"] = caveat_in(row["caveats"], "en")
        if "blend" in entry:
            row["days"], parts = _blend(str(entry[key]), entry["blend"])
            row["note"] = (row["note"] + " " + parts).strip()
        elif "days" in entry:
            row["days"] = entry["days"]
        else:
            raise IlpInputError("priorities.harm_file_broken", reason=f"{entry[key]}: no days")
        rows.append(row)
    columns = [key, *HARM_COLUMNS[1:]]
    table = pd.DataFrame(rows, columns=columns)
    weights = check_weights(dict(zip(table[key], table["days"], strict=True)))
    table["days"] = table[key].map(weights).astype(float)
    return table


def _words(value: Any) -> str:
    """A text of the file on one line (YAML's folded lines and spaces collapsed)."""
    return " ".join(str(value or "").split())


def _caveats(name: str, value: Any) -> dict[str, str]:
    """``{language: text}`` of a ``caveat``: one text for every language, or one per language."""
    if not isinstance(value, Mapping):
        text = _words(value)
        return {"en": text} if text else {}
    unknown = sorted(str(k) for k in value if k not in i18n.LANGUAGES)
    if unknown:
        known = ", ".join(i18n.LANGUAGES)
        reason = f"{name}: caveat language {', '.join(unknown)} (one of {known})"
        raise IlpInputError("priorities.harm_file_broken", reason=reason)
    return {str(k): _words(v) for k, v in value.items() if _words(v)}


def _blend(code: str, parts: Any) -> tuple[float, str]:
    """Share-weighted mean days of a broad class's parts, and the arithmetic in words."""
    if not isinstance(parts, list) or not parts:
        raise IlpInputError("priorities.harm_file_broken", reason=f"{code}: blend is empty")
    shares, days, words = [], [], []
    for part in parts:
        if not isinstance(part, Mapping) or "share" not in part or "days" not in part:
            raise IlpInputError("priorities.harm_file_broken", reason=f"{code}: part {part!r}")
        share = _check_days(f"{code} share", part["share"])
        d = _check_days(f"{code} {part.get('part', '')}", part["days"])
        shares.append(share)
        days.append(d)
        words.append(f"{part.get('part', '')} {share:g} x {d:g}")
    if sum(shares) <= 0:
        raise IlpInputError("priorities.harm_file_broken", reason=f"{code}: shares add to 0")
    value = float(np.dot(shares, days) / sum(shares))
    return round(value, 4), f"Blend: ({' + '.join(words)}) / {sum(shares):g} = {value:.2f} days."


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
    if not isinstance(weights, Mapping):
        raise IlpInputError("priorities.bad_harm_weight", offence="—", value=str(weights)[:60])
    out: dict[str, float] = {}
    seen: dict[str, str] = {}
    for offence, value in weights.items():
        key = keys.name_key(offence)
        if key in seen:
            raise IlpInputError("priorities.harm_duplicate", first=seen[key], second=str(offence))
        seen[key] = str(offence)
        out[str(offence)] = _check_days(str(offence), value)
    return out


def weight_for(
    offences: Sequence[str], weights: Mapping[str, float], default_days: float
) -> tuple[np.ndarray, np.ndarray]:
    """Return (days, has_weight) for each offence name, matched by its name key.

    Names match when :func:`ilp_core.keys.name_key` says they are one name (case,
    spacing, «ё»); punctuation counts: "Motor Vehicle Theft?" is its own name.

    Examples
    --------
    >>> weight_for(["robbery", "Unknown code 7"], {"Robbery": 365.0}, 2.5)
    (array([365. ,   2.5]), array([ True, False]))
    """
    by_key = {keys.name_key(k): float(v) for k, v in weights.items()}
    found = [keys.name_key(o) for o in offences]
    has = np.array([k in by_key for k in found], dtype=bool)
    days = np.array([by_key.get(k, float(default_days)) for k in found], dtype=float)
    return days, has


def incident_harm(
    incidents: pd.DataFrame,
    weights: Mapping[str, float] | None = None,
    *,
    default_days: float | None = None,
    classes: Mapping[str, str | None] | None = None,
) -> pd.Series:
    """Return the harm (days of custody) of every incident, on the input's index.

    Parameters
    ----------
    incidents
        Canonical incident table (``offence`` is used); not modified.
    weights
        ``{offence: days}``; ``None`` uses :func:`harm_weights` of the offences
        present, through ``classes``.
    default_days
        Days for offences without a weight; ``None`` uses the table's
        ``unknown_offence_days``. Rows without an offence get 0.
    classes
        The confirmed classification, used when ``weights`` is None (see
        :func:`default_weights`).

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
    cat = pd.Categorical(incidents["offence"])
    names = [str(c) for c in cat.categories]
    weights, default = _resolve(weights, default_days, names, classes)
    days, _ = weight_for(names, weights, default)
    codes = np.asarray(cat.codes)
    values = np.where(codes >= 0, days[np.maximum(codes, 0)] if len(days) else 0.0, 0.0)
    return pd.Series(values, index=incidents.index, name="harm", dtype=float)


def harm_totals(
    incidents: pd.DataFrame,
    weights: Mapping[str, float] | None = None,
    *,
    by: str | Sequence[str] = "offence",
    default_days: float | None = None,
    classes: Mapping[str, str | None] | None = None,
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
        ``{offence: days}``; ``None`` uses the bundled defaults (:func:`harm_weights`)
        of the offences present, through ``classes``.
    by
        ``"offence"``, ``"district"`` or both (``["district", "offence"]``).
    default_days
        Days for an offence without a weight; ``None`` uses the table's
        ``unknown_offence_days``.
    classes
        The confirmed classification (see :func:`default_weights`).

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
    names = [str(o) for o in pd.unique(incidents["offence"].dropna())]
    weights, default = _resolve(weights, default_days, names, classes)
    frame = pd.DataFrame({g: incidents[g].astype("object") for g in set(groups) | {"offence"}})
    frame["harm"] = incident_harm(incidents, weights, default_days=default).to_numpy()
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
    weights: Mapping[str, float] | None,
    default_days: float | None,
    offences: Sequence[str],
    classes: Mapping[str, str | None] | None,
) -> tuple[dict[str, float], float]:
    table = _bundled_table()
    if weights is None:
        resolved = default_weights(offences, classes, table=table).weights()
    else:
        resolved = check_weights(weights)
    default = (
        table.unknown_offence_days
        if default_days is None
        else _check_days("default_days", default_days)
    )
    return resolved, default
