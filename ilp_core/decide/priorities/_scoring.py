"""Scoring: the four methods, the exact split of every score into criteria, ranks and tiers.

Every method's score is a product of sums of criterion terms
(:func:`_multipliers`); :func:`_shapley` shares each product of terms equally
between the criteria it contains, so the contributions add up to the score.
:func:`score` ranks and tiers the problems (:func:`natural_breaks` or bands) and
:func:`explain` says why one problem has its rank. :func:`_scores_direct` scores
many draws of weights at once for :func:`rank_stability`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, NamedTuple

import numpy as np
import pandas as pd

from ilp_core import checks
from ilp_core.decide.priorities._prepare import Missing, _normalise, _prepare, _Prepared
from ilp_core.decide.priorities._settings import (
    DATA_CRITERIA,
    GROUPS,
    Scheme,
    Settings,
    preset,
    settings,
)
from ilp_core.errors import IlpInputError, Message


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
        ``score`` is their correctly rounded sum (``math.fsum``). When the likely
        development is used, ``development_lower``/``development_upper`` (its 80 %
        interval), ``development_status``, ``lower_contrib_development`` and
        ``upper_contrib_development`` (its contribution at either end: not
        ``contrib_*``, which add up to the score) and ``score_lower``/``score_upper`` (the
        score at either end).
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
    columns: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Scores for (draws of) weights and entered values, without decomposition.

    ``w`` is ``(C,)`` or ``(D, C)``; ``entered``, when given, is ``(D, P, E)``:
    normalised values replacing ``prep.norm``'s columns ``columns`` (default: the
    entered ones; the stability analysis adds the likely development). Group
    sums are products of the small ``(P, C)`` table with the weights plus the
    entered part, so the ``(D, P, C)`` array of every draw is never built (at 320
    problems and 1,000 draws: 0.1 s instead of 0.25 s here). Returns the scores
    and the tie-break of the risk matrix (the unrounded product).
    """
    mults = _multipliers(scheme.method, w, prep.groups, scheme.position_range)
    cols = prep.entered_cols if columns is None else columns
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


#: Data criteria that may come with an interval (``<key>_lower``, ``<key>_upper``):
#: the decomposition shows the contribution at both ends.
_BOUNDED: Final[tuple[str, ...]] = ("development",)


class _Decomposition(NamedTuple):
    total: np.ndarray  # (P,) score: the correctly rounded sum of the parts
    per_key: np.ndarray  # (P, C) contribution of each criterion
    base: np.ndarray  # (P,)
    rounding: np.ndarray  # (P,) risk matrix only (else 0)
    group_totals: list[np.ndarray]
    cells: list[np.ndarray]  # group totals rounded to the grid (risk matrix)


def _decompose(prep: _Prepared, scheme: Scheme, norm: np.ndarray) -> _Decomposition:
    """Scores of normalised values and their exact split into the criteria (Shapley)."""
    n_p, n_c = norm.shape
    mults = _multipliers(scheme.method, prep.weights, prep.groups, scheme.position_range)
    consts = [c for c, _ in mults]
    terms = [norm * m[None, :] for _, m in mults]
    group_totals = [c + t.sum(axis=1) for c, t in zip(consts, terms, strict=True)]
    has_rounding = scheme.method == "risk_matrix"
    cells: list[np.ndarray] = []
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
    return _Decomposition(total, per_key, base, rounding, group_totals, cells)


def _bounded(criteria: pd.DataFrame, prep: _Prepared, scheme: Scheme) -> dict[int, tuple]:
    """Criteria used that come with an interval: position -> normalised (lower, upper).

    Where a problem has no interval (its forecast was declined) both ends are its value.
    """
    out: dict[int, tuple] = {}
    if scheme.method == "harm_weighted":
        return out
    cfg = settings().criteria
    for key in _BOUNDED:
        if key not in prep.keys or f"{key}_lower" not in criteria.columns:
            continue
        j = prep.keys.index(key)
        ends = []
        for side in ("lower", "upper"):
            raw = pd.to_numeric(criteria[f"{key}_{side}"], errors="coerce").to_numpy(dtype=float)
            n = _normalise(raw, cfg[key]) if key in cfg else raw
            ends.append(np.where(np.isfinite(n), n, prep.norm[:, j]))
        out[j] = (ends[0], ends[1])
    return out


def _with_bounds(prep: _Prepared, bounds: dict[int, tuple], side: str) -> np.ndarray:
    norm = prep.norm.copy()
    for j, (low, high) in bounds.items():
        norm[:, j] = low if side == "lower" else high
    return norm


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
    """A column (NumPy or pandas extension array) in the given order."""
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

    Raises
    ------
    IlpInputError
        ``checks.whole`` for ``k`` other than 2 or 3.

    References
    ----------
    Fisher, W. D. (1958). On grouping for maximum homogeneity. *Journal of the
    American Statistical Association* 53, 789-798.

    Examples
    --------
    >>> natural_breaks(np.array([1.0, 2.0, 10.0, 11.0, 30.0, 2.5])).tolist()
    [0, 0, 1, 1, 2, 0]
    """
    k = checks.whole("k", k, minimum=2, maximum=3)
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
    """Tier of each score: by the scheme's bands, or three natural-breaks classes."""
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
        ``priorities.weights_zero`` / ``priorities.group_weights_zero`` (weights that
        sum to zero), ``priorities.unknown_criterion``,
        ``priorities.value_out_of_scale`` (naming the problem, criterion, value and
        scale), ``priorities.missing_value``, ``priorities.bad_confidence``,
        ``priorities.duplicate_problem``, ``priorities.no_problems``; as
        :func:`make_scheme` for the scheme, ``checks.option`` for ``missing`` and
        ``checks.missing_columns`` for an entered-values table without its columns.

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

    >>> from ilp_core.decide.priorities import make_scheme
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
    dec = _decompose(prep, scheme, prep.norm)
    total, per_key, base, rounding = dec.total, dec.per_key, dec.base, dec.rounding
    group_totals, cells = dec.group_totals, dec.cells
    has_rounding = scheme.method == "risk_matrix"
    bounds = _bounded(criteria, prep, scheme)
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
    for col in (
        *DATA_CRITERIA, "harm_per_incident", "harm_without_weight", "trend_direction",
        *(f"{key}_{side}" for key in _BOUNDED for side in ("lower", "upper", "status")),
    ):  # fmt: skip
        if col in criteria.columns:
            columns[col] = criteria[col].to_numpy()
    for pos, j in enumerate(prep.entered_cols):
        columns[prep.keys[j]] = prep.entered.values[:, pos]
    columns["contrib_base"] = base
    for j, key in enumerate(prep.keys):
        columns[f"contrib_{key}"] = per_key[:, j]
    if has_rounding:
        columns["contrib_rounding"] = rounding
    if bounds:
        for side in ("lower", "upper"):
            at = _decompose(prep, scheme, _with_bounds(prep, bounds, side))
            columns[f"score_{side}"] = at.total
            for j in bounds:
                columns[f"{side}_contrib_{prep.keys[j]}"] = at.per_key[:, j]
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
    """Weight of each criterion as the method applies it (divided by its group's sum)."""
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
    """Each problem's confidence: the weighted mean level of its entered values, as a name."""
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


def _interval(row: pd.Series, key: str) -> dict[str, float]:
    """The interval of a criterion's value and contribution, NaN where it has none."""

    def get(col: str) -> float:
        return float(row[col]) if col in row.index and pd.notna(row[col]) else math.nan

    return {
        "value_lower": get(f"{key}_lower"),
        "value_upper": get(f"{key}_upper"),
        "contribution_lower": get(f"lower_contrib_{key}"),
        "contribution_upper": get(f"upper_contrib_{key}"),
    }


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
        sorted by contribution, largest first (``base`` and ``rounding`` last);
        for a criterion that comes with an interval (the likely development, a
        forecast), ``value_lower``/``value_upper`` (its 80 % interval) and
        ``contribution_lower``/``contribution_upper`` (the contribution at either
        end, the other criteria unchanged); NaN for the others. The
        contributions add up to the score.

    Raises
    ------
    IlpInputError
        ``priorities.unknown_problem`` when the problem is not in the ranking.

    Examples
    --------
    >>> from ilp_core.decide.priorities import make_scheme
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
                **_interval(row, key),
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
                **_interval(row, key),
            }
        )
    table = pd.DataFrame(out)
    table["criterion"] = table["criterion"].astype("str")
    table["group"] = table["group"].astype("str")
    total = float(row["score"])
    table["share"] = table["contribution"] / total if total != 0 else math.nan
    return table
