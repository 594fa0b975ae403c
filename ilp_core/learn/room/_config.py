"""The room's steps as data: ``ilp_core/config/room.yaml`` read into a :class:`RoomConfig`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final, Literal, get_args

from ilp_core.errors import IlpInputError
from ilp_core.learn._document import check_step_ids, steps_document

StepKind = Literal["ranking", "weights", "choice", "text"]
STEP_KINDS: Final[tuple[str, ...]] = get_args(StepKind)
#: Keys of a participant's answer body, per kind of step.
ANSWER_KEYS: Final[Mapping[str, str]] = {
    "ranking": "ranking",
    "weights": "weights",
    "choice": "choice",
    "text": "text",
}
#: Longest free answer kept (characters).
TEXT_LENGTH: Final[int] = 500


@dataclass(frozen=True)
class RoomStep:
    """One step of a room: its id, kind and, for a choice, the options."""

    id: str
    kind: str
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class RoomConfig:
    """The room's steps, the problems ranked, the criteria weighed and the refresh rate.

    Examples
    --------
    >>> c = room_config()
    >>> [s.id for s in c.steps], c.refresh_seconds, c.criteria[:2]
    (['ranking', 'weights', 'allocation', 'lesson', 'next_step'], 2.0, ('volume', 'trend'))
    """

    steps: tuple[RoomStep, ...]
    problems: tuple[str, ...] = ()
    criteria: tuple[str, ...] = ()
    max_weight: int = 5
    refresh_seconds: float = 2.0

    def step(self, step_id: str) -> RoomStep:
        """The step with ``step_id`` (``room.bad_step`` when there is none)."""
        for s in self.steps:
            if s.id == step_id:
                return s
        raise IlpInputError("room.bad_step", step=str(step_id)[:64])


def room_config(path: str | Path | None = None) -> RoomConfig:
    """Read the room's configuration (the bundled ``room.yaml`` when ``path`` is None).

    Raises
    ------
    IlpInputError
        ``room.config_broken`` naming what is wrong (a step without an id, an unknown
        kind, a choice without options, two steps with one id).
    """
    if path is None:
        return _bundled()
    return _parse(steps_document(path, "room.yaml", _broken))


@cache
def _bundled() -> RoomConfig:
    return _parse(steps_document(None, "room.yaml", _broken))


def _broken(reason: str) -> IlpInputError:
    return IlpInputError("room.config_broken", reason=reason)


def _parse(data: Mapping[str, Any]) -> RoomConfig:
    try:
        steps = tuple(_step(entry) for entry in data["steps"])
        problems = tuple(str(p) for p in data.get("problems") or ())
        criteria = tuple(str(c) for c in data.get("criteria") or ())
        max_weight = int(data.get("max_weight", 5))
        refresh = float(data.get("refresh_seconds", 2))
    except (TypeError, ValueError, OverflowError) as error:
        raise _broken(f"a value of the wrong type: {error}") from None
    check_step_ids([s.id for s in steps], _broken)
    if not 1 <= max_weight <= 100 or not 0.5 <= refresh <= 60:
        raise _broken("max_weight must be 1-100 and refresh_seconds 0.5-60")
    if any(s.kind == "weights" for s in steps) and not criteria:
        raise _broken("a weights step needs criteria")
    return RoomConfig(steps, problems, criteria, max_weight, refresh)


def _step(entry: Any) -> RoomStep:
    if not isinstance(entry, Mapping) or not str(entry.get("id") or "").strip():
        raise _broken(f"a step without an id: {entry!r}"[:200])
    sid, kind = str(entry["id"]).strip(), str(entry.get("kind", ""))
    if kind not in STEP_KINDS:
        raise _broken(f"step {sid}: kind {kind!r} is not one of {', '.join(STEP_KINDS)}")
    options = tuple(str(o) for o in entry.get("options") or ())
    if kind == "choice" and not options:
        raise _broken(f"step {sid}: a choice needs options")
    if len(sid) > 64:
        raise _broken(f"step {sid[:64]}...: an id has at most 64 characters")
    return RoomStep(sid, kind, options)
