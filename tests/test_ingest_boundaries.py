"""District boundaries: GeoJSON, GeoPackage and zipped Shapefile, from paths or bytes."""

from __future__ import annotations

import io
import os
import tempfile
import zipfile

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import Point, Polygon, box

from ilp_core.data import ingest
from ilp_core.errors import IlpInputError

# Two districts in British National Grid metres (EPSG:27700) near Westminster
BNG = gpd.GeoDataFrame(
    {
        "NAME": ["Westminster North", "Westminster South"],
        "POP2021": [12000, 9500],
        "CODE": ["W1", "W2"],
    },
    geometry=[box(528000, 180500, 530000, 182000), box(528000, 179000, 530000, 180500)],
    crs="EPSG:27700",
)


def _gpkg_bytes(gdf, tmp_path):
    path = tmp_path / "d.gpkg"  # the test writes the fixture; load_boundaries reads bytes
    gdf.to_file(path, driver="GPKG")
    return path.read_bytes()


def _zipped_shapefile(gdf, tmp_path, folder="boundaries/"):
    shp = tmp_path / "shp"
    shp.mkdir()
    gdf.to_file(shp / "districts.shp")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name in os.listdir(shp):
            z.write(shp / name, folder + name)
    return buf.getvalue()


def _check(result, names, population):
    assert list(result.columns) == ["district", "population", "geometry"]
    assert result.crs.to_epsg() == 4326
    assert result["district"].tolist() == names
    np.testing.assert_array_equal(
        result["population"].to_numpy(), np.array(population, dtype=float)
    )
    assert str(result["district"].dtype) == "str"


def test_geojson_with_population_guessed(tmp_path):
    data = BNG.to_crs(4326).to_json().encode()
    result = ingest.load_boundaries(data, "districts.geojson")
    _check(result, ["Westminster North", "Westminster South"], [12000, 9500])
    keys = [m.key for m in result.attrs["readings"]]
    assert (
        "ingest.boundaries.guessed_name" in keys and "ingest.boundaries.guessed_population" in keys
    )


def test_geopackage_bytes_reprojected_to_wgs84(tmp_path):
    result = ingest.load_boundaries(_gpkg_bytes(BNG, tmp_path), "districts.gpkg")
    _check(result, ["Westminster North", "Westminster South"], [12000, 9500])
    # the extent is the one of the grid's corners converted by pyproj directly
    import pyproj

    corners_x = [528000, 530000, 528000, 530000]
    corners_y = [179000, 179000, 182000, 182000]
    lon, lat = pyproj.Transformer.from_crs(27700, 4326, always_xy=True).transform(
        corners_x, corners_y
    )
    expected = (min(lon), min(lat), max(lon), max(lat))
    assert tuple(result.total_bounds) == pytest.approx(expected, abs=1e-9)
    assert any(m.key == "ingest.boundaries.reprojected" for m in result.attrs["readings"])


def test_zipped_shapefile_bytes_in_a_folder_without_population(tmp_path):
    data = _zipped_shapefile(BNG[["CODE", "geometry"]], tmp_path)
    result = ingest.load_boundaries(io.BytesIO(data), "districts.zip")
    _check(result, ["W1", "W2"], [np.nan, np.nan])
    assert any(m.key == "ingest.boundaries.no_population" for m in result.attrs["readings"])


def test_zipped_shapefile_never_touches_the_disk(tmp_path, monkeypatch):
    data = _zipped_shapefile(BNG, tmp_path, folder="")
    gpkg = _gpkg_bytes(BNG, tmp_path)

    def refuse(*_args, **_kwargs):
        raise AssertionError("boundaries were written to a temporary file")

    for name in ("mkstemp", "mkdtemp", "NamedTemporaryFile", "TemporaryFile", "TemporaryDirectory"):
        monkeypatch.setattr(tempfile, name, refuse)
    monkeypatch.chdir(tmp_path)
    before = set(os.listdir(tmp_path))
    assert len(ingest.load_boundaries(data, "d.zip")) == 2
    assert len(ingest.load_boundaries(gpkg, "d.gpkg")) == 2
    assert set(os.listdir(tmp_path)) == before


def test_named_columns_and_a_missing_one(tmp_path):
    data = BNG.to_crs(4326).to_json().encode()
    result = ingest.load_boundaries(
        data, "d.geojson", name_column="CODE", population_column="POP2021"
    )
    _check(result, ["W1", "W2"], [12000, 9500])
    with pytest.raises(IlpInputError) as err:
        ingest.load_boundaries(data, "d.geojson", name_column="Borough")
    assert err.value.message.key == "ingest.boundaries.name_column_not_found"
    assert "NAME" in err.value.render("en")


def test_invalid_polygon_is_repaired():
    bowtie = Polygon([(0, 0), (1, 1), (1, 0), (0, 1), (0, 0)])  # self-crossing
    assert not bowtie.is_valid
    gdf = gpd.GeoDataFrame({"district": ["Bow"]}, geometry=[bowtie], crs="EPSG:4326")
    result = ingest.load_boundaries(gdf.to_json().encode(), "d.geojson")
    assert result.geometry.is_valid.all()
    assert result.geometry.iloc[0].area == pytest.approx(0.5)  # two triangles of 0.25
    assert any(m.key == "ingest.boundaries.repaired" for m in result.attrs["readings"])


def test_parts_with_the_same_name_are_merged():
    gdf = gpd.GeoDataFrame(
        {"district": ["Isles", "Isles", "Main"], "population": [100, 50, 1000]},
        geometry=[box(0, 0, 1, 1), box(2, 0, 3, 1), box(0, 2, 1, 3)],
        crs="EPSG:4326",
    )
    result = ingest.load_boundaries(gdf.to_json().encode(), "d.geojson")
    assert result["district"].tolist() == ["Isles", "Main"]
    assert result["population"].tolist() == [150.0, 1000.0]
    assert result.geometry.iloc[0].geom_type == "MultiPolygon"


def test_boundaries_work_with_ingest_point_in_polygon(tmp_path):
    districts = ingest.load_boundaries(_gpkg_bytes(BNG, tmp_path), "d.gpkg")
    # 51.515 N is in the northern box, 51.50 N in the southern one (boxes split at y=180500)
    data = b"offence,lat,lon\nTheft,51.515,-0.14\nTheft,51.497,-0.14\n"
    result = ingest.load_incidents(data, "x.csv", districts=districts)
    assert result.incidents["district"].astype(str).tolist() == [
        "Westminster North",
        "Westminster South",
    ]


@pytest.mark.parametrize(
    ("data", "key"),
    [
        (b"", "ingest.boundaries.empty_file"),
        (b"this is not a map", "ingest.boundaries.unreadable"),
        (b"PK\x03\x04broken", "ingest.boundaries.unreadable"),
        (  # a ring that does not end on its first point
            b'{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},'
            b'"geometry":{"type":"Polygon","coordinates":[[[0,0],[0,1],[1,1],[1,0]]]}}]}',
            "ingest.boundaries.broken_shape",
        ),
    ],
)
def test_unreadable_boundaries(data, key):
    with pytest.raises(IlpInputError) as err:
        ingest.load_boundaries(data, "d.geojson")
    assert err.value.message.key == key


def test_points_are_not_boundaries():
    gdf = gpd.GeoDataFrame({"name": ["a"]}, geometry=[Point(0, 0)], crs="EPSG:4326")
    with pytest.raises(IlpInputError) as err:
        ingest.load_boundaries(gdf.to_json().encode(), "d.geojson")
    assert err.value.message.key == "ingest.boundaries.not_polygons"


def test_a_zip_without_a_layer():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("readme.txt", "nothing here")
    with pytest.raises(IlpInputError) as err:
        ingest.load_boundaries(buf.getvalue(), "d.zip")
    assert err.value.message.key == "ingest.boundaries.zip_without_layer"


def test_unnamed_districts_are_refused_with_their_feature_numbers():
    gdf = gpd.GeoDataFrame(
        {"district": ["A", None, "C"]},
        geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1), box(2, 0, 3, 1)],
        crs="EPSG:4326",
    )
    with pytest.raises(IlpInputError) as err:
        ingest.load_boundaries(gdf.to_json().encode(), "d.geojson")
    assert err.value.message.key == "ingest.boundaries.missing_names"
    assert err.value.rows == (2,)


def test_the_caller_keeps_a_working_geometry_column():
    result = ingest.load_boundaries(BNG.to_crs(4326).to_json().encode(), "d.geojson")
    assert shapely.is_valid(result.geometry.to_numpy()).all()
    assert result.geometry.name == "geometry"
