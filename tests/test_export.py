"""Downloads: what a spreadsheet would run or hide is neutralised, GeoJSON stays exact."""

from __future__ import annotations

import io
import json

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
from shapely.geometry import Point

from ilp_core.products import export

HIDING = "Theft\u202e from\u2066 shop\u2069\u202a\u202b\u202c\u202d\u2067\u2068"  # Trojan Source


def test_csv_removes_nul_and_bidirectional_controls_and_neutralises_formulas():
    frame = pd.DataFrame({"offence": [HIDING, "a\x00b", "=HYPERLINK(\"x\")", "\x00=1+1"],
                          "n\u202e": [1, 2, 3, 4]})  # fmt: skip
    text = export.csv_bytes(frame).decode("utf-8-sig")
    assert text.splitlines() == [
        "offence,n",
        "Theft from shop,1",
        "ab,2",
        '"\'=HYPERLINK(""x"")",3',
        "'=1+1,4",
    ]


def test_csv_keeps_tabs_and_line_breaks_inside_cells():
    frame = pd.DataFrame({"notes": ["line one\nline two", "a\tb"]})
    back = pd.read_csv(io.BytesIO(export.csv_bytes(frame)), encoding="utf-8-sig")
    assert back["notes"].tolist() == ["line one\nline two", "a\tb"]


def test_excel_accepts_control_characters_that_openpyxl_refuses():
    frame = pd.DataFrame({"notes": ["bell\x07 and nul\x00 and \x1b escape", HIDING]})
    book = openpyxl.load_workbook(io.BytesIO(export.excel_bytes(frame)))
    assert [c.value for c in book["data"]["A"]] == [
        "notes",
        "bell and nul and  escape",
        "Theft from shop",
    ]


def test_excel_cuts_cells_at_its_limit_and_lists_them_in_the_language_asked():
    frame = pd.DataFrame({"id": [1, 2], "notes": ["short", "x" * 40_000]})
    book = openpyxl.load_workbook(io.BytesIO(export.excel_bytes({"log": frame}, lang="ru")))
    assert book.sheetnames == ["log", "примечания"]
    cut = book["log"]["B3"].value
    assert len(cut) == export.EXCEL_CELL_CHARS and cut.endswith("…")
    notes = book["примечания"]
    assert "32" in notes["A1"].value  # the limit, said in Russian
    assert [c.value for c in notes[4]] == ["log", 3, "notes", 40_000]


def test_excel_sheet_names_are_made_valid_and_different():
    frame = pd.DataFrame({"a": [1]})
    names = {"a/b": frame, "a:b": frame, "x" * 40: frame, "": frame, "Notes": frame}
    book = openpyxl.load_workbook(io.BytesIO(export.excel_bytes(names)))
    assert book.sheetnames == ["a_b", "a_b_2", "x" * 31, "table", "Notes"]


def test_excel_keeps_numbers_and_dates_and_drops_time_zones():
    frame = pd.DataFrame(
        {
            "n": [1.5, -2.0],
            "when": pd.to_datetime(["2024-03-01 10:00", "2024-03-02 00:00"], utc=True),
        }
    )
    sheet = openpyxl.load_workbook(io.BytesIO(export.excel_bytes(frame)))["data"]
    assert sheet["A2"].value == 1.5 and sheet["A3"].value == -2.0
    assert str(sheet["B2"].value) == "2024-03-01 10:00:00"


@pytest.mark.parametrize("value", ["=North", "+44 20", "-5", "@home", "Theft\u202e", "a\x00b"])
def test_geojson_keeps_every_value_exact_so_joins_still_work(value):
    gdf = gpd.GeoDataFrame({"district": [value], "n": [3]}, geometry=[Point(1, 2)], crs=4326)
    back = json.loads(export.geojson_bytes(gdf))
    assert back["features"][0]["properties"] == {"district": value, "n": 3}
    if "\x00" not in value:  # GDAL reads text as C strings: it stops at a NUL
        joined = gpd.read_file(io.BytesIO(export.geojson_bytes(gdf))).merge(gdf[["district"]])
        assert len(joined) == 1


def test_geojson_is_reprojected_to_wgs84():
    gdf = gpd.GeoDataFrame({"d": ["A"]}, geometry=[Point(530000, 180000)], crs=27700)
    coords = json.loads(export.geojson_bytes(gdf))["features"][0]["geometry"]["coordinates"]
    assert coords[0] == pytest.approx(-0.129, abs=0.01) and coords[1] == pytest.approx(
        51.5, abs=0.01
    )
