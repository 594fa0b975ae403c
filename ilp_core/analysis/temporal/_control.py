"""Control charts: the weeks or months with exceptionally many or few incidents."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal, get_args

import numpy as np
import pandas as pd
from scipy import stats

from ilp_core import checks
from ilp_core.analysis.temporal._periods import (
    PeriodCounts,
    _check_counts,
    _full_series,
    _matrix,
)
from ilp_core.errors import IlpInputError

Distribution = Literal["auto", "poisson", "negbin"]

_DISTRIBUTIONS: Final[tuple[str, ...]] = get_args(Distribution)

#: Default length of the trailing baseline of the control chart (about a quarter / half-year).
DEFAULT_BASELINE: Final[dict[str, int]] = {"week": 13, "month": 6}
#: Default two-sided false-alarm rate per period of :func:`control_limits`: the share of
#: ordinary periods flagged by chance by the classic three-sigma c-chart, 2 * P(Z > 3) rounded.
#: Pages and reports show ``ControlChart.alpha``, never a copy of this number.
CONTROL_ALPHA: Final[float] = 0.0027
#: Below this many incidents in a baseline, its mean is too uncertain to be taken as
#: the expected count (+-22 % or more): the period is compared with the baseline by the
#: exact conditional test of two Poisson counts instead (see :func:`control_limits`).
SPARSE_BASELINE: Final[int] = 20
#: How a period's limits were set (the ``test`` column).
TESTS: Final[tuple[str, ...]] = ("poisson", "negbin", "conditional")
# Counts scanned for the limits of the conditional test (a limit never comes near).
_MAX_SCAN: Final[int] = 400


@dataclass(frozen=True)
class ControlChart:
    """Weeks (or months) with exceptionally many or few incidents, per offence.

    Attributes
    ----------
    table
        ``offence``, ``period_start``, ``count``, ``expected`` (mean of the
        ``baseline`` previous periods; NaN for the first periods, which have
        fewer than ``min_baseline`` before them), ``upper`` and ``lower``
        (control limits; a count above ``upper`` or below ``lower`` is
        exceptional), ``exceptional`` (``high``, ``low`` or ``none``; ``none``
        where there is no baseline), ``baseline_periods`` (periods averaged),
        ``baseline_total`` (incidents in them) and ``test`` (how the limits
        were set: ``poisson``, ``negbin`` or ``conditional``, see
        :func:`control_limits`).
    summary
        One row per offence: ``offence``, ``dispersion`` (Pearson variance /
        mean ratio of counts around the baseline), ``dispersion_p`` (test that
        it exceeds 1), ``distribution`` used (``poisson`` or ``negbin``),
        ``n_high``, ``n_low``, ``n_new`` (periods flagged high after a baseline
        without a single incident: a problem appearing from nothing).
    freq, baseline, min_baseline, distribution
        The settings used (``distribution`` as requested).
    alpha
        The two-sided false-alarm rate per period the limits were set for: the
        share of ordinary periods flagged by chance (at most; counts are whole
        numbers, so the exact share is a little lower). Show this number, not a
        copy of it, where a page or report says how often a flag is a false alarm.
    """

    table: pd.DataFrame
    summary: pd.DataFrame
    freq: str
    baseline: int
    min_baseline: int
    alpha: float
    distribution: str


def control_limits(
    counts: PeriodCounts,
    *,
    baseline: int | None = None,
    min_baseline: int = 4,
    alpha: float = CONTROL_ALPHA,
    distribution: Distribution = "auto",
) -> ControlChart:
    """Flag the weeks whose count is too high or too low to be ordinary variation.

    Each period is compared with what the previous periods led one to expect:
    the mean count of the ``baseline`` previous full periods (13 weeks or 6
    months by default; the period itself is not part of its own baseline, so a
    spike cannot hide itself). The limits are the ``alpha / 2`` and
    ``1 - alpha / 2`` quantiles of the count's distribution around that
    expectation; the default ``alpha = 0.0027`` is the false-alarm rate of the
    classic three-sigma c-chart, but with exact quantiles, which stay right for
    small counts where mean +/- 3 sqrt(mean) does not.

    Crime counts are often more variable than Poisson (overdispersed: bad weeks
    come in runs, one offender makes several incidents). The variance/mean ratio
    ``phi`` of the counts around their baselines is therefore estimated per
    offence (Pearson's statistic, sum((count - expected)^2 / v) / (m - 1), where
    ``v = expected * (1 + 1 / n)`` is the Poisson variance of the gap between a
    count and the mean of ``n`` earlier ones, so that ``phi`` is 1 for Poisson
    counts);
    with ``distribution="auto"`` the limits come from a negative binomial with
    variance ``phi * expected`` when ``phi`` is significantly above 1 (chi-square
    test, p < 0.05), from the Poisson otherwise. Without this, an overdispersed
    series flags far more weeks than ``alpha`` promises.

    A baseline with few incidents (fewer than :data:`SPARSE_BASELINE`, 20) is too
    uncertain to serve as the expected count, and one without any gives no
    limit at all: 13 quiet weeks then 8 incidents would pass unflagged, though a
    problem appearing from nothing is what a strategic assessment must see. Such
    periods are tested against their baseline by the exact conditional test of
    two Poisson counts (Przyborowski & Wilenski 1940): if the rate did not
    change, the period's share of the ``y + B`` incidents of the period and its
    ``n``-period baseline is binomial with probability ``1 / (n + 1)``; ``upper``
    is the largest count whose upper tail stays at or above ``alpha / 2``
    (``lower`` likewise). After 13 empty weeks, 3 incidents are high
    (``(1/14)^3 = 0.00036``), 2 are not (``0.0051``); after 4 empty weeks, 5.
    The test column says ``conditional``, and ``n_new`` of the summary counts
    such alarms after an empty baseline.

    Parameters
    ----------
    counts
        Output of :func:`period_counts` (partial periods are not used).
    baseline
        Number of previous periods averaged; default 13 weeks or 6 months.
    min_baseline
        Fewest previous periods needed to compute a limit (default 4).
    alpha
        Two-sided false-alarm rate per period (default 0.0027, three sigma).
    distribution
        ``"auto"``, ``"poisson"`` or ``"negbin"`` (negative binomial whenever
        ``phi > 1``).

    Returns
    -------
    ControlChart
        The table of periods with limits and flags, a summary per offence and
        the settings.

    Raises
    ------
    IlpInputError
        ``checks.whole`` for a ``baseline`` below 1 or a ``min_baseline`` outside
        1 to ``baseline``, ``checks.share`` for ``alpha`` outside (0, 1],
        ``checks.option`` for an unknown ``distribution``,
        ``temporal.too_few_periods`` when no period has a baseline.

    References
    ----------
    Montgomery, D. C. (2019). *Introduction to Statistical Quality Control*, 8th
    ed., Wiley, section 7.3 (the c chart).
    Przyborowski, J., Wilenski, H. (1940). Homogeneity of results in testing
    samples from Poisson series. *Biometrika*, 31(3/4), 313-323 (the conditional
    test of two Poisson counts).
    Chainey, S., Ratcliffe, J. H. (2005). *GIS and Crime Mapping*. Wiley
    (exceptional-increase monitoring in crime analysis).

    Examples
    --------
    Ten incidents every week, then 22 (the Poisson limits around 10 are 2 and 21):

    >>> import datetime as dt
    >>> import pandas as pd
    >>> starts = pd.date_range("2024-01-01", periods=6, freq="7D")
    >>> pc = PeriodCounts(pd.DataFrame({"offence": "Theft", "period_start": starts,
    ...     "period_end": starts + pd.Timedelta(days=6), "days": 7,
    ...     "count": [10, 10, 10, 10, 22, 10], "partial": False}), "week",
    ...     dt.date(2024, 1, 1), dt.date(2024, 2, 11), "drop", {})
    >>> cc = control_limits(pc, baseline=4, distribution="poisson")
    >>> row = cc.table.loc[4]
    >>> float(row["expected"]), float(row["lower"]), float(row["upper"]), str(row["exceptional"])
    (10.0, 2.0, 21.0, 'high')
    """
    counts = _check_counts(counts)
    distribution = checks.option("distribution", distribution, _DISTRIBUTIONS)
    b = DEFAULT_BASELINE[counts.freq] if baseline is None else baseline
    b = checks.whole("baseline", b, minimum=1)
    min_baseline = checks.whole("min_baseline", min_baseline, minimum=1, maximum=b)
    alpha = checks.share("alpha", alpha)
    tab, periods = _full_series(counts)
    m = len(periods)
    if m <= min_baseline:
        raise IlpInputError("temporal.too_few_periods", n=m, minimum=min_baseline + 1)
    offences, y = _matrix(tab, periods)
    n_off = len(offences)
    # Trailing mean of the previous b periods (not the current one), from cumulative sums.
    csum = np.concatenate([np.zeros((n_off, 1)), np.cumsum(y, axis=1)], axis=1)
    idx = np.arange(m)
    lo = np.maximum(idx - b, 0)
    n_base = idx - lo
    total = csum[:, idx] - csum[:, lo]
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = total / n_base
    expected[:, n_base < min_baseline] = np.nan
    sparse = np.isfinite(expected) & (total < SPARSE_BASELINE)

    summary_rows = []
    upper = np.full_like(expected, np.nan)
    lower = np.full_like(expected, np.nan)
    test = np.full(expected.shape, None, dtype=object)
    for k, name in enumerate(offences):
        mu = expected[k]
        ok = np.isfinite(mu) & (mu > 0)
        phi, phi_p = _dispersion(y[k, ok], mu[ok], n_base[ok])
        use_nb = (distribution == "negbin" and phi > 1) or (
            distribution == "auto" and phi > 1 and phi_p < 0.05
        )
        plug = ok & ~sparse[k]
        upper[k, plug], lower[k, plug] = _limits(mu[plug], phi if use_nb else None, alpha)
        test[k, plug] = "negbin" if use_nb else "poisson"
        few = sparse[k]
        upper[k, few], lower[k, few] = _conditional_limits(total[k, few], n_base[few], alpha)
        test[k, few] = "conditional"
        summary_rows.append(
            {
                "offence": name,
                "dispersion": phi,
                "dispersion_p": phi_p,
                "distribution": "negbin" if use_nb else "poisson",
            }
        )
    flag = np.full(expected.shape, "none", dtype=object)
    flag[np.isfinite(upper) & (y > upper)] = "high"
    flag[np.isfinite(lower) & (y < lower)] = "low"
    table = pd.DataFrame(
        {
            "offence": pd.array(np.repeat(offences, m), dtype="str"),
            "period_start": np.tile(periods, n_off),
            "count": y.ravel().astype(np.int64),
            "expected": expected.ravel(),
            "upper": upper.ravel(),
            "lower": lower.ravel(),
            "exceptional": pd.array(flag.ravel(), dtype="str"),
            "baseline_periods": np.tile(np.where(n_base < min_baseline, 0, n_base), n_off),
            "baseline_total": np.where(np.isfinite(expected), total, 0).ravel().astype(np.int64),
            "test": pd.Categorical(test.ravel(), categories=TESTS),
        }
    )
    summary = pd.DataFrame(summary_rows)
    summary["n_high"] = (flag == "high").sum(axis=1)
    summary["n_low"] = (flag == "low").sum(axis=1)
    summary["n_new"] = ((flag == "high") & np.isfinite(expected) & (total == 0)).sum(axis=1)
    summary["offence"] = summary["offence"].astype("str")
    summary["distribution"] = summary["distribution"].astype("str")
    return ControlChart(
        table=table,
        summary=summary,
        freq=counts.freq,
        baseline=int(b),
        min_baseline=int(min_baseline),
        alpha=float(alpha),
        distribution=str(distribution),
    )


def _dispersion(count: np.ndarray, mu: np.ndarray, n_base: np.ndarray) -> tuple[float, float]:
    """Pearson's variance/mean ratio ``phi`` of counts around their baselines, and its p-value.

    ``phi`` is 1 for Poisson counts; the p-value is the chi-square test that it
    exceeds 1. Both are NaN with fewer than two periods.
    """
    dof = len(mu) - 1
    if dof < 1:
        return np.nan, np.nan
    # A baseline mean of n Poisson counts is itself uncertain (variance mu / n):
    # the prediction error has variance mu * (1 + 1 / n) when counts are Poisson.
    noise = mu * (1.0 + 1.0 / n_base)
    chi2 = float(np.sum((count - mu) ** 2 / noise))
    return chi2 / dof, float(stats.chi2.sf(chi2, dof))


def _limits(mu: np.ndarray, phi: float | None, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Upper and lower limits around the expected counts ``mu``.

    The ``1 - alpha / 2`` and ``alpha / 2`` quantiles of the Poisson, or of the
    negative binomial with variance ``phi * mu`` when ``phi`` is given.
    """
    if phi is None:
        return stats.poisson.ppf(1 - alpha / 2, mu), stats.poisson.ppf(alpha / 2, mu)
    # Negative binomial with mean mu and variance phi * mu: size r = mu / (phi - 1).
    r = mu / (phi - 1.0)
    prob = 1.0 / phi
    return stats.nbinom.ppf(1 - alpha / 2, r, prob), stats.nbinom.ppf(alpha / 2, r, prob)


def _conditional_limits(
    total: np.ndarray, n_base: np.ndarray, alpha: float
) -> tuple[np.ndarray, np.ndarray]:
    """Upper and lower limits of the exact conditional test against sparse baselines.

    With ``B = total`` incidents in the ``n`` baseline periods and ``y`` in the
    period, under an unchanged rate ``y | y + B ~ Binomial(y + B, 1 / (n + 1))``.
    ``upper`` is the largest ``y`` with ``P(Y >= y) >= alpha / 2``; ``lower`` the
    smallest with ``P(Y <= y) >= alpha / 2`` (counts outside are exceptional).
    """
    if len(total) == 0:
        return np.empty(0), np.empty(0)
    ys = np.arange(_MAX_SCAN + 1)[None, :]
    trials = ys + total[:, None]
    share = 1.0 / (n_base[:, None] + 1.0)
    high = stats.binom.sf(ys - 1, trials, share) < alpha / 2  # P(Y >= y) < alpha / 2
    upper = np.where(high.any(axis=1), np.argmax(high, axis=1) - 1, _MAX_SCAN)
    ordinary = stats.binom.cdf(ys, trials, share) >= alpha / 2  # P(Y <= y) >= alpha / 2
    lower = np.argmax(ordinary, axis=1)
    return upper.astype(float), lower.astype(float)
