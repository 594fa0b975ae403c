"""Every page's account of the rows without a location agrees (issue 13, part 5).

A police.uk file's "No Location" rows have neither coordinates nor an LSOA. The Data
page's quality report, the Where page's map note and district figures, and the report
must say the same thing about them, with the same number.
"""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import ROOT

from ilp_core.analysis import hotspots
from ilp_core.data import coverage, ingest

POLICE_UK = ROOT / "tests" / "fixtures" / "police_uk_month.csv"


@pytest.fixture(scope="module")
def police_uk():
    return ingest.load_incidents(POLICE_UK.read_bytes(), POLICE_UK.name)


def test_police_uk_no_location_rows_are_counted_the_same_everywhere(police_uk):
    report, incidents = police_uk.report, police_uk.incidents
    located = coverage.location_coverage(incidents)
    # the file: 9 "No Location" rows, no coordinates and no LSOA name
    raw = pd.read_csv(POLICE_UK, dtype=str)
    by_hand = int((raw["Location"] == "No Location").sum())
    assert by_hand == 9
    assert (located.no_location, located.district_only) == (9, 0)
    assert (report.no_location, report.district_only, report.geolocated) == (
        located.no_location, located.district_only, located.geolocated,
    )  # fmt: skip
    # the Where page: the map's note and the district figures
    grid = hotspots.grid_counts(incidents, cell_size=250)
    note = next(m for m in grid.warnings if m.key.startswith("coverage."))
    assert note.key == "coverage.off_map_nowhere" and note.params["n"] == 9
    districts = hotspots.district_counts(incidents)
    assert districts.n_without_district == 9
    for lang in ("en", "ru", "fr", "es"):
        text = note.render(lang)
        assert "9" in text
    assert "still count" not in note.render("en")
    issue = next(m for m in report.issues if m.key == "ingest.issue.no_location")
    assert issue.params["n"] == 9


def test_the_three_cases_have_three_sentences():
    inc = pd.DataFrame(
        {"lat": [51.5, None, None, None], "lon": [-0.1, None, None, None],
         "district": ["A", "A", "B", None]}
    )  # fmt: skip
    mixed = coverage.off_map_note(coverage.location_coverage(inc))
    assert mixed.key == "coverage.off_map_mixed"
    assert (mixed.params["n"], mixed.params["district"], mixed.params["none"]) == (3, 2, 1)
    only_district = coverage.off_map_note(coverage.location_coverage(inc.iloc[:3]))
    assert only_district.key == "coverage.off_map_district"
    assert coverage.off_map_note(coverage.location_coverage(inc.iloc[:1])) is None
    located = coverage.location_coverage(inc)
    assert located.geolocated + located.district_only + located.no_location == len(inc)


@pytest.mark.parametrize("kind", ["float64", "float32", "object", "str"])
def test_coordinates_of_any_type_are_counted_as_numbers(kind):
    """Floats are read as they are, text and objects as numbers (not a number: missing)."""
    lat = [51.5, None, 48.8, 40.4, None]
    lon = [-0.1, 2.3, 2.3, -3.7, None]
    if kind in ("object", "str"):
        lat = ["51.5", None, "48.8", "not a number", None]
        lon = ["-0.1", "2.3", "2.3", "-3.7", None]
    frame = pd.DataFrame(
        {
            "lat": pd.Series(lat, dtype=kind),
            "lon": pd.Series(lon, dtype=kind),
            "district": ["A", "B", None, None, None],
        }
    )
    got = coverage.location_coverage(frame)
    geolocated = 3 if kind.startswith("float") else 2
    assert got.geolocated == geolocated
    assert got.district_only == 1  # the second row: a district, no latitude
    assert got.no_location == 5 - geolocated - 1
