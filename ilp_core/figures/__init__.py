"""Figures: the charts (plotly) and maps (folium) of each step, built from result tables.

One module per step of the navigation, so a page finds its figures by its own name:

``maps``         the map toolkit every map uses: offline Leaflet, optional agency
                 tiles, escaped text, legends, choropleths, aggregate layers
``where``        hot-spot and change maps, the Lorenz curve (Where, Concentration)
``when``         hour x weekday, weekly series with control limits, seasonality,
                 period comparison (When)
``near_repeat``  the Knox heat map (Near repeat)
``outlook``      forecast chart and tables, emerging clusters map and table,
                 emerging offences (Outlook)
``priorities``   risk matrix, score decomposition, count vs harm, rank stability
``allocation``   coverage curve, hours per area, scenarios; change and patrol maps

Figures take results (dataclasses and tables of :mod:`ilp_core.analysis` and
:mod:`ilp_core.decide`) and a language, and return a ``plotly`` figure or a
``folium`` map; they never compute a statistic. Colours come from ColorBrewer and
viridis scales that survive colour-blindness and a projector. Text from data in a
chart (offence and district names in categories, legends, hover texts) is inert:
every ``<`` that does not open plotly's formatting is escaped, so no name becomes a
link.
"""

from ilp_core.figures import allocation, maps, near_repeat, outlook, priorities, when, where

__all__ = ["allocation", "maps", "near_repeat", "outlook", "priorities", "when", "where"]
