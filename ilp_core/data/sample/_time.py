"""When incidents happen: the day table, weekly rhythms, trends, sampled times, windows.

Each offence's probability over the 731 x 24 day-hour cells of 2024-2025 is the
product of its season (month), its trend (a monthly log-rate solved so that the
planted quarter-on-quarter ratio holds) and its weekday-by-hour rhythm;
:func:`sample_times` draws event minutes from it and :func:`add_windows` turns a
share of them into from/to windows, as a victim who was away reports them.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import brentq

from ilp_core.data.sample._spec import (
    FRI_SAT_NIGHTS,
    HOURS,
    LAST_MINUTE,
    N_DAYS,
    NIGHT_BOOST,
    OFFENCES,
    SEASONS,
    START,
    TRENDS,
    WEEKDAY_MULT,
    Offence,
)


def day_table() -> tuple[np.ndarray, np.ndarray]:
    """Weekday (0 = Monday) and month (0 = January) of each day of the period."""
    days = START.astype("datetime64[D]") + np.arange(N_DAYS)
    months = days.astype("datetime64[M]").astype(np.int64) % 12
    return np.arange(N_DAYS) % 7, months


def rhythm(profile: str) -> np.ndarray:
    """7 x 24 weights (Mon..Sun x hour) of a rhythm profile."""
    w = np.outer(WEEKDAY_MULT[profile], HOURS[profile])
    if profile == "night_economy":
        for d, h in FRI_SAT_NIGHTS:
            w[d, h] *= NIGHT_BOOST
    if profile == "shop_hours":
        w[6, :11] *= 0.3  # Sunday opening hours 11-16
        w[6, 17:] *= 0.3
    return w


def trend_rate(offence: Offence) -> float:
    """Monthly log-rate so that E[2025-Q4] / E[2024-Q1] equals the planted ratio."""
    target = TRENDS.get(offence.name)
    if target is None:
        return 0.0
    weekday, months = day_table()
    base = np.asarray(SEASONS[offence.season])[months] * rhythm(offence.profile).sum(1)[weekday]
    day = np.arange(N_DAYS)
    q1 = day < 91  # 2024-01-01 .. 2024-03-31
    q4 = day >= N_DAYS - 92  # 2025-10-01 .. 2025-12-31

    def gap(beta: float) -> float:
        w = base * np.exp(beta * day / (365.25 / 12))
        return float(np.log(w[q4].sum() / w[q1].sum()) - np.log(target))

    return float(brentq(gap, -0.5, 0.5, xtol=1e-12))


def cell_probabilities(offence: Offence) -> np.ndarray:
    """Probability of each (day, hour) cell of the period, flattened day-major."""
    weekday, months = day_table()
    day_w = np.asarray(SEASONS[offence.season])[months]
    day_w = day_w * np.exp(trend_rate(offence) * np.arange(N_DAYS) / (365.25 / 12))
    p = day_w[:, None] * rhythm(offence.profile)[weekday]
    return (p / p.sum()).ravel()


def sample_times(rng: np.random.Generator, offence: Offence, n: int) -> np.ndarray:
    """Event times in minutes since 2024-01-01 00:00."""
    cell = rng.choice(N_DAYS * 24, size=n, p=cell_probabilities(offence))
    return cell * 60 + rng.integers(0, 60, size=n)


def add_windows(rng: np.random.Generator, table: dict[str, np.ndarray]) -> None:
    """From/to windows: the event time lies uniformly inside a window of random length."""
    n = len(table["t"])
    length = np.zeros(n)
    u = rng.random(n)
    v = rng.random(n)
    for code, off in enumerate(OFFENCES):
        if off.window == 0.0:
            continue
        rows = np.flatnonzero((table["offence"] == code) & (u < off.window))
        long = v[rows] < off.long_window
        lo = np.where(long, off.long_hours[0], off.window_hours[0])
        hi = np.where(long, off.long_hours[1], off.window_hours[1])
        length[rows] = rng.uniform(lo, hi) * 60.0
    position = rng.random(n)
    t = table["t"]
    start = np.maximum(np.floor(t - position * length), 0).astype(np.int64)
    end = np.minimum(np.ceil(t + (1.0 - position) * length), LAST_MINUTE).astype(np.int64)
    has = (length > 0) & (end > start)
    table["from"] = np.where(has, start, t)
    table["to"] = np.where(has, end, -1)
