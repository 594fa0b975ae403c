"""The land map shipped with the library: cities and small islands on land, swaps at sea."""

from __future__ import annotations

import numpy as np
import pytest

from ilp_core.data import land

# Capitals and port cities, several on small islands (Malta, Bahrain, Singapore,
# Mauritius, Samoa), and cities on straits and bays. (Atolls narrower than the 1 km
# grid, such as Male in the Maldives, may read as sea.)
ON_LAND = {
    "Valletta": (35.90, 14.51),
    "Manama": (26.22, 50.58),
    "Singapore": (1.29, 103.85),
    "Port Louis": (-20.16, 57.50),
    "Honolulu": (21.30, -157.85),
    "Reykjavik": (64.15, -21.94),
    "Venice": (45.44, 12.33),
    "Istanbul": (41.01, 28.97),
    "Copenhagen": (55.68, 12.57),
    "Hong Kong": (22.28, 114.16),
    "San Francisco": (37.77, -122.42),
    "Moscow": (55.75, 37.62),
    "Nuuk": (64.18, -51.70),
    "Apia": (-13.83, -171.76),
    "Cape Town": (-33.92, 18.42),
}
# The same cities' coordinates swapped land in open sea (both values within +-90).
SWAPPED_AT_SEA = {
    "London": (51.50, -0.12),
    "Paris": (48.86, 2.35),
    "Madrid": (40.42, -3.70),
    "Dublin": (53.35, -6.26),
    "Berlin": (52.52, 13.40),
    "Amsterdam": (52.37, 4.90),
    "Oslo": (59.91, 10.75),
}
# Not every swap does: Lisbon swapped (9.1 S, 38.7 E) is in Tanzania, Rome swapped in
# Ethiopia, Moscow swapped in Turkmenistan. The land test then stays silent, and the
# district boundaries, when loaded, decide (ilp_core.data.ingest._coords.swap_evidence).


@pytest.mark.parametrize("city", sorted(ON_LAND))
def test_cities_and_small_islands_are_on_land(city):
    lat, lon = ON_LAND[city]
    assert land.on_land(np.array([lat]), np.array([lon])).tolist() == [True]


@pytest.mark.parametrize("city", sorted(SWAPPED_AT_SEA))
def test_swapped_cities_fall_in_the_sea(city):
    lat, lon = SWAPPED_AT_SEA[city]
    assert land.on_land(np.array([lat, lon]), np.array([lon, lat])).tolist() == [True, False]


def test_open_ocean_missing_and_impossible_points_are_not_on_land():
    lat = np.array([0.0, -40.0, 30.0, np.nan, 95.0, 10.0])
    lon = np.array([-30.0, -120.0, -40.0, 0.0, 10.0, np.inf])
    assert not land.on_land(lat, lon).any()


def test_the_map_is_pooled_small_and_keeps_the_shape_of_the_input():
    assert land._land().nbytes < 10_000_000  # 1,800 x 3,600 cells of 0.1 degree
    lat = np.zeros((2, 3))
    assert land.on_land(lat, lat).shape == (2, 3)


def test_the_shipped_map_equals_the_map_pooled_from_the_package_and_reads_fast(tmp_path):
    # The reference: the package's 1 km grid pooled again (3-8 s); the shipped file is
    # what every process reads instead.
    import time

    fresh = land._pooled()
    land._land.cache_clear()
    start = time.perf_counter()
    shipped = land._land()
    assert time.perf_counter() - start < 0.5
    np.testing.assert_array_equal(shipped, fresh)
    assert shipped.shape == (1_800, 3_600) and shipped.dtype == bool
    land.write_map(tmp_path / "again.npz")  # what `python -m ilp_core.data.land` writes
    assert (tmp_path / "again.npz").stat().st_size < 100_000
