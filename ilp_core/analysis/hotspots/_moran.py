"""Local Moran's I of districts: clusters (HH, LL) and outliers (HL, LH), by esda."""

from __future__ import annotations

import functools
import time
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import stats

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
    random relocations of the other values around each district, seeded);
    ``lisa_p`` is esda's folded pseudo p-value ``(min(k, M - k) + 1) / (M + 1)``.
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

                _cache_esda_kernels()
                m = esda.Moran_Local(
                    value,
                    w,
                    transformation="r",
                    permutations=int(permutations),
                    seed=int(seed),
                    n_jobs=1,
                )
        ok = ~isolated
        lisa_i[ok] = np.asarray(m.Is)[ok]
        lisa_z[ok] = np.asarray(m.z_sim)[ok]
        lisa_p[ok] = np.asarray(m.p_sim)[ok]
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


@functools.cache
def _cache_esda_kernels() -> None:
    """Let numba keep esda's compiled kernels on disk (esda compiles them without).

    Compiling them took 15.5 s at the first Local Moran of every process; from the
    disk cache a new process is ready in 3.6 s (measured, with numba's import).
    The cache goes where numba puts it (beside esda, else the user's cache folder,
    or ``NUMBA_CACHE_DIR``).
    """
    try:
        from numba.core.dispatcher import Dispatcher
    except ImportError:  # esda then runs without numba: nothing to compile
        return
    import esda.crand
    import esda.moran
    import esda.significance

    for module in (esda.crand, esda.moran, esda.significance):
        for value in vars(module).values():
            if isinstance(value, Dispatcher):
                value.enable_caching()


def warm_up() -> float:
    """Make esda's compiled permutation kernels ready now; return the seconds it took.

    esda compiles them with numba at the first Local Moran of a process (15.5 s
    here, whatever the size of the data; 0.02 s after), and this project keeps them
    in numba's disk cache (:func:`_cache_esda_kernels`): a warm-up in any process
    (the app runs one in a separate process at start) readies every later process.

    Examples
    --------
    >>> warm_up() >= 0
    True
    """
    import shapely

    start = time.perf_counter()
    boxes = [shapely.box(c, r, c + 1, r + 1) for r in range(3) for c in range(3)]
    lattice = gpd.GeoDataFrame(
        {"district": [f"D{i}" for i in range(9)], "population": 1000},
        geometry=boxes,
        crs="EPSG:4326",
    )
    names = np.repeat(lattice["district"].to_numpy(), [5, 1, 2, 1, 3, 1, 2, 1, 4])
    local_moran(pd.DataFrame({"district": names}), lattice, permutations=99)
    return time.perf_counter() - start
