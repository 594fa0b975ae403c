"""Residential burglary as a self-exciting process: the planted near-repeat pattern.

Primary burglaries are sampled like any offence; each burglary then triggers
follow-ups close by in space and time, generation after generation, until a
generation triggers none (Johnson et al. 2007 describe the pattern measured).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ilp_core.data.sample._city import inside, place
from ilp_core.data.sample._spec import (
    HOME_BASE,
    LAST_MINUTE,
    NR_BRANCHING,
    NR_DAYS,
    NR_DISTANCE_M,
    NR_FOLLOWUPS,
    NR_LAG_SCALE_DAYS,
    NR_MIN_DISTANCE_M,
    NR_OFFENCE,
    NR_SAME_HOME,
    NR_TRIGGER,
    OFFENCES,
)
from ilp_core.data.sample._time import rhythm, sample_times


def burglaries(
    rng: np.random.Generator, city: Mapping[str, Any], n_target: int
) -> dict[str, np.ndarray]:
    """Residential burglary as a branching process: primaries plus near-repeat follow-ups.

    Each burglary (primary or follow-up) triggers, with probability 0.15, one to three
    follow-ups within 200 m and 14 days; 20 % of them hit the same home again.
    The expected total is the primaries / (1 - branching ratio 0.3).
    """
    offence = next(o for o in OFFENCES if o.name == NR_OFFENCE)
    pools = {"next_home": HOME_BASE}
    n_primary = round(n_target * (1.0 - NR_BRANCHING))
    t = sample_times(rng, offence, n_primary)
    generation = place(rng, city, pools, offence, t)
    generation["generation"] = np.zeros(n_primary, dtype=np.int16)
    out = [generation]
    lags = np.arange(NR_DAYS)
    lag_p = np.exp(-lags / NR_LAG_SCALE_DAYS)
    lag_p /= lag_p.sum()
    hour_cdf = np.cumsum(rhythm(offence.profile), axis=1)
    hour_cdf /= hour_cdf[:, -1:]
    level = 0
    while len(generation["t"]):
        level += 1
        trig = np.flatnonzero(rng.random(len(generation["t"])) < NR_TRIGGER)
        k = rng.integers(NR_FOLLOWUPS[0], NR_FOLLOWUPS[1] + 1, size=len(trig))
        parent = np.repeat(trig, k)
        m = len(parent)
        pt = generation["t"][parent]
        day = pt // 1440 + rng.choice(lags, size=m, p=lag_p)
        hour = (rng.random(m)[:, None] > hour_cdf[day % 7]).sum(axis=1)
        t = day * 1440 + hour * 60 + rng.integers(0, 60, size=m)
        t = np.where(t <= pt, t + 1440, t)  # follow-ups come after their trigger
        same = rng.random(m) < NR_SAME_HOME
        r = np.sqrt(rng.uniform(NR_MIN_DISTANCE_M**2, NR_DISTANCE_M**2, size=m))
        angle = rng.uniform(0.0, 2.0 * np.pi, size=m)
        x = generation["x"][parent] + np.where(same, 0.0, r * np.cos(angle))
        y = generation["y"][parent] + np.where(same, 0.0, r * np.sin(angle))
        keep = (t <= LAST_MINUTE) & inside(city, x, y)
        new_home = pools["next_home"] + np.cumsum(~same & keep) - 1
        key = np.where(same, generation["key"][parent], new_home)
        pools["next_home"] += int((~same & keep).sum())
        generation = {
            "t": t[keep],
            "x": x[keep],
            "y": y[keep],
            "key": key[keep],
            "comp": generation["comp"][parent][keep],
            "generation": np.full(int(keep.sum()), level, dtype=np.int16),
        }
        out.append(generation)
    return {k: np.concatenate([g[k] for g in out]) for k in out[0]}
