"""AppTest tests of what managers, participants and analysts met in the browser (issue 15)."""

from __future__ import annotations

import re

from test_pages import MESSY, _text

from ilp_core import i18n


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


def _metric(at, label: str) -> str:
    found = [m for m in at.metric if m.label == label]
    assert found, [m.label for m in at.metric]
    return found[0].value


def _number(text: str) -> float:
    return float(text.replace(",", "").replace("+", ""))


def test_allocation_headline_says_what_more_hours_buy(app):
    # 4,000 → 6,000 officer-hours left the headline at "68.6 %"; the manager could not
    # see what the extra hours buy, nor what the percentage was of.
    at = app("pages/allocation.py")
    assert not at.exception
    prevented = _number(_metric(at, "Modelled harm prevented"))
    gain = _number(_metric(at, "100 more hours would add"))
    assert prevented > 0 and gain > 0
    caption = " ".join(c.value for c in at.caption)
    assert "of all that demand" in caption  # says what the percentage is of
    at.number_input(key="p.allocation.districts.total").set_value(6000.0).run()
    assert not at.exception
    more = _number(_metric(at, "Modelled harm prevented"))
    later_gain = _number(_metric(at, "100 more hours would add"))
    assert more > prevented + 10 * gain  # 2,000 more hours buy at least 20 x the next 100's
    assert 0 < later_gain < gain  # and each hour buys less than the one before


SNAKE = r"\b[a-z]+(?:_[a-z0-9]+)+\b"


def _frames_text(at) -> str:
    parts = []
    for frame in at.dataframe:
        value = frame.value
        parts += [str(c) for c in value.columns]
        parts += [str(v) for v in value.astype(str).to_numpy().ravel()]
    return " ".join(parts)


def test_the_districts_tab_shows_words_not_internal_names(app):
    # The Where → Districts tab showed lisa_p_fdr, n_neighbours, not_significant...
    at = app("pages/patterns_where.py")
    for lang in ("en", "ru"):
        at.session_state["ilp.lang"] = lang
        at.run()
        assert not at.exception
        shown = _frames_text(at)
        assert not re.findall(SNAKE, shown), sorted(set(re.findall(SNAKE, shown)))[:10]
        assert i18n.t("hotspots.col.lisa_p_fdr", lang) in shown
        assert i18n.t("hotspots.lisa.not_significant", lang) in shown


def test_the_report_annex_names_presets_and_tiering_in_words():
    # The Russian PDF annex printed "уровни: natural_breaks" and "набор настроек morile".
    import types

    from ilp_core.decide import priorities
    from ilp_core.products.report._format import _Fmt
    from ilp_core.products.report._methods import _METHODS

    row = next(m for m in _METHODS if m.label == "report.methods.priorities")
    ranking = types.SimpleNamespace(scheme=priorities.preset("morile"))
    for lang in ("ru", "fr", "es", "en"):
        fmt = _Fmt(lang=lang, wider=False, k=5)
        text = fmt.t(row.sentence, **row.params(ranking, fmt))
        assert not re.findall(SNAKE, text) and "morile" not in text, text
        assert i18n.t("priorities.tiering.natural_breaks", lang) in text
        assert priorities.preset_label("morile", lang) in text


def test_a_new_upload_not_yet_loaded_shows_no_other_datasets_report(app):
    at = app("pages/data.py")
    at.file_uploader(key="data.file").set_value(("export.csv", MESSY, "text/csv")).run()
    assert not at.exception
    assert "Quality report: Sample region" not in _text(at)
    assert "not loaded yet" in " ".join(i.value for i in at.info)


def test_colour_districts_by_is_offered_only_with_districts(app):
    at = _load_messy(app("pages/data.py"))  # an upload without boundaries
    at.switch_page("pages/patterns_where.py").run()
    assert not at.exception
    assert not [r for r in at.radio if r.key == "p.where.measure"]


def test_the_preview_of_a_grid_says_grid_and_its_legend_has_no_empty_ranges():
    import numpy as np

    from ilp_core.figures import maps

    counts = np.array([1, 1, 1, 1, 2, 2, 3, 7])
    labels = maps._range_labels(counts, maps.class_breaks(counts), "en", 0)
    assert "1 – 1" not in labels and "1 – 2" not in labels, labels
    assert labels[0] == "1" and labels[-1].endswith("7")
    assert "grid" in i18n.t("data.preview_caption_grid", "en")


def test_the_intelligence_page_names_its_two_csv_downloads(app):
    at = app("pages/intelligence.py")
    assert not at.exception
    labels = [b.proto.label for b in at.get("download_button")]
    csv = [label for label in labels if "CSV" in label]
    assert len(csv) == len(set(csv)) >= 2, labels


def test_the_knox_colour_scale_is_centred_on_a_ratio_of_1_and_shows_modest_ratios():
    # The scale was centred on 0 and ran to -20 when one ratio was 21: significant ratios
    # of 1.1-2.6 looked white.
    import types

    import numpy as np
    import pandas as pd

    from ilp_core.figures import near_repeat

    bands = ["0", "[1, 100)", "[100, inf)"]
    ratio = pd.DataFrame([[21.0, 2.6, 1.0], [1.1, 0.0, 1.3], [1.0, 0.9, 1.0]], bands, bands)
    result = types.SimpleNamespace(ratio=ratio, p_value=ratio * 0 + 0.01, n_events=50,
                                   permutations=99, metric="euclidean")  # fmt: skip
    fig = near_repeat.knox_heatmap(result)
    trace = fig.data[0]
    assert trace.zmin == -trace.zmax  # symmetric around log2(1) = 0
    z = np.asarray(trace.z, dtype=float)
    assert z[0, 1] / trace.zmax > 0.4  # a ratio of 2.6 is clearly coloured
    assert z[1, 1] == trace.zmin  # no pairs at all: the bluest
    assert "1" in list(trace.colorbar.ticktext)


def test_risk_matrix_bubbles_do_not_sit_on_each_other_and_carry_ranks(app):
    # About ten bubbles shared a cell and their names overlapped into an illegible cluster.
    import numpy as np

    at = app("pages/priorities.py")
    assert not at.exception
    import base64
    import json

    def values(array):  # plotly sends numeric arrays as base64 ("bdata")
        if isinstance(array, dict):
            return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"])
        return array

    chart = next(c for c in at.get("plotly_chart") if "heatmap" in c.proto.spec)
    spec = json.loads(chart.proto.spec)
    points = [
        (x, y, text)
        for trace in spec["data"] if trace["type"] == "scatter"
        for x, y, text in zip(values(trace["x"]), values(trace["y"]), trace["text"], strict=True)
    ]  # fmt: skip
    xy = np.array([(x, y) for x, y, _ in points], dtype=float)
    gaps = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    gaps[np.diag_indices(len(xy))] = np.inf
    assert gaps.min() > 0.15, gaps.min()  # in matrix cells (1 cell = 1 unit)
    assert sorted(int(text) for *_, text in points) == list(range(1, len(points) + 1))


def _display_values(frame):
    """The texts a table shows (pandas Styler display values), as a DataFrame."""
    import pyarrow as pa

    arrow = frame.proto.arrow_data
    assert arrow.HasField("styler"), "the table is shown without number formats"
    return pa.ipc.open_stream(arrow.styler.display_values).read_all().to_pandas()


def test_table_numbers_follow_the_language(app):
    # Metrics read "100 000" in Russian but the ranking table "10.15" and "168731.2".
    at = app("pages/priorities.py")
    for lang, score, harm in [("ru", "10,15", "168\u00a0731,2"), ("es", "10,15", "168.731,2"),
                              ("en", "10.15", "168,731.2")]:  # fmt: skip
        at.session_state["ilp.lang"] = lang
        at.run()
        assert not at.exception
        shown = " ".join(_display_values(at.dataframe[0]).astype(str).to_numpy().ravel())
        assert score in shown and harm.replace("\u00a0", " ") in shown.replace("\u00a0", " "), (
            lang,
            shown[:300],
        )


def test_labels_fit_their_boxes(app):
    # Cut off in the browser: the sidebar's "Requirements and control strat…", the
    # Overview period "Jan 1, 2024 …", allocation headers "Share of dema…".
    for lang in i18n.LANGUAGES:
        titles = [v for k, v in i18n.catalog(lang).items() if k.startswith("nav.") and
                  not k.startswith("nav.section")]  # fmt: skip
        assert max(map(len, titles)) <= 28, (lang, max(titles, key=len))
    at = app("pages/home.py", lang="ru")
    period = next(m for m in at.metric if m.label == i18n.t("home.period", "ru"))
    assert len(period.value) <= 20, period.value
    at.switch_page("pages/allocation.py").run()
    assert not at.exception
    table = next(f for f in at.dataframe if "Рекоменд" in " ".join(map(str, f.value.columns)))
    widths = {k: c.get("width") for k, c in json_columns(table).items() if k != "_index"}
    assert widths and all(w >= min(8 * len(str(k)), 320) for k, w in widths.items()), widths


def json_columns(frame) -> dict:
    import json

    return json.loads(frame.proto.columns)
