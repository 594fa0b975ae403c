"""Priority setting: score the problems, explain every score, test how stable the ranking is.

The strategic assessment ranks *problems* (offence types by default; optionally
offence type by district, or problems the analyst defines, such as a drug market)
on stated criteria, and its top tier becomes the draft control strategy.

Criteria (``ilp_core/config/priority_presets.yaml`` states each one's scale):

* computed from the data, once per dataset (:func:`problem_data`, cached by the
  page): ``volume`` (incidents), ``rate`` (per 1,000 residents per year),
  ``trend`` (Sen's slope, % of the mean per year, from
  :func:`ilp_core.analysis.temporal.trend`), ``surge`` (% change of the last 91 days
  against the same days a year earlier, :func:`ilp_core.analysis.temporal.compare_periods`),
  ``seasonality`` (% by which the peak month exceeds the average,
  :func:`ilp_core.analysis.temporal.seasonality`), ``concentration`` (generalised Gini
  over grid cells, from :func:`ilp_core.analysis.hotspots.concentration_from_counts`);
  and, from the harm weights, cheaply on every change (:func:`criteria_table`):
  ``harm`` (days of custody, :mod:`ilp_core.decide.harm`) and ``harm_change`` (% change of
  harm, last year against the year before);
* entered by the analyst or the workshop, each with a confidence (low, medium,
  high): impact on victims and the community (physical, psychological, financial,
  community and environment), vulnerability of victims, public concern,
  organised-crime indicators in the style of Europol's SOCTA (cross-border reach,
  use of violence, corruption, use of legal business structures,
  countermeasures) and the organisation's position (capacity, capability and
  knowledge gaps).

Methods (:func:`score`; presets in the YAML file, every weight editable):

* ``morile``: harm x likelihood = risk; the organisation's position modifies
  risk into priority; confidence is reported beside the score, never mixed in;
* ``risk_matrix``: likelihood 1-5 x impact 1-5 on the grid, with bands;
* ``harm_weighted``: harm index total and its trend;
* ``weighted_sum``: weighted mean of the normalised criteria, any weights.

Every score decomposes exactly into the contribution of each criterion (Shapley
values of the method's formula, :func:`explain`); :func:`rank_stability` redraws
weights and entered values within their stated uncertainty (seeded, all draws at
once) and says how often each problem stays in the top k. An :class:`Assessment`
(method, weights, entered values, harm table, data fingerprint) saves to JSON or
YAML and loads back next quarter.

Count versus harm on the sample region (``data/sample``, default harm weights):
the count ranking is led by violence without injury, shoplifting and criminal
damage; the harm ranking (:func:`count_vs_harm`) is led by sexual offences,
robbery and violence with injury, none of which is in the count top three. Sexual
offences move from 10th (tied) to 1st, robbery from 13th (tied) to 2nd, homicide
from last (16th, a dozen incidents) to 5th; violence without injury falls from
1st to 6th and shoplifting from 2nd to 7th. ``tests/test_priorities.py`` checks this.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Final, Literal, get_args

import numpy as np
import pandas as pd
import yaml

from ilp_core import i18n
from ilp_core.analysis import hotspots, temporal
from ilp_core.data import geo
from ilp_core.decide import harm
from ilp_core.errors import IlpInputError, Message

Method = Literal["morile", "risk_matrix", "harm_weighted", "weighted_sum"]
ProblemLevel = Literal["offence", "offence_district"]
Missing = Literal["error", "lowest"]
Tiering = Literal["natural_breaks", "bands"]
ConfigFormat = Literal["json", "yaml"]

METHODS: Final[tuple[str, ...]] = get_args(Method)
PROBLEM_LEVELS: Final[tuple[str, ...]] = get_args(ProblemLevel)
GROUPS: Final[tuple[str, ...]] = ("harm", "likelihood", "position")
TIERS: Final[tuple[str, ...]] = ("high", "medium", "low")
DATA_CRITERIA: Final[tuple[str, ...]] = (
    "volume",
    "rate",
    "trend",
    "surge",
    "seasonality",
    "concentration",
    "harm",
    "harm_change",
)
#: Days of the recent window of the ``surge`` criterion (about a quarter).
SURGE_DAYS: Final[int] = 91
#: Version of the saved-assessment format.
ASSESSMENT_VERSION: Final[int] = 1
_NORMALISERS: Final[frozenset[str]] = frozenset({"log_minmax", "fixed", "scale"})
_TIERINGS: Final[frozenset[str]] = frozenset(get_args(Tiering))
_CONFIDENCE_ORDER: Final[tuple[str, ...]] = ("low", "medium", "high")


# --------------------------------------------------------------------------------------
# Configuration: criteria, confidence, presets
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Criterion:
    """One criterion and its stated scale.

    Attributes
    ----------
    key
        Stable name (``"harm"``, ``"vulnerability"``).
    kind
        ``"data"`` or ``"entered"``.
    group
        ``"harm"``, ``"likelihood"`` or ``"position"``.
    normalise
        ``"log_minmax"``, ``"fixed"`` or ``"scale"`` (see the YAML file).
    low, high
        Range of a ``fixed`` criterion, or the scale of an entered one.
    default
        Value of an entered criterion nobody has assessed (NaN for data).
    """

    key: str
    kind: str
    group: str
    normalise: str
    low: float = math.nan
    high: float = math.nan
    default: float = math.nan


@dataclass(frozen=True)
class Scheme:
    """A scoring method with its weights and parameters: a preset, or the user's version of it.

    Attributes
    ----------
    method
        ``"morile"``, ``"risk_matrix"``, ``"harm_weighted"`` or ``"weighted_sum"``.
    weights
        Weight of each criterion (>= 0; missing or 0 = not used). Only ratios
        matter: weights are divided by their sum (per group for the group methods).
    tiers
        ``"natural_breaks"`` (Fisher-Jenks, 3 classes) or ``"bands"``.
    bands
        ``(medium, high)``: score thresholds when ``tiers == "bands"``.
    position_range
        ``morile`` only: factor applied to risk when every position criterion is
        at the bottom of its scale and at the top (default 0.75 to 1.25).
    axes
        Weights of the risk-matrix chart's ``likelihood`` and ``impact`` axes, when
        they differ from ``weights``.
    preset
        Name of the preset it started from.
    """

    method: str
    weights: Mapping[str, float]
    tiers: str = "natural_breaks"
    bands: tuple[float, float] = (5.0, 10.0)
    position_range: tuple[float, float] = (0.75, 1.25)
    axes: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    preset: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return the scheme as plain JSON-ready values."""
        return {
            "method": self.method,
            "weights": {k: float(v) for k, v in self.weights.items()},
            "tiers": self.tiers,
            "bands": [float(b) for b in self.bands],
            "position_range": [float(p) for p in self.position_range],
            "axes": {a: {k: float(v) for k, v in w.items()} for a, w in self.axes.items()},
            "preset": self.preset,
        }


@dataclass(frozen=True)
class Settings:
    """Everything ``priority_presets.yaml`` states: criteria, confidence, presets.

    Attributes
    ----------
    criteria
        Criterion key to :class:`Criterion`, in the file's order.
    half_width
        Confidence level to the half-width (scale points) within which an entered
        value is redrawn by the stability analysis.
    level
        Confidence level to its number (low 1, medium 2, high 3).
    default_confidence
        Confidence of a value nobody has assessed.
    weight_uncertainty
        Relative half-width within which weights are redrawn (0.25 = +/- 25 %).
    top_k, draws, seed, robust_share
        Defaults of :func:`rank_stability`.
    presets
        Preset name to :class:`Scheme`.
    """

    criteria: Mapping[str, Criterion]
    half_width: Mapping[str, float]
    level: Mapping[str, float]
    default_confidence: str
    weight_uncertainty: float
    top_k: int
    draws: int
    seed: int
    robust_share: float
    presets: Mapping[str, Scheme]

    @property
    def entered(self) -> tuple[str, ...]:
        """Keys of the entered criteria."""
        return tuple(k for k, c in self.criteria.items() if c.kind == "entered")


def settings(path: str | Path | None = None) -> Settings:
    """Read the criteria, their scales, the confidence levels and the presets.

    Parameters
    ----------
    path
        A YAML file laid out as ``ilp_core/config/priority_presets.yaml``; ``None``
        reads that bundled file (once per process).

    Returns
    -------
    Settings

    Raises
    ------
    IlpInputError
        ``priority.presets_broken`` naming what is wrong in the file.

    Examples
    --------
    >>> s = settings()
    >>> s.criteria["vulnerability"].low, s.criteria["vulnerability"].high, s.half_width["low"]
    (0.0, 4.0, 1.5)
    >>> sorted(s.presets)
    ['harm_weighted', 'morile', 'risk_matrix', 'weighted_sum']
    """
    if path is None:
        return _bundled_settings()
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise IlpInputError("priorities.presets_broken", reason=str(error)) from None
    return _parse_settings(text)


@cache
def _bundled_settings() -> Settings:
    path = resources.files("ilp_core") / "config" / "priority_presets.yaml"
    return _parse_settings(path.read_text(encoding="utf-8"))


def _parse_settings(text: str) -> Settings:
    try:
        data = yaml.safe_load(text)
        criteria: dict[str, Criterion] = {}
        for key, spec in data["criteria"].items():
            kind, group = str(spec["kind"]), str(spec["group"])
            if kind not in ("data", "entered") or group not in GROUPS:
                raise ValueError(f"criterion {key}: kind {kind!r} or group {group!r}")
            if kind == "data" and key not in DATA_CRITERIA:
                raise ValueError(f"criterion {key}: no such data criterion")
            if kind == "entered":
                sc = spec["scale"]
                low, high, default = float(sc["min"]), float(sc["max"]), float(sc["default"])
                if not low < high or not low <= default <= high:
                    raise ValueError(f"criterion {key}: scale {sc}")
                criteria[key] = Criterion(key, kind, group, "scale", low, high, default)
                continue
            norm = str(spec["normalise"])
            if norm not in _NORMALISERS - {"scale"}:
                raise ValueError(f"criterion {key}: normalise {norm!r}")
            low, high = (float(v) for v in spec.get("range", (math.nan, math.nan)))
            if norm == "fixed" and not low < high:
                raise ValueError(f"criterion {key}: range {spec.get('range')}")
            criteria[key] = Criterion(key, kind, group, norm, low, high)
        conf = data["confidence"]
        half_width = {str(k): float(v["half_width"]) for k, v in conf.items()}
        level = {str(k): float(v["level"]) for k, v in conf.items()}
        default_conf = str(data["default_confidence"])
        if default_conf not in half_width:
            raise ValueError(f"default_confidence {default_conf!r}")
        stab = data["stability"]
        presets: dict[str, Scheme] = {}
        for name, spec in data["presets"].items():
            presets[str(name)] = _scheme_from_dict({**spec, "preset": str(name)}, criteria)
        return Settings(
            criteria=criteria,
            half_width=half_width,
            level=level,
            default_confidence=default_conf,
            weight_uncertainty=float(data["weight_uncertainty"]),
            top_k=int(stab["top_k"]),
            draws=int(stab["draws"]),
            seed=int(stab["seed"]),
            robust_share=float(stab["robust_share"]),
            presets=presets,
        )
    except IlpInputError as error:
        raise IlpInputError("priorities.presets_broken", reason=error.render()) from None
    except (yaml.YAMLError, KeyError, TypeError, ValueError, AttributeError) as error:
        raise IlpInputError("priorities.presets_broken", reason=f"{error!s}") from None


def presets(cfg: Settings | None = None) -> tuple[str, ...]:
    """Return the names of the presets, in the file's order.

    Examples
    --------
    >>> presets()
    ('morile', 'risk_matrix', 'harm_weighted', 'weighted_sum')
    """
    return tuple((cfg or settings()).presets)


def preset(name: str, cfg: Settings | None = None) -> Scheme:
    """Return a preset scheme by name.

    Parameters
    ----------
    name
        A name from :func:`presets`.
    cfg
        Settings to read it from (default: the bundled file).

    Returns
    -------
    Scheme

    Raises
    ------
    IlpInputError
        ``priority.bad_option`` for an unknown name.

    Examples
    --------
    >>> s = preset("risk_matrix")
    >>> s.method, s.tiers, s.bands
    ('risk_matrix', 'bands', (5.0, 10.0))
    """
    cfg = cfg or settings()
    if name not in cfg.presets:
        raise IlpInputError(
            "priorities.bad_option",
            option="preset",
            value=str(name),
            allowed=", ".join(cfg.presets),
        )
    return cfg.presets[name]


def make_scheme(
    method: Method,
    weights: Mapping[str, float],
    *,
    tiers: Tiering | None = None,
    bands: tuple[float, float] = (5.0, 10.0),
    position_range: tuple[float, float] = (0.75, 1.25),
    axes: Mapping[str, Mapping[str, float]] | None = None,
    preset: str = "",
    cfg: Settings | None = None,
) -> Scheme:
    """Build and check a scheme: a method with the user's own weights.

    Parameters
    ----------
    method
        One of :data:`METHODS`.
    weights
        Criterion to weight (>= 0).
    tiers
        ``"natural_breaks"`` or ``"bands"``; default ``"bands"`` for the risk
        matrix and natural breaks otherwise.
    bands
        ``(medium, high)`` score thresholds for ``tiers="bands"``.
    position_range
        Factors of the MoRiLE-style organisational position (no gap, largest gaps).
    axes
        Optional weights of the chart's likelihood and impact axes.
    preset
        Name of the preset it came from.
    cfg
        Settings (criteria) to check against; default the bundled file.

    Returns
    -------
    Scheme

    Raises
    ------
    IlpInputError
        ``priority.bad_option``, ``priority.unknown_criterion``,
        ``priority.bad_weight``, ``priority.bad_parameter``.

    Examples
    --------
    >>> make_scheme("weighted_sum", {"harm": 2, "volume": 1}).weights
    {'harm': 2.0, 'volume': 1.0}
    """
    spec = {
        "method": method,
        "weights": dict(weights),
        "tiers": tiers or ("bands" if method == "risk_matrix" else "natural_breaks"),
        "bands": {"medium": bands[0], "high": bands[1]},
        "position_range": list(position_range),
        "axes": dict(axes or {}),
        "preset": preset,
    }
    return _scheme_from_dict(spec, (cfg or settings()).criteria)


def _scheme_from_dict(spec: Mapping[str, Any], criteria: Mapping[str, Criterion]) -> Scheme:
    method = str(spec.get("method", ""))
    if method not in METHODS:
        raise IlpInputError(
            "priorities.bad_option", option="method", value=method, allowed=", ".join(METHODS)
        )
    weights = _check_weight_map(spec.get("weights") or {}, criteria)
    tiers = str(spec.get("tiers", "natural_breaks"))
    if tiers not in _TIERINGS:
        raise IlpInputError(
            "priorities.bad_option",
            option="tiers",
            value=tiers,
            allowed=", ".join(sorted(_TIERINGS)),
        )
    raw_bands = spec.get("bands") or {"medium": 5.0, "high": 10.0}
    if isinstance(raw_bands, Mapping):
        raw_bands = (raw_bands.get("medium"), raw_bands.get("high"))
    bands = _number_pair("bands", raw_bands)
    if bands[0] > bands[1]:
        raise IlpInputError("priorities.bad_parameter", parameter="bands", value=str(list(bands)))
    position = _number_pair("position_range", spec.get("position_range") or (0.75, 1.25))
    if min(position) < 0:
        raise IlpInputError(
            "priorities.bad_parameter", parameter="position_range", value=str(list(position))
        )
    axes_spec = spec.get("axes") or {}
    axes = {}
    for axis, w in axes_spec.items():
        if axis not in ("likelihood", "impact"):
            raise IlpInputError(
                "priorities.bad_option",
                option="axes",
                value=str(axis),
                allowed="impact, likelihood",
            )
        axes[str(axis)] = _check_weight_map(w or {}, criteria)
    return Scheme(
        method=method,
        weights=weights,
        tiers=tiers,
        bands=bands,
        position_range=position,
        axes=axes,
        preset=str(spec.get("preset", "")),
    )


def _number_pair(name: str, value: Any) -> tuple[float, float]:
    try:
        a, b = (float(v) for v in value)
    except (TypeError, ValueError):
        raise IlpInputError("priorities.bad_parameter", parameter=name, value=str(value)) from None
    if not (math.isfinite(a) and math.isfinite(b)):
        raise IlpInputError("priorities.bad_parameter", parameter=name, value=str(value))
    return a, b


def _check_weight_map(
    weights: Mapping[str, Any], criteria: Mapping[str, Criterion]
) -> dict[str, float]:
    out: dict[str, float] = {}
    for key, value in dict(weights).items():
        if key not in criteria:
            raise IlpInputError(
                "priorities.unknown_criterion", criterion=str(key), allowed=", ".join(criteria)
            )
        ok = isinstance(value, int | float | np.integer | np.floating) and not isinstance(
            value, bool
        )
        if not ok or not math.isfinite(float(value)) or float(value) < 0:
            raise IlpInputError("priorities.bad_weight", criterion=str(key), value=str(value))
        out[str(key)] = float(value)
    return out


# --------------------------------------------------------------------------------------
# Problems and their data criteria
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class ProblemData:
    """The problems and everything about them that is computed once from the incidents.

    Attributes
    ----------
    problems
        ``problem`` (id), ``kind`` (``offence``, ``offence_district`` or
        ``custom``), ``offence``, ``district`` (NaN where they do not apply).
    table
        One row per problem: ``volume``, ``rate``, ``trend``, ``trend_direction``,
        ``trend_p``, ``surge``, ``surge_p``, ``seasonality``, ``concentration``.
    offence_counts, offence_counts_early, offence_counts_late
        Incidents per problem (rows) and offence (columns): over the whole period
        and in the two windows of ``harm_change``.
    unavailable
        Data criterion to the message saying why it could not be computed.
    by
        ``"offence"`` or ``"offence_district"``.
    first_day, last_day
        First and last day with a dated incident.
    harm_windows
        ``((early_start, early_end), (late_start, late_end))`` of ``harm_change``.
    surge_periods
        ``(period_a, period_b)`` of ``surge``, or ``None``.
    cell_size
        Grid cell size (m) of ``concentration``, or NaN.
    """

    problems: pd.DataFrame
    table: pd.DataFrame
    offence_counts: pd.DataFrame
    offence_counts_early: pd.DataFrame
    offence_counts_late: pd.DataFrame
    unavailable: Mapping[str, Message]
    by: str
    first_day: dt.date | None
    last_day: dt.date | None
    harm_windows: tuple[tuple[dt.date, dt.date], tuple[dt.date, dt.date]] | None
    surge_periods: tuple[tuple[dt.date, dt.date], tuple[dt.date, dt.date]] | None
    cell_size: float

    @property
    def offences(self) -> list[str]:
        """Offence types present in the problems' incidents."""
        return [str(c) for c in self.offence_counts.columns]


def problem_data(
    incidents: pd.DataFrame,
    districts: Any = None,
    *,
    by: ProblemLevel = "offence",
    custom: Sequence[Mapping[str, Any]] = (),
    cell_size: float | None = None,
) -> ProblemData:
    """Compute the data criteria of every problem once (the slow part of an assessment).

    A problem is an offence type (``by="offence"``), an offence type in one
    district (``by="offence_district"``), or an analyst-defined problem given in
    ``custom`` as ``{"name": ..., "offences": [...], "districts": [...]}`` (empty
    lists mean all): its incidents are those of the listed offences in the listed
    districts. A problem without incidents scores 0 on every data criterion.
    Re-scoring after a change of weights or entered values does not repeat this
    work (see :func:`criteria_table`).

    Parameters
    ----------
    incidents
        Canonical incident table; not modified.
    districts
        Optional district boundaries with ``population`` (for ``rate``; they also
        set the study area of ``concentration``).
    by
        ``"offence"`` or ``"offence_district"``.
    custom
        Analyst-defined problems (JSON-ready dicts, so a page can cache the call).
    cell_size
        Grid cell (m) of ``concentration``; ``None`` is the automatic size of the
        hot-spot maps.

    Returns
    -------
    ProblemData

    Raises
    ------
    IlpInputError
        ``priority.bad_option`` for ``by``, ``priority.no_problems`` when no
        incident has an offence, ``priority.bad_custom_problem`` for a custom
        problem without a name or with a name already used.

    References
    ----------
    Bernasco, W., Steenbeek, W. (2017). More places than crimes: implications for
    evaluating the law of crime concentration at place. *Journal of Quantitative
    Criminology* 33, 451-467 (the generalised Gini used for ``concentration``).

    Examples
    --------
    >>> import pandas as pd
    >>> from ilp_core.data.schema import coerce_incidents
    >>> inc = coerce_incidents(pd.DataFrame({
    ...     "incident_id": ["a", "b", "c"], "occurred_at": pd.to_datetime(["2024-01-02"] * 3),
    ...     "occurred_to": pd.NaT, "precision": "day",
    ...     "offence": ["Robbery", "Robbery", "Shoplifting"], "lat": 45.5, "lon": -30.5,
    ...     "district": "North", "location_id": None, "source_row": [2, 3, 4],
    ...     "duplicate": None}))
    >>> d = problem_data(inc)
    >>> d.table[["problem", "volume"]].to_numpy().tolist()
    [['Robbery', 2], ['Shoplifting', 1]]
    >>> sorted(d.unavailable)
    ['rate', 'seasonality', 'surge', 'trend']
    """
    if by not in PROBLEM_LEVELS:
        raise IlpInputError(
            "priorities.bad_option", option="by", value=str(by), allowed=", ".join(PROBLEM_LEVELS)
        )
    off_cat = pd.Categorical(incidents["offence"])
    off_codes = np.asarray(off_cat.codes, dtype=np.int64)
    off_present = np.bincount(off_codes[off_codes >= 0], minlength=len(off_cat.categories)) > 0
    offences = [str(c) for c, p in zip(off_cat.categories, off_present, strict=True) if p]
    remap = np.full(len(off_cat.categories) + 1, -1, dtype=np.int64)
    remap[np.flatnonzero(off_present)] = np.arange(len(offences))
    off_codes = remap[off_codes]
    if not offences and not custom:
        raise IlpInputError("priorities.no_problems")

    rows_list: list[np.ndarray] = []
    codes_list: list[np.ndarray] = []
    problems: list[dict[str, Any]] = []
    dist_names: list[str] = []
    dist_codes = np.full(len(incidents), -1, dtype=np.int64)
    if "district" in incidents.columns:
        dist_cat = pd.Categorical(incidents["district"])
        dist_codes = np.asarray(dist_cat.codes, dtype=np.int64)
        dist_names = [str(c) for c in dist_cat.categories]
    if by == "offence":
        rows = np.flatnonzero(off_codes >= 0)
        rows_list.append(rows)
        codes_list.append(off_codes[rows])
        problems += [
            {"problem": o, "kind": "offence", "offence": o, "district": None} for o in offences
        ]
    else:
        rows = np.flatnonzero((off_codes >= 0) & (dist_codes >= 0))
        pair = off_codes[rows] * max(len(dist_names), 1) + dist_codes[rows]
        uniq, inverse = np.unique(pair, return_inverse=True)
        rows_list.append(rows)
        codes_list.append(inverse.astype(np.int64))
        for p in uniq:
            o, d = offences[int(p) // len(dist_names)], dist_names[int(p) % len(dist_names)]
            problems.append(
                {"problem": f"{o} | {d}", "kind": "offence_district", "offence": o, "district": d}
            )
    used = {p["problem"] for p in problems}
    for spec in custom:
        name = str(spec.get("name", "")).strip() if isinstance(spec, Mapping) else ""
        if not name or name in used:
            raise IlpInputError("priorities.bad_custom_problem", name=name)
        used.add(name)
        mask = np.ones(len(incidents), dtype=bool)
        chosen_off = [str(o) for o in spec.get("offences") or ()]
        chosen_dist = [str(d) for d in spec.get("districts") or ()]
        if chosen_off:
            mask &= incidents["offence"].astype("object").isin(chosen_off).to_numpy()
        else:
            mask &= off_codes >= 0
        if chosen_dist:
            mask &= incidents["district"].astype("object").isin(chosen_dist).to_numpy()
        if not chosen_off and not chosen_dist:
            mask[:] = False  # a problem defined by hand only (e.g. an organised-crime group)
        rows = np.flatnonzero(mask)
        rows_list.append(rows)
        codes_list.append(np.full(len(rows), len(problems), dtype=np.int64))
        problems.append({"problem": name, "kind": "custom", "offence": None, "district": None})

    rows_all = np.concatenate(rows_list) if rows_list else np.zeros(0, dtype=np.int64)
    codes_all = np.concatenate(codes_list) if codes_list else np.zeros(0, dtype=np.int64)
    n_prob = len(problems)
    if n_prob == 0:
        raise IlpInputError("priorities.no_problems")
    ids = [p["problem"] for p in problems]
    prob_table = pd.DataFrame(problems)
    for col in ("problem", "kind", "offence", "district"):
        prob_table[col] = prob_table[col].astype("str").where(prob_table[col].notna())
    prob_table["problem"] = prob_table["problem"].astype("str")
    prob_table["kind"] = prob_table["kind"].astype("str")

    volume = np.bincount(codes_all, minlength=n_prob).astype(np.int64)
    at = incidents["occurred_at"].to_numpy(dtype="datetime64[ns]")
    day = at.astype("datetime64[D]").astype(np.int64)
    dated = ~np.isnat(at)
    first = last = None
    if dated.any():
        first, last = int(day[dated].min()), int(day[dated].max())

    def counts_by_offence(mask: np.ndarray | None) -> pd.DataFrame:
        keep = off_codes[rows_all] >= 0
        if mask is not None:
            keep &= mask[rows_all]
        flat = codes_all[keep] * len(offences) + off_codes[rows_all][keep]
        mat = np.bincount(flat, minlength=n_prob * len(offences)).reshape(n_prob, len(offences))
        return pd.DataFrame(mat, index=pd.Index(ids, name="problem"), columns=offences)

    windows = None
    early_mask = late_mask = np.zeros(len(incidents), dtype=bool)
    if first is not None and last is not None:
        span = last - first + 1
        half = 365 if span >= 730 else span // 2
        windows = ((last - 2 * half + 1, last - half), (last - half + 1, last))
        if half >= 1:
            early_mask = dated & (day >= windows[0][0]) & (day <= windows[0][1])
            late_mask = dated & (day >= windows[1][0]) & (day <= windows[1][1])

    member = pd.DataFrame(
        {
            "occurred_at": at[rows_all],
            "precision": incidents["precision"].to_numpy()[rows_all]
            if "precision" in incidents.columns
            else "day",
            "offence": pd.Categorical.from_codes(codes_all, categories=ids),
        }
    )
    unavailable: dict[str, Message] = {}
    table = pd.DataFrame({"problem": pd.array(ids, dtype="str"), "volume": volume})
    for col in ("trend", "trend_p", "surge", "surge_p", "seasonality", "concentration"):
        table[col] = np.nan
    table["trend_direction"] = pd.array([""] * n_prob, dtype="str")

    # Trend and seasonality from the monthly series (temporal.py).
    try:
        monthly = temporal.period_counts(member, "month")
        tr = temporal.trend(monthly).table.set_index("offence")
        table["trend"] = table["problem"].map(tr["slope_pct_per_year"]).to_numpy(dtype=float)
        table["trend_p"] = table["problem"].map(tr["p_value"]).to_numpy(dtype=float)
        table["trend_direction"] = (
            table["problem"].map(tr["direction"]).fillna("").astype("str").to_numpy()
        )
        try:
            seas = temporal.seasonality(monthly)
            peak = seas.groupby("offence", sort=False)["seasonal_index"].max()
            table["seasonality"] = 100.0 * (table["problem"].map(peak).to_numpy(dtype=float) - 1)
        except IlpInputError as error:
            unavailable["seasonality"] = error.message
    except IlpInputError as error:
        unavailable["trend"] = unavailable["seasonality"] = error.message

    # Recent surge: the last 91 days against the same days a year earlier (or before).
    surge_periods = None
    if last is not None and first is not None:
        end = _to_date(last)
        recent = (end - dt.timedelta(days=SURGE_DAYS - 1), end)
        year_before = (recent[0] - dt.timedelta(days=364), end - dt.timedelta(days=364))
        before = (recent[0] - dt.timedelta(days=SURGE_DAYS), recent[0] - dt.timedelta(days=1))
        start = _to_date(first)
        period_a = year_before if year_before[0] >= start else before
        if period_a[0] >= start:
            surge_periods = (period_a, recent)
            try:
                cmp = temporal.compare_periods(member, period_a, recent).table.set_index("offence")
                pct = cmp["pct_change"].to_numpy(dtype=float)
                # No incident in the earlier period: a new problem counts as the top of
                # the criterion's range (+100 %), or no change when both are empty.
                pct = np.where(np.isnan(pct), np.where(cmp["count_b"] > 0, 100.0, 0.0), pct)
                table["surge"] = (
                    table["problem"].map(pd.Series(pct, index=cmp.index)).to_numpy(dtype=float)
                )
                table["surge_p"] = table["problem"].map(cmp["p_fdr"]).to_numpy(dtype=float)
            except IlpInputError as error:
                unavailable["surge"] = error.message
        else:
            unavailable["surge"] = Message("priorities.unavailable_short", {"days": 2 * SURGE_DAYS})
    else:
        unavailable["surge"] = Message("priorities.unavailable_short", {"days": 2 * SURGE_DAYS})

    # Concentration: generalised Gini of each problem over the grid cells of the area.
    used_cell = math.nan
    try:
        gini, used_cell = _concentration(
            incidents, districts, rows_all, codes_all, n_prob, cell_size
        )
        table["concentration"] = gini
    except IlpInputError as error:
        unavailable["concentration"] = error.message

    # Rate per 1,000 residents per year.
    table["rate"] = np.nan
    population = _population(districts, prob_table, custom)
    if population is None or first is None or last is None:
        unavailable["rate"] = Message("priorities.unavailable_rate")
    else:
        years = (last - first + 1) / 365.25
        with np.errstate(divide="ignore", invalid="ignore"):
            table["rate"] = np.where(population > 0, volume / population * 1000.0 / years, np.nan)

    # Problems without incidents score 0 on every data criterion.
    empty = volume == 0
    for col in ("trend", "surge", "seasonality", "concentration", "rate"):
        if col not in unavailable:
            table.loc[empty, col] = 0.0
    table = prob_table.merge(table, on="problem", how="left", validate="one_to_one")
    return ProblemData(
        problems=prob_table,
        table=table,
        offence_counts=counts_by_offence(None),
        offence_counts_early=counts_by_offence(early_mask),
        offence_counts_late=counts_by_offence(late_mask),
        unavailable=unavailable,
        by=str(by),
        first_day=_to_date(first) if first is not None else None,
        last_day=_to_date(last) if last is not None else None,
        harm_windows=(
            (
                (_to_date(windows[0][0]), _to_date(windows[0][1])),
                (_to_date(windows[1][0]), _to_date(windows[1][1])),
            )
            if windows is not None
            else None
        ),
        surge_periods=surge_periods,
        cell_size=float(used_cell),
    )


def _to_date(day: int) -> dt.date:
    return dt.date(1970, 1, 1) + dt.timedelta(days=int(day))


def _concentration(
    incidents: pd.DataFrame,
    districts: Any,
    rows: np.ndarray,
    codes: np.ndarray,
    n_prob: int,
    cell_size: float | None,
) -> tuple[np.ndarray, float]:
    """Generalised Gini per problem over the cells of the study area (hotspots' grid)."""
    base = hotspots.grid_counts(incidents, districts, cell_size=cell_size)
    grid = base.grid
    proj = geo.project(incidents, grid.crs)
    cell = np.full(len(incidents), -1, dtype=np.int64)
    r, c, inside = grid.locate(proj.x, proj.y)
    cell[proj.index[inside]] = (r * grid.nx + c)[inside]
    in_area = np.flatnonzero(base.in_area.ravel())
    area_pos = np.full(grid.n_cells, -1, dtype=np.int64)
    area_pos[in_area] = np.arange(len(in_area))
    pos = np.where(cell[rows] >= 0, area_pos[np.maximum(cell[rows], 0)], -1)
    keep = pos >= 0
    n_cells = len(in_area)
    mat = np.bincount(codes[keep] * n_cells + pos[keep], minlength=n_prob * n_cells)
    mat = mat.reshape(n_prob, n_cells)
    return generalised_gini(mat), grid.cell_size


def generalised_gini(counts: np.ndarray) -> np.ndarray:
    """Generalised Gini of each row of counts (units in columns, empty units included).

    The Gini is that of :func:`ilp_core.analysis.hotspots.concentration_from_counts`
    (``sum_i (2i - n - 1) x_(i) / (n sum x)`` over ascending counts), computed for
    all rows at once: 320 problems x 2,000 cells take 0.02 s here against 0.4 s for
    one library call per row (``tests/test_priorities.py`` checks they agree). With
    fewer incidents ``n`` than units ``N`` the most even spread possible puts one
    incident in each of ``n`` units (Gini ``1 - n / N``), so the Gini is rescaled
    to ``(G N - (N - n)) / n``: that spread scores 0 and "all in one unit" scores
    ``(n - 1) / n`` (Bernasco & Steenbeek 2017). Rows without incidents are NaN.

    Parameters
    ----------
    counts
        2-D array, one row per problem.

    Returns
    -------
    numpy.ndarray
        One value per row, 0 to 1.

    References
    ----------
    Bernasco, W., Steenbeek, W. (2017). More places than crimes: implications for
    evaluating the law of crime concentration at place. *Journal of Quantitative
    Criminology* 33, 451-467.

    Examples
    --------
    >>> generalised_gini(np.array([[4, 0, 0, 0, 0], [1, 1, 0, 1, 0], [2, 2, 2, 2, 2]]))
    array([0.75, 0.  , 0.  ])
    """
    x = np.sort(np.asarray(counts, dtype=float), axis=1)
    n_units = x.shape[1]
    total = x.sum(axis=1)
    ranks = 2.0 * np.arange(1, n_units + 1) - n_units - 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        gini = (x @ ranks) / (n_units * total)
        adjusted = np.where(total < n_units, (gini * n_units - (n_units - total)) / total, gini)
    return np.where(total > 0, np.clip(adjusted, 0.0, 1.0), np.nan)


def _population(
    districts: Any, problems: pd.DataFrame, custom: Sequence[Mapping[str, Any]]
) -> np.ndarray | None:
    if districts is None or "population" not in getattr(districts, "columns", ()):
        return None
    pop = pd.Series(
        pd.to_numeric(districts["population"], errors="coerce").to_numpy(dtype=float),
        index=districts["district"].astype(str).to_numpy(),
    )
    if not np.isfinite(pop.to_numpy()).any():
        return None
    total = float(pop.sum()) if np.isfinite(pop.to_numpy()).all() else math.nan
    custom_pop = {
        str(s.get("name", "")).strip(): (
            float(pop.reindex([str(d) for d in s["districts"]]).sum(min_count=1))
            if s.get("districts")
            else total
        )
        for s in custom
    }
    out = []
    for kind, problem, district in problems[["kind", "problem", "district"]].itertuples(
        index=False
    ):
        if kind == "offence":
            out.append(total)
        elif kind == "offence_district":
            out.append(float(pop.get(str(district), math.nan)))
        else:
            out.append(custom_pop.get(str(problem), math.nan))
    return np.asarray(out, dtype=float)


def criteria_table(
    data: ProblemData,
    weights: Mapping[str, float] | None = None,
    *,
    default_days: float | None = None,
) -> pd.DataFrame:
    """Return every problem's data criteria, with harm from the current harm weights.

    This is the fast step that runs again whenever a harm weight changes: harm is
    the product of the cached offence counts and the weights.

    Parameters
    ----------
    data
        Output of :func:`problem_data`.
    weights
        ``{offence: days}``; ``None`` uses the bundled defaults.
    default_days
        Days for an offence without a weight (``None``: the table's default).

    Returns
    -------
    pandas.DataFrame
        ``data.table`` plus ``harm`` (days), ``harm_per_incident``,
        ``harm_change`` (% change of harm, late window against early window;
        +100 when the early window had none), ``harm_without_weight`` (incidents
        whose offence had no weight and got ``default_days``).

    Raises
    ------
    IlpInputError
        ``priority.bad_harm_weight`` for a negative or non-numeric weight.

    Examples
    --------
    >>> import pandas as pd
    >>> from ilp_core.data.schema import coerce_incidents
    >>> inc = coerce_incidents(pd.DataFrame({
    ...     "incident_id": ["a", "b", "c"], "occurred_at": pd.to_datetime(["2024-01-02"] * 3),
    ...     "occurred_to": pd.NaT, "precision": "day",
    ...     "offence": ["Robbery", "Robbery", "Shoplifting"], "lat": 45.5, "lon": -30.5,
    ...     "district": "North", "location_id": None, "source_row": [2, 3, 4],
    ...     "duplicate": None}))
    >>> t = criteria_table(problem_data(inc), {"Robbery": 365, "Shoplifting": 2.5})
    >>> t[["problem", "harm"]].to_numpy().tolist()  # 2 x 365, 1 x 2.5
    [['Robbery', 730.0], ['Shoplifting', 2.5]]
    """
    table_default = harm.harm_table()
    w = table_default.weights() if weights is None else harm.check_weights(weights)
    default = (
        table_default.unknown_offence_days
        if default_days is None
        else harm.check_weights({"default_days": default_days})["default_days"]
    )
    days, has = harm.weight_for(data.offences, w, default)
    counts = data.offence_counts.to_numpy(dtype=float)
    out = data.table.copy()
    out["harm"] = counts @ days
    volume = out["volume"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["harm_per_incident"] = np.where(volume > 0, out["harm"] / volume, 0.0)
        early = data.offence_counts_early.to_numpy(dtype=float) @ days
        late = data.offence_counts_late.to_numpy(dtype=float) @ days
        change = np.where(early > 0, 100.0 * (late / early - 1.0), np.where(late > 0, 100.0, 0.0))
    out["harm_change"] = change
    out["harm_without_weight"] = (counts @ (~has).astype(float)).astype(np.int64)
    return out


def count_vs_harm(criteria: pd.DataFrame) -> pd.DataFrame:
    """Rank the problems by count and by harm side by side, and show how far each moves.

    Parameters
    ----------
    criteria
        Output of :func:`criteria_table` (``problem``, ``volume``, ``harm``).

    Returns
    -------
    pandas.DataFrame
        Sorted by harm rank: ``problem``, ``kind``, ``offence``, ``district``,
        ``volume``, ``count_rank``, ``harm``, ``harm_rank``, ``harm_per_incident``,
        ``count_share``, ``harm_share``, ``rank_change`` (count rank minus harm
        rank: positive = rises when harm is counted). Ties share the best rank.

    Examples
    --------
    >>> t = pd.DataFrame({"problem": ["Shoplifting", "Robbery"], "volume": [100, 2],
    ...                   "harm": [250.0, 730.0]})
    >>> count_vs_harm(t)[["problem", "count_rank", "harm_rank", "rank_change"]].to_numpy().tolist()
    [['Robbery', 2, 1, 1], ['Shoplifting', 1, 2, -1]]
    """
    cols = [c for c in ("problem", "kind", "offence", "district") if c in criteria.columns]
    out = criteria[cols].copy()
    out["volume"] = criteria["volume"].to_numpy()
    out["count_rank"] = criteria["volume"].rank(ascending=False, method="min").astype(np.int64)
    out["harm"] = criteria["harm"].to_numpy(dtype=float)
    out["harm_rank"] = criteria["harm"].rank(ascending=False, method="min").astype(np.int64)
    vol = out["volume"].to_numpy(dtype=float)
    out["harm_per_incident"] = np.where(vol > 0, out["harm"] / np.where(vol > 0, vol, 1), 0.0)
    out["count_share"] = vol / vol.sum() if vol.sum() > 0 else 0.0
    h = out["harm"].to_numpy()
    out["harm_share"] = h / h.sum() if h.sum() > 0 else 0.0
    out["rank_change"] = out["count_rank"] - out["harm_rank"]
    return out.sort_values(["harm_rank", "problem"], kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------------------
# Entered values
# --------------------------------------------------------------------------------------

#: Columns of an entered-values table (one row per problem and entered criterion).
ENTERED_COLUMNS: Final[tuple[str, ...]] = ("problem", "criterion", "value", "confidence")


def entered_template(problems: Iterable[str], cfg: Settings | None = None) -> pd.DataFrame:
    """Return an entered-values table with every value at its scale's default.

    A value nobody has assessed sits at the default of its scale (the middle for
    impacts, 0 for organised-crime indicators) with the default confidence (low),
    so the stability analysis treats it as very uncertain.

    Parameters
    ----------
    problems
        Problem ids.
    cfg
        Settings (default: the bundled file).

    Returns
    -------
    pandas.DataFrame
        ``problem``, ``criterion``, ``value``, ``confidence``.

    Examples
    --------
    >>> t = entered_template(["Robbery"])
    >>> row = t.loc[t["criterion"] == "vulnerability"].iloc[0]
    >>> float(row["value"]), str(row["confidence"])
    (2.0, 'low')
    """
    cfg = cfg or settings()
    names = [str(p) for p in problems]
    keys = list(cfg.entered)
    return pd.DataFrame(
        {
            "problem": pd.array(np.repeat(names, len(keys)), dtype="str"),
            "criterion": pd.array(np.tile(keys, len(names)), dtype="str"),
            "value": np.tile([cfg.criteria[k].default for k in keys], len(names)).astype(float),
            "confidence": pd.array(
                [cfg.default_confidence] * (len(names) * len(keys)), dtype="str"
            ),
        }
    )


@dataclass(frozen=True)
class _Entered:
    values: np.ndarray  # (P, E) raw values
    half_width: np.ndarray  # (P, E)
    level: np.ndarray  # (P, E)
    n_default: np.ndarray  # (P,) values not assessed


def _entered_arrays(
    entered: pd.DataFrame | None, problems: list[str], keys: list[str], cfg: Settings
) -> _Entered:
    n_p, n_e = len(problems), len(keys)
    crit = [cfg.criteria[k] for k in keys]
    values = np.tile([c.default for c in crit], (n_p, 1)).astype(float)
    conf = np.full((n_p, n_e), cfg.default_confidence, dtype=object)
    given = np.zeros((n_p, n_e), dtype=bool)
    if entered is not None and len(entered):
        missing_cols = [c for c in ENTERED_COLUMNS if c not in entered.columns]
        if missing_cols:
            raise IlpInputError(
                "priorities.entered_columns",
                columns=missing_cols,
                missing=", ".join(missing_cols),
                expected=", ".join(ENTERED_COLUMNS),
            )
        p_pos = {p: i for i, p in enumerate(problems)}
        k_pos = {k: j for j, k in enumerate(keys)}
        seen: set[tuple[int, int]] = set()
        rows = zip(
            entered["problem"].astype("object"),
            entered["criterion"].astype("object"),
            entered["value"].astype("object"),
            entered["confidence"].astype("object"),
            strict=True,
        )
        for row, (problem, key, value, confidence) in enumerate(rows):
            if key not in cfg.criteria or cfg.criteria[str(key)].kind != "entered":
                raise IlpInputError(
                    "priorities.unknown_criterion",
                    rows=(row,),
                    criterion=str(key),
                    allowed=", ".join(cfg.entered),
                )
            if problem not in p_pos or key not in k_pos:
                continue  # another problem set (a filter), or a criterion not used here
            i, j = p_pos[problem], k_pos[key]
            c = cfg.criteria[str(key)]
            number = _as_number(value)
            if number is None:
                raise IlpInputError(
                    "priorities.missing_value",
                    rows=(row,),
                    problem=str(problem),
                    criterion=str(key),
                )
            if not c.low <= number <= c.high:
                raise IlpInputError(
                    "priorities.value_out_of_scale",
                    rows=(row,),
                    problem=str(problem),
                    criterion=str(key),
                    value=_fmt(number),
                    low=_fmt(c.low),
                    high=_fmt(c.high),
                )
            level = cfg.default_confidence if _is_blank(confidence) else str(confidence)
            if level not in cfg.half_width:
                raise IlpInputError(
                    "priorities.bad_confidence",
                    rows=(row,),
                    problem=str(problem),
                    criterion=str(key),
                    value=str(confidence),
                    allowed=", ".join(cfg.half_width),
                )
            if (i, j) in seen:
                raise IlpInputError(
                    "priorities.entered_duplicate",
                    rows=(row,),
                    problem=str(problem),
                    criterion=str(key),
                )
            seen.add((i, j))
            values[i, j], conf[i, j], given[i, j] = number, level, True
    half = np.vectorize(lambda c: cfg.half_width[c], otypes=[float])(conf) if conf.size else conf
    level = np.vectorize(lambda c: cfg.level[c], otypes=[float])(conf) if conf.size else conf
    return _Entered(
        values=values,
        half_width=np.asarray(half, dtype=float).reshape(n_p, n_e),
        level=np.asarray(level, dtype=float).reshape(n_p, n_e),
        n_default=(~given).sum(axis=1),
    )


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value == ""


def _as_number(value: Any) -> float | None:
    if isinstance(value, bool) or _is_blank(value):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return math.inf  # not a number: reported as out of the scale, with the value
    return None if math.isnan(number) else number


def _fmt(value: float) -> str:
    return f"{value:g}"


# --------------------------------------------------------------------------------------
# Scoring
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Ranking:
    """The ranked problems with tiers, every score's decomposition and what was used.

    Attributes
    ----------
    table
        One row per problem, best first: ``rank`` (1 = highest priority; ties are
        broken by problem name), ``problem``, ``kind``, ``offence``, ``district``,
        ``tier`` (``high``, ``medium``, ``low``), ``score``, ``likelihood`` and
        ``impact`` (1-5, the risk-matrix chart's axes), ``likelihood_cell`` and
        ``impact_cell`` (rounded to the 5 x 5 grid), ``risk`` (``morile``: harm x
        likelihood; ``risk_matrix``: the cell product; NaN otherwise),
        ``position_factor`` (``morile``), ``confidence`` (``low``, ``medium``,
        ``high``, or ``none`` when no entered value is used), ``n_not_assessed``
        (entered values left at their default), the data criteria, the entered
        values used (one column per criterion), and ``contrib_<criterion>``,
        ``contrib_base`` (the part no criterion explains: the floor of the
        method's scales) and, for the risk matrix, ``contrib_rounding`` (the
        effect of rounding to the grid). The contributions add up to ``score``:
        ``score`` is their correctly rounded sum (``math.fsum``).
    normalised
        Problem (index) by criterion used: the 0-1 values that were weighted
        (``harm_weighted``: harm in days and the harm change from -1 to 1).
    weights
        Effective weight of each criterion used (divided by the sum of its
        group's weights, or of all weights for ``weighted_sum``).
    criteria
        Criteria used, in the settings' order.
    scheme
        The scheme scored.
    warnings
        Messages for the analyst (criteria unavailable, values not assessed,
        missing values scored as the lowest).
    """

    table: pd.DataFrame
    normalised: pd.DataFrame
    weights: Mapping[str, float]
    criteria: tuple[str, ...]
    scheme: Scheme
    warnings: tuple[Message, ...]


@dataclass(frozen=True)
class _Prepared:
    problems: list[str]
    keys: list[str]
    groups: np.ndarray  # (C,) group of each key
    is_entered: np.ndarray  # (C,) bool
    norm: np.ndarray  # (P, C) normalised (entered columns at their given values)
    raw: np.ndarray  # (P, C) raw values
    weights: np.ndarray  # (C,)
    entered: _Entered
    entered_cols: np.ndarray  # positions of entered keys in ``keys``
    entered_low: np.ndarray
    entered_high: np.ndarray
    axes_norm: np.ndarray  # (P, A) normalised values of the axes' criteria
    axes_keys: list[str]
    axes_weights: dict[str, np.ndarray]  # axis -> (A,)
    warnings: tuple[Message, ...]


def _method_keys(scheme: Scheme, cfg: Settings) -> list[str]:
    w = scheme.weights
    if scheme.method == "harm_weighted":
        keys = ["harm"] + (["harm_change"] if w.get("harm_change", 0.0) > 0 else [])
        return keys
    allowed = GROUPS if scheme.method != "risk_matrix" else ("harm", "likelihood")
    return [k for k, c in cfg.criteria.items() if w.get(k, 0.0) > 0 and c.group in allowed]


def _normalise(values: np.ndarray, crit: Criterion) -> np.ndarray:
    """Normalise one criterion's values (NaN stays NaN) to 0..1."""
    x = np.asarray(values, dtype=float)
    if crit.normalise == "scale":
        return (x - crit.low) / (crit.high - crit.low)
    if crit.normalise == "fixed":
        return np.clip((x - crit.low) / (crit.high - crit.low), 0.0, 1.0)
    y = np.log1p(np.maximum(x, 0.0))
    ok = np.isfinite(y)
    if not ok.any():
        return y
    lo, hi = float(y[ok].min()), float(y[ok].max())
    if hi > lo:
        return (y - lo) / (hi - lo)
    return np.where(ok, 1.0 if hi > 0 else 0.0, np.nan)


def _prepare(
    criteria: pd.DataFrame,
    scheme: Scheme,
    entered: pd.DataFrame | None,
    missing: str,
    cfg: Settings,
) -> _Prepared:
    if missing not in get_args(Missing):
        raise IlpInputError(
            "priorities.bad_option",
            option="missing",
            value=str(missing),
            allowed=", ".join(get_args(Missing)),
        )
    if "problem" not in criteria.columns or len(criteria) == 0:
        raise IlpInputError("priorities.no_problems")
    problems = [str(p) for p in criteria["problem"]]
    dup = pd.Index(problems)[pd.Index(problems).duplicated()]
    if len(dup):
        raise IlpInputError("priorities.duplicate_problem", problem=str(dup[0]))
    # Re-check the scheme against these settings (a hand-built Scheme is not checked).
    scheme = _scheme_from_dict(scheme.to_dict(), cfg.criteria)
    warnings: list[Message] = []
    keys = []
    for key in _method_keys(scheme, cfg):
        c = cfg.criteria[key]
        if c.kind == "data" and (
            key not in criteria.columns or not criteria[key].notna().to_numpy().any()
        ):
            warnings.append(Message("priorities.criterion_unavailable", {"criterion": key}))
            continue
        keys.append(key)
    w = np.array([scheme.weights.get(k, 0.0) for k in keys], dtype=float)
    groups = np.array([cfg.criteria[k].group for k in keys], dtype=object)
    _check_group_sums(scheme, keys, w, groups)
    is_entered = np.array([cfg.criteria[k].kind == "entered" for k in keys], dtype=bool)
    entered_keys = [k for k, e in zip(keys, is_entered, strict=True) if e]
    ent = _entered_arrays(entered, problems, entered_keys, cfg)
    n_p, n_c = len(problems), len(keys)
    raw = np.full((n_p, n_c), np.nan)
    norm = np.full((n_p, n_c), np.nan)
    e_pos = 0
    for j, key in enumerate(keys):
        c = cfg.criteria[key]
        if c.kind == "entered":
            raw[:, j] = ent.values[:, e_pos]
            e_pos += 1
        else:
            raw[:, j] = pd.to_numeric(criteria[key], errors="coerce").to_numpy(dtype=float)
        norm[:, j] = _normalise(raw[:, j], c)
    if scheme.method == "harm_weighted":
        norm[:, 0] = np.maximum(raw[:, 0], 0.0)  # harm in days, as it is
        if n_c > 1:
            norm[:, 1] = 2.0 * norm[:, 1] - 1.0  # harm change from -1 (falling) to 1
    holes = np.isnan(norm)
    if holes.any():
        i, j = np.argwhere(holes)[0]
        if missing == "error":
            raise IlpInputError(
                "priorities.missing_value",
                rows=(int(i),),
                columns=(keys[j],),
                problem=problems[i],
                criterion=keys[j],
            )
        for jj in np.flatnonzero(holes.any(axis=0)):
            names = [problems[ii] for ii in np.flatnonzero(holes[:, jj])]
            warnings.append(
                Message(
                    "priorities.missing_scored_lowest",
                    {"criterion": keys[jj], "problems": ", ".join(names)},
                )
            )
        low = -1.0 if scheme.method == "harm_weighted" else 0.0
        norm = np.where(holes, 0.0, norm)
        if scheme.method == "harm_weighted" and n_c > 1:
            norm[:, 1] = np.where(holes[:, 1], low, norm[:, 1])
    n_default = int(ent.n_default.sum())
    if n_default and len(entered_keys):
        warnings.append(Message("priorities.not_assessed", {"n": n_default}))
    axes_keys, axes_norm, axes_weights = _axes(criteria, scheme, keys, norm, ent, entered_keys, cfg)
    return _Prepared(
        problems=problems,
        keys=keys,
        groups=groups,
        is_entered=is_entered,
        norm=norm,
        raw=raw,
        weights=w,
        entered=ent,
        entered_cols=np.flatnonzero(is_entered),
        entered_low=np.array([cfg.criteria[k].low for k in entered_keys], dtype=float),
        entered_high=np.array([cfg.criteria[k].high for k in entered_keys], dtype=float),
        axes_norm=axes_norm,
        axes_keys=axes_keys,
        axes_weights=axes_weights,
        warnings=tuple(warnings),
    )


def _check_group_sums(scheme: Scheme, keys: list[str], w: np.ndarray, groups: np.ndarray) -> None:
    if scheme.method in ("weighted_sum", "harm_weighted"):
        if not keys or w.sum() <= 0:
            raise IlpInputError("priorities.weights_zero", method=scheme.method)
        return
    for group in ("harm", "likelihood"):
        if w[groups == group].sum() <= 0:
            raise IlpInputError("priorities.group_weights_zero", group=group, method=scheme.method)


def _axes(
    criteria: pd.DataFrame,
    scheme: Scheme,
    keys: list[str],
    norm: np.ndarray,
    ent: _Entered,
    entered_keys: list[str],
    cfg: Settings,
) -> tuple[list[str], np.ndarray, dict[str, np.ndarray]]:
    """Criteria and weights of the chart's likelihood and impact axes (1-5)."""
    spec: dict[str, dict[str, float]] = {}
    for axis, group in (("likelihood", "likelihood"), ("impact", "harm")):
        if axis in scheme.axes:
            w = dict(scheme.axes[axis])
        else:
            w = {k: scheme.weights.get(k, 0.0) for k, c in cfg.criteria.items() if c.group == group}
        w = {
            k: v
            for k, v in w.items()
            if v > 0
            and (
                cfg.criteria[k].kind == "entered"
                or (k in criteria.columns and criteria[k].notna().to_numpy().any())
            )
        }
        fallback = "volume" if group == "likelihood" else "harm"
        if not w and fallback in criteria.columns and criteria[fallback].notna().to_numpy().any():
            w = {fallback: 1.0}  # the method does not weigh this group: its main data criterion
        spec[axis] = w  # empty: the axis stays at the middle (3)
    axes_keys = list(dict.fromkeys(k for w in spec.values() for k in w))
    cols = []
    for key in axes_keys:
        c = cfg.criteria[key]
        if key in keys and not (
            scheme.method == "harm_weighted" and key in ("harm", "harm_change")
        ):
            cols.append(norm[:, keys.index(key)])
        elif c.kind == "entered" and key in entered_keys:
            cols.append(_normalise(ent.values[:, entered_keys.index(key)], c))
        elif c.kind == "entered":
            cols.append(np.full(len(criteria), _normalise(np.array([c.default]), c)[0]))
        else:
            x = pd.to_numeric(criteria[key], errors="coerce").to_numpy(dtype=float)
            cols.append(np.nan_to_num(_normalise(x, c), nan=0.0))
    axes_norm = np.column_stack(cols) if cols else np.zeros((len(criteria), 0))
    weights = {
        axis: np.array([w.get(k, 0.0) for k in axes_keys], dtype=float) for axis, w in spec.items()
    }
    return axes_keys, axes_norm, weights


def _multipliers(
    method: str, w: np.ndarray, groups: np.ndarray, position_range: tuple[float, float]
) -> list[tuple[float, np.ndarray]]:
    """Group constants and per-criterion multipliers: group sum = const + sum(mult * norm).

    ``w`` may carry leading axes (draws); the multipliers then do too.
    """

    def share(mask: np.ndarray) -> np.ndarray:
        wm = w * mask
        total = wm.sum(axis=-1, keepdims=True)
        return np.divide(wm, total, out=np.zeros_like(wm), where=total > 0)

    if method == "weighted_sum":
        return [(0.0, 100.0 * share(np.ones(len(groups), dtype=bool)))]
    if method == "harm_weighted":
        e_harm = np.zeros_like(w)
        e_harm[..., 0] = 1.0
        trend = np.zeros_like(w)
        if w.shape[-1] > 1:
            trend[..., 1] = w[..., 1] / (w[..., 0] + w[..., 1])
        return [(0.0, e_harm), (1.0, trend)]
    out = [(1.0, 4.0 * share(groups == "harm")), (1.0, 4.0 * share(groups == "likelihood"))]
    if method == "morile":
        pos = groups == "position"
        lo, hi = position_range
        has_pos = (w * pos).sum(axis=-1, keepdims=True) > 0
        if np.all(has_pos):
            out.append((lo, (hi - lo) * share(pos)))
        else:
            out.append((1.0, np.zeros_like(w)))
    return out


def _round_grid(value: np.ndarray) -> np.ndarray:
    """Round a 1-5 axis value half up to the grid (2.5 -> 3)."""
    return np.clip(np.floor(value + 0.5 + 1e-9), 1.0, 5.0)


def _shapley(consts: list[float], terms: list[np.ndarray]) -> tuple[np.ndarray, list[np.ndarray]]:
    """Exact additive decomposition of a product of sums: prod_g (c_g + sum_k t_gk).

    Expanding the product gives monomials; each is shared equally between the
    criteria terms it contains (the Shapley value of a multilinear function with
    every term's baseline at 0), and the product of the constants is the base.
    Returns the base and, per group, the contribution of each of its terms.
    """
    totals = [t.sum(axis=-1) for t in terms]
    base = np.ones_like(totals[0]) if totals else np.ones(())
    for c in consts:
        base = base * c
    contribs = []
    for g, t in enumerate(terms):
        # Polynomial in z: prod over the other groups of (c_h + T_h z).
        poly = [np.ones_like(totals[g])]
        for h in range(len(terms)):
            if h == g:
                continue
            nxt = [poly[0] * consts[h]]
            for m in range(1, len(poly)):
                nxt.append(poly[m] * consts[h] + poly[m - 1] * totals[h])
            nxt.append(poly[-1] * totals[h])
            poly = nxt
        factor = sum(p / (m + 1) for m, p in enumerate(poly))
        contribs.append(t * factor[..., None])
    return base, contribs


def _scores_direct(
    prep: _Prepared,
    scheme: Scheme,
    w: np.ndarray,
    entered: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Scores for (draws of) weights and entered values, without decomposition.

    ``w`` is ``(C,)`` or ``(D, C)``; ``entered``, when given, is ``(D, P, E)``:
    normalised entered values replacing ``prep.norm``'s entered columns. Group
    sums are products of the small ``(P, C)`` table with the weights plus the
    entered part, so the ``(D, P, C)`` array of every draw is never built (at 320
    problems and 1,000 draws: 0.1 s instead of 0.25 s here). Returns the scores
    and the tie-break of the risk matrix (the unrounded product).
    """
    mults = _multipliers(scheme.method, w, prep.groups, scheme.position_range)
    cols = prep.entered_cols
    fixed = prep.norm.copy()
    if entered is not None:
        fixed[:, cols] = 0.0
    score = secondary = None
    for const, mult in mults:
        total = const + np.einsum("pc,...c->...p", fixed, mult)
        if entered is not None and len(cols):
            total = total + np.einsum("dpe,de->dp", entered, mult[..., cols])
        if scheme.method == "risk_matrix":
            secondary = total if secondary is None else secondary * total
            total = _round_grid(total)
        score = total if score is None else score * total
    assert score is not None
    return score, secondary


def _rank(score: np.ndarray, names: list[str], secondary: np.ndarray | None = None) -> np.ndarray:
    """Rank (1 = best) along the last axis: by score, then ``secondary``, then name.

    Scores equal to 10 significant digits are ties (so that floating-point noise
    never orders two problems); ties are ordered by ``secondary`` (if given), then
    by problem name, so the order of the input never matters.
    """

    def key(values: np.ndarray) -> np.ndarray:
        scale = np.max(np.abs(values), axis=-1, keepdims=True)
        scaled = np.divide(values, scale, out=np.zeros_like(values), where=scale > 0)
        return -np.round(scaled, 10)

    name_pos = np.empty(len(names), dtype=np.int64)
    name_pos[np.argsort(np.array(names, dtype=object), kind="stable")] = np.arange(len(names))
    keys = [np.broadcast_to(name_pos, score.shape)]
    if secondary is not None:
        keys.append(key(np.broadcast_to(secondary, score.shape)))
    keys.append(key(score))
    order = np.lexsort(keys, axis=-1)
    ranks = np.empty(score.shape, dtype=np.int64)
    positions = np.broadcast_to(np.arange(1, score.shape[-1] + 1), score.shape)
    np.put_along_axis(ranks, order, positions, axis=-1)
    return ranks


def _take(values: Any, order: np.ndarray) -> Any:
    if isinstance(values, pd.api.extensions.ExtensionArray):
        return values.take(order)
    return np.asarray(values)[order]


def natural_breaks(values: np.ndarray, k: int = 3) -> np.ndarray:
    """Class (0 = lowest) of each value in ``k`` Fisher-Jenks natural-breaks classes.

    The breaks minimise the squared deviations from the class means (Fisher 1958),
    as ``mapclassify.FisherJenks``; for the few hundred problems of an assessment
    an exhaustive search over break pairs is exact and faster (240 values: 1 ms
    here against 87 ms for mapclassify without numba). Equal values always share a
    class. With fewer distinct values than classes, each distinct value is a class.

    Parameters
    ----------
    values
        Scores.
    k
        Number of classes (2 or 3).

    Returns
    -------
    numpy.ndarray
        Class of each value, 0..k-1.

    References
    ----------
    Fisher, W. D. (1958). On grouping for maximum homogeneity. *Journal of the
    American Statistical Association* 53, 789-798.

    Examples
    --------
    >>> natural_breaks(np.array([1.0, 2.0, 10.0, 11.0, 30.0, 2.5])).tolist()
    [0, 0, 1, 1, 2, 0]
    """
    y = np.asarray(values, dtype=float)
    uniq = np.unique(y)
    if len(uniq) <= k:
        return np.searchsorted(uniq, y).astype(np.int64)
    s = np.sort(y)
    c1 = np.r_[0.0, np.cumsum(s)]
    c2 = np.r_[0.0, np.cumsum(s * s)]

    def sse(i: np.ndarray, j: np.ndarray) -> np.ndarray:
        n = (j - i).astype(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(n > 0, c2[j] - c2[i] - (c1[j] - c1[i]) ** 2 / n, np.inf)

    cand = np.flatnonzero(np.diff(s) > 0) + 1  # a break may only fall between different values
    if len(cand) > 1500:  # keep the search small for very long lists
        cand = np.unique(cand[np.linspace(0, len(cand) - 1, 1500).astype(int)])
    n = len(s)
    if k == 2:
        cost = sse(np.zeros_like(cand), cand) + sse(cand, np.full_like(cand, n))
        uppers = [s[cand[int(np.argmin(cost))] - 1]]
    else:
        a, b = np.meshgrid(cand, cand, indexing="ij")
        valid = a < b
        cost = np.where(
            valid, sse(np.zeros_like(a), a) + sse(a, b) + sse(b, np.full_like(b, n)), np.inf
        )
        ia, ib = np.unravel_index(int(np.argmin(cost)), cost.shape)
        uppers = [s[cand[ia] - 1], s[cand[ib] - 1]]
    return np.searchsorted(np.asarray(uppers), y, side="left").astype(np.int64)


def _tiers(score: np.ndarray, scheme: Scheme) -> np.ndarray:
    if scheme.tiers == "bands":
        medium, high = scheme.bands
        return np.where(score >= high, "high", np.where(score >= medium, "medium", "low"))
    classes = natural_breaks(score, 3)
    n_classes = int(classes.max()) + 1 if len(classes) else 0
    names = {1: ["medium"], 2: ["low", "high"], 3: ["low", "medium", "high"]}.get(
        n_classes, ["low", "medium", "high"]
    )
    return np.array(names, dtype=object)[classes]


def score(
    criteria: pd.DataFrame,
    scheme: Scheme | str = "weighted_sum",
    entered: pd.DataFrame | None = None,
    *,
    missing: Missing = "error",
    cfg: Settings | None = None,
) -> Ranking:
    """Rank the problems with a method, in tiers, and split every score into its criteria.

    The methods (weights are divided by their sum, so only their ratios matter):

    * ``weighted_sum``: ``100 x sum(w_c x n_c)`` over the normalised criteria
      (0 to 100).
    * ``morile`` (MoRiLE-style): harm ``H = 1 + 4 sum(w x n)`` over the harm
      group and likelihood ``L`` likewise (1 to 5 each); risk ``R = H x L`` (1 to
      25); the organisation's position ``M = lo + (hi - lo) sum(w x n)`` over the
      position group (default 0.75 to 1.25: large capacity, capability and
      knowledge gaps raise the priority; ``M = 1`` when no position criterion is
      weighted); priority ``= R x M``. Confidence is reported beside the score
      (``confidence``), not mixed into it.
    * ``risk_matrix``: likelihood and impact as above, each rounded to the 1-5
      grid; score = likelihood x impact (1 to 25); tiers from the bands
      (default: 10 or more high, 5 to 9 medium).
    * ``harm_weighted``: harm (days of custody) ``x (1 + tau x g)``, where ``g``
      is the harm change from -1 (-50 % or less) to 1 (+50 % or more) and
      ``tau = w_harm_change / (w_harm + w_harm_change)``.

    Each score is decomposed exactly: the formula is a product of sums of
    criterion terms; expanding it, every product of terms is shared equally
    between the criteria it contains (their Shapley values), and the product of
    the constant parts is ``contrib_base``. For the weighted sum the contribution
    is simply ``100 x w_c x n_c``.

    Parameters
    ----------
    criteria
        One row per problem (:func:`criteria_table`), with the data criteria as
        columns; analyst-defined problems may carry hand-entered values there.
    scheme
        A :class:`Scheme` or the name of a preset.
    entered
        Entered values (``problem``, ``criterion``, ``value``, ``confidence``);
        values not given are taken at their scale's default with low confidence
        (and a warning says how many).
    missing
        A problem without a value for a criterion in use: ``"error"`` (default)
        or ``"lowest"`` (scored at the bottom of the criterion, with a warning).
    cfg
        Settings (default: the bundled file).

    Returns
    -------
    Ranking

    Raises
    ------
    IlpInputError
        ``priority.weights_zero`` / ``priority.group_weights_zero`` (weights that
        sum to zero), ``priority.bad_weight``, ``priority.unknown_criterion``,
        ``priority.value_out_of_scale`` (naming the problem, criterion, value and
        scale), ``priority.missing_value``, ``priority.bad_confidence``,
        ``priority.duplicate_problem``, ``priority.no_problems``.

    References
    ----------
    MoRiLE Programme, National Police Chiefs' Council (2016). *Management of Risk
    in Law Enforcement: thematic and tactical matrices* (harm, likelihood and
    organisational position; confidence reported separately).
    Europol (2021). *EU Serious and Organised Crime Threat Assessment (SOCTA)*,
    methodology annex (indicators of organised-crime groups).
    Shapley, L. S. (1953). A value for n-person games. *Contributions to the
    Theory of Games* II, 307-317.

    Examples
    --------
    Two problems, harm weighted twice volume (normalised values 1 and 0):

    >>> t = pd.DataFrame({"problem": ["Robbery", "Shoplifting"], "volume": [20, 400],
    ...                   "harm": [7300.0, 1000.0]})
    >>> r = score(t, make_scheme("weighted_sum", {"harm": 2, "volume": 1}))
    >>> r.table[["problem", "score", "contrib_harm", "contrib_volume"]].round(2).to_numpy().tolist()
    [['Robbery', 66.67, 66.67, 0.0], ['Shoplifting', 33.33, 0.0, 33.33]]
    """
    cfg = cfg or settings()
    scheme = preset(scheme, cfg) if isinstance(scheme, str) else scheme
    prep = _prepare(criteria, scheme, entered, missing, cfg)
    n_p, n_c = prep.norm.shape
    mults = _multipliers(scheme.method, prep.weights, prep.groups, scheme.position_range)
    consts = [c for c, _ in mults]
    terms = [prep.norm * m[None, :] for _, m in mults]
    group_totals = [c + t.sum(axis=1) for c, t in zip(consts, terms, strict=True)]
    has_rounding = scheme.method == "risk_matrix"
    if has_rounding:
        cells = [_round_grid(t) for t in group_totals]
        terms = [
            np.column_stack([t, cell - tot])
            for t, cell, tot in zip(terms, cells, group_totals, strict=True)
        ]
    base, contribs = _shapley(consts, terms)
    per_key = np.zeros((n_p, n_c))
    rounding = np.zeros(n_p)
    for c in contribs:
        per_key += c[:, :n_c]
        if has_rounding:
            rounding += c[:, n_c]
    base = np.broadcast_to(base, (n_p,)).astype(float)
    parts = [base[:, None], per_key] + ([rounding[:, None]] if has_rounding else [])
    stacked = np.hstack(parts)
    total = np.array([math.fsum(row) for row in stacked])

    secondary = None
    if has_rounding:  # ties on the grid are ordered by the unrounded likelihood x impact
        secondary = group_totals[0] * group_totals[1]
    ranks = _rank(total, prep.problems, secondary)
    tiers = _tiers(total, scheme)
    axes = {}
    for axis, w in prep.axes_weights.items():
        share = w / w.sum() if w.sum() > 0 else w
        axes[axis] = 1.0 + 4.0 * (prep.axes_norm @ share if w.sum() > 0 else 0.5)
    if has_rounding:
        axes["likelihood"], axes["impact"] = group_totals[1], group_totals[0]
    likelihood = np.broadcast_to(np.asarray(axes["likelihood"], dtype=float), (n_p,))
    impact = np.broadcast_to(np.asarray(axes["impact"], dtype=float), (n_p,))
    risk = position = np.full(n_p, np.nan)
    if scheme.method == "morile":
        risk, position = group_totals[0] * group_totals[1], group_totals[2]
    elif has_rounding:
        risk = cells[0] * cells[1]

    # One constructor call: inserting ~40 columns one by one costs ~25 ms with pandas' str
    # column index, the whole table ~1 ms.
    order = np.argsort(ranks, kind="stable")
    columns: dict[str, Any] = {"rank": ranks}
    for col in ("problem", "kind", "offence", "district"):
        if col in criteria.columns:
            columns[col] = pd.array(criteria[col].to_numpy(dtype=object), dtype="str")
    columns |= {
        "tier": pd.array(tiers.astype(str), dtype="str"),
        "score": total,
        "likelihood": likelihood,
        "impact": impact,
        "likelihood_cell": _round_grid(likelihood).astype(np.int64),
        "impact_cell": _round_grid(impact).astype(np.int64),
        "risk": np.broadcast_to(risk, (n_p,)),
        "position_factor": np.broadcast_to(position, (n_p,)),
        "confidence": pd.array(_confidence_labels(prep, cfg), dtype="str"),
        "n_not_assessed": (
            prep.entered.n_default.astype(np.int64)
            if len(prep.entered_cols)
            else np.zeros(n_p, dtype=np.int64)
        ),
    }
    for col in (*DATA_CRITERIA, "harm_per_incident", "harm_without_weight", "trend_direction"):
        if col in criteria.columns:
            columns[col] = criteria[col].to_numpy()
    for pos, j in enumerate(prep.entered_cols):
        columns[prep.keys[j]] = prep.entered.values[:, pos]
    columns["contrib_base"] = base
    for j, key in enumerate(prep.keys):
        columns[f"contrib_{key}"] = per_key[:, j]
    if has_rounding:
        columns["contrib_rounding"] = rounding
    table = pd.DataFrame({k: _take(v, order) for k, v in columns.items()})

    normalised = pd.DataFrame(
        prep.norm, index=pd.Index(prep.problems, name="problem"), columns=prep.keys
    )
    weights = _effective_weights(scheme.method, prep)
    return Ranking(
        table=table,
        normalised=normalised,
        weights=weights,
        criteria=tuple(prep.keys),
        scheme=scheme,
        warnings=prep.warnings,
    )


def _effective_weights(method: str, prep: _Prepared) -> dict[str, float]:
    w = prep.weights
    if method == "harm_weighted":
        out = {"harm": 1.0}
        if len(w) > 1:
            out["harm_change"] = float(w[1] / (w[0] + w[1]))
        return out
    if method == "weighted_sum":
        return {k: float(v / w.sum()) for k, v in zip(prep.keys, w, strict=True)}
    out = {}
    for group in GROUPS:
        mask = prep.groups == group
        total = w[mask].sum()
        for k, v, m in zip(prep.keys, w, mask, strict=True):
            if m and total > 0:
                out[k] = float(v / total)
    return out


def _confidence_labels(prep: _Prepared, cfg: Settings) -> list[str]:
    cols = prep.entered_cols
    if len(cols) == 0:
        return ["none"] * len(prep.problems)
    w = prep.weights[cols]
    mean = prep.entered.level @ (w / w.sum())
    levels = sorted(cfg.level.items(), key=lambda kv: kv[1])
    names = [name for name, _ in levels]
    values = np.array([v for _, v in levels])
    # Nearest level (low 1, medium 2, high 3: below 1.5 low, below 2.5 medium, else high).
    cuts = (values[:-1] + values[1:]) / 2
    return [names[int(i)] for i in np.searchsorted(cuts, mean, side="right")]


def explain(ranking: Ranking, problem: str) -> pd.DataFrame:
    """Say why a problem has its rank: the contribution of every criterion to its score.

    Parameters
    ----------
    ranking
        Output of :func:`score`.
    problem
        A problem id of the ranking.

    Returns
    -------
    pandas.DataFrame
        One row per criterion used, then ``base`` (and ``rounding`` for the risk
        matrix): ``criterion``, ``group``, ``value`` (raw), ``normalised``,
        ``weight`` (effective), ``contribution`` and ``share`` (of the score),
        sorted by contribution, largest first (``base`` and ``rounding`` last).
        The contributions add up to the score.

    Raises
    ------
    IlpInputError
        ``priority.unknown_problem`` when the problem is not in the ranking.

    Examples
    --------
    >>> t = pd.DataFrame({"problem": ["Robbery", "Shoplifting"], "volume": [20, 400],
    ...                   "harm": [7300.0, 1000.0]})
    >>> r = score(t, make_scheme("weighted_sum", {"harm": 2, "volume": 1}))
    >>> explain(r, "Shoplifting")[["criterion", "contribution"]].round(2).to_numpy().tolist()
    [['volume', 33.33], ['harm', 0.0], ['base', 0.0]]
    """
    rows = ranking.table.loc[ranking.table["problem"] == problem]
    if rows.empty:
        raise IlpInputError("priorities.unknown_problem", problem=str(problem))
    row = rows.iloc[0]
    cfg_criteria = settings().criteria
    out = []
    for key in ranking.criteria:
        out.append(
            {
                "criterion": key,
                "group": cfg_criteria[key].group if key in cfg_criteria else "",
                "value": float(row[key]) if key in row.index else math.nan,
                "normalised": float(ranking.normalised.loc[problem, key]),
                "weight": float(ranking.weights.get(key, math.nan)),
                "contribution": float(row[f"contrib_{key}"]),
            }
        )
    out.sort(key=lambda r: -r["contribution"])
    extra = ["base"] + (["rounding"] if "contrib_rounding" in row.index else [])
    for key in extra:
        out.append(
            {
                "criterion": key,
                "group": "",
                "value": math.nan,
                "normalised": math.nan,
                "weight": math.nan,
                "contribution": float(row[f"contrib_{key}"]),
            }
        )
    table = pd.DataFrame(out)
    table["criterion"] = table["criterion"].astype("str")
    table["group"] = table["group"].astype("str")
    total = float(row["score"])
    table["share"] = table["contribution"] / total if total != 0 else math.nan
    return table


# --------------------------------------------------------------------------------------
# Rank stability
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Stability:
    """How firmly each problem holds its place when weights and entered values vary.

    Attributes
    ----------
    table
        One row per problem, in the order of the ranking: ``rank`` (as scored),
        ``problem``, ``p_top_k`` (share of draws in which it is in the top k),
        ``rank_low``, ``rank_median``, ``rank_high`` (5th, 50th, 95th percentile
        of its rank over the draws), ``in_top_k`` (as scored) and ``fragile``
        (its place in or out of the top k is held in fewer than ``robust_share``
        of the draws).
    top_k, draws, seed
        The settings used.
    weight_uncertainty
        Relative half-width of the weights' redraws.
    half_width
        Half-width (scale points) of the entered values' redraws, per confidence.
    robust_share
        The share of draws a place must hold not to be fragile.
    """

    table: pd.DataFrame
    top_k: int
    draws: int
    seed: int
    weight_uncertainty: float
    half_width: Mapping[str, float]
    robust_share: float


def rank_stability(
    criteria: pd.DataFrame,
    scheme: Scheme | str = "weighted_sum",
    entered: pd.DataFrame | None = None,
    *,
    top_k: int | None = None,
    draws: int | None = None,
    seed: int | None = None,
    missing: Missing = "error",
    cfg: Settings | None = None,
) -> Stability:
    """Redraw weights and entered values within their stated uncertainty and re-rank, many times.

    Each draw multiplies every weight by a uniform factor in ``1 +/- u`` (``u`` =
    ``weight_uncertainty``, default 25 %; ``rng.uniform``) and moves every entered
    value uniformly (``rng.random``, float32) within ``+/-`` the half-width of its
    confidence (default: high 0.5, medium
    1, low 1.5 scale points), clipped to its scale; data criteria stay as
    measured. All draws are scored at once (arrays of draws x problems x
    criteria). A problem whose place in (or out of) the top k holds in fewer than
    ``robust_share`` (80 %) of the draws is fragile: the decision about it rests
    on judgements the data do not settle.

    Parameters
    ----------
    criteria, scheme, entered, missing, cfg
        As for :func:`score`.
    top_k
        Size of the top group (default 5 from the settings, at most the number of
        problems).
    draws
        Number of draws (default 1,000; 100 to 100,000).
    seed
        Seed of ``numpy.random.default_rng`` (default from the settings), so the
        same assessment gives the same figures.

    Returns
    -------
    Stability

    Raises
    ------
    IlpInputError
        As :func:`score`, and ``priority.bad_parameter`` for ``top_k``, ``draws``
        or ``seed``.

    References
    ----------
    Saltelli, A. et al. (2008). *Global Sensitivity Analysis: The Primer*. Wiley
    (Monte Carlo propagation of input uncertainty to a ranking).

    Examples
    --------
    Robbery leads on harm, shoplifting on volume; with the weights uncertain by
    +/- 25 %, robbery stays first in 78 % of the draws only, so both are fragile:

    >>> t = pd.DataFrame({"problem": ["Robbery", "Shoplifting", "Theft"],
    ...                   "volume": [20, 400, 100], "harm": [7300.0, 1000.0, 250.0]})
    >>> s = rank_stability(t, make_scheme("weighted_sum", {"harm": 2, "volume": 1}),
    ...                    top_k=1, draws=200, seed=1)
    >>> s.table[["problem", "p_top_k", "fragile"]].to_numpy().tolist()
    [['Robbery', 0.78, True], ['Shoplifting', 0.22, True], ['Theft', 0.0, False]]
    """
    cfg = cfg or settings()
    scheme = preset(scheme, cfg) if isinstance(scheme, str) else scheme
    prep = _prepare(criteria, scheme, entered, missing, cfg)
    n_p = len(prep.problems)
    k = cfg.top_k if top_k is None else top_k
    n_draws = cfg.draws if draws is None else draws
    rng_seed = cfg.seed if seed is None else seed
    for name, value, lo, hi in (
        ("top_k", k, 1, n_p),
        ("draws", n_draws, 100, 100_000),
        ("seed", rng_seed, 0, 2**63 - 1),
    ):
        if (
            isinstance(value, bool)
            or not isinstance(value, int | np.integer)
            or not lo <= value <= hi
        ):
            raise IlpInputError(
                "priorities.bad_setting", parameter=name, value=str(value), low=lo, high=hi
            )
    rng = np.random.default_rng(int(rng_seed))
    u = cfg.weight_uncertainty
    w_draws = prep.weights[None, :] * rng.uniform(1.0 - u, 1.0 + u, size=(n_draws, len(prep.keys)))
    entered_draws = None
    if len(prep.entered_cols):
        # value + (2r - 1) x half-width, clipped to the scale and normalised, as
        # clip(r x scale + offset, 0, 1) computed in place in float32: the draws are
        # the largest array (1,000 x 320 problems x 14 criteria), and this takes a
        # third of the time of the float64 version here.
        ent = prep.entered
        span = prep.entered_high - prep.entered_low
        scale = (2.0 * ent.half_width / span).astype(np.float32)
        offset = ((ent.values - ent.half_width - prep.entered_low) / span).astype(np.float32)
        entered_draws = rng.random((n_draws, *ent.values.shape), dtype=np.float32)
        entered_draws *= scale
        entered_draws += offset
        np.clip(entered_draws, 0.0, 1.0, out=entered_draws)
    scores, secondary = _scores_direct(prep, scheme, w_draws, entered_draws)
    ranks = _rank(scores, prep.problems, secondary)
    base_score, base_secondary = _scores_direct(prep, scheme, prep.weights)
    base = _rank(base_score, prep.problems, base_secondary)
    p_top = (ranks <= k).mean(axis=0)
    in_top = base <= k
    robust = cfg.robust_share
    fragile = np.where(in_top, p_top < robust, p_top > 1.0 - robust)
    pct = np.percentile(ranks, [5, 50, 95], axis=0, method="nearest")
    table = pd.DataFrame(
        {
            "rank": base.astype(np.int64),
            "problem": pd.array(prep.problems, dtype="str"),
            "p_top_k": p_top,
            "rank_low": pct[0].astype(np.int64),
            "rank_median": pct[1].astype(np.int64),
            "rank_high": pct[2].astype(np.int64),
            "in_top_k": in_top,
            "fragile": fragile,
        }
    )
    table = table.sort_values("rank", kind="stable").reset_index(drop=True)
    return Stability(
        table=table,
        top_k=int(k),
        draws=int(n_draws),
        seed=int(rng_seed),
        weight_uncertainty=float(u),
        half_width=dict(cfg.half_width),
        robust_share=float(robust),
    )


# --------------------------------------------------------------------------------------
# The assessment: save and load the whole configuration
# --------------------------------------------------------------------------------------

_FORMAT_NAME: Final[str] = "ilp-priority-assessment"


@dataclass(frozen=True)
class Assessment:
    """Everything needed to reproduce a priority assessment next quarter.

    Attributes
    ----------
    scheme
        Method, weights and parameters.
    entered
        Entered values as ``(problem, criterion, value, confidence)`` tuples.
    harm_weights
        ``{offence: days}`` used for harm.
    default_harm_days
        Days given to offences without a weight.
    harm_default_confirmed
        Whether the user confirmed that default.
    by
        Problem level: ``"offence"`` or ``"offence_district"``.
    custom
        Analyst-defined problems (``name``, ``offences``, ``districts``).
    top_k, draws, seed
        Settings of the stability analysis.
    fingerprint
        :attr:`ilp_core.data.dataset.Dataset.fingerprint` of the data assessed.
    dataset
        Name of the dataset (for people; the fingerprint is what is checked).
    """

    scheme: Scheme
    entered: tuple[tuple[str, str, float, str], ...] = ()
    harm_weights: Mapping[str, float] = field(default_factory=dict)
    default_harm_days: float = 2.5
    harm_default_confirmed: bool = False
    by: str = "offence"
    custom: tuple[Mapping[str, Any], ...] = ()
    top_k: int = 5
    draws: int = 1000
    seed: int = 20240601
    fingerprint: str = ""
    dataset: str = ""

    def entered_frame(self) -> pd.DataFrame:
        """Return the entered values as a table (see :data:`ENTERED_COLUMNS`)."""
        rows = list(self.entered)
        return pd.DataFrame(
            {
                "problem": pd.array([r[0] for r in rows], dtype="str"),
                "criterion": pd.array([r[1] for r in rows], dtype="str"),
                "value": np.array([r[2] for r in rows], dtype=float),
                "confidence": pd.array([r[3] for r in rows], dtype="str"),
            }
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the assessment as plain JSON-ready values."""
        return {
            "format": _FORMAT_NAME,
            "version": ASSESSMENT_VERSION,
            "fingerprint": self.fingerprint,
            "dataset": self.dataset,
            "scheme": self.scheme.to_dict(),
            "problems": {"by": self.by, "custom": [_plain(c) for c in self.custom]},
            "harm": {
                "weights": {str(k): float(v) for k, v in self.harm_weights.items()},
                "default_days": float(self.default_harm_days),
                "default_confirmed": bool(self.harm_default_confirmed),
            },
            "entered": [
                {"problem": p, "criterion": c, "value": float(v), "confidence": f}
                for p, c, v, f in self.entered
            ],
            "stability": {
                "top_k": int(self.top_k),
                "draws": int(self.draws),
                "seed": int(self.seed),
            },
        }

    def to_json(self) -> str:
        """Return the assessment as indented UTF-8 JSON."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n"

    def to_yaml(self) -> str:
        """Return the assessment as YAML (easier to read and edit by hand)."""
        return yaml.safe_dump(self.to_dict(), allow_unicode=True, sort_keys=False)


def _plain(spec: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "name": str(spec.get("name", "")),
        "offences": [str(o) for o in spec.get("offences") or ()],
        "districts": [str(d) for d in spec.get("districts") or ()],
    }


def make_assessment(
    scheme: Scheme,
    entered: pd.DataFrame | None = None,
    *,
    harm_weights: Mapping[str, float] | None = None,
    default_harm_days: float | None = None,
    harm_default_confirmed: bool = False,
    by: ProblemLevel = "offence",
    custom: Sequence[Mapping[str, Any]] = (),
    top_k: int | None = None,
    draws: int | None = None,
    seed: int | None = None,
    fingerprint: str = "",
    dataset: str = "",
    cfg: Settings | None = None,
) -> Assessment:
    """Collect an assessment's settings, checked, so it can be saved.

    Parameters
    ----------
    scheme
        The method with its weights.
    entered
        Entered values (``problem``, ``criterion``, ``value``, ``confidence``).
    harm_weights
        ``{offence: days}``; ``None`` stores the bundled defaults.
    default_harm_days
        Days for offences without a weight (``None``: the table's default).
    harm_default_confirmed
        Whether the user confirmed that default.
    by, custom
        The problems (see :func:`problem_data`).
    top_k, draws, seed
        Stability settings (``None``: the defaults of the settings file).
    fingerprint, dataset
        The data's fingerprint and name.
    cfg
        Settings (default: the bundled file).

    Returns
    -------
    Assessment

    Raises
    ------
    IlpInputError
        As :func:`score` for entered values out of scale, and
        ``priority.bad_harm_weight``.

    Examples
    --------
    >>> a = make_assessment(preset("morile"), fingerprint="abc")
    >>> load_assessment(a.to_json(), fingerprint="abc").assessment == a
    True
    """
    cfg = cfg or settings()
    table = harm.harm_table()
    weights = table.weights() if harm_weights is None else harm.check_weights(harm_weights)
    default = table.unknown_offence_days if default_harm_days is None else default_harm_days
    default = harm.check_weights({"default_days": default})["default_days"]
    rows: list[tuple[str, str, float, str]] = []
    if entered is not None and len(entered):
        problems = list(dict.fromkeys(str(p) for p in entered["problem"]))
        keys = list(dict.fromkeys(str(k) for k in entered["criterion"]))
        bad = [k for k in keys if k not in cfg.criteria or cfg.criteria[k].kind != "entered"]
        if bad:
            raise IlpInputError(
                "priorities.unknown_criterion", criterion=bad[0], allowed=", ".join(cfg.entered)
            )
        _entered_arrays(entered, problems, keys, cfg)  # validates every row
        for p, c, v, f in zip(
            entered["problem"],
            entered["criterion"],
            entered["value"],
            entered["confidence"],
            strict=True,
        ):
            conf = cfg.default_confidence if _is_blank(f) else str(f)
            rows.append((str(p), str(c), float(v), conf))
    custom_plain = tuple(_plain(c) for c in custom)
    _check_stability_settings(top_k, draws, seed)
    return Assessment(
        scheme=_scheme_from_dict(scheme.to_dict(), cfg.criteria),
        entered=tuple(rows),
        harm_weights=weights,
        default_harm_days=float(default),
        harm_default_confirmed=bool(harm_default_confirmed),
        by=str(by) if by in PROBLEM_LEVELS else _bad_by(by),
        custom=custom_plain,
        top_k=int(cfg.top_k if top_k is None else top_k),
        draws=int(cfg.draws if draws is None else draws),
        seed=int(cfg.seed if seed is None else seed),
        fingerprint=str(fingerprint),
        dataset=str(dataset),
    )


def _bad_by(by: Any) -> str:
    raise IlpInputError(
        "priorities.bad_option", option="by", value=str(by), allowed=", ".join(PROBLEM_LEVELS)
    )


def _check_stability_settings(top_k: Any, draws: Any, seed: Any) -> None:
    for name, value, lo, hi in (
        ("top_k", top_k, 1, 10_000),
        ("draws", draws, 100, 100_000),
        ("seed", seed, 0, 2**63 - 1),
    ):
        if value is None:
            continue
        if (
            isinstance(value, bool)
            or not isinstance(value, int | np.integer)
            or not lo <= value <= hi
        ):
            raise IlpInputError(
                "priorities.bad_setting", parameter=name, value=str(value), low=lo, high=hi
            )


@dataclass(frozen=True)
class LoadedAssessment:
    """A configuration read back from a file, and whether it fits the current data.

    Attributes
    ----------
    assessment
        The settings read.
    same_data
        False when the file was saved on other data (fingerprints differ): the
        settings still load, but rankings will differ from the saved ones.
    warnings
        Messages for the user (``priority.config_other_dataset``).
    """

    assessment: Assessment
    same_data: bool
    warnings: tuple[Message, ...]


def load_assessment(
    source: str | bytes,
    *,
    fingerprint: str | None = None,
    cfg: Settings | None = None,
) -> LoadedAssessment:
    """Read a saved assessment (JSON or YAML) and check it against the current data.

    Parameters
    ----------
    source
        The file's content.
    fingerprint
        The current data's fingerprint; a different saved one gives a warning
        (the settings are still returned).
    cfg
        Settings to check the criteria and scales against.

    Returns
    -------
    LoadedAssessment

    Raises
    ------
    IlpInputError
        ``priority.config_broken`` (not a saved assessment, or a part missing or
        of the wrong type, named in the message), ``priority.config_version``
        (saved by a newer version), or the specific error of a bad weight, an
        unknown criterion or a value out of its scale.

    Examples
    --------
    >>> a = make_assessment(preset("risk_matrix"), fingerprint="abc")
    >>> loaded = load_assessment(a.to_yaml(), fingerprint="def")
    >>> loaded.same_data, [m.key for m in loaded.warnings]
    (False, ['priorities.config_other_dataset'])
    """
    cfg = cfg or settings()
    if isinstance(source, bytes):
        try:
            source = source.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise IlpInputError("priorities.config_broken", reason="UTF-8") from None
    try:
        data = json.loads(source)
    except ValueError:
        try:
            data = yaml.safe_load(source)
        except yaml.YAMLError:
            raise IlpInputError("priorities.config_broken", reason="JSON / YAML") from None
    if not isinstance(data, Mapping) or data.get("format") != _FORMAT_NAME:
        raise IlpInputError("priorities.config_broken", reason="format")
    version = data.get("version")
    if not isinstance(version, int) or version > ASSESSMENT_VERSION:
        raise IlpInputError(
            "priorities.config_version", version=str(version), supported=ASSESSMENT_VERSION
        )
    part = "scheme"
    try:
        scheme = _scheme_from_dict(data["scheme"], cfg.criteria)
        part = "problems"
        problems = data.get("problems") or {}
        by = str(problems.get("by", "offence"))
        custom = [dict(c) for c in problems.get("custom") or ()]
        part = "harm"
        harm_spec = data.get("harm") or {}
        part = "entered"
        entered_rows = list(data.get("entered") or ())
        entered = pd.DataFrame(
            {
                col: [r[col] if col != "confidence" else r.get(col) for r in entered_rows]
                for col in ENTERED_COLUMNS
            }
        )
        part = "stability"
        stab = data.get("stability") or {}
        stability = {k: stab.get(k) for k in ("top_k", "draws", "seed")}
    except (KeyError, TypeError, ValueError, AttributeError):
        raise IlpInputError("priorities.config_broken", reason=part) from None
    assessment = make_assessment(
        scheme,
        entered if len(entered_rows) else None,
        harm_weights=harm_spec.get("weights") or {},
        default_harm_days=harm_spec.get("default_days"),
        harm_default_confirmed=bool(harm_spec.get("default_confirmed", False)),
        by=by,  # type: ignore[arg-type]
        custom=custom,
        top_k=stability["top_k"],
        draws=stability["draws"],
        seed=stability["seed"],
        fingerprint=str(data.get("fingerprint", "")),
        dataset=str(data.get("dataset", "")),
        cfg=cfg,
    )
    saved = assessment.fingerprint
    same = fingerprint is None or saved == fingerprint
    warnings = (
        ()
        if same
        else (
            Message(
                "priorities.config_other_dataset",
                {
                    "saved": saved or "-",
                    "current": fingerprint,
                    "dataset": assessment.dataset or "-",
                },
            ),
        )
    )
    return LoadedAssessment(assessment=assessment, same_data=same, warnings=warnings)


# --------------------------------------------------------------------------------------
# Labels for people
# --------------------------------------------------------------------------------------


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

    Examples
    --------
    >>> t = pd.DataFrame({"problem": ["Robbery", "Shoplifting"], "volume": [20, 400],
    ...                   "harm": [7300.0, 1000.0]})
    >>> r = score(t, make_scheme("weighted_sum", {"harm": 2, "volume": 1}))
    >>> ranking_for_display(r, "fr").columns[:4].tolist()
    ['Rang', 'Problème', 'Niveau', 'Score']
    """
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


def message_text(message: Message, lang: str = i18n.DEFAULT_LANGUAGE) -> str:
    """Render a priority message with criterion, group and method names translated.

    Messages carry stable keys (``criterion="vulnerability"``); this shows them as
    people read them (``"Vulnerability of victims"``) in ``lang``.

    Examples
    --------
    >>> message_text(Message("priorities.missing_value", {"problem": "A",
    ...                      "criterion": "vulnerability"}), "en")[:48]
    '"A" has no value for "Vulnerability of victims".'
    """
    params = dict(message.params)
    if "criterion" in params:
        params["criterion"] = criterion_label(str(params["criterion"]), lang)
    if "group" in params:
        params["group"] = i18n.t(f"priorities.group.{params['group']}", lang)
    if "method" in params and i18n.has(f"priorities.method.{params['method']}", lang):
        params["method"] = i18n.t(f"priorities.method.{params['method']}", lang)
    return i18n.t(message.key, lang, **params)
