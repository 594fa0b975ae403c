"""The annex: every method and parameter used, so that the figures can be reproduced exactly.

The annex's table of parameters states first what was analysed (software
version, data fingerprint, dataset, period, offence types, release policy), then
one row per method that ran, read from the table :data:`_METHODS` (which method,
which result, which sentence of the catalog, which parameters). With a priority
ranking, the criteria's weights and the harm weights follow. :func:`_parameters`
gives the same record as JSON-ready values (:attr:`Report.parameters`, embedded in
the HTML).
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final, NamedTuple

import numpy as np
import pandas as pd

import ilp_core
from ilp_core.analysis import forecast as fc
from ilp_core.analysis import hotspots, temporal
from ilp_core.data import classify
from ilp_core.decide import harm, priorities
from ilp_core.products import suppression
from ilp_core.products.report._analyses import _Analyses
from ilp_core.products.report._content import Block, Section, Table, Text
from ilp_core.products.report._format import _Fmt, _method_label, _table


class _Method(NamedTuple):
    """A method's row in the annex: which method, which result, which sentence, which parameters.

    Attributes
    ----------
    label
        Catalog key of the method's name (``report.methods.hotspots``).
    result
        Picks the method's result from the analyses; the row is left out when it
        gives None (the method did not run).
    sentence
        Catalog key of the sentence that states the parameters
        (``report.methods.hotspots_value``); None lists them as ``name: value``.
    params
        The sentence's parameters, read from the result and formatted in the
        report's language.
    """

    label: str
    result: Callable[[_Analyses], Any]
    sentence: str | None
    params: Callable[[Any, _Fmt], Mapping[str, Any]]


def _listed(values: Iterable[float], fmt: _Fmt, decimals: int = 0) -> str:
    return ", ".join(fmt.num(v, decimals) for v in values)


#: The methods of the annex, in the order of their rows.
_METHODS: Final[tuple[_Method, ...]] = (
    _Method(
        "report.methods.hotspots",
        lambda a: a.gi,
        "report.methods.hotspots_value",
        lambda gi, fmt: {
            "cell": fmt.num(gi.grid.cell_size) if gi.grid else "–",
            "fdr": fmt.t("report.yes" if gi.fdr else "report.no"),
            "levels": _listed(gi.alpha_levels, fmt, 2),
            "inference": fmt.t(
                f"report.methods.inference.{gi.inference}",
                expected=fmt.num(hotspots.NORMAL_MIN_EXPECTED),
            ),
            "floor": gi.min_hot_incidents,
        },
    ),
    _Method(
        "report.methods.change",
        lambda a: a.change,
        "report.methods.change_value",
        lambda change, fmt: {
            "days": change.period_days,
            "n": change.n_periods,
            "recent": change.thresholds.recent_periods,
            "persistent": fmt.pct(change.thresholds.persistent_share),
            "emerging": fmt.pct(change.thresholds.emerging_recent_share),
            "before": fmt.pct(change.thresholds.emerging_before_share),
            "former": fmt.pct(change.thresholds.former_before_share),
            "alpha": fmt.num(change.thresholds.alpha, 2),
        },
    ),
    _Method(
        "report.methods.trend",
        lambda a: a.trend,
        "report.methods.trend_value",
        lambda trend, fmt: {
            "alpha": fmt.num(trend.alpha, 2),
            "window": trend.window,
            "first": fmt.date(trend.first_period),
            "last": fmt.date(trend.last_period),
        },
    ),
    _Method(
        "report.methods.control",
        lambda a: a.control,
        "report.methods.control_value",
        lambda control, fmt: {
            "baseline": control.baseline,
            "alpha": fmt.num(control.alpha, 4),
            "distribution": control.distribution,
            "sparse": temporal.SPARSE_BASELINE,
        },
    ),
    _Method(
        "report.methods.comparison",
        lambda a: a.comparison,
        "report.methods.comparison_value",
        lambda comparison, fmt: {
            "start_a": fmt.date(comparison.period_a[0]),
            "end_a": fmt.date(comparison.period_a[1]),
            "start_b": fmt.date(comparison.period_b[0]),
            "end_b": fmt.date(comparison.period_b[1]),
            "alpha": fmt.num(comparison.alpha, 2),
        },
    ),
    _Method(
        "report.methods.knox",
        lambda a: a.knox,
        "report.methods.knox_value",
        lambda knox, fmt: {
            "distances": _listed(knox.distance_edges, fmt),
            "days": _listed(knox.day_edges, fmt),
            "metric": fmt.t(f"near_repeat.metric.{knox.metric}"),
            "permutations": knox.permutations,
            "seed": str(knox.seed),
        },
    ),
    _Method(
        "report.methods.forecast",
        lambda a: a.forecast,
        "report.methods.forecast_value",
        lambda f, fmt: {
            "months": f.min_months,
            "mean": fmt.num(f.min_mean),
            "origins": f.origins_used,
            "horizon": f.backtest_horizon,
            "floor": fmt.pct(f.coverage_floor),
            "max_mase": fmt.num(f.max_mase),
            "paths": f.paths,
            "seed": str(f.random_state),
            "likely": fmt.pct(f.likely),
        },
    ),
    _Method(
        "report.methods.emerging",
        lambda a: a.emerging,
        "report.methods.emerging_value",
        lambda em, fmt: {
            "recent": em.recent_months,
            "start": fmt.date(em.recent_start),
            "end": fmt.date(em.recent_end),
            "baseline": em.baseline_months,
            "seasonal": fmt.num(fc.MIN_SEASONAL_MEAN),
            "alpha": fmt.num(em.alpha, 2),
        },
    ),
    _Method(
        "report.methods.scan",
        lambda a: a.scan,
        "report.methods.scan_value",
        lambda scan, fmt: {
            "start": fmt.date(scan.start),
            "end": fmt.date(scan.end),
            "cell": fmt.num(scan.cell_size),
            "radius": fmt.num(scan.max_radius),
            "share": fmt.pct(scan.max_share),
            "step": scan.step_days,
            "max_days": scan.max_days,
            "permutations": scan.permutations,
            "seed": str(scan.seed),
            "alpha": fmt.num(scan.alpha, 2),
            "per_year": fmt.num(scan.analyses_per_year),
        },
    ),
    _Method(
        "report.methods.priorities",
        lambda a: a.ranking,
        "report.methods.priorities_value",
        lambda ranking, fmt: {
            "method": _method_label(dataclasses.replace(ranking.scheme, preset=None), fmt),
            "preset": priorities.preset_label(ranking.scheme.preset, fmt.lang)
            if ranking.scheme.preset
            else "–",
            "tiers": fmt.t(f"priorities.tiering.{ranking.scheme.tiers}"),
            "bands": _listed(ranking.scheme.bands, fmt, 1),
            "position": _listed(ranking.scheme.position_range, fmt, 2),
        },
    ),
    _Method(
        "report.methods.stability",
        lambda a: a.stability if a.ranking is not None else None,
        "report.methods.stability_value",
        lambda stability, fmt: {
            "k": stability.top_k,
            "draws": stability.draws,
            "seed": str(stability.seed),
            "uncertainty": fmt.pct(stability.weight_uncertainty),
            "share": fmt.pct(stability.robust_share),
        },
    ),
    _Method(
        "report.methods.allocation",
        lambda a: a.allocation,
        None,
        lambda allocation, _fmt: allocation.settings,
    ),
)


def _methods_section(a: _Analyses, fmt: _Fmt) -> Section:
    """The annex: what was analysed, each method's parameters, the weights behind the ranking."""
    rows = _context_rows(a, fmt)
    for method in _METHODS:
        result = method.result(a)
        if result is None:
            continue
        params = method.params(result, fmt)
        value = (
            fmt.t(method.sentence, **params)
            if method.sentence
            else "; ".join(f"{name}: {_setting(v, fmt)}" for name, v in params.items())
        )
        rows.append((fmt.t(method.label), value))
    frame = pd.DataFrame({"parameter": [r[0] for r in rows], "value": [r[1] for r in rows]})
    blocks: list[Block] = [
        Text(fmt.t("report.methods.intro")),
        _table(
            "parameters",
            fmt.t("report.methods.parameters_title"),
            [
                (fmt.t("report.col.parameter"), "text", frame["parameter"].tolist()),
                (fmt.t("report.col.value"), "text", frame["value"].tolist()),
            ],
            frame,
        ),
    ]
    if a.ranking is not None:
        blocks += [_weights_table(a.ranking, fmt), _harm_table(a, fmt)]
    blocks.append(Text(fmt.t("report.methods.reproduce", fingerprint=a.data.fingerprint), "note"))
    blocks.append(Text(fmt.t("report.methods.record"), "note"))
    return Section("methods", fmt.t("report.section.methods"), tuple(blocks))


def _context_rows(a: _Analyses, fmt: _Fmt) -> list[tuple[str, str]]:
    """The annex's first rows: the software, the data, the filters and the release policy."""
    period = f"{fmt.date(a.period[0])} – {fmt.date(a.period[1])}" if a.period else "–"
    offences = (
        fmt.names([fmt.term(o) for o in a.offences])
        if a.offences
        else fmt.t("report.data.all_offences")
    )
    release = (
        fmt.t("report.methods.release_wider", k=str(fmt.k), base=str(suppression.ROUND_BASE))
        if fmt.wider
        else fmt.t("report.methods.release_internal")
    )
    dataset = fmt.dataset(a.data)
    return [
        (fmt.t("report.methods.version"), ilp_core.__version__),
        (fmt.t("report.methods.fingerprint"), a.data.fingerprint),
        (fmt.t("report.methods.dataset"), dataset),
        (fmt.t("report.methods.period"), period),
        (fmt.t("report.methods.offences"), offences),
        (fmt.t("report.methods.release"), release),
    ]


def _weights_table(ranking: priorities.Ranking, fmt: _Fmt) -> Table:
    """Each criterion's weight as set, and as it acted once the criteria were scaled."""
    keys = list(ranking.criteria)
    frame = pd.DataFrame(
        {
            "criterion": keys,
            "weight": [float(ranking.scheme.weights.get(c, 0.0)) for c in keys],
            "effective_weight": [float(ranking.weights.get(c, math.nan)) for c in keys],
        }
    )
    return _table(
        "weights",
        fmt.t("report.methods.weights_title"),
        [
            (
                fmt.t("report.col.criterion"),
                "text",
                [priorities.criterion_label(c, fmt.lang) for c in keys],
            ),
            (fmt.t("report.col.weight"), "number", [fmt.num(v, 2) for v in frame["weight"]]),
            (
                fmt.t("report.col.effective_weight"),
                "number",
                [fmt.num(v, 3) for v in frame["effective_weight"]],
            ),
        ],
        frame,
    )


def _harm_table(a: _Analyses, fmt: _Fmt) -> Table:
    """The harm weight (days) of each offence type in the data, and where it comes from."""
    present = sorted({str(o) for o in a.incidents["offence"].dropna().astype(str)})
    weights, default_days, from_session = _harm_rows(a, present)
    days, has = harm.weight_for(present, weights, default_days)
    sources = harm.default_weights(present, a.data.offence_classes, lang=fmt.lang).table
    sources = sources.set_index("offence")
    frame = pd.DataFrame({"offence": present, "days": np.asarray(days, dtype=float)})
    return _table(
        "harm",
        fmt.t("report.methods.harm_title"),
        [
            (fmt.t("report.col.offence"), "text", [fmt.term(o) for o in present]),
            (
                fmt.t("report.col.offence_class"),
                "text",
                [classify.class_label(sources.loc[o, "iccs"], fmt.lang) for o in present],
            ),
            (fmt.t("report.col.harm_days"), "number", [fmt.num(v, 1) for v in frame["days"]]),
            (
                fmt.t("report.col.harm_source"),
                "text",
                [
                    _harm_source(o, d, h, sources, default_days, fmt)
                    for o, d, h in zip(present, frame["days"], has, strict=True)
                ],
            ),
        ],
        frame,
        fmt.t("report.methods.harm_session" if from_session else "report.methods.harm_bundled"),
    )


def _parameters(a: _Analyses, fmt: _Fmt) -> dict[str, Any]:
    """Every method and parameter used, JSON-ready (the annex and the HTML's embedded record)."""
    out: dict[str, Any] = {
        "software": {"ilp_core": ilp_core.__version__},
        "data": {
            "name": fmt.dataset(a.data),
            "fingerprint": a.data.fingerprint,
            "incidents_in_view": fmt.exact(len(a.incidents)),
            "period": [d.isoformat() for d in a.period] if a.period else None,
            "offences": list(a.offences),
        },
        "release": {
            "wider_release": fmt.wider,
            "k": fmt.k,
            "round_base": suppression.ROUND_BASE,
        },
    }
    if a.gi is not None:
        out["hotspots"] = {
            "statistic": "Getis-Ord Gi*",
            "unit": a.gi.unit,
            "cell_size_m": a.gi.grid.cell_size if a.gi.grid else None,
            "weights": a.gi.weights,
            "fdr": a.gi.fdr,
            "alpha_levels": list(a.gi.alpha_levels),
            "n_units": a.gi.n_units,
            "inference": a.gi.inference,
            "normal_min_expected": hotspots.NORMAL_MIN_EXPECTED,
            "min_hot_incidents": a.gi.min_hot_incidents,
        }
    if a.change is not None:
        out["hotspot_change"] = {
            "period_days": a.change.period_days,
            "n_periods": a.change.n_periods,
            "fdr": a.change.fdr,
            **dataclasses.asdict(a.change.thresholds),
        }
    if a.trend is not None:
        out["trend"] = {
            "test": "Mann-Kendall, Theil-Sen slope",
            "freq": a.trend.freq,
            "alpha": a.trend.alpha,
            "window": a.trend.window,
            "first_period": a.trend.first_period.isoformat(),
            "last_period": a.trend.last_period.isoformat(),
        }
    if a.control is not None:
        out["control_limits"] = {
            "baseline": a.control.baseline,
            "min_baseline": a.control.min_baseline,
            "alpha": a.control.alpha,
            "distribution": a.control.distribution,
            "sparse_baseline": temporal.SPARSE_BASELINE,
            "sparse_test": "exact conditional test of two Poisson counts",
        }
    if a.comparison is not None:
        out["comparison"] = {
            "test": "exact conditional test of two Poisson rates, Benjamini-Hochberg",
            "by": a.comparison.by,
            "period_a": [d.isoformat() for d in a.comparison.period_a],
            "period_b": [d.isoformat() for d in a.comparison.period_b],
            "alpha": a.comparison.alpha,
        }
    if a.rhythm is not None:
        out["rhythm"] = {
            "aoristic": a.rhythm.aoristic,
            "max_window_hours": a.rhythm.max_window_hours,
            "long_windows": a.rhythm.long_windows,
        }
    if a.knox is not None:
        k = a.knox
        out["near_repeat"] = {
            "test": "Knox, Monte Carlo permutation of dates",
            "offences": list(a.knox_offences),
            "distance_edges_m": list(k.distance_edges),
            "day_edges": list(k.day_edges),
            "same_location": k.same_location,
            "metric": k.metric,
            "permutations": k.permutations,
            "seed": k.seed,
            "n_events": fmt.exact(k.n_events),
        }
    out.update(_outlook_parameters(a))
    ranking = a.ranking
    if ranking is not None:
        entry: dict[str, Any] = {
            "scheme": ranking.scheme.to_dict(),
            "effective_weights": {c: float(w) for c, w in ranking.weights.items()},
            "criteria": list(ranking.criteria),
        }
        if a.stability is not None:
            s = a.stability
            entry["stability"] = {
                "top_k": s.top_k,
                "draws": s.draws,
                "seed": s.seed,
                "weight_uncertainty": s.weight_uncertainty,
                "half_width": dict(s.half_width),
                "robust_share": s.robust_share,
            }
        if a.assessment is not None:
            assessment = a.assessment.to_dict()
            if fmt.wider:
                assessment.pop("entered", None)
            entry["assessment"] = assessment
        out["priorities"] = entry
    if a.allocation is not None:
        out["allocation"] = {
            "default": a.allocation_default,
            "settings": dict(a.allocation.settings),
            "scenario": dict(a.allocation_scenario),
        }
    return json.loads(json.dumps(out, default=str))


def _outlook_parameters(a: _Analyses) -> dict[str, Any]:
    """The forecasts', emerging offences' and scan's settings, JSON-ready (those that ran)."""
    out: dict[str, Any] = {}
    if a.forecast is not None:
        f = a.forecast
        out["forecast"] = {
            "models": list(fc.MODELS),
            "by": f.by,
            "horizons": list(f.horizons),
            "backtest": "rolling origin",
            "origins": f.origins,
            "origins_used": f.origins_used,
            "backtest_horizon": f.backtest_horizon,
            "accuracy": "MASE (seasonal naive in-sample scale)",
            "coverage_levels": [0.8, 0.95],
            "paths": f.paths,
            "random_state": f.random_state,
            "min_months": f.min_months,
            "min_mean": f.min_mean,
            "max_mase": f.max_mase,
            "coverage_floor": f.coverage_floor,
            "likely": f.likely,
            "first_forecast": f.first_forecast.isoformat(),
            "status": dict(zip(f.summary["series"], f.summary["status"], strict=True)),
            "mase": {
                str(s): float(m)
                for s, m in zip(f.summary["series"], f.summary["mase"], strict=True)
                if np.isfinite(m)
            },
        }
    if a.emerging is not None:
        em = a.emerging
        out["emerging_offences"] = {
            "test": "negative binomial regression, one-sided, Benjamini-Hochberg",
            "recent": [em.recent_start.isoformat(), em.recent_end.isoformat()],
            "baseline": [em.baseline_start.isoformat(), em.baseline_end.isoformat()],
            "alpha": em.alpha,
        }
    if a.scan is not None:
        sc = a.scan
        out["space_time_scan"] = {
            "statistic": "Kulldorff space-time permutation, prospective",
            "study": [sc.start.isoformat(), sc.end.isoformat()],
            "cell_size_m": sc.cell_size,
            "max_radius_m": sc.max_radius,
            "max_share": sc.max_share,
            "max_days": sc.max_days,
            "step_days": sc.step_days,
            "permutations": sc.permutations,
            "seed": sc.seed,
            "alpha": sc.alpha,
            "analyses_per_year": sc.analyses_per_year,
            "n_events": sc.n_events,
        }
    return out


def _harm_rows(a: _Analyses, present: list[str]) -> tuple[dict[str, float], float, bool]:
    table = harm.harm_table()
    assessment = a.assessment
    if assessment is not None:
        return dict(assessment.harm_weights), float(assessment.default_harm_days), True
    defaults = harm.harm_weights(present, a.data.offence_classes)
    return defaults, float(table.unknown_offence_days), False


def _harm_source(
    offence: str, days: float, has: bool, sources: pd.DataFrame, default: float, fmt: _Fmt
) -> str:
    """Where an offence's harm weight comes from: a guideline (with its caveat), a default."""
    row = sources.loc[offence]
    if not has:
        return fmt.t("report.methods.harm_default", days=fmt.num(default, 1))
    if not row["has_weight"] or not math.isclose(float(row["days"]), float(days)):
        return fmt.t("report.methods.harm_set")
    return f"{row['source']} {row['caveat']}".strip()


def _setting(value: Any, fmt: _Fmt) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return fmt.t("report.yes" if value else "report.no")
    if isinstance(value, int | float):
        return fmt.num(value, 0 if float(value).is_integer() else 2)
    if isinstance(value, Mapping):
        return ", ".join(f"{k} {_setting(v, fmt)}" for k, v in value.items())
    return str(value)
