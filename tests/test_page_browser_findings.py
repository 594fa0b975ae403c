"""AppTest tests of what managers, participants and analysts met in the browser (issue 15)."""

from __future__ import annotations

from test_pages import MESSY


def _load_messy(at):
    at.file_uploader(key="data.file").set_value(("export.csv", MESSY, "text/csv")).run()
    at.button(key="data.load").click().run()
    return at


def test_loading_the_data_a_second_time_does_not_crash(app):
    # Analysts press "Load the data" again after correcting the mapping; the sidebar's
    # dataset choice already exists then, and setting it raised
    # StreamlitWidgetAlreadyInstantiatedError.
    at = _load_messy(app("pages/data.py"))
    assert not at.exception
    at.button(key="data.load").click().run()
    assert not at.exception, at.exception[0].message if at.exception else ""
    assert at.session_state["ilp.source"] == "upload"
    assert [m.value for m in at.metric][:3] == ["4", "2", "2"]


def test_a_map_drawn_in_a_hidden_tab_is_fitted_when_it_is_shown():
    # Where → "Change over time" is drawn while its tab is hidden (0 px wide): Leaflet
    # fitted the bounds at zoom 0 and the map opened on the whole world, blank.
    from ilp_core.analysis import hotspots
    from ilp_core.data.dataset import load_sample
    from ilp_core.figures import maps, where

    data = load_sample()
    change = hotspots.hotspot_change(data.incidents, data.districts, cell_size=250.0)
    page = maps.render_html(where.change_map(change, districts=data.districts))
    script = page[page.index("ResizeObserver") - 400 :]
    assert "map.invalidateSize()" in script and "map.fitBounds(bounds)" in script
    south, west, north, east = maps.district_bounds(data.districts)
    assert f"[[{south}, {west}], [{north}, {east}]]" in script
