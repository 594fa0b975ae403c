"""How concentrated crime is (Lorenz curve, Gini, units holding 50 % / 80 %), repeat locations."""

from __future__ import annotations

from dataclasses import replace

import geopandas as gpd
import numpy as np
import pandas as pd

from ilp_core import checks, memo
from ilp_core.analysis.hotspots._counts import district_counts, grid_counts
from ilp_core.analysis.hotspots._results import (
    CONCENTRATION_UNITS,
    Concentration,
    ConcentrationUnit,
)
from ilp_core.errors import IlpInputError, Message


def concentration_from_counts(
    counts: np.ndarray | pd.Series,
    *,
    unit: ConcentrationUnit = "cell",
    includes_empty: bool = True,
) -> Concentration:
    """Measure how unevenly incidents fall over units, from the count of each unit.

    Parameters
    ----------
    counts
        Incidents per unit (empty units as 0).
    unit
        What a unit is (carried to the result for labels).
    includes_empty
        Whether ``counts`` lists empty units too (carried to the result).

    Returns
    -------
    Concentration
        Gini ``= sum_i (2i - n - 1) x_(i) / (n sum x)`` over counts sorted
        ascending (equal to the mean absolute difference over twice the mean).

    Raises
    ------
    IlpInputError
        ``hotspots.no_incidents`` when the counts sum to 0 (shares are undefined);
        ``hotspots.bad_counts`` for negative or non-finite counts.

    Examples
    --------
    >>> c = concentration_from_counts(np.array([0, 0, 1, 3]))
    >>> c.gini, c.share_units_50, c.share_units_80
    (0.625, 0.25, 0.5)
    """
    checks.option("unit", unit, CONCENTRATION_UNITS)
    includes_empty = checks.flag("includes_empty", includes_empty)
    try:
        x = np.asarray(counts, dtype=float).ravel()
    except (TypeError, ValueError):
        raise IlpInputError("hotspots.bad_counts") from None
    if len(x) == 0 or not np.all(np.isfinite(x)) or np.any(x < 0):
        raise IlpInputError("hotspots.bad_counts")
    total = float(x.sum())
    if total <= 0:
        raise IlpInputError("hotspots.no_incidents")
    n = len(x)
    asc = np.sort(x)
    gini = float(np.sum((2 * np.arange(1, n + 1) - n - 1) * asc) / (n * total))
    desc_cum = np.cumsum(asc[::-1])
    tol = 1e-9 * total
    k50 = int(np.argmax(desc_cum >= 0.5 * total - tol)) + 1
    k80 = int(np.argmax(desc_cum >= 0.8 * total - tol)) + 1
    share_units = np.arange(n + 1) / n
    share_inc = np.r_[0.0, np.cumsum(asc)] / total
    if n > 1000:
        grid_share = np.linspace(0.0, 1.0, 1001)
        share_inc = np.interp(grid_share, share_units, share_inc)
        share_units = grid_share
    lorenz = pd.DataFrame({"share_units": share_units, "share_incidents": share_inc})
    return Concentration(
        lorenz=lorenz,
        gini=gini,
        share_units_50=k50 / n,
        share_units_80=k80 / n,
        n_units=n,
        n_empty_units=int((x == 0).sum()),
        n_incidents=int(round(total)),
        unit=unit,
        includes_empty=includes_empty,
        warnings=(),
    )


def concentration(
    incidents: pd.DataFrame,
    districts: gpd.GeoDataFrame | None = None,
    *,
    unit: ConcentrationUnit = "cell",
    cell_size: float | None = None,
) -> Concentration:
    """Measure how concentrated incidents are: Lorenz curve, Gini, units holding 50 % / 80 %.

    Over cells, all cells of the study area count, empty ones included (so the
    figures say "x % of the area holds half the crime"); over districts, every
    district of the boundaries (or named in the data); over locations, only the
    ``location_id`` values that have incidents (an address without crime is not
    in the data), so ``includes_empty`` is False.

    Parameters
    ----------
    incidents
        Canonical incident table.
    districts
        Optional boundaries (study area for cells; the units for districts).
    unit
        ``"cell"``, ``"district"`` or ``"location"``.
    cell_size
        Grid cell size in metres for ``unit="cell"`` (``None``: automatic).

    Returns
    -------
    Concentration

    References
    ----------
    Weisburd, D. (2015). The law of crime concentration and the criminology of
    place. Criminology 53(2).

    Examples
    --------
    >>> inc = pd.DataFrame({"location_id": ["L1", "L1", "L1", "L2", None]})
    >>> c = concentration(inc, unit="location")
    >>> c.n_units, round(c.gini, 3), c.share_units_50
    (2, 0.25, 0.5)
    """
    checks.option("unit", unit, CONCENTRATION_UNITS)
    if unit == "cell":
        res = grid_counts(incidents, districts, cell_size=cell_size)
        base = concentration_from_counts(res.counts[res.in_area], unit="cell")
        notes = res.warnings
    elif unit == "district":
        res_d = district_counts(incidents, districts)
        base = concentration_from_counts(res_d.table["count"].to_numpy(), unit="district")
        notes = res_d.warnings
    else:
        checks.columns(incidents, ("location_id",), table="incidents")
        *_, per = _location_codes(incidents)
        if not len(per):
            raise IlpInputError("hotspots.no_location_ids", columns=("location_id",))
        base = concentration_from_counts(per, unit="location", includes_empty=False)
        n_missing = len(incidents) - int(per.sum())
        notes = (Message("hotspots.no_location", {"n": n_missing}),) if n_missing else ()
    return replace(base, warnings=tuple(notes))


def repeat_locations(incidents: pd.DataFrame, *, min_count: int = 2) -> pd.DataFrame:
    """Rank the locations (``location_id``) that suffer repeat incidents.

    Parameters
    ----------
    incidents
        Canonical incident table (``location_id``, ``occurred_at``, ``offence``;
        ``district``, ``lat``, ``lon`` when present).
    min_count
        Smallest number of incidents for a location to be listed (2: repeats).

    Returns
    -------
    pandas.DataFrame
        ``rank``, ``location_id``, ``count``, ``share`` (of incidents with a
        location), ``first_at``, ``last_at``, ``n_offences`` (distinct types),
        ``top_offence``, ``offences`` (types by frequency, "; "-separated, with
        counts), ``district`` (most frequent), ``lat``, ``lon`` (median point;
        NaN when none is geolocated); most incidents first, ties by id. Empty
        (same columns) when no location repeats.

    Examples
    --------
    >>> inc = pd.DataFrame({
    ...     "location_id": ["L1", "L1", "L1", "L2", "L2", "L3"],
    ...     "occurred_at": pd.to_datetime(["2024-01-05", "2024-03-01", "2024-02-01",
    ...                                    "2024-01-01", "2024-01-02", "2024-01-03"]),
    ...     "offence": ["Shoplifting", "Robbery", "Shoplifting", "Robbery", "Robbery", "Robbery"],
    ... })
    >>> repeat_locations(inc)[["rank", "location_id", "count", "offences"]].values.tolist()
    [[1, 'L1', 3, 'Shoplifting (2); Robbery (1)'], [2, 'L2', 2, 'Robbery (2)']]
    """
    min_count = checks.whole("min_count", min_count, minimum=1)
    checks.columns(incidents, ("location_id", "occurred_at", "offence"), table="incidents")
    located, code, names, sizes = _location_codes(incidents)
    n_known = len(located)
    # Grouped on integer codes; only the repeated locations' names and the table's
    # (location, offence) pairs are written out as text (at 10,000,000 incidents the
    # 2,163,858 rows of 28,495 repeated locations took 2.9 s grouped as strings).
    keep = sizes >= min_count
    repeated = keep[code]
    rows = located[repeated]
    location = (np.cumsum(keep) - 1)[code[repeated]]  # the repeated ones numbered 0, 1, ...
    location_names = names[keep]
    offence, offence_names = _codes(incidents["offence"].iloc[rows])

    def take(column: str) -> np.ndarray:
        if column not in incidents:
            return np.full(len(rows), np.nan)
        return incidents[column].iloc[rows].to_numpy(dtype=float)

    frame = pd.DataFrame(
        {
            "location": location,
            "occurred_at": pd.to_datetime(incidents["occurred_at"].iloc[rows]).to_numpy(),
            "offence": offence,
            "lat": take("lat"),
            "lon": take("lon"),
        }
    )
    columns = [
        "rank",
        "location_id",
        "count",
        "share",
        "first_at",
        "last_at",
        "n_offences",
        "top_offence",
        "offences",
        "district",
        "lat",
        "lon",
    ]
    if frame.empty:
        empty = pd.DataFrame({c: [] for c in columns})
        return empty.astype(
            {"rank": "int64", "count": "int64", "share": "float64", "n_offences": "int64"}
            | {"first_at": "datetime64[ns]", "last_at": "datetime64[ns]"}
            | {"lat": "float64", "lon": "float64"}
            | dict.fromkeys(("location_id", "top_offence", "offences", "district"), "str")
        )
    base = frame.groupby("location").agg(
        count=("offence", "size"),
        first_at=("occurred_at", "min"),
        last_at=("occurred_at", "max"),
        lat=("lat", "median"),
        lon=("lon", "median"),
    )
    base.index = pd.Index(location_names[base.index], name="location_id")
    pairs = frame.groupby(["location", "offence"]).size().rename("n").reset_index()
    by_offence = pd.DataFrame(
        {
            "location_id": location_names[pairs["location"].to_numpy()],
            "offence": offence_names[pairs["offence"].to_numpy()],
            "n": pairs["n"].to_numpy(),
        }
    ).sort_values(["location_id", "n", "offence"], ascending=[True, False, True])
    # per location (rows sorted by it): joined in a loop, not by groupby's per-group
    # Python call (1.0 s for 28,495 locations)
    where = by_offence["location_id"].to_numpy(dtype=object)
    kinds = by_offence["offence"].to_numpy(dtype=object)
    text = [f"{o} ({k})" for o, k in zip(kinds, by_offence["n"].to_numpy(), strict=True)]
    starts = np.flatnonzero(np.r_[True, where[1:] != where[:-1]])
    stops = np.r_[starts[1:], len(where)]
    offence_info = pd.DataFrame(
        {
            "n_offences": stops - starts,
            "top_offence": kinds[starts],
            "offences": ["; ".join(text[a:b]) for a, b in zip(starts, stops, strict=True)],
        },
        index=pd.Index(where[starts], name="location_id"),
    )
    districts = pd.Series(dtype=object)
    if "district" in incidents:
        district, district_names = _codes(incidents["district"].iloc[rows])
        placed = district >= 0
        counted = (
            pd.DataFrame({"location": location[placed], "district": district[placed]})
            .groupby(["location", "district"])
            .size()
            .rename("n")
            .reset_index()
        )
        districts = (
            pd.DataFrame(
                {
                    "location_id": location_names[counted["location"].to_numpy()],
                    "district": district_names[counted["district"].to_numpy()],
                    "n": counted["n"].to_numpy(),
                }
            )
            .sort_values(["location_id", "n", "district"], ascending=[True, False, True])
            .drop_duplicates("location_id")
            .set_index("location_id")["district"]
        )
    out = base.join(offence_info).join(districts.rename("district"))
    out = out.reset_index().sort_values(["count", "location_id"], ascending=[False, True])
    out["rank"] = np.arange(1, len(out) + 1)
    out["share"] = out["count"] / n_known
    out["district"] = out["district"].astype("str")
    out["first_at"] = out["first_at"].astype("datetime64[ns]")
    out["last_at"] = out["last_at"].astype("datetime64[ns]")
    return out[columns].reset_index(drop=True)


def repeat_counts(
    incidents: pd.DataFrame, *, min_count: int = 2, rows: np.ndarray | None = None
) -> tuple[pd.Series, int]:
    """Incidents at each repeat location, ranked as :func:`repeat_locations` ranks them.

    The ranking without the per-location details, for callers that need only the
    top locations and their share (the control-strategy evidence: at 10,000,000
    incidents the full table of 1,300,000 shoplifting incidents took 0.77 s, these
    counts 0.02 s). ``rows`` (one flag per incident) counts only those incidents,
    as ``repeat_counts(incidents[rows])`` would, on the whole table's coding of the
    ids (remembered per column): a priority's incidents need no copy of their ids'
    text (0.2 s for 7 priorities at 10,000,000).

    Returns
    -------
    tuple
        ``count`` per ``location_id`` (text), most incidents first, ties by id,
        locations with at least ``min_count`` incidents only; and the number of
        incidents with a location (the denominator of ``repeat_locations``'s share).

    Examples
    --------
    >>> inc = pd.DataFrame({"location_id": ["L2", "L1", "L2", "L1", "L3", None]})
    >>> counts, n_located = repeat_counts(inc)
    >>> counts.to_dict(), n_located
    ({'L1': 2, 'L2': 2}, 5)
    >>> repeat_counts(inc, rows=np.array([True, True, True, False, True, True]))[0].to_dict()
    {'L2': 2}
    """
    min_count = checks.whole("min_count", min_count, minimum=1)
    checks.columns(incidents, ("location_id",), table="incidents")
    located, code, names, counts = _location_codes(incidents)
    if rows is not None:
        rows = np.asarray(rows, dtype=bool)
        if rows.shape != (len(incidents),):
            raise ValueError("rows must hold one flag per incident")
        counts = np.bincount(code[rows[located]], minlength=len(names))
    keep = counts >= min_count
    ranked = pd.DataFrame({"location_id": names[keep], "count": counts[keep]})
    ranked = ranked.sort_values(["count", "location_id"], ascending=[False, True])
    return ranked.set_index("location_id")["count"], int(counts.sum())


# The Concentration page's location curve and repeat table, and the Strategy page's
# repeat shares, read the same ids: found once per column (at 10,000,000 incidents,
# 2,650,000 with an id, the three took 0.6 s each to count the ids as text).
@memo.by_columns(("location_id",), size=4)
def _location_codes(
    incidents: pd.DataFrame,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The rows with a location, their location codes, each code's id as text and count.

    Ids are compared as text (``astype(str)``): the number 7 and the text "7" are
    one location. Codes are numbered in order of first appearance.
    """
    ids = incidents["location_id"]
    known = ids.notna().to_numpy()
    code, uniques = pd.factorize(ids[known])  # Arrow's hashing for text: no Python strings
    names = np.asarray(uniques.astype(str), dtype=object)
    if not isinstance(ids.dtype, pd.StringDtype):
        merged, texts = pd.factorize(names)  # values equal once written out as text
        if len(texts) < len(names):
            code, names = merged[code], np.asarray(texts, dtype=object)
    rows = np.flatnonzero(known)
    code = code.astype(np.int64, copy=False)
    counts = np.bincount(code, minlength=len(names))
    for array in (rows, code, names, counts):
        array.flags.writeable = False
    return rows, code, names, counts


def _codes(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of a column's values (-1: missing) and each code's value as text.

    A category column gives its own codes; text of a missing value is "nan", as
    ``astype(str)`` writes it.
    """
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes = column.cat.codes.to_numpy()
        names = column.cat.categories.astype(str).to_numpy(dtype=object)
    else:
        codes, uniques = pd.factorize(column)
        names = np.asarray([str(v) for v in uniques], dtype=object)
    return codes, np.append(names, "nan")  # code -1 takes the last
