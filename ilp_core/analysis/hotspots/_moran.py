"""Local Moran's I of districts: clusters (HH, LL) and outliers (HL, LH), by esda.

esda gives the statistic and its quadrants; the conditional permutations are
NumPy here (:func:`_conditional_permutation`).
"""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import sparse, stats

from ilp_core import checks
from ilp_core.analysis.hotspots._common import _cardinalities, _geometry_last, _queen
from ilp_core.analysis.hotspots._counts import district_counts
from ilp_core.analysis.hotspots._results import (
    DEFAULT_SEED,
    LISA_CLASSES,
    LISA_QUADRANTS,
    LISA_VARIABLES,
    LisaVariable,
    LocalMoran,
)
from ilp_core.errors import IlpInputError, Message


def local_moran(
    incidents: pd.DataFrame,
    districts: gpd.GeoDataFrame,
    *,
    variable: LisaVariable = "count",
    permutations: int = 999,
    seed: int = DEFAULT_SEED,
    fdr: bool = True,
    alpha: float = 0.05,
) -> LocalMoran:
    """Find clusters (HH, LL) and outliers (HL, LH) of districts with Local Moran's I.

    HH: a district with many incidents among neighbours with many (a hot
    cluster); LL: few among few; HL: many among few (a hot outlier); LH: few among
    many. Computed by ``esda.Moran_Local`` with row-standardised queen contiguity
    weights (libpysal) and conditional permutation inference (``permutations``
    random relocations of the other values around each district, seeded; see
    :func:`_conditional_permutation`); ``lisa_p`` is esda's folded pseudo p-value
    ``(min(k, M - k) + 1) / (M + 1)``.
    A district without neighbours has no local statistic: it is ``isolated``
    (when no district has a neighbour, all are, with a note saying so).

    Parameters
    ----------
    incidents
        Canonical incident table (counts as in :func:`district_counts`).
    districts
        Boundaries with ``district``, ``population``, geometry.
    variable
        ``"count"`` or ``"rate"`` (per 1,000 residents; needs every population).
    permutations
        Number of permutations, 99 to 99,999.
    seed
        Seed of the permutations (same seed, same p-values).
    fdr
        Use Benjamini-Hochberg adjusted p-values for the classes (default).
    alpha
        Significance level of the classes.

    Returns
    -------
    LocalMoran

    References
    ----------
    Anselin, L. (1995). Local indicators of spatial association - LISA.
    Geographical Analysis 27(2).

    Examples
    --------
    >>> import shapely
    >>> boxes = [shapely.box(-30.5 + c / 100, 45.5 + r / 100, -30.5 + (c + 1) / 100,
    ...          45.5 + (r + 1) / 100) for r in range(4) for c in range(4)]
    >>> d = gpd.GeoDataFrame({"district": [f"D{i}" for i in range(16)],
    ...                       "population": 1000}, geometry=boxes, crs="EPSG:4326")
    >>> names = np.repeat(d["district"], [30, 30, 1, 1, 30, 30, 1, 1] + [1] * 8)
    >>> res = local_moran(pd.DataFrame({"district": names}), d, permutations=99)
    >>> res.table["lisa_quadrant"].tolist()[:6]
    ['HH', 'HH', 'LH', 'LL', 'HH', 'HH']
    """
    checks.option("variable", variable, LISA_VARIABLES)
    fdr = checks.flag("fdr", fdr)
    alpha = checks.share("alpha", alpha)
    permutations = checks.whole("permutations", permutations, minimum=99, maximum=99_999)
    seed = checks.seed("seed", seed)
    counts = district_counts(incidents, districts)
    table = counts.table.copy()
    n = len(table)
    if n < 3:
        raise IlpInputError("hotspots.too_few_units", n=n, needed=3)
    if variable == "rate":
        bad = table.loc[~(table["population"] > 0), "district"].tolist()
        if bad:
            raise IlpInputError(
                "hotspots.rate_needs_population",
                columns=("population",),
                districts=", ".join(map(str, bad)),
            )
        value = table["rate_per_1000"].to_numpy(dtype=float)
    else:
        value = table["count"].to_numpy(dtype=float)
    w, notes = _queen(table)
    card = _cardinalities(w)
    isolated = card == 0
    lisa_i = np.full(n, np.nan)
    lisa_z = np.full(n, np.nan)
    lisa_p = np.full(n, np.nan)
    quadrant = np.full(n, None, dtype=object)
    if isolated.all():
        # No district shares a border with another: there is no neighbourhood to
        # compare with (esda fails on such weights), every district is isolated.
        notes.append(Message("hotspots.no_neighbours", {"n": n}))
    elif np.all(value == value[0]):
        notes.append(Message("hotspots.no_variation", {}))
    else:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*not fully connected.*")
            # esda announces a future change of its default alternative; the folded
            # ("directed") pseudo p-value used here is documented above.
            warnings.filterwarnings("ignore", message=".*alternative hypothesis.*")
            with np.errstate(divide="ignore", invalid="ignore"):
                import esda  # imported here: PySAL takes seconds to import

                m = esda.Moran_Local(value, w, transformation="r", permutations=0)
        ok = ~isolated
        observed = np.asarray(m.Is, dtype=float)
        p_sim, z_sim = _conditional_permutation(
            np.asarray(m.z, dtype=float), m.w.sparse, observed, permutations, seed
        )
        lisa_i[ok] = observed[ok]
        lisa_z[ok] = z_sim[ok]
        lisa_p[ok] = p_sim[ok]
        q = np.asarray(m.q, dtype=int)
        quadrant[ok] = np.array(LISA_QUADRANTS, dtype=object)[q[ok] - 1]
    lisa_p_fdr = np.full(n, np.nan)
    tested = np.isfinite(lisa_p)
    if tested.any():
        lisa_p_fdr[tested] = stats.false_discovery_control(lisa_p[tested], method="bh")
    used = lisa_p_fdr if fdr else lisa_p
    cls = np.where(tested & (used < alpha), quadrant, "not_significant").astype(object)
    cls[isolated] = "isolated"
    table["value"] = value
    table["n_neighbours"] = card
    table["lisa_i"] = lisa_i
    table["lisa_z"] = lisa_z
    table["lisa_p"] = lisa_p
    table["lisa_p_fdr"] = lisa_p_fdr
    table["lisa_quadrant"] = pd.Categorical(quadrant, categories=LISA_QUADRANTS)
    table["lisa_class"] = pd.Categorical(cls, categories=LISA_CLASSES)
    return LocalMoran(
        table=_geometry_last(table),
        variable=variable,
        permutations=int(permutations),
        seed=int(seed),
        fdr=fdr,
        alpha=float(alpha),
        warnings=counts.warnings + tuple(notes),
    )


def _conditional_permutation(
    z: np.ndarray, weights: sparse.csr_array, observed: np.ndarray, permutations: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Folded pseudo p-value and simulated z of each unit's Local Moran's I.

    Conditional permutation (Anselin 1995), as ``esda.crand``: each unit keeps its
    value while ``permutations`` random sets of the other units' values (as many as
    it has neighbours, drawn without replacement) take its neighbours' places. ``p``
    is ``(min(k, M - k) + 1) / (M + 1)``, ``k`` the simulated values at least the
    observed; ``z`` compares the observed with the simulated mean and spread.
    Units without neighbours get NaN.

    Written here instead of esda's permutations: esda compiles them with numba at
    the first Local Moran of every process, its disk cache cannot keep that kernel
    (it takes the statistic as a function argument), and it took 5.3-6.9 s on each
    server's first map; this takes 0.03 s for 24 districts (0.3 s for 1,000) with
    999 permutations. Tested against esda and against the exact permutation
    distribution (``tests/test_hotspots.py``).
    """
    n = len(z)
    rows = sparse.csr_array(weights)
    cardinality = np.diff(rows.indptr)
    rng = np.random.default_rng(seed)
    draws = _distinct_draws(rng, n - 1, int(cardinality.max()), permutations)
    scaling = (n - 1) / float(z @ z)
    p = np.full(n, np.nan)
    z_sim = np.full(n, np.nan)
    for i in np.flatnonzero(cardinality):
        others = draws[:, : cardinality[i]]
        others = others + (others >= i)  # the n - 1 units other than i
        w_i = rows.data[rows.indptr[i] : rows.indptr[i + 1]]
        simulated = z[i] * (z[others] @ w_i) * scaling
        # ties count as at least (equal sets of values, summed in another order)
        larger = int((simulated >= observed[i] - 1e-9 * abs(observed[i])).sum())
        p[i] = (min(larger, permutations - larger) + 1) / (permutations + 1)
        spread = simulated.std()
        z_sim[i] = (observed[i] - simulated.mean()) / spread if spread > 0 else np.nan
    return p, z_sim


def _distinct_draws(rng: np.random.Generator, n: int, k: int, times: int) -> np.ndarray:
    """``times`` rows of ``k`` distinct integers drawn uniformly from ``0..n-1``."""
    if k * k <= n:  # a repeat in a row is rare (under 1 in 2): redraw those rows
        draws = rng.integers(0, n, (times, k))
        while True:
            ordered = np.sort(draws, axis=1)
            repeat = (ordered[:, 1:] == ordered[:, :-1]).any(axis=1)
            if not repeat.any():
                return draws
            draws[repeat] = rng.integers(0, n, (int(repeat.sum()), k))
    rows = max(1, 4_000_000 // n)  # few units: shuffle 0..n-1 in blocks of rows (32 MB)
    blocks = [
        rng.permuted(np.tile(np.arange(n), (min(rows, times - start), 1)), axis=1)[:, :k]
        for start in range(0, times, rows)
    ]
    return np.concatenate(blocks)
