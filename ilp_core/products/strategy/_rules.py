"""The thresholds of the control-strategy rules, read from ``ilp_core/config/strategy.yaml``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Final

import yaml

from ilp_core import _yaml
from ilp_core.errors import IlpInputError

#: The blocks of ``strategy.yaml``, each a field of :class:`Rules`.
_BLOCKS: Final[tuple[str, ...]] = (
    "hotspots",
    "near_repeat",
    "repeat_locations",
    "seasonality",
    "trend",
    "position",
    "requirements",
)


@dataclass(frozen=True)
class Rules:
    """The thresholds of ``strategy.yaml`` (see that file for what each one means)."""

    hotspots: Mapping[str, Any]
    near_repeat: Mapping[str, Any]
    repeat_locations: Mapping[str, Any]
    seasonality: Mapping[str, Any]
    trend: Mapping[str, Any]
    position: Mapping[str, Any]
    requirements: Mapping[str, Any]


def rules(path: str | Path | None = None) -> Rules:
    """Return the rules' thresholds (the bundled ``strategy.yaml`` by default).

    A national trainer adapts the suggestions and drafts to local practice by
    editing that file, without a programmer.

    Parameters
    ----------
    path
        Another settings file of the same layout (default: the bundled one).

    Returns
    -------
    Rules

    Raises
    ------
    IlpInputError
        ``strategy.config_broken`` naming the part missing.

    Examples
    --------
    >>> rules().near_repeat["distance_m"], rules().near_repeat["days"]
    (200, 14)
    """
    if path is None:
        return _bundled_rules()
    return _parse_rules(Path(path).read_text(encoding="utf-8"))


@cache
def _bundled_rules() -> Rules:
    text = (resources.files("ilp_core") / "config" / "strategy.yaml").read_text(encoding="utf-8")
    return _parse_rules(text)


def _parse_rules(text: str) -> Rules:
    part = "yaml"
    try:
        data = _yaml.load(text)
        blocks = {}
        for part in _BLOCKS:
            block = data[part]
            if not isinstance(block, Mapping):
                raise TypeError(part)
            blocks[part] = dict(block)
    except (KeyError, TypeError, AttributeError, yaml.YAMLError):
        raise IlpInputError("strategy.config_broken", part=part) from None
    return Rules(**blocks)
