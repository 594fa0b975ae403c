"""The configuration file of a learning tool (workshop, room): read, bounded, with its steps."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from ilp_core import checks
from ilp_core.errors import IlpInputError


def steps_document(
    path: str | Path | None, bundled: str, broken: Callable[[str], IlpInputError]
) -> Mapping[str, Any]:
    """Read ``path`` (or ``ilp_core/config/<bundled>``) as a mapping with a list of steps.

    The file is parsed within the document limits (:func:`ilp_core.checks.json_document`:
    no 1,000-deep nesting); anything wrong is ``broken(reason)``.
    """
    if path is None:
        text = (resources.files("ilp_core") / "config" / bundled).read_text("utf-8")
    else:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise broken(str(error)) from None
    try:
        data = checks.json_document(text, yaml_too=True)
    except IlpInputError:
        raise
    except ValueError as error:
        raise broken(str(error)) from None
    if not isinstance(data, Mapping) or not isinstance(data.get("steps"), list):
        raise broken("steps: a list of steps is missing")
    return data


def check_step_ids(ids: Sequence[str], broken: Callable[[str], IlpInputError]) -> None:
    """Refuse a configuration without steps or with two steps of one id."""
    if not ids or len(set(ids)) != len(ids):
        raise broken(f"step ids must be present and different: {list(ids)}")
