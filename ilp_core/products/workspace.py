"""The whole assessment session in one JSON file: save it, load it back next week or quarter.

A :class:`Workspace` holds what an analyst builds in a session: the priority
assessment (:class:`_priority.Assessment` as its JSON dict), the
allocation scenario's settings, the five product tables (intelligence log,
requirements, control strategy, PESTEL, SWOT), the workshop answers and the
personal-data actions taken at upload, stamped with the format and app versions
and the data's fingerprint (:attr:`ilp_core.data.dataset.Dataset.fingerprint`).

Loading checks the file (a broken, foreign or newer file is refused with a message
that says which) and compares the fingerprint: a session saved on other data
still loads, with a warning, as a saved priority assessment does.

The file is plain UTF-8 JSON (dates as ``YYYY-MM-DD``, lists as lists); text is
stored exactly as entered (a formula-like ``=1+1`` stays text: only CSV/Excel
downloads need neutralising).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Final

import pandas as pd

import ilp_core
from ilp_core.decide import priorities as _priority
from ilp_core.errors import IlpInputError, Message
from ilp_core.products import intelligence
from ilp_core.products import strategy as _strategy

FORMAT_NAME: Final[str] = "ilp-workspace"
#: Version of the workspace format (a newer file is refused with a clear message).
FORMAT_VERSION: Final[int] = 1
#: The five product tables: workspace attribute -> session key of the app.
TABLES: Final[dict[str, str]] = {
    "intel_log": "ilp.intel_log",
    "requirements": "ilp.requirements",
    "strategy": "ilp.strategy",
    "pestel": "ilp.pestel",
    "swot": "ilp.swot",
}
_PRIORITY_FORMAT: Final[str] = "ilp-priority-assessment"


def _empty(name: str) -> pd.DataFrame:
    return {
        "intel_log": intelligence.empty_log,
        "requirements": _strategy.empty_requirements,
        "strategy": _strategy.empty_strategy,
        "pestel": _strategy.empty_pestel,
        "swot": _strategy.empty_swot,
    }[name]()


def _check_table(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    if name == "intel_log":
        check = intelligence.validate_log(frame)
        if len(check.rejects):
            first = check.rejects.iloc[0]
            raise IlpInputError(
                "strategy.workspace_bad_log",
                rows=(int(first["row_number"]),),
                row=int(first["row_number"]),
                reason=first["message"].render(),
            )
        return check.log
    checker = {
        "requirements": _strategy.check_requirements,
        "strategy": _strategy.check_strategy,
        "pestel": _strategy.check_pestel,
        "swot": _strategy.check_swot,
    }[name]
    return checker(frame)


@dataclass(frozen=True, eq=False)
class Workspace:
    """One assessment session, ready to save as JSON.

    Attributes
    ----------
    format_version
        :data:`FORMAT_VERSION` of the file.
    app_version
        ``ilp_core.__version__`` that saved it.
    fingerprint
        The data's fingerprint when saved.
    dataset
        The data's name (for people; the fingerprint is what is checked).
    saved_at
        When it was saved (ISO 8601, local time of the server), or empty.
    priority
        ``priority.Assessment.to_dict()``, or None (the default preset was used).
    allocation
        The allocation scenario's settings (plain JSON values), or None.
    intel_log, requirements, strategy, pestel, swot
        The product tables (:data:`ilp_core.products.intelligence.LOG_COLUMNS`,
        :data:`ilp_core.products.strategy.REQUIREMENT_COLUMNS` ...), checked.
    workshop
        The workshop answers (plain JSON values), or None.
    privacy_actions
        Personal-data actions taken at upload (``privacy.ProtectedFrame.codes``).
    """

    fingerprint: str
    dataset: str = ""
    saved_at: str = ""
    priority: Mapping[str, Any] | None = None
    allocation: Mapping[str, Any] | None = None
    intel_log: pd.DataFrame = field(default_factory=intelligence.empty_log)
    requirements: pd.DataFrame = field(default_factory=_strategy.empty_requirements)
    strategy: pd.DataFrame = field(default_factory=_strategy.empty_strategy)
    pestel: pd.DataFrame = field(default_factory=_strategy.empty_pestel)
    swot: pd.DataFrame = field(default_factory=_strategy.empty_swot)
    workshop: Mapping[str, Any] | None = None
    privacy_actions: tuple[str, ...] = ()
    format_version: int = FORMAT_VERSION
    app_version: str = ilp_core.__version__

    def assessment(self) -> _priority.Assessment | None:
        """Return the priority assessment as an object, or None."""
        if self.priority is None:
            return None
        return _priority.load_assessment(json.dumps(dict(self.priority))).assessment

    def to_dict(self) -> dict[str, Any]:
        """Return the workspace as plain JSON values."""
        return {
            "format": FORMAT_NAME,
            "version": self.format_version,
            "app_version": self.app_version,
            "fingerprint": self.fingerprint,
            "dataset": self.dataset,
            "saved_at": self.saved_at,
            "priority": None if self.priority is None else dict(self.priority),
            "allocation": None if self.allocation is None else dict(self.allocation),
            "tables": {name: _records(getattr(self, name)) for name in TABLES},
            "workshop": None if self.workshop is None else dict(self.workshop),
            "privacy_actions": list(self.privacy_actions),
        }

    def to_json(self) -> str:
        """Return the workspace as indented UTF-8 JSON text.

        Examples
        --------
        >>> w = make_workspace(fingerprint="abc123", dataset="Sample")
        >>> loaded = from_json(w.to_json(), fingerprint="abc123")
        >>> loaded.same_data, loaded.workspace.dataset, len(loaded.workspace.intel_log)
        (True, 'Sample', 0)
        """
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    rows = []
    for record in frame.to_dict(orient="records"):
        rows.append({k: _plain(v) for k, v in record.items()})
    return rows


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "tolist"):  # numpy scalars and arrays
        return _plain(value.tolist())
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if pd.isna(value):
        return None
    return str(value)


def _json_dict(part: str, value: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if value is None:
        return None
    try:
        return json.loads(json.dumps(dict(value), ensure_ascii=False, allow_nan=False))
    except (TypeError, ValueError):
        raise IlpInputError("strategy.workspace_not_json", part=part) from None


def make_workspace(
    *,
    fingerprint: str,
    dataset: str = "",
    saved_at: str = "",
    priority: _priority.Assessment | Mapping[str, Any] | None = None,
    allocation: Mapping[str, Any] | None = None,
    intel_log: pd.DataFrame | None = None,
    requirements: pd.DataFrame | None = None,
    strategy: pd.DataFrame | None = None,
    pestel: pd.DataFrame | None = None,
    swot: pd.DataFrame | None = None,
    workshop: Mapping[str, Any] | None = None,
    privacy_actions: Sequence[str] = (),
) -> Workspace:
    """Collect a session into a :class:`Workspace`, every part checked.

    Parameters
    ----------
    fingerprint, dataset
        The data's fingerprint and name.
    saved_at
        A time stamp to record (ISO text), or empty.
    priority
        The priority assessment (object or its ``to_dict()``), or None.
    allocation, workshop
        Plain dicts of JSON values, or None.
    intel_log, requirements, strategy, pestel, swot
        The product tables (None: empty).
    privacy_actions
        ``privacy.ProtectedFrame.codes`` of the upload.

    Returns
    -------
    Workspace

    Raises
    ------
    IlpInputError
        ``strategy.workspace_bad_log`` (a log row that would be rejected), the
        table checks' errors (``strategy.bad_option`` ...),
        ``strategy.workspace_not_json`` (settings that are not plain JSON values),
        and ``priority.*`` errors of a bad assessment.

    Examples
    --------
    >>> log = intelligence.add_item(
    ...     intelligence.empty_log(), date="2025-06-01", summary='<script>"x"</script>',
    ...     source="B", information="2", handling="H0")
    >>> w = make_workspace(fingerprint="f", intel_log=log)
    >>> from_json(w.to_json(), fingerprint="f").workspace.intel_log.loc[0, "summary"]
    '<script>"x"</script>'
    """
    if isinstance(priority, _priority.Assessment):
        spec: dict[str, Any] | None = priority.to_dict()
    else:
        spec = _json_dict("priority", priority)
    if spec is not None:
        _priority.load_assessment(json.dumps(spec))  # refuses a broken assessment
    tables = {
        "intel_log": intel_log,
        "requirements": requirements,
        "strategy": strategy,
        "pestel": pestel,
        "swot": swot,
    }
    checked = {
        name: _empty(name) if frame is None else _check_table(name, frame)
        for name, frame in tables.items()
    }
    return Workspace(
        fingerprint=str(fingerprint),
        dataset=str(dataset),
        saved_at=str(saved_at),
        priority=spec,
        allocation=_json_dict("allocation", allocation),
        workshop=_json_dict("workshop", workshop),
        privacy_actions=tuple(str(a) for a in privacy_actions),
        **checked,
    )


@dataclass(frozen=True)
class LoadedWorkspace:
    """A workspace read back from a file, and whether it fits the current data.

    Attributes
    ----------
    workspace
        What was read.
    same_data
        False when the file was saved on other data (fingerprints differ): every
        part still loads, but the analyses behind it will differ.
    warnings
        Messages for the user (``strategy.workspace_other_data``,
        ``strategy.workspace_older_app``).
    """

    workspace: Workspace
    same_data: bool
    warnings: tuple[Message, ...]


def from_json(source: str | bytes, *, fingerprint: str | None = None) -> LoadedWorkspace:
    """Read a saved workspace and check it against the current data.

    Parameters
    ----------
    source
        The file's content (text or UTF-8 bytes).
    fingerprint
        The current data's fingerprint (None: not compared).

    Returns
    -------
    LoadedWorkspace

    Raises
    ------
    IlpInputError
        ``strategy.workspace_broken`` (not JSON, or a part missing or of the
        wrong type: the part is named), ``strategy.workspace_foreign`` (another
        kind of file, e.g. a priority assessment saved on the Priorities page),
        ``strategy.workspace_version`` (saved by a newer version), or the error
        of a table row or an assessment that does not pass its checks.

    Examples
    --------
    >>> try:
    ...     from_json('{"format": "ilp-workspace", "version": 99}')
    ... except IlpInputError as error:
    ...     print(error.message.key, error.message.params["version"])
    strategy.workspace_version 99
    """
    if isinstance(source, bytes | bytearray):
        try:
            source = bytes(source).decode("utf-8-sig")
        except UnicodeDecodeError:
            raise IlpInputError("strategy.workspace_broken", part="UTF-8") from None
    try:
        data = json.loads(source)
    except ValueError:
        raise IlpInputError("strategy.workspace_broken", part="JSON") from None
    if not isinstance(data, Mapping):
        raise IlpInputError("strategy.workspace_broken", part="format")
    kind = data.get("format")
    if kind == _PRIORITY_FORMAT:
        raise IlpInputError("strategy.workspace_foreign_priority")
    if kind != FORMAT_NAME:
        raise IlpInputError("strategy.workspace_foreign", kind=str(kind) if kind else "-")
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise IlpInputError("strategy.workspace_broken", part="version")
    if version > FORMAT_VERSION:
        raise IlpInputError("strategy.workspace_version", version=version, supported=FORMAT_VERSION)
    part = "tables"
    try:
        tables_raw = data.get("tables")
        tables_raw = {} if tables_raw is None else tables_raw
        if not isinstance(tables_raw, Mapping):
            raise TypeError(part)
        tables: dict[str, pd.DataFrame] = {}
        for name in TABLES:
            part = name
            rows = tables_raw.get(name)
            rows = [] if rows is None else rows
            if not isinstance(rows, list) or not all(isinstance(r, Mapping) for r in rows):
                raise TypeError(part)
            columns = list(_empty(name).columns)
            tables[name] = pd.DataFrame(
                {c: [r.get(c) for r in rows] for c in columns}, columns=columns
            )
        for part in ("priority", "allocation", "workshop"):
            if data.get(part) is not None and not isinstance(data.get(part), Mapping):
                raise TypeError(part)
        part = "privacy_actions"
        actions = data.get("privacy_actions")
        actions = [] if actions is None else actions
        if not isinstance(actions, list):
            raise TypeError(part)
        part = "fingerprint"
        saved_fp = data.get("fingerprint", "")
        if not isinstance(saved_fp, str):
            raise TypeError(part)
    except (TypeError, ValueError, AttributeError):
        raise IlpInputError("strategy.workspace_broken", part=part) from None
    workspace = make_workspace(
        fingerprint=saved_fp,
        dataset=str(data.get("dataset", "")),
        saved_at=str(data.get("saved_at", "")),
        priority=data.get("priority"),
        allocation=data.get("allocation"),
        workshop=data.get("workshop"),
        privacy_actions=[str(a) for a in actions],
        **tables,
    )
    workspace = _with_versions(workspace, version, str(data.get("app_version", "")))
    same = fingerprint is None or saved_fp == fingerprint
    warnings: list[Message] = []
    if not same:
        warnings.append(
            Message(
                "strategy.workspace_other_data",
                {
                    "saved": saved_fp or "-",
                    "current": fingerprint,
                    "dataset": workspace.dataset or "-",
                },
            )
        )
    if workspace.app_version and workspace.app_version != ilp_core.__version__:
        warnings.append(
            Message(
                "strategy.workspace_other_app",
                {"saved": workspace.app_version, "current": ilp_core.__version__},
            )
        )
    return LoadedWorkspace(workspace=workspace, same_data=same, warnings=tuple(warnings))


def _with_versions(w: Workspace, version: int, app_version: str) -> Workspace:
    return replace(w, format_version=version, app_version=app_version)
