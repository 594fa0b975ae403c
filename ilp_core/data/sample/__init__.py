"""The synthetic sample region "Meridian Bay": a fictional city with known, planted patterns.

Workshops and tests need crime data whose truth is known: where the hot spots are,
which offence rises, how strongly burglaries repeat nearby. This package builds such
a city from a seed. It lies in the open North Atlantic (about 45.5 N, 30.5 W), where
there is no land, so no map of it can be mistaken for a real city's crime picture.

``python -m ilp_core.data.sample`` rewrites the committed files in ``data/sample/`` byte
for byte; ``python -m ilp_core.data.sample --out DIR --incidents 1000000`` writes a large
set for benchmarks. ``data/sample/README.md`` documents every file and every planted
pattern; ``planted.json`` holds the same ground truth for tests.

:func:`generate` returns a :class:`SampleRegion` (incidents, districts, patrol
allocation, planted truth); :func:`write` writes it; :func:`main` is the command line.
Behind them:

==================  ==============================================================
``_spec.py``        the planted patterns as constants: period, offence table,
                    rhythms, seasons, trends, districts, hot spots, premises pools,
                    near-repeat parameters
``_city.py``        outline and districts, premises pools, placing each incident
                    (background spread, hot spots, premises)
``_time.py``        day table, weekday-by-hour rhythms, trend rates, sampled times,
                    from/to windows
``_burglary.py``    residential burglary as a self-exciting near-repeat process
``_generate.py``    :func:`generate`, the finished incident table, the allocation and
                    the planted ground truth
``_write.py``       :func:`write` (file formats, byte for byte) and :func:`main`
==================  ==============================================================
"""

from ilp_core.data.dataset import SAMPLE_DIR
from ilp_core.data.sample._generate import SampleRegion, generate
from ilp_core.data.sample._spec import (
    CENTRE_LAT,
    CENTRE_LON,
    CITY_NAME,
    CRS,
    CSV_COLUMNS,
    DEFAULT_INCIDENTS,
    FILES,
    MAX_INCIDENTS,
    MIN_INCIDENTS,
    MISSING_COORDINATES_SHARE,
    PATROL_HOURS_PER_WEEK,
    PERIOD_END,
    PERIOD_START,
    POPULATION_TOTAL,
    SEED,
)
from ilp_core.data.sample._write import main, write

__all__ = [
    "CENTRE_LAT",
    "CENTRE_LON",
    "CITY_NAME",
    "CRS",
    "CSV_COLUMNS",
    "DEFAULT_INCIDENTS",
    "FILES",
    "MAX_INCIDENTS",
    "MIN_INCIDENTS",
    "MISSING_COORDINATES_SHARE",
    "PATROL_HOURS_PER_WEEK",
    "PERIOD_END",
    "PERIOD_START",
    "POPULATION_TOTAL",
    "SAMPLE_DIR",  # defined in ilp_core.data.dataset; the default folder of main()
    "SEED",
    "SampleRegion",
    "generate",
    "main",
    "write",
]
