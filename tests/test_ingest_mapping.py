"""Column mapping: suggestions from headers in four languages and three known layouts, JSON."""

from __future__ import annotations

import json

import pyproj
import pytest
from fixtures.ingest_make import FIXTURES, conserved, csv_bytes, load, rejected

from ilp_core.data import ingest, schema
from ilp_core.data.ingest._common import config, normalise_name
from ilp_core.errors import IlpInputError

POLICE_UK = [
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Crime type",
    "Last outcome category",
    "Context",
]
CHICAGO = [
    "ID",
    "Case Number",
    "Date",
    "Block",
    "IUCR",
    "Primary Type",
    "Description",
    "Location Description",
    "Arrest",
    "Domestic",
    "Beat",
    "District",
    "Ward",
    "Community Area",
    "FBI Code",
    "X Coordinate",
    "Y Coordinate",
    "Year",
    "Updated On",
    "Latitude",
    "Longitude",
    "Location",
]
SAN_FRANCISCO = [
    "Incident Datetime",
    "Incident Date",
    "Incident Time",
    "Incident Year",
    "Incident Day of Week",
    "Report Datetime",
    "Row ID",
    "Incident ID",
    "Incident Number",
    "CAD Number",
    "Report Type Code",
    "Report Type Description",
    "Filed Online",
    "Incident Code",
    "Incident Category",
    "Incident Subcategory",
    "Incident Description",
    "Resolution",
    "Intersection",
    "CNN",
    "Police District",
    "Analysis Neighborhood",
    "Supervisor District",
    "Supervisor District 2012",
    "Latitude",
    "Longitude",
    "Point",
]


def test_police_uk_street_layout():
    m = ingest.suggest_mapping(POLICE_UK)
    assert dict(m.fields) == {
        "incident_id": "Crime ID",
        "datetime": "Month",
        "offence": "Crime type",
        "lat": "Latitude",
        "lon": "Longitude",
        "district": "LSOA name",
        "location_id": "Location",
    }
    assert m.epsg is None and m.layout == "police_uk_street"


def test_chicago_layout_with_its_feet():
    m = ingest.suggest_mapping(CHICAGO)
    assert dict(m.fields) == {
        "incident_id": "ID",
        "datetime": "Date",
        "offence": "Primary Type",
        "lat": "Latitude",
        "lon": "Longitude",
        "x": "X Coordinate",
        "y": "Y Coordinate",
        "district": "District",
        "location_id": "Block",
    }
    assert m.epsg == 3435  # NAD83 / Illinois East (ftUS)


def test_san_francisco_layout():
    m = ingest.suggest_mapping(SAN_FRANCISCO)
    assert dict(m.fields) == {
        "incident_id": "Incident ID",
        "datetime": "Incident Datetime",
        "offence": "Incident Category",
        "lat": "Latitude",
        "lon": "Longitude",
        "district": "Police District",
        "location_id": "Intersection",
    }


@pytest.mark.parametrize(
    ("columns", "expected"),
    [
        (
            ["№", "Дата", "Вид преступления", "Широта", "Долгота", "Район", "Адрес"],
            {
                "incident_id": "№",
                "datetime": "Дата",
                "offence": "Вид преступления",
                "lat": "Широта",
                "lon": "Долгота",
                "district": "Район",
                "location_id": "Адрес",
            },
        ),
        (
            ["Дата совершения преступления", "Время", "Статья", "Отдел полиции"],
            {
                "date": "Дата совершения преступления",
                "time": "Время",
                "offence": "Статья",
                "district": "Отдел полиции",
            },
        ),
        (
            [
                "Numéro",
                "Date des faits",
                "Infraction",
                "Latitude",
                "Longitude",
                "Commune",
                "Adresse",
            ],
            {
                "incident_id": "Numéro",
                "datetime": "Date des faits",
                "offence": "Infraction",
                "lat": "Latitude",
                "lon": "Longitude",
                "district": "Commune",
                "location_id": "Adresse",
            },
        ),
        (
            ["Fecha", "Hora", "Delito", "Latitud", "Longitud", "Distrito", "Dirección"],
            {
                "date": "Fecha",
                "time": "Hora",
                "offence": "Delito",
                "lat": "Latitud",
                "lon": "Longitud",
                "district": "Distrito",
                "location_id": "Dirección",
            },
        ),
        (
            [
                "incident_id",
                "occurred_at",
                "occurred_to",
                "offence",
                "lat",
                "lon",
                "district",
                "location_id",
            ],
            {
                "incident_id": "incident_id",
                "datetime": "occurred_at",
                "datetime_to": "occurred_to",
                "offence": "offence",
                "lat": "lat",
                "lon": "lon",
                "district": "district",
                "location_id": "location_id",
            },
        ),
        (
            ["Date", "Time", "Offence Type", "Easting", "Northing"],
            {
                "date": "Date",
                "time": "Time",
                "offence": "Offence Type",
                "x": "Easting",
                "y": "Northing",
            },
        ),
    ],
)
def test_headers_in_four_languages(columns, expected):
    assert dict(ingest.suggest_mapping(columns).fields) == expected


def test_no_synonym_is_listed_under_two_fields():
    seen: dict[str, str] = {}
    for field, names in config()["fields"].items():
        for name in names:
            norm = normalise_name(name)
            assert seen.setdefault(norm, field) == field, (
                f"{name!r} is under {seen[norm]} and {field}"
            )


def test_every_synonym_alone_maps_to_its_field():
    for field, names in config()["fields"].items():
        for name in names:
            got = ingest.suggest_mapping([str(name), "zzz"]).fields
            if field in ("x", "y", "lat", "lon"):
                continue  # these only map in pairs
            if field == "time":
                continue  # a time column alone is dropped: it needs a date
            assert got.get(field) == str(name), f"{name!r} should map to {field}, got {dict(got)}"


def test_a_half_pair_of_coordinates_is_not_suggested():
    assert "lat" not in ingest.suggest_mapping(["Latitude", "Offence"]).fields


# -- the known layouts load end to end ---------------------------------------------------


def test_police_uk_file_loads_with_month_precision_and_generated_ids():
    result = load(
        (FIXTURES / "police_uk_street.csv").read_bytes(), "2024-03-metropolitan-street.csv"
    )
    assert rejected(result) == []
    inc = result.incidents
    assert inc["precision"].astype(str).tolist() == ["month"] * 4
    assert inc["occurred_at"].dt.strftime("%Y-%m-%d %H:%M").unique().tolist() == [
        "2024-03-01 00:00"
    ]
    assert inc["incident_id"].iloc[0] == "row-2"  # ASB rows have no Crime ID
    assert result.report.geolocated == 3 and result.report.no_location == 1
    assert any(m.key == "ingest.reading.dates_month" for m in result.report.readings)


def test_chicago_file_uses_lat_lon_and_converts_feet_where_only_x_y():
    result = load((FIXTURES / "chicago_crimes.csv").read_bytes(), "Crimes_-_2024.csv")
    assert rejected(result) == []
    inc = result.incidents.set_index("incident_id")
    # 11:45:00 PM of 03/18/2024 (month first: the second number, 18, is above 12)
    assert str(inc.loc["13412345", "occurred_at"]) == "2024-03-18 23:45:00"
    assert str(inc.loc["13412346", "occurred_at"]) == "2024-03-19 00:05:00"
    # row 3 only has X/Y: converted with pyproj from EPSG:3435 (truth from the forward transform)
    back = pyproj.Transformer.from_crs(3435, 4326, always_xy=True)
    lon, lat = back.transform(1182880, 1853012)
    assert inc.loc["13412346", "lat"] == pytest.approx(lat, abs=1e-9)
    assert inc.loc["13412346", "lon"] == pytest.approx(lon, abs=1e-9)
    assert inc.loc["13412346", "lat"] == pytest.approx(41.751868, abs=1e-5)
    assert inc.loc["13412346", "lon"] == pytest.approx(-87.605397, abs=1e-5)
    assert result.report.district_only == 1  # the burglary with no location, district 017
    assert inc.loc["13412347", "district"] == "017"
    assert any(m.key == "ingest.reading.order_month_first" for m in result.report.readings)


def test_san_francisco_file_flags_repeated_incident_ids():
    result = load((FIXTURES / "sf_incidents.csv").read_bytes(), "Police_Incident_Reports.csv")
    assert rejected(result) == []
    inc = result.incidents
    assert inc["duplicate"].astype(object).where(inc["duplicate"].notna(), None).tolist() == [
        None,
        None,
        "id",
        None,
    ]
    assert inc["occurred_at"].dt.strftime("%H:%M").tolist() == ["23:45", "00:30", "00:30", "09:15"]
    assert result.report.duplicates_id == 1
    assert result.report.district_only == 2


# -- mapping as a reusable file -----------------------------------------------------------


def test_mapping_json_round_trip():
    m = ingest.ColumnMapping(
        {"offence": "Crime type", "x": "X", "y": "Y", "datetime": "Дата"},
        epsg=3435,
        date_order="dmy",
        swap_latlon=True,
    )
    text = m.to_json()
    data = json.loads(text)
    assert data["fields"] == {"datetime": "Дата", "offence": "Crime type", "x": "X", "y": "Y"}
    assert "Дата" in text  # readable, not escaped
    assert ingest.ColumnMapping.from_json(text) == m
    assert ingest.ColumnMapping.from_json(text.encode("utf-8")) == m


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("{not json", "ingest.mapping.unreadable_at"),
        ("[1, 2]", "ingest.mapping.unreadable"),
        ('{"fields": {"weapon": "Arme"}}', "ingest.mapping.unknown_field"),
        ('{"fields": {"offence": 5}}', "ingest.mapping.bad_column"),
        ('{"fields": {"offence": "x"}, "date_order": "ymd"}', "ingest.mapping.bad_date_order"),
        ('{"fields": {"offence": "x"}, "epsg": "feet"}', "ingest.mapping.bad_epsg"),
        ('{"fields": {"offence": "x"}, "swap_latlon": "yes"}', "ingest.mapping.bad_swap"),
        ('{"fields": {"offence": "x"}, "colour": "red"}', "ingest.mapping.unknown_key"),
    ],
)
def test_broken_mapping_files_are_refused_with_a_reason(text, key):
    with pytest.raises(IlpInputError) as err:
        ingest.ColumnMapping.from_json(text)
    assert err.value.message.key == key


def test_mapping_does_not_share_the_callers_dict():
    fields = {"offence": "Type"}
    m = ingest.ColumnMapping(fields)
    fields["datetime"] = "When"
    assert dict(m.fields) == {"offence": "Type"}


def test_answers_go_into_the_mapping():
    m = ingest.ColumnMapping({"offence": "Type"})
    assert m.answer("date_order", "mdy").date_order == "mdy"
    assert m.answer("swap_latlon", "swap").swap_latlon is True
    assert m.answer("epsg", "27700").epsg == 27700
    with pytest.raises(IlpInputError):
        m.answer("date_order", "ymd")


# -- mappings that cannot be used ---------------------------------------------------------

ROWS = csv_bytes(
    [
        ["When", "What", "Lat", "Lon", "Day", "Hour"],
        ["2024-03-18 10:00", "Theft", "51.5", "-0.1", "2024-03-18", "10:00"],
    ]
)


@pytest.mark.parametrize(
    ("fields", "key"),
    [
        ({"datetime": "When"}, "ingest.mapping.required_offence"),
        ({"offence": "Nope"}, "ingest.mapping.column_not_found"),
        (
            {"offence": "What", "datetime": "When", "date": "Day"},
            "ingest.mapping.datetime_and_date",
        ),
        ({"offence": "What", "time": "Hour"}, "ingest.mapping.time_without_date"),
        ({"offence": "What", "lat": "Lat"}, "ingest.mapping.lat_lon_pair"),
        ({"offence": "What", "x": "Lat"}, "ingest.mapping.x_y_pair"),
        ({"offence": "What", "lat": "Lat", "lon": "Lat"}, "ingest.mapping.column_twice"),
    ],
)
def test_unusable_mappings_raise_before_anything_is_built(fields, key):
    raw = ingest.read_table(ROWS, "x.csv")
    with pytest.raises(IlpInputError) as err:
        ingest.build_incidents(raw, ingest.ColumnMapping(fields))
    assert err.value.message.key == key


def test_unmapped_columns_are_not_kept():
    result = conserved(
        ingest.load_incidents(ROWS, "x.csv", mapping=ingest.ColumnMapping({"offence": "What"}))
    )
    assert list(result.incidents.columns) == list(schema.INCIDENT_COLUMNS)
    assert result.incidents["lat"].isna().all()
    unused = [m for m in result.report.readings if m.key == "ingest.reading.unused_columns"]
    assert unused and unused[0].params["n"] == 5
