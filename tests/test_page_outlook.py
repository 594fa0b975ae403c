"""AppTest tests of the Outlook page: forecasts with their backtest, the scan behind its button,
emerging offences; in English and Russian."""

from __future__ import annotations

import pytest

from ilp_core import i18n

PAGE = "pages/outlook.py"


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_outlook_page_forecasts_scans_and_flags(app, map_frames, lang):
    at = app(PAGE, lang=lang, state={"p.outlook.perms": 99})
    assert not at.exception
    assert not at.error
    assert at.title[0].value == i18n.t("outlook.title", lang)
    # Forecasts: the chart of the largest offence, its change table and the backtest table.
    chart = at.get("plotly_chart")[0].proto.spec
    assert "band95" in chart and "forecast" in chart
    change, summary, emerging = (d.value for d in at.dataframe)
    assert len(change) >= 12  # offences forecast on the sample
    statuses = set(summary.iloc[:, 1])
    assert i18n.t("forecast.status.forecast", lang) in statuses
    assert i18n.t("forecast.status.too_sparse", lang) in statuses  # homicide: 12 in two years
    captions = "\n".join(c.value for c in at.caption)
    assert i18n.t("forecast.caption.coverage", lang) in captions  # MASE and coverage explained
    # Emerging offences: vehicle crime, the planted riser, stands out.
    flagged = emerging.loc[
        emerging.iloc[:, -1] == i18n.t("forecast.emerging.emerging", lang), emerging.columns[0]
    ]
    assert flagged.tolist() == [i18n.term("Vehicle crime", lang)]
    # The scan waits for its button, then maps and lists the clusters.
    assert not map_frames(at)
    at.button(key=f"FormSubmitter:outlook.scan_form-{i18n.t('outlook.run', lang)}").click().run()
    assert not at.exception
    assert not at.error
    (page,) = map_frames(at)
    assert "L.circle(" in page and "L.marker(" not in page  # clusters only, no incidents
    clusters = at.dataframe[2].value
    assert clusters.iloc[0, 1] == i18n.term("Station", lang)  # the planted emerging hot spot
    assert "outlook.scan" in at.session_state


def test_outlook_page_forecasts_districts_for_chosen_offences(app):
    at = app(PAGE, state={"p.outlook.by": "district", "p.outlook.top": ["Vehicle crime"]})
    assert not at.exception
    summary = at.dataframe[1].value
    assert summary.columns[0] == "District"
    assert len(summary) == 20


def test_a_short_upload_is_told_what_it_lacks_not_shown_an_error(app):
    # Six months of data: no forecast, no emerging offences (a year of baseline is
    # needed); the page says so as information, and shows no error box.
    from ilp_core.data.dataset import Dataset, load_sample

    sample = load_sample()
    inc = sample.incidents
    short = inc[inc["occurred_at"] < "2024-07-01"].reset_index(drop=True)
    data = Dataset(name="six-months.csv", incidents=short, districts=sample.districts)
    at = app(PAGE, state={"ilp.upload": data, "ilp.source": "upload"})
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    assert any("complete months" in i.value for i in at.info), [i.value for i in at.info]
