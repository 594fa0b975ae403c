"""The report's Outlook section and its annex: the same numbers as the analyses, in four
languages, and the wider-release suppression respected."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from ilp_core import i18n
from ilp_core.analysis import forecast as fc
from ilp_core.analysis.space_time_scan import space_time_scan
from ilp_core.data.dataset import Dataset, load_sample
from ilp_core.data.schema import coerce_incidents, example_incidents
from ilp_core.products import report
from ilp_core.products.report import _pdf


@pytest.fixture(scope="module")
def sample():
    return load_sample()


@pytest.fixture(scope="module")
def rep(sample):
    return report.build_report(sample, sections=("outlook", "methods"), lang="en")


@pytest.fixture(scope="module")
def with_fraud(sample):
    """The sample plus 3 incidents of a new offence type: a count under k = 5."""
    inc = sample.incidents
    fraud = example_incidents(["Online fraud"] * 3, occurred_at="2025-11-20 10:00")
    frames = [f.assign(offence=f["offence"].astype(str)) for f in (inc, fraud)]
    more = coerce_incidents(pd.concat(frames, ignore_index=True))
    return Dataset("with fraud", more, sample.districts)


def test_the_section_comes_after_near_repeats_and_before_priorities():
    keys = list(report.SECTIONS)
    assert keys.index("near_repeat") < keys.index("outlook") < keys.index("priorities")


def test_forecast_table_equals_the_library(rep, sample):
    result = fc.forecast(fc.monthly_series(sample.incidents))
    change = result.change.loc[result.change["horizon"] == 12].set_index("series")
    table = rep.table("forecast")
    data = table.data.set_index("series")
    assert set(data.index) == set(change.index)
    for col in ("expected", "lower_80", "upper_80", "previous", "change_pct", "p_rise"):
        np.testing.assert_allclose(data[col], change.loc[data.index, col])
    # Most likely to rise first: the planted rise of vehicle crime.
    first = table.rows[0]
    assert first[0] == "Vehicle crime" and "Likely to rise" in first
    assert first[5].startswith("+") and " – +" in first[5]  # its 80 % interval, all above 0
    mase = result.summary.set_index("series").loc[data.index, "mase"]
    np.testing.assert_allclose(data["mase"], mase)


def test_declined_offences_are_named_with_their_reason(rep):
    notes = [b.text for b in rep.section("outlook").blocks if isinstance(b, report.Text)]
    declined = next(t for t in notes if t.startswith("Not forecast"))
    assert "Homicide (Not forecast: too few incidents a month)" in declined
    assert "Public order offences" in declined


def test_the_chart_is_the_offence_most_likely_to_rise(rep):
    figures = [f for f in rep.blocks(report.Figure) if f.kind == "forecast"]
    assert len(figures) == 1 and figures[0].data["series"] == "Vehicle crime"
    png, height = _pdf._figure_png(figures[0], "en")
    assert png[:4] == b"\x89PNG" and height > 0
    page = report.to_html(rep)
    assert 'data-key="forecast"' in page and "Vehicle crime: incidents per month" in page


def test_emerging_and_cluster_tables_equal_the_analyses(rep, sample):
    em = fc.emerging_offences(sample.incidents).table
    flagged = em.loc[em["status"] != "as_expected"]
    table = rep.table("emerging").data
    assert table["offence"].tolist() == flagged["offence"].tolist() == ["Vehicle crime"]
    np.testing.assert_allclose(table["p_fdr"], flagged["p_fdr"])
    scan = space_time_scan(sample.incidents)
    significant = scan.clusters.loc[scan.clusters["significant"]].reset_index(drop=True)
    clusters = rep.table("clusters").data
    assert clusters["rank"].tolist() == significant["rank"].tolist()
    assert clusters["observed"].tolist() == significant["observed"].tolist()
    np.testing.assert_allclose(clusters["recurrence_years"], significant["recurrence_years"])
    np.testing.assert_allclose(clusters["p_value"], significant["p_value"])


def test_the_annex_states_models_backtest_and_permutations(rep):
    rows = dict(rep.table("parameters").rows)
    forecast = rows["Forecasts"]
    for words in ("seasonal naive", "Holt-Winters", "negative binomial", "at 9 origins",
                  "3 months ahead", "MASE", "80%", "1,000 simulated futures"):  # fmt: skip
        assert words in forecast, words
    assert "999 permutations" in rows["Space-time scan"]
    assert "Benjamini-Hochberg" in rows["Emerging offences"]
    params = rep.parameters
    assert params["forecast"]["models"] == list(fc.MODELS)
    # Two years of data: the 9 origins from month 15 on (15 months of training at least).
    assert params["forecast"]["origins_used"] == 9 and params["forecast"]["origins"] == 12
    assert params["forecast"]["status"]["Homicide"] == "too_sparse"
    assert params["space_time_scan"]["permutations"] == 999
    assert params["emerging_offences"]["alpha"] == 0.05


@pytest.mark.parametrize("lang", ["ru", "fr", "es"])
def test_the_section_is_written_in_each_language(sample, lang):
    built = report.build_report(sample, sections=("outlook",), lang=lang)
    section = built.section("outlook")
    assert section.title == i18n.t("report.section.outlook", lang)
    texts = [b.text for b in section.blocks if isinstance(b, report.Text)]
    for table in built.blocks(report.Table):
        texts += [table.title, table.note, *table.header]
    for text in texts:
        assert not re.search(r"\{\w+\}", text), text
    forecast = built.table("forecast")
    assert forecast.rows[0][0] == i18n.term("Vehicle crime", lang)
    assert i18n.t("forecast.outlook.likely_rise", lang) in forecast.rows[0]


def test_wider_release_leaves_out_small_offences_and_clusters(with_fraud):
    internal = report.build_report(with_fraud, sections=("outlook",))
    assert "Online fraud" in internal.table("emerging").data["offence"].tolist()
    small = internal.table("clusters").data
    assert (small["observed"] < 10).any()  # the 9 burglaries of Castle Hill over a week
    wider = report.build_report(with_fraud, sections=("outlook",), wider_release=True, k=10)
    assert "Online fraud" not in wider.table("emerging").data["offence"].tolist()
    assert (wider.table("clusters").data["observed"] >= 10).all()
    for table in wider.blocks(report.Table):
        for j, kind in enumerate(table.kinds):
            if kind == "count":
                for row in table.rows:
                    cell = row[j].replace("\u202f", "").replace(",", "")
                    assert not cell.isdigit() or int(cell) >= 10, (table.key, row)
    notes = " ".join(b.text for b in wider.section("outlook").blocks if isinstance(b, report.Text))
    assert "Online fraud" not in notes
    chart = [f for f in wider.blocks(report.Figure) if f.kind == "forecast"]
    history = chart[0].data["forecast"].history
    counts = history.loc[history["series"] == chart[0].data["series"], "count"]
    assert counts.min() >= 10  # the chart shows no month under k


def test_findings_say_what_is_likely_to_rise_and_what_has_emerged(sample):
    built = report.build_report(sample, sections=("findings", "outlook"))
    text = " ".join(built.findings)
    assert "Likely to rise over the next 12 months" in text and "Vehicle crime (+20%" in text
    assert "Likely to fall over the next 12 months: Criminal damage (−" in text
    assert "Emerging recently, beyond their season or new: Vehicle crime." in text
    n = int(built.table("clusters").data.shape[0])
    assert f"{n} new clusters of incidents in space and time" in text
    # Without the Outlook section, the findings run no forecast (and say nothing of it).
    alone = report.build_report(sample, sections=("findings",))
    assert "Likely to rise" not in " ".join(alone.findings)
