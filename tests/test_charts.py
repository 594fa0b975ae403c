"""Figures build, speak the chosen language and plot the numbers of the result they are given."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from ilp_core import figures, i18n
from ilp_core.analysis import temporal as tm
from ilp_core.analysis.near_repeat import knox_test
from ilp_core.data.schema import coerce_incidents
from ilp_core.errors import IlpInputError


def incidents(n: int = 400, seed: int = 2) -> pd.DataFrame:
    """Two offences over 2024-2025 with hours, windows, districts and coordinates."""
    rng = np.random.default_rng(seed)
    at = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 731 * 24 * 60, n), "min")
    to = at + pd.to_timedelta(rng.integers(0, 300, n), "min")
    return coerce_incidents(
        pd.DataFrame(
            {
                "incident_id": [f"i{k}" for k in range(n)],
                "occurred_at": at,
                "occurred_to": to.where(rng.random(n) < 0.3),
                "precision": "minute",
                "offence": rng.choice(["Residential burglary", "Robbery"], n),
                "lat": 45.5 + rng.normal(0, 0.01, n),
                "lon": -30.5 + rng.normal(0, 0.01, n),
                "district": rng.choice(["North", "South"], n),
                "location_id": None,
                "source_row": np.arange(2, n + 2),
                "duplicate": None,
            }
        )
    )


def test_weekday_and_month_names_come_from_babel():
    assert figures.when.weekday_names("en") == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    assert figures.when.weekday_names("ru")[0].lower().startswith("пн")
    assert figures.when.month_names("es")[0].lower().startswith("ene")
    assert len(figures.when.month_names("fr")) == 12


def test_hour_weekday_heatmap_numbers_and_russian_labels():
    hw = tm.hour_weekday(incidents())
    fig = figures.when.hour_weekday_heatmap(hw.table, offence="Robbery", lang="ru")
    np.testing.assert_allclose(np.asarray(fig.data[0].z), hw.matrix("Robbery").to_numpy())
    assert list(fig.data[0].y) == figures.when.weekday_names("ru")
    assert fig.layout.title.text == i18n.t(
        "charts.hour_weekday_title", "ru", offence=i18n.term("Robbery", "ru")
    )
    assert "по часам" in fig.layout.title.text
    assert fig.layout.xaxis.title.text == "Час суток"
    all_fig = figures.when.hour_weekday_heatmap(hw.table, lang="en")
    np.testing.assert_allclose(np.asarray(all_fig.data[0].z).sum(), hw.n_used)
    with pytest.raises(IlpInputError) as err:
        figures.when.hour_weekday_heatmap(hw.table, offence="Arson")
    assert err.value.message.key == "charts.unknown_offence"


def test_series_chart_plots_counts_limits_flags_and_trend():
    values = [10, 11, 9, 10, 10, 30, 10, 9, 11, 10, 0, 10, 12, 11]
    starts = pd.date_range("2024-01-01", periods=len(values), freq="7D")
    pc = tm.PeriodCounts(
        pd.DataFrame(
            {
                "offence": "Robbery",
                "period_start": starts,
                "period_end": starts + pd.Timedelta(days=6),
                "days": 7,
                "count": values,
                "partial": False,
            }
        ),
        "week",
        dt.date(2024, 1, 1),
        dt.date(2024, 4, 7),
        "drop",
        {},
    )
    cc = tm.control_limits(pc, baseline=4, distribution="poisson")
    tr = tm.trend(pc)
    fig = figures.when.series_chart(cc, offence="Robbery", trend=tr, lang="ru")
    by_role = {}
    for trace in fig.data:
        by_role.setdefault(trace.meta, []).append(trace)
    np.testing.assert_array_equal(by_role["count"][0].y, values)
    np.testing.assert_allclose(by_role["band"][1].y, cc.table["upper"], equal_nan=True)
    np.testing.assert_allclose(by_role["expected"][0].y, cc.table["expected"], equal_nan=True)
    assert list(by_role["high"][0].y) == [30.0]  # week 6: 30 against a baseline of 10
    assert list(by_role["low"][0].y) == [0.0]
    row = tr.table.iloc[0]
    np.testing.assert_allclose(
        by_role["trend"][0].y, row["sen_intercept"] + row["sen_slope"] * np.arange(len(values))
    )
    assert fig.layout.title.text == i18n.t(
        "charts.series_title_week", "ru", offence=i18n.term("Robbery", "ru")
    )
    assert by_role["high"][0].name == "Исключительно высокие"
    assert by_role["expected"][0].name == i18n.t("charts.expected_week", "ru", n=4)


def test_seasonality_chart():
    values = (np.array([10, 10, 10, 10, 10, 13, 13, 13, 10, 10, 10, 10]) * 3).tolist()
    tab = tm.seasonality(
        tm.PeriodCounts(
            pd.DataFrame(
                {
                    "offence": "Robbery",
                    "period_start": pd.date_range("2024-01-01", periods=12, freq="MS"),
                    "period_end": pd.date_range("2024-01-31", periods=12, freq="ME"),
                    "days": 30,
                    "count": values,
                    "partial": False,
                }
            ),
            "month",
            dt.date(2024, 1, 1),
            dt.date(2024, 12, 31),
            "drop",
            {},
        )
    )
    fig = figures.when.seasonality_chart(tab, lang="fr")
    np.testing.assert_allclose(fig.data[0].y, tab["seasonal_index"])
    assert list(fig.data[0].x) == figures.when.month_names("fr")
    assert fig.layout.title.text == i18n.t("charts.seasonality_title", "fr")
    assert fig.layout.yaxis.title.text == i18n.t("charts.seasonal_index_ratio", "fr")


def test_comparison_chart_marks_significant_changes():
    df = incidents(2000)
    a, b = (
        (dt.date(2024, 1, 1), dt.date(2024, 12, 31)),
        (dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
    )
    for by in ("offence", "district"):
        res = tm.compare_periods(df, a, b, by=by)
        fig = figures.when.comparison_chart(res, lang="ru")
        plotted = {}
        for trace in fig.data:
            for y, x in zip(trace.y, trace.x, strict=True):
                plotted[y] = (trace.meta, x)
        for _, row in res.table.iterrows():
            meta, x = plotted[i18n.term(row[by], "ru")]
            assert meta == row["verdict"]
            assert x == pytest.approx(row["pct_change"])
        assert fig.layout.title.text == i18n.t(
            f"charts.comparison_title_{by}", "ru", start_a=a[0], end_a=a[1], start_b=b[0],
            end_b=b[1],
        )  # fmt: skip
        assert "2024" in fig.layout.title.text
    # A planted significant change gets the "increase" bar.
    tab = pd.DataFrame(
        {
            "offence": ["A", "B"],
            "count_a": [10, 50],
            "count_b": [60, 52],
            "pct_change": [500.0, 4.0],
            "verdict": ["increase", "no_change"],
        }
    )
    fig = figures.when.comparison_chart(
        tm.PeriodComparison(tab, "offence", a, b, 0.05, {}), lang="es"
    )
    assert [(t.meta, list(t.y)) for t in fig.data if len(t.y)] == [
        ("increase", ["A"]), ("no_change", ["B"])
    ]  # fmt: skip
    assert fig.data[0].name == "Aumento significativo"


def test_knox_heatmap_ratios_p_values_and_labels():
    df = incidents(300)
    res = knox_test(df, permutations=19, seed=4)
    fig = figures.near_repeat.knox_heatmap(res, lang="ru")
    np.testing.assert_allclose(
        np.asarray(fig.data[0].customdata, dtype=float), res.ratio.to_numpy()
    )
    with np.errstate(divide="ignore"):
        expected = np.clip(np.log2(res.ratio.to_numpy()), -3, 3)
    np.testing.assert_allclose(np.asarray(fig.data[0].z, dtype=float), expected)
    assert fig.data[0].y[0] == "То же место"
    assert fig.data[0].y[-1] == "[500, \u221e)"
    assert len(fig.layout.annotations) == res.ratio.size
    first = fig.layout.annotations[0].text
    assert i18n.number(res.p_value.iloc[0, 0], "ru", 2) in first
    assert fig.layout.title.text == i18n.t(
        "charts.knox_title", "ru", n=res.n_events, permutations=19
    )
    assert fig.layout.xaxis.title.text == i18n.t("charts.days_apart", "ru")
    assert fig.layout.yaxis.title.text == i18n.t("charts.metres_apart", "ru")


@pytest.mark.parametrize("lang", list(i18n.LANGUAGES))
def test_every_figure_builds_in_every_language(lang):
    df = incidents(600)
    hw = tm.hour_weekday(df)
    weekly = tm.period_counts(df, "week")
    monthly = tm.period_counts(df, "month")
    a, b = tm.quarter_vs_last_year(df["occurred_at"].max().date())
    figs = [
        figures.when.hour_weekday_heatmap(hw.table, lang=lang),
        figures.when.series_chart(
            tm.control_limits(weekly), offence="Robbery", trend=tm.trend(weekly), lang=lang
        ),
        figures.when.series_chart(tm.control_limits(monthly), offence="Robbery", lang=lang),
        figures.when.seasonality_chart(tm.seasonality(monthly), lang=lang),
        figures.when.comparison_chart(tm.compare_periods(df, a, b), lang=lang),
        figures.near_repeat.knox_heatmap(knox_test(df, permutations=9), lang=lang),
    ]
    for fig in figs:
        assert fig.layout.title.text
        assert fig.layout.xaxis.title.text and fig.layout.yaxis.title.text
        fig.to_json()  # serialisable, as st.plotly_chart needs


def test_forty_problems_at_one_corner_of_the_risk_matrix_all_get_a_bubble():
    # Pushed apart against the matrix's edge, two bubbles met at one spot: the zero
    # distance made every position NaN and the chart drew no bubble at all.
    import numpy as np

    from ilp_core.figures.priorities import _spread_apart

    x, y = _spread_apart(np.full(40, 5.0), np.full(40, 5.0))
    assert np.isfinite(x).all() and np.isfinite(y).all()
    gaps = np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :])
    np.fill_diagonal(gaps, np.inf)
    assert gaps.min() > 0.1  # apart enough to see each bubble
