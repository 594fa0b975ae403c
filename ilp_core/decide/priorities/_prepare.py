"""From criteria, a scheme and entered values to the arrays every method scores.

:func:`_prepare` checks the inputs once and returns a :class:`_Prepared`: the
criteria the method uses, their raw and normalised (0-1) values, weights and
groups, the entered values with their confidence, and the criteria and weights
of the risk-matrix chart's axes. :func:`score` and :func:`rank_stability` both
start from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal, get_args

import numpy as np
import pandas as pd

from ilp_core import checks
from ilp_core.decide.priorities._entered import _Entered, _entered_arrays
from ilp_core.decide.priorities._settings import (
    GROUPS,
    Criterion,
    Scheme,
    Settings,
    _scheme_from_dict,
)
from ilp_core.errors import IlpInputError, Message

Missing = Literal["error", "lowest"]

_MISSING: Final[tuple[str, ...]] = get_args(Missing)


@dataclass(frozen=True)
class _Prepared:
    """Everything a method scores, as arrays: P problems, C criteria, E entered, A axis criteria."""

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
    """Criteria the method weighs (weight above 0, in a group the method uses), settings' order."""
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
    """Check the inputs of a scoring and lay out the arrays the methods score."""
    checks.option("missing", missing, _MISSING)
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
    """Refuse weights that sum to zero (per multiplied group for morile and the risk matrix)."""
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
