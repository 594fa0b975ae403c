"""Emerging offences: a recent rise beyond the seasonal expectation, and new offence types."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd
from scipy import stats

from ilp_core import checks
from ilp_core.analysis.forecast._models import PERIOD, design, fit_counts
from ilp_core.analysis.forecast._series import monthly_series
from ilp_core.errors import IlpInputError

#: Default length of the recent period tested (a quarter).
DEFAULT_RECENT_MONTHS: Final[int] = 3
#: Default and fewest months of the baseline the recent period is compared with.
DEFAULT_BASELINE_MONTHS: Final[int] = 24
MIN_BASELINE_MONTHS: Final[int] = 12
#: Fewest incidents a month, on average over the baseline, to fit the yearly cycle;
#: below it the baseline is a flat level (a cycle fitted to a handful of
#: incidents is noise).
MIN_SEASONAL_MEAN: Final[float] = 2.0


@dataclass(frozen=True)
class EmergingOffences:
    """Offences rising beyond their seasonal expectation, and offence types new recently.

    Attributes
    ----------
    table
        One row per offence, most surprising first: ``offence``,
        ``baseline_count`` (incidents in the baseline months), ``recent_count``,
        ``expected`` (recent incidents expected from the baseline's level and
        season), ``ratio`` (recent / expected), ``p_value`` (one-sided: chance of
        at least as many under the expectation), ``p_fdr`` (Benjamini-Hochberg
        across the offences tested), ``seasonal`` (the yearly cycle was fitted),
        ``first_seen`` (first recent incident of a new offence type, else NaT) and
        ``status``: ``new`` (none in the baseline), ``emerging`` (significant rise,
        ``p_fdr`` < ``alpha``), ``as_expected``.
    recent_start, recent_end, baseline_start, baseline_end
        The two periods compared (first and last day).
    recent_months, baseline_months, alpha
        The settings used.
    """

    table: pd.DataFrame
    recent_start: dt.date
    recent_end: dt.date
    baseline_start: dt.date
    baseline_end: dt.date
    recent_months: int
    baseline_months: int
    alpha: float


def emerging_offences(
    incidents: pd.DataFrame,
    *,
    recent_months: int = DEFAULT_RECENT_MONTHS,
    baseline_months: int = DEFAULT_BASELINE_MONTHS,
    alpha: float = 0.05,
) -> EmergingOffences:
    """Find the offences that rose beyond what the season explains, and the new ones.

    For each offence, a negative binomial regression on the baseline months
    (those before the recent period, up to ``baseline_months`` of them) gives the
    usual level and yearly cycle (two harmonics; a flat level for offences with
    fewer than two incidents a month). The recent months' total is compared with
    what that model expects for those calendar months: the one-sided p-value is
    the chance of at least the observed total under a negative binomial with the
    expected mean and a variance holding the counts' overdispersion and the
    uncertainty of the fit (delta method). p-values are adjusted for testing many
    offences at once (Benjamini-Hochberg false discovery rate). A steady trend
    counts as a rise: the baseline has no trend, so an offence that keeps growing
    is flagged, one that keeps falling is not.

    Offence types with no incident in the baseline but some in the recent months
    are listed as ``new`` (and not tested).

    Parameters
    ----------
    incidents
        Canonical incident table; not modified.
    recent_months
        Complete months at the end of the data tested (default 3).
    baseline_months
        Months before them forming the expectation (default 24; at least 12 needed).
    alpha
        False discovery rate (default 0.05).

    Returns
    -------
    EmergingOffences

    Raises
    ------
    IlpInputError
        ``checks.whole`` / ``checks.share`` for bad settings,
        ``forecast.too_short_baseline`` with fewer than 12 complete months before
        the recent period.

    References
    ----------
    Benjamini, Y., Hochberg, Y. (1995). Controlling the false discovery rate.
    *Journal of the Royal Statistical Society B*, 57(1), 289-300.
    Cameron, A. C., Trivedi, P. K. (2013). *Regression Analysis of Count Data*,
    2nd ed. Cambridge University Press.

    Examples
    --------
    >>> from ilp_core.data.dataset import load_sample
    >>> em = emerging_offences(load_sample().incidents)
    >>> em.table.loc[em.table["status"] == "emerging", "offence"].tolist()
    ['Vehicle crime']
    """
    recent_months = checks.whole("recent_months", recent_months, minimum=1, maximum=PERIOD)
    baseline_months = checks.whole("baseline_months", baseline_months, minimum=MIN_BASELINE_MONTHS)
    alpha = checks.share("alpha", alpha)
    series = monthly_series(incidents, "offence")
    names, y, months, days = series.matrix()
    n_base = min(baseline_months, len(months) - recent_months)
    if n_base < MIN_BASELINE_MONTHS:
        raise IlpInputError(
            "forecast.too_short_baseline",
            n=max(len(months) - recent_months, 0),
            minimum=MIN_BASELINE_MONTHS + recent_months,
        )
    y = y[:, len(months) - n_base - recent_months :]
    months = months[len(months) - n_base - recent_months :]
    days = days[len(days) - n_base - recent_months :]
    base, recent = y[:, :n_base], y[:, n_base:]
    base_total, recent_total = base.sum(axis=1), recent.sum(axis=1)
    new = (base_total == 0) & (recent_total > 0)
    seasonal = base.mean(axis=1) >= MIN_SEASONAL_MEAN
    expected = np.full(len(names), np.nan)
    p_value = np.full(len(names), np.nan)
    mask = (np.arange(n_base + recent_months) < n_base)[None, :]
    offset = np.log(days)
    for flag in (True, False):
        rows = np.flatnonzero((seasonal == flag) & (base_total > 0))
        if len(rows) == 0:
            continue
        # Overdispersion is measured around the baseline's own trend, so that a
        # steady rise or fall does not pass for noise; the expectation is its level.
        with_trend = design(n_base + recent_months, int(months[0].month))
        _, _, disp, _ = fit_counts(y[rows], with_trend if flag else with_trend[:, :2], offset, mask)
        x = np.delete(with_trend, 1, axis=1) if flag else with_trend[:, :1]
        beta, cov, _, _ = fit_counts(y[rows], x, offset, mask, dispersion=disp)
        mu = np.exp(x[n_base:] @ beta[:, 0].T + offset[n_base:, None]).T  # (rows, recent)
        mean = mu.sum(axis=1)
        grad = mu @ x[n_base:]  # d(total)/d(beta)
        var_fit = np.einsum("sp,spq,sq->s", grad, cov[:, 0], grad)
        var = mean + disp[:, 0] * (mu**2).sum(axis=1) + var_fit
        expected[rows] = mean
        p_value[rows] = _upper_tail(recent_total[rows], mean, var)
    tested = np.isfinite(p_value)
    p_fdr = np.full(len(names), np.nan)
    if tested.any():
        p_fdr[tested] = stats.false_discovery_control(p_value[tested], method="bh")
    emerging = tested & (p_fdr < alpha) & (recent_total > expected)
    status = np.where(new, "new", np.where(emerging, "emerging", "as_expected"))
    first_seen = _first_seen(incidents, names, new, months[n_base])
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(expected > 0, recent_total / expected, np.nan)
    table = pd.DataFrame(
        {
            "offence": pd.array(names, dtype="str"),
            "baseline_count": base_total.astype(np.int64),
            "recent_count": recent_total.astype(np.int64),
            "expected": expected,
            "ratio": ratio,
            "p_value": p_value,
            "p_fdr": p_fdr,
            "seasonal": seasonal & ~new,
            "first_seen": first_seen,
            "status": pd.array(status, dtype="str"),
        }
    )
    order = np.lexsort((np.nan_to_num(p_value, nan=2.0), ~new))
    table = table.iloc[order].reset_index(drop=True)
    last = months[-1] + pd.offsets.MonthEnd(0)
    return EmergingOffences(
        table=table,
        recent_start=months[n_base].date(),
        recent_end=last.date(),
        baseline_start=months[0].date(),
        baseline_end=(months[n_base] - pd.Timedelta(days=1)).date(),
        recent_months=int(recent_months),
        baseline_months=int(n_base),
        alpha=float(alpha),
    )


def _upper_tail(observed: np.ndarray, mean: np.ndarray, var: np.ndarray) -> np.ndarray:
    """P(Y >= observed) for a negative binomial with this mean and variance.

    The Poisson when the variance does not exceed the mean.
    """
    over = var > mean * (1 + 1e-9)
    size = np.where(over, mean**2 / np.where(over, var - mean, 1.0), 1.0)
    prob = np.where(over, mean / np.where(over, var, 1.0), 1.0)
    nb = stats.nbinom.sf(observed - 1, size, prob)
    return np.where(over, nb, stats.poisson.sf(observed - 1, mean))


def _first_seen(
    incidents: pd.DataFrame, names: list[str], new: np.ndarray, since: pd.Timestamp
) -> np.ndarray:
    out = np.full(len(names), np.datetime64("NaT"), dtype="datetime64[ns]")
    if not new.any():
        return out
    wanted = [names[k] for k in np.flatnonzero(new)]
    rows = incidents.loc[
        incidents["offence"].astype("object").isin(wanted).to_numpy()
        & (incidents["occurred_at"] >= since).to_numpy()
    ]
    first = rows.groupby(rows["offence"].astype("object"))["occurred_at"].min()
    for k in np.flatnonzero(new):
        if names[k] in first.index:
            out[k] = np.datetime64(first[names[k]], "ns")
    return out
