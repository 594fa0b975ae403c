"""Every chart names its plotly template: the same figure whatever default the process set.

Streamlit sets ``plotly.io.templates.default`` when the app imports it; a chart that
relied on the default looked different in the app's report than in the command
line's (and than in a notebook's) for the same inputs.
"""

from __future__ import annotations

import plotly.io as pio
import pytest

from ilp_core.data.dataset import load_sample
from ilp_core.products import report


@pytest.fixture(scope="module")
def built():
    sections = ("when", "near_repeat", "priorities")
    return report.build_report(load_sample(), sections=sections, lang="es")


def _charts(content) -> list[str]:
    return [report.plotly_figure(f, content.lang).to_json() for f in content.blocks(report.Figure)]


def test_report_charts_do_not_follow_the_global_default(built):
    before = pio.templates.default
    try:
        pio.templates.default = "plotly"
        plain = _charts(built)
        pio.templates.default = "ggplot2"  # as Streamlit does with its own template
        themed = _charts(built)
    finally:
        pio.templates.default = before
    assert len(plain) >= 3
    assert plain == themed


def test_lorenz_chart_names_its_template():
    from ilp_core.analysis import hotspots
    from ilp_core.figures import where

    data = load_sample()
    before = pio.templates.default
    try:
        pio.templates.default = "ggplot2"
        fig = where.lorenz_chart(hotspots.concentration(data.incidents))
    finally:
        pio.templates.default = before
    assert fig.layout.template.layout.plot_bgcolor == "white"
