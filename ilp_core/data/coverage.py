"""Where incidents can be placed: on a map, only in a district, or nowhere.

Every page that says how many incidents are missing from a map or a district
figure (the Data page's quality report, the Where and Concentration pages, the
report) reads the same three numbers from :func:`location_coverage` and, for the
incidents a map leaves out, the same sentence from :func:`off_map_note`, so the
pages' accounts of the same rows agree. A police.uk file's "No Location" rows have
neither coordinates nor an LSOA: they are said to count nowhere but in the offence
totals and trends, not "per district".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ilp_core import checks
from ilp_core.errors import Message


@dataclass(frozen=True)
class LocationCoverage:
    """How many incidents have coordinates, only a district, or neither.

    Attributes
    ----------
    incidents
        Rows counted.
    geolocated
        Rows with both coordinates (they can be mapped).
    district_only
        Rows without coordinates but with a district (they count in district
        figures only).
    no_location
        Rows with neither (they count in offence totals and trends only).
    """

    incidents: int
    geolocated: int
    district_only: int
    no_location: int

    @property
    def without_coordinates(self) -> int:
        """Rows a map leaves out: ``district_only + no_location``."""
        return self.district_only + self.no_location


def location_coverage(incidents: pd.DataFrame) -> LocationCoverage:
    """Count the incidents with coordinates, with only a district, and with neither.

    Parameters
    ----------
    incidents
        Canonical incident table (``lat``, ``lon``, and ``district`` when there
        is one: a table without it has no district anywhere); not modified.

    Returns
    -------
    LocationCoverage
        ``geolocated + district_only + no_location == incidents``.

    Examples
    --------
    >>> inc = pd.DataFrame({"lat": [51.5, None, None], "lon": [-0.1, None, None],
    ...                     "district": ["A", "A", None]})
    >>> location_coverage(inc)
    LocationCoverage(incidents=3, geolocated=1, district_only=1, no_location=1)
    """
    checks.columns(incidents, ("lat", "lon"), table="incidents")
    has_xy = np.isfinite(_numbers(incidents["lat"])) & np.isfinite(_numbers(incidents["lon"]))
    if "district" in incidents.columns:
        has_district = incidents["district"].notna().to_numpy()
    else:
        has_district = np.zeros(len(incidents), dtype=bool)
    return LocationCoverage(
        incidents=len(incidents),
        geolocated=int(has_xy.sum()),
        district_only=int((~has_xy & has_district).sum()),
        no_location=int((~has_xy & ~has_district).sum()),
    )


def _numbers(column: pd.Series) -> np.ndarray:
    """The column as floats (text that is not a number: NaN); a float column as it is.

    ``pd.to_numeric`` copied a float column (10,000,000 coordinates: 0.5 s a map).
    """
    if column.dtype == np.float64:
        return column.to_numpy()
    return pd.to_numeric(column, errors="coerce").to_numpy(dtype=float)


def off_map_note(coverage: LocationCoverage) -> Message | None:
    """The sentence for the incidents a map leaves out, saying where they still count.

    ``None`` when every incident has coordinates. Three cases, one sentence each:
    all of them have a district, none has, or some have.

    Examples
    --------
    >>> print(off_map_note(LocationCoverage(240, 231, 0, 9)).render("en"))
    ... # doctest: +NORMALIZE_WHITESPACE
    9 incidents have neither coordinates nor a district: they are left out of the map
    and of the district figures, and count only in the offence totals and trends.
    >>> off_map_note(LocationCoverage(10, 10, 0, 0)) is None
    True
    """
    n = coverage.without_coordinates
    if n == 0:
        return None
    if coverage.no_location == 0:
        return Message("coverage.off_map_district", {"n": n})
    if coverage.district_only == 0:
        return Message("coverage.off_map_nowhere", {"n": n})
    return Message(
        "coverage.off_map_mixed",
        {"n": n, "district": coverage.district_only, "none": coverage.no_location},
    )
