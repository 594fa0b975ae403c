"""Configuration of the assessment: criteria and their scales, confidence levels, presets, schemes.

Everything here comes from ``ilp_core/config/priority_presets.yaml`` (read by
:func:`settings`) or checks a scheme, a method with its weights, against it
(:func:`make_scheme`). A national trainer changes criteria, scales and presets in
that file, not in code.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Final, Literal, get_args

import yaml

from ilp_core import _yaml, checks
from ilp_core.errors import IlpInputError

Method = Literal["morile", "risk_matrix", "harm_weighted", "weighted_sum"]
Tiering = Literal["natural_breaks", "bands"]

METHODS: Final[tuple[str, ...]] = get_args(Method)
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
    "development",
)
_NORMALISERS: Final[frozenset[str]] = frozenset({"log_minmax", "fixed", "scale"})
_TIERINGS: Final[tuple[str, ...]] = tuple(sorted(get_args(Tiering)))
_AXES: Final[tuple[str, ...]] = ("impact", "likelihood")


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
        ``priorities.presets_broken`` naming what is wrong in the file.

    Examples
    --------
    >>> s = settings()
    >>> s.criteria["vulnerability"].low, s.criteria["vulnerability"].high, s.half_width["low"]
    (0.0, 4.0, 1.5)
    >>> sorted(s.presets)
    ['forward_looking', 'harm_weighted', 'morile', 'risk_matrix', 'weighted_sum']
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
        data = _yaml.load(text)
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
    ('morile', 'risk_matrix', 'harm_weighted', 'weighted_sum', 'forward_looking')
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
        ``checks.option`` for an unknown name.

    Examples
    --------
    >>> s = preset("risk_matrix")
    >>> s.method, s.tiers, s.bands
    ('risk_matrix', 'bands', (5.0, 10.0))
    """
    cfg = cfg or settings()
    return cfg.presets[checks.option("preset", name, tuple(cfg.presets))]


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
        ``checks.option`` (method, tiers, axes), ``priorities.unknown_criterion``,
        ``checks.number`` (a weight or a bound that is not a finite number, a
        negative weight or position factor), ``priorities.bad_parameter``
        (``bands`` or ``position_range`` not a pair, bands in the wrong order).

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
    """Check a scheme given as plain values (a call, the presets file or a saved assessment)."""
    method = str(checks.option("method", spec.get("method", ""), METHODS))
    weights = _check_weight_map("weights", spec.get("weights") or {}, criteria)
    tiers = str(checks.option("tiers", spec.get("tiers", "natural_breaks"), _TIERINGS))
    raw_bands = spec.get("bands") or {"medium": 5.0, "high": 10.0}
    if isinstance(raw_bands, Mapping):
        raw_bands = (raw_bands.get("medium"), raw_bands.get("high"))
    bands = _number_pair("bands", raw_bands)
    if bands[0] > bands[1]:
        raise IlpInputError("priorities.bad_parameter", parameter="bands", value=str(list(bands)))
    position = _number_pair(
        "position_range", spec.get("position_range") or (0.75, 1.25), minimum=0.0
    )
    axes = {
        str(checks.option("axes", axis, _AXES)): _check_weight_map(
            f"axes[{axis!r}]", w or {}, criteria
        )
        for axis, w in (spec.get("axes") or {}).items()
    }
    return Scheme(
        method=method,
        weights=weights,
        tiers=tiers,
        bands=bands,
        position_range=position,
        axes=axes,
        preset=str(spec.get("preset", "")),
    )


def _number_pair(name: str, value: Any, *, minimum: float | None = None) -> tuple[float, float]:
    """Two finite numbers (``checks.number`` for each); ``priorities.bad_parameter`` for no pair."""
    try:
        a, b = value
    except (TypeError, ValueError):
        raise IlpInputError("priorities.bad_parameter", parameter=name, value=str(value)) from None
    return (
        checks.number(f"{name}[0]", a, minimum=minimum),
        checks.number(f"{name}[1]", b, minimum=minimum),
    )


def _check_weight_map(
    name: str, weights: Mapping[str, Any], criteria: Mapping[str, Criterion]
) -> dict[str, float]:
    """Weights by criterion: known criteria only, each a finite number, 0 or more."""
    out: dict[str, float] = {}
    for key, value in dict(weights).items():
        if key not in criteria:
            raise IlpInputError(
                "priorities.unknown_criterion", criterion=str(key), allowed=", ".join(criteria)
            )
        out[str(key)] = checks.number(f"{name}[{key!r}]", value, minimum=0.0)
    return out
