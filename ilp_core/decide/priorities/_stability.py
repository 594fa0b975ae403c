"""Rank stability: how often each problem keeps its place when weights and entered values vary.

:func:`rank_stability` redraws the weights and the entered values within their
stated uncertainty (seeded, all draws scored at once) and reports, for each
problem, the share of draws that keep it in the top k and the spread of its rank.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ilp_core import checks
from ilp_core.decide.priorities._prepare import Missing, _normalise, _prepare, _Prepared
from ilp_core.decide.priorities._scoring import _BOUNDED, _rank, _scores_direct
from ilp_core.decide.priorities._settings import Scheme, Settings, preset, settings


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
    redrawn
        Data criteria redrawn within their forecast's uncertainty (the likely
        development, when the scheme weighs it); empty otherwise.
    """

    table: pd.DataFrame
    top_k: int
    draws: int
    seed: int
    weight_uncertainty: float
    half_width: Mapping[str, float]
    robust_share: float
    redrawn: tuple[str, ...] = ()


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
    1, low 1.5 scale points), clipped to its scale. Data criteria stay as
    measured, except the likely development when the scheme weighs it: a
    forecast, it is redrawn from a (split) normal distribution whose 80 % interval
    is its forecast's (drawn last, so the other draws are those without it). All
    draws are scored at once (arrays of draws x problems x criteria). A problem
    whose place in (or out of) the top k holds in fewer than ``robust_share``
    (80 %) of the draws is fragile: the decision about it rests on judgements
    (and forecasts) the data do not settle.

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
        Seed of ``numpy.random.default_rng``, 0 to 2**32 - 1 (default from the settings), so the
        same assessment gives the same figures.

    Returns
    -------
    Stability

    Raises
    ------
    IlpInputError
        As :func:`score`, and ``checks.whole`` for ``top_k`` (1 to the number of
        problems) or ``draws`` (100 to 100,000) and for ``seed`` (0 to 2**32 - 1).

    References
    ----------
    Saltelli, A. et al. (2008). *Global Sensitivity Analysis: The Primer*. Wiley
    (Monte Carlo propagation of input uncertainty to a ranking).

    Examples
    --------
    Robbery leads on harm, shoplifting on volume; with the weights uncertain by
    +/- 25 %, robbery stays first in 78 % of the draws only, so both are fragile:

    >>> from ilp_core.decide.priorities import make_scheme
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
    k = checks.whole(
        "top_k", cfg.top_k if top_k is None else top_k, minimum=1, maximum=len(prep.problems)
    )
    n_draws = checks.whole(
        "draws", cfg.draws if draws is None else draws, minimum=100, maximum=100_000
    )
    rng_seed = checks.seed("seed", cfg.seed if seed is None else seed)
    rng = np.random.default_rng(rng_seed)
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
    columns = prep.entered_cols
    redrawn, forecast_draws = _forecast_draws(criteria, prep, scheme, cfg, rng, n_draws)
    if redrawn:
        columns = np.concatenate([prep.entered_cols, [prep.keys.index(k) for k in redrawn]])
        entered_draws = (
            forecast_draws
            if entered_draws is None
            else np.concatenate([entered_draws, forecast_draws], axis=2)
        )
    scores, secondary = _scores_direct(prep, scheme, w_draws, entered_draws, columns)
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
        redrawn=redrawn,
    )


#: z of the 90th percentile: an 80 % interval spans 2 x 1.2816 standard deviations.
_Z80 = 1.2815515655446004


def _forecast_draws(
    criteria: pd.DataFrame,
    prep: _Prepared,
    scheme: Scheme,
    cfg: Settings,
    rng: np.random.Generator,
    n_draws: int,
) -> tuple[tuple[str, ...], np.ndarray | None]:
    """Normalised draws ``(D, P, B)`` of the forecast criteria the scheme weighs, and their keys.

    Each problem's value is drawn from a split normal distribution: its median the
    forecast value, its 10th and 90th percentiles the ends of the forecast's 80 %
    interval (the intervals of counts are skewed); a problem without an interval
    keeps its value. The draws are then normalised as scored.
    """
    if scheme.method == "harm_weighted":
        return (), None
    keys = tuple(k for k in _BOUNDED if k in prep.keys and f"{k}_lower" in criteria.columns)
    if not keys:
        return (), None
    out = np.empty((n_draws, len(prep.problems), len(keys)), dtype=np.float32)
    for b, key in enumerate(keys):
        value = prep.raw[:, prep.keys.index(key)]
        low = pd.to_numeric(criteria[f"{key}_lower"], errors="coerce").to_numpy(dtype=float)
        high = pd.to_numeric(criteria[f"{key}_upper"], errors="coerce").to_numpy(dtype=float)
        has = np.isfinite(low) & np.isfinite(high)
        below = np.where(has, np.maximum(value - low, 0.0) / _Z80, 0.0)
        above = np.where(has, np.maximum(high - value, 0.0) / _Z80, 0.0)
        z = rng.standard_normal((n_draws, len(value)))
        draws = value[None, :] + z * np.where(z < 0, below[None, :], above[None, :])
        norm = _normalise(draws, cfg.criteria[key])
        out[:, :, b] = np.where(np.isfinite(norm), norm, prep.norm[:, prep.keys.index(key)])
    return keys, out
