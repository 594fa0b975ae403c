"""Near-repeat analysis: the Knox test of space-time clustering between pairs of events.

After a burglary, are nearby homes at raised risk for a few days or weeks? The
Knox test counts every pair of events by how far apart they are in space and in
time, and compares each count with what is expected if the same dates had been
shuffled among the same places (Monte Carlo permutation of the dates). A Knox
ratio well above 1 with a small p-value in the cells close in space and time is
the near-repeat signature that justifies a short-lived, local response
(cocoon watch, letters to neighbours, a patrol for the next fortnight).

This follows the Near Repeat Calculator (Ratcliffe, 2009), done so that it scales:
the Calculator enumerates all n(n-1)/2 pairs and stops working above roughly
10,000 events, and its permutations cannot be reproduced (no seed). Here:

* close pairs (closer than the largest finite distance edge) come from a fixed
  grid whose cells are as large as that edge: each event is compared with the
  events of its cell and of the neighbouring cells, in compiled code (numba),
  on every processor. Distances are computed as SciPy's k-d tree computes them
  and rounded to the micrometre, so a pair placed exactly on a band edge (100 m)
  is not split by the floating-point noise of the projection. Each pair is
  stored once, as the partner's number grouped by owner and distance band
  (4 bytes a pair);
* pairs farther apart are never enumerated: their count per time band is the
  number of ALL pairs in that time band (from the sorted dates with
  ``searchsorted``, O(n log n)) minus the close pairs in it. A permutation of the
  dates leaves the multiset of dates, hence those totals, unchanged;
* a permutation only re-counts the day gaps of the stored close pairs. Eight day
  assignments (the observed dates and seven permutations, then eight
  permutations at a time) are packed into two 64-bit words per event, 16 bits
  each, and one pass over the pairs tests all of them against four time windows
  with integer arithmetic within the words, vectorised by the compiler (32-bit
  lanes, four assignments a pass, when the dates span more than about 40 years);
* the permutations are drawn as before the compiled kernels (the dates permuted
  in the k-d tree's order of the events): the same seed gives the same
  p-values as it always did.

The work runs in blocks of a fraction of a second; ``progress`` is called on the
calling thread after each block of the pair search and each pass, and stops the
test by returning ``False`` or raising :class:`Cancelled`.

numba compiles the kernels on the first Knox test of a new installation (a few
seconds, see below) and keeps them in its on-disk cache; later processes load
them in a fraction of a second. :func:`warm_up` does it ahead of time.

Measured on this project's 2-core machine (``benchmarks/bench_near_repeat.py``,
while other jobs kept it busy: load average 4 to 8): 100,000 residential
burglaries of the sample city scaled up (85 million pairs within 500 m: the worst
case, a whole city's burglaries within 15 x 20 km), 5 x 4 bands, 99
permutations: 4.3 to 4.9 s of CPU time, 7 to 12 s wall time (the pair search 1.3
s of CPU, a pass of eight tables about 0.2 s), 350 MB peak memory. The k-d tree
+ NumPy implementation it replaced took 50 to 53 s of CPU time, 41 s wall time on
the idle machine and 135 to 153 s under that load, and 420 to 550 MB. The first
Knox test of a new installation adds 3 to 9 s (importing numba and compiling,
single-threaded: the higher figure under load), that of a new process about 1 s
(importing numba and loading the compiled kernels).
"""

from ilp_core.analysis.near_repeat._knox import (
    MAX_CLOSE_PAIRS,
    PAIR_SEARCH_SHARE,
    KnoxResult,
    Metric,
    count_close_pairs,
    count_stored_pairs,
    knox_test,
    warm_up,
)
from ilp_core.errors import Cancelled

__all__ = [
    "MAX_CLOSE_PAIRS",
    "PAIR_SEARCH_SHARE",
    "Cancelled",
    "KnoxResult",
    "Metric",
    "count_close_pairs",
    "count_stored_pairs",
    "knox_test",
    "warm_up",
]
