"""AppTest tests of the foundation and pattern pages: they run, and they show real results."""

from __future__ import annotations

import json

import pytest

from ilp_core import i18n

MESSY = (
    "Номер;Дата;Вид преступления;Широта;Долгота\n"
    "1;03.02.2025 14:10;Грабёж;45,5021;-30,5103\n"
    "2;31.02.2025 10:00;Кража;45,5030;-30,5120\n"
    "3;04.02.2025 09:30;Кража;0;0\n"
    "4;05.02.2025 22:15;Грабёж;45,5010;-30,5090\n"
).encode("cp1251")


def _text(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += (
        [h.value for h in at.title] + [h.value for h in at.header] + [h.value for h in at.subheader]
    )
    return "\n".join(str(p) for p in parts)


def test_home_opens_on_the_sample_region(app):
    at = app()
    assert not at.exception
    assert at.title[0].value.startswith("Intelligence-led policing")
    incidents = at.metric[0].value.replace(",", "")
    assert incidents == "100000"  # the whole sample region is in view by default
    assert "Sample region (synthetic)" in " ".join(c.value for c in at.sidebar.caption)


def test_home_in_russian(app):
    at = app(lang="ru")
    assert not at.exception
    assert "стратегическая оценка угроз" in at.title[0].value


def test_sidebar_filters_apply_to_every_page(app):
    # AppTest (Streamlit 1.67) drops sidebar widgets from its tree on reruns of an
    # st.navigation app, so the filters are set through session state here; the
    # browser test drives the real sidebar.
    at = app(state={"ilp.offences": ["Robbery"]})
    robbery = int(at.metric[0].value.replace(",", ""))
    assert 0 < robbery < 100000
    at.switch_page("pages/patterns_concentration.py").run()
    assert not at.exception
    assert at.session_state["ilp.offences"] == ["Robbery"]
    at.switch_page("pages/home.py").run()
    assert int(at.metric[0].value.replace(",", "")) == robbery


def test_data_page_shows_the_sample_quality_report(app):
    at = app("pages/data.py")
    assert not at.exception
    values = [m.value for m in at.metric]
    assert values[:3] == ["100,000", "100,000", "0"]  # read, accepted, rejected
    assert "Quality report: Sample region (synthetic)" in _text(at)


def test_data_page_loads_a_messy_upload_and_lists_its_rejects(app):
    at = app("pages/data.py")
    at.file_uploader(key="data.file").set_value(("export.csv", MESSY, "text/csv")).run()
    assert not at.exception
    assert at.selectbox(key=next(k for k in _keys(at) if k.endswith(".offence"))).value == (
        "Вид преступления"
    )
    at.button(key="data.load").click().run()
    assert not at.exception
    assert [m.value for m in at.metric][:3] == ["4", "2", "2"]
    assert "Quality report: export\\.csv" in _text(at)  # the file name is escaped for Markdown
    assert at.session_state["ilp.source"] == "upload"
    rejects = at.dataframe[-1].value
    assert sorted(rejects.iloc[:, 0].tolist()) == [3, 4]  # rows 31.02 and (0, 0)
    assert set(rejects.iloc[:, 1]) == {"date_unreadable", "coordinates_zero"}


def test_an_unreadable_upload_leaves_the_current_dataset_untouched(app):
    at = app("pages/data.py")
    at.file_uploader(key="data.file").set_value(
        ("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00", "text/csv")
    )
    at.run()
    assert not at.exception
    assert at.error, "a clear message is expected"
    assert "Traceback" not in at.error[0].value
    assert "ilp.upload" not in at.session_state


def test_a_saved_mapping_file_is_reused(app):
    at = app("pages/data.py")
    at.file_uploader(key="data.file").set_value(("export.csv", MESSY, "text/csv"))
    mapping = {"fields": {"offence": "Номер"}}
    at.file_uploader(key="data.mfile").set_value(
        ("m.json", json.dumps(mapping).encode(), "application/json")
    )
    at.run()
    assert not at.exception
    offence = next(k for k in _keys(at) if k.endswith(".offence"))
    assert at.selectbox(key=offence).value == "Номер"


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_where_page_maps_hot_spots(app, map_frames, lang):
    at = app("pages/patterns_where.py", lang=lang)
    assert not at.exception
    assert not at.error
    maps_sent = map_frames(at)
    assert len(maps_sent) == 2  # the hot-spot map and the change map
    for page in maps_sent:
        assert "/app/static/vendor/leaflet-1.9.4/leaflet.js" in page  # served locally
        assert "L.marker(" not in page  # aggregates only, never one marker per incident
        assert len(page) < 3_000_000
    # the change tab classes cells: its table lists persistent and emerging hot spots
    classes = at.dataframe[0].value.iloc[:, 0].tolist()
    assert len(classes) >= 4


def test_a_shared_map_is_rendered_once_even_when_sessions_ask_at_once(monkeypatch):
    """folium's rendering changes the map; the page of a map shared by all sessions is made once."""
    from concurrent.futures import ThreadPoolExecutor

    import folium

    from ilp_core import figures
    from ui import widgets

    m = figures.maps.new_map((45.0, -31.0, 45.1, -30.9))
    folium.CircleMarker([45.05, -30.95], radius=3).add_to(m)
    calls, shown = [], []
    real = figures.maps.render_html

    def counting(the_map, **kwargs):
        calls.append(the_map)
        return real(the_map, **kwargs)

    monkeypatch.setattr(figures.maps, "render_html", counting)
    monkeypatch.setattr(widgets.st, "iframe", lambda page, **_: shown.append(page))
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda _: widgets.show_map(m), range(16)))
    assert calls == [m]
    assert len(set(shown)) == 1 and len(shown) == 16
    assert shown[0].count("L.circleMarker(") == 1


def test_concentration_page_reports_gini_and_accuracy(app):
    at = app("pages/patterns_concentration.py")
    assert not at.exception
    gini = float(at.metric[0].value)
    assert 0.5 < gini < 1.0  # crime in the sample region is concentrated in a few cells
    pai = float(at.metric[4].value)
    assert pai > 3  # last quarter's hot spots were predicted far better than chance


def _keys(at):
    return [k for k in at.session_state if isinstance(k, str)]


def test_when_page_shows_rhythm_trend_and_comparison(app):
    at = app("pages/patterns_when.py")
    assert not at.exception
    assert not at.error
    trend = at.dataframe[0].value
    rising = trend.loc[trend.iloc[:, -1] == i18n.t("temporal.direction.rising")].iloc[:, 0].tolist()
    falling = (
        trend.loc[trend.iloc[:, -1] == i18n.t("temporal.direction.falling")].iloc[:, 0].tolist()
    )
    assert "Vehicle crime" in rising  # planted: +40 % over two years
    assert "Criminal damage" in falling  # planted: -35 %
    at.selectbox(key="p.when.offence").set_value("Vehicle crime").run()
    assert not at.exception
    assert len(at.get("plotly_chart")) >= 2  # heat map and the series with its control limits


def test_near_repeat_page_runs_the_knox_test_on_burglary(app):
    at = app("pages/near_repeat.py")
    assert not at.exception
    assert at.multiselect(key="p.nr.offences").value == ["Residential burglary"]
    at.button[0].click().run()
    assert not at.exception
    table = at.session_state["near_repeat.result"][1].table
    first = table.iloc[0]
    assert first["knox_ratio"] > 1 and first["p_value"] <= 0.05  # the planted near-repeat pattern


def test_markdown_in_uploaded_names_is_shown_as_text(app):
    hostile = b"offence,date\n![x](http://tracker.example/t.png),2025-01-02\n"
    at = app("pages/data.py")
    at.file_uploader(key="data.file").set_value(("**bold**.csv", hostile, "text/csv")).run()
    at.button(key="data.load").click().run()
    assert not at.exception
    header = at.header[0].value
    assert "\\*\\*bold\\*\\*" in header  # escaped: Streamlit shows the asterisks, not bold text


def test_personal_columns_are_pseudonymised_before_analysis(app):
    export = (
        b"id,date,offence,victim_name,phone,address\n"
        b"1,2025-01-02 10:00,Robbery,Ivan Petrov,+7 912 345 67 89,12 Lenina St\n"
        b"2,2025-01-03 11:00,Robbery,Anna Smith,+44 7700 900123,12 Lenina St\n"
        b"3,2025-01-04 12:00,Theft,Jean Dupont,+33 6 12 34 56 78,5 Rue Haute\n"
    )
    at = app("pages/data.py")
    at.file_uploader(key="data.file").set_value(("victims.csv", export, "text/csv")).run()
    assert not at.exception
    pii = [r for r in at.radio if r.key and r.key.startswith("data.pii.")]
    radios = {r.key.rsplit(".", 1)[-1]: r for r in pii}
    assert {"victim_name", "phone", "address"} <= set(radios)
    radios["address"].set_value("pseudonymise")
    at.selectbox(key=next(k for k in _keys(at) if k.endswith(".location_id"))).set_value("address")
    at.run()
    at.button(key="data.load").click().run()
    assert not at.exception
    incidents = at.session_state["ilp.upload"].incidents
    tokens = incidents["location_id"].tolist()
    assert tokens[0] == tokens[1] != tokens[2]  # repeats still group
    assert not any("Lenina" in str(t) for t in tokens)  # but no address is left
    assert any(code.startswith("pseudonymise:") for code in at.session_state["ilp.privacy_actions"])


def test_a_lost_period_comes_back_as_the_whole_period_not_a_traceback(app):
    """A client that sends no widget states gets the date picker's default: one date."""
    import datetime as dt

    at = app("pages/home.py", state={"ilp.period": dt.date(2025, 12, 31)})
    assert not at.exception
    assert int(at.metric[0].value.replace(",", "")) == 100_000  # the sidebar reset it
    # Pages now always run inside the app (ui.routing.through_app), so the sidebar is
    # there on every rerun too and keeps the whole period.
    at.run()
    assert not at.exception
    assert int(at.metric[0].value.replace(",", "")) == 100_000
