"""The session's work as one plain object: what the products are built from, and its JSON file.

A :class:`Workspace` holds, as plain JSON values, everything an analyst builds in
a session that reaches a product: the view (period and offence filter), the
Where page's grid cell and FDR setting, the priority assessment
(:class:`_priority.Assessment` as its JSON dict), the near-repeat test's
settings, the allocation scenario (:class:`ilp_core.decide.allocation.Scenario`,
today's hours included), the five product tables (intelligence log,
requirements, control strategy, PESTEL, SWOT), the workshop answers and the
personal-data actions taken at upload, stamped with the format and app versions
and the data's fingerprint (:attr:`ilp_core.data.dataset.Dataset.fingerprint`).
It holds settings, never results: the report
(:func:`ilp_core.products.report.build_report`) computes every result again from
the dataset and the workspace, so a saved session gives the same report.

Loading checks the file (a broken, foreign or newer file is refused with a message
that says which) and compares the fingerprint: a session saved on other data
still loads, with a warning, as a saved priority assessment does.

The file is plain UTF-8 JSON (dates as ``YYYY-MM-DD``, lists as lists); text is
stored exactly as entered (a formula-like ``=1+1`` stays text: only CSV/Excel
downloads need neutralising). Files of format 1 (before the view, the Where
settings, the near-repeat test and today's hours were saved) still load: the
view is then all the data, the other parts their pages' defaults, and the
allocation scenario is recomputed without today's hours.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any, Final

import pandas as pd

import ilp_core
from ilp_core import checks
from ilp_core.decide import allocation as _allocation
from ilp_core.decide import priorities as _priority
from ilp_core.errors import IlpInputError, Message
from ilp_core.products import intelligence
from ilp_core.products import strategy as _strategy

FORMAT_NAME: Final[str] = "ilp-workspace"
#: Version of the workspace format (a newer file is refused with a clear message).
FORMAT_VERSION: Final[int] = 2
#: The five product tables: workspace attribute -> session key of the app.
TABLES: Final[dict[str, str]] = {
    "intel_log": "ilp.intel_log",
    "requirements": "ilp.requirements",
    "strategy": "ilp.strategy",
    "pestel": "ilp.pestel",
    "swot": "ilp.swot",
}
#: Settings of the near-repeat test a workspace may hold besides ``offences``: the
#: keyword arguments of :func:`ilp_core.analysis.near_repeat.knox_test`.
KNOX_SETTINGS: Final[tuple[str, ...]] = (
    "spatial_bandwidth",
    "spatial_bands",
    "temporal_bandwidth",
    "temporal_bands",
    "metric",
    "same_location",
    "permutations",
    "seed",
)
_PRIORITY_FORMAT: Final[str] = "ilp-priority-assessment"
_VIEW_KEYS: Final[tuple[str, ...]] = ("start", "end", "offences")
_WHERE_KEYS: Final[tuple[str, ...]] = ("cell_size", "fdr")


def _all_data() -> dict[str, Any]:
    return {"start": None, "end": None, "offences": []}


def _where_defaults() -> dict[str, Any]:
    return {"cell_size": None, "fdr": True}


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
    """The session's work: what the report, the PDF and the saved session are built from.

    Attributes
    ----------
    format_version
        The format of the file it was read from (:data:`FORMAT_VERSION` for a
        new one); saving always writes the current format.
    app_version
        ``ilp_core.__version__`` that saved it.
    fingerprint
        The data's fingerprint when saved.
    dataset
        The data's name (for people; the fingerprint is what is checked).
    saved_at
        When it was saved (ISO 8601, local time of the server), or empty.
    view
        The data worked on: ``start`` and ``end`` (``YYYY-MM-DD``, or None for
        no limit) and ``offences`` (the offence types chosen; empty: all).
    where
        The Where page's hot-spot settings: ``cell_size`` (metres; None:
        automatic) and ``fdr`` (the false discovery rate correction).
    priority
        ``priority.Assessment.to_dict()``, or None (the default preset was used).
    near_repeat
        The near-repeat test run: ``offences`` and any of :data:`KNOX_SETTINGS`;
        None for the report's default (the burglaries, the test's defaults).
    allocation
        The allocation scenario
        (:meth:`ilp_core.decide.allocation.Scenario.to_dict`), or None for the
        Allocation page's defaults.
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
    view: Mapping[str, Any] = field(default_factory=_all_data)
    where: Mapping[str, Any] = field(default_factory=_where_defaults)
    priority: Mapping[str, Any] | None = None
    near_repeat: Mapping[str, Any] | None = None
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

    def scenario(self) -> _allocation.Scenario | None:
        """Return the allocation scenario as an object, or None."""
        if self.allocation is None:
            return None
        return _allocation.Scenario.from_dict(self.allocation)

    def period(self) -> tuple[dt.date | None, dt.date | None]:
        """Return the first and last day of the view (None: no limit on that side)."""
        start, end = self.view.get("start"), self.view.get("end")
        return (
            None if start is None else dt.date.fromisoformat(start),
            None if end is None else dt.date.fromisoformat(end),
        )

    def offences(self) -> tuple[str, ...]:
        """Return the offence types of the view (empty: all)."""
        return tuple(self.view.get("offences") or ())

    def to_dict(self) -> dict[str, Any]:
        """Return the workspace as plain JSON values (in the current format)."""
        return {
            "format": FORMAT_NAME,
            "version": FORMAT_VERSION,
            "app_version": self.app_version,
            "fingerprint": self.fingerprint,
            "dataset": self.dataset,
            "saved_at": self.saved_at,
            "view": dict(self.view),
            "where": dict(self.where),
            "priority": None if self.priority is None else dict(self.priority),
            "near_repeat": None if self.near_repeat is None else dict(self.near_repeat),
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
    view: Mapping[str, Any] | None = None,
    where: Mapping[str, Any] | None = None,
    priority: _priority.Assessment | Mapping[str, Any] | None = None,
    near_repeat: Mapping[str, Any] | None = None,
    allocation: _allocation.Scenario | Mapping[str, Any] | None = None,
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
    view
        ``start`` and ``end`` (dates, ISO text or None) and ``offences``; None:
        all the data.
    where
        ``cell_size`` (metres or None) and ``fdr`` (bool); None: the defaults
        (automatic cell, FDR on).
    priority
        The priority assessment (object or its ``to_dict()``), or None.
    near_repeat
        ``offences`` (at least one) and any of :data:`KNOX_SETTINGS`, or None.
    allocation
        The allocation scenario (object or its ``to_dict()``), or None.
    workshop
        A plain dict of JSON values, or None.
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
        ``strategy.workspace_broken`` (a view, Where or near-repeat part of the
        wrong shape, named), ``checks.*`` errors of a bad setting (a cell size,
        an allocation setting), and ``priority.*`` errors of a bad assessment.

    Examples
    --------
    >>> log = intelligence.add_item(
    ...     intelligence.empty_log(), date="2025-06-01", summary='<script>"x"</script>',
    ...     source="B", information="2", handling="H0")
    >>> w = make_workspace(fingerprint="f", intel_log=log, view={"start": dt.date(2025, 1, 1)})
    >>> from_json(w.to_json(), fingerprint="f").workspace.intel_log.loc[0, "summary"]
    '<script>"x"</script>'
    >>> w.view, w.period()
    ({'start': '2025-01-01', 'end': None, 'offences': []}, (datetime.date(2025, 1, 1), None))
    """
    if isinstance(priority, _priority.Assessment):
        spec: dict[str, Any] | None = priority.to_dict()
    else:
        spec = _json_dict("priority", priority)
    if spec is not None:
        _priority.load_assessment(json.dumps(spec))  # refuses a broken assessment
    scenario = allocation
    if allocation is not None and not isinstance(allocation, _allocation.Scenario):
        try:
            scenario = _allocation.Scenario.from_dict(_json_dict("allocation", allocation) or {})
        except TypeError:  # today's hours that are not a table of area -> hours
            raise IlpInputError("strategy.workspace_broken", part="allocation") from None
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
        view=_check_view(view),
        where=_check_where(where),
        priority=spec,
        near_repeat=_check_near_repeat(near_repeat),
        allocation=None if scenario is None else scenario.to_dict(),
        workshop=_json_dict("workshop", workshop),
        privacy_actions=tuple(str(a) for a in privacy_actions),
        **checked,
    )


def _check_view(view: Mapping[str, Any] | None) -> dict[str, Any]:
    """The view as ISO dates (or None) and a list of offence types."""
    if view is None:
        return _all_data()
    if not isinstance(view, Mapping) or not set(view) <= set(_VIEW_KEYS):
        raise IlpInputError("strategy.workspace_broken", part="view")
    offences = view.get("offences") or []
    if not isinstance(offences, list | tuple) or not all(isinstance(o, str) for o in offences):
        raise IlpInputError("strategy.workspace_broken", part="view")
    return {
        "start": _iso_day(view.get("start")),
        "end": _iso_day(view.get("end")),
        "offences": list(offences),
    }


def _iso_day(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return dt.date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise IlpInputError("strategy.workspace_broken", part="view") from None


def _check_where(where: Mapping[str, Any] | None) -> dict[str, Any]:
    """The hot-spot settings: a cell size in metres (None: automatic) and the FDR flag."""
    out = _where_defaults()
    if where is None:
        return out
    if not isinstance(where, Mapping) or not set(where) <= set(_WHERE_KEYS):
        raise IlpInputError("strategy.workspace_broken", part="where")
    out.update(where)
    cell = out["cell_size"]
    out["cell_size"] = None if cell is None else checks.positive("cell_size", cell)
    out["fdr"] = checks.flag("fdr", out["fdr"])
    return out


def _check_near_repeat(settings: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The near-repeat test's offences (at least one) and settings (checked when it runs)."""
    if settings is None:
        return None
    if not isinstance(settings, Mapping) or not set(settings) <= {"offences", *KNOX_SETTINGS}:
        raise IlpInputError("strategy.workspace_broken", part="near_repeat")
    offences = settings.get("offences")
    if (
        not isinstance(offences, list | tuple)
        or not offences
        or not all(isinstance(o, str) for o in offences)
    ):
        raise IlpInputError("strategy.workspace_broken", part="near_repeat")
    return _json_dict("near_repeat", {**settings, "offences": list(offences)})


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
        data = checks.json_document(source)  # bounded: size, depth, number of values
    except IlpInputError:
        raise
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
        for part in ("view", "where", "priority", "near_repeat", "allocation", "workshop"):
            if data.get(part) is not None and not isinstance(data.get(part), Mapping):
                raise TypeError(part)
        part = "allocation"
        allocation = data.get("allocation")
        if version == 1 and allocation is not None:
            allocation = _scenario_of_version_1(allocation)
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
        view=data.get("view"),
        where=data.get("where"),
        priority=data.get("priority"),
        near_repeat=data.get("near_repeat"),
        allocation=allocation,
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


def _scenario_of_version_1(settings: Mapping[str, Any]) -> dict[str, Any]:
    """A format-1 allocation (the page's settings and ``allocate``'s) as a scenario.

    Format 1 did not save today's hours: the scenario is recomputed without them.
    """
    names = {f.name for f in fields(_allocation.Scenario)}
    known = {k: v for k, v in settings.items() if k in names}
    try:
        return _allocation.Scenario.from_dict(known).to_dict()
    except IlpInputError:
        raise IlpInputError("strategy.workspace_broken", part="allocation") from None


def _with_versions(w: Workspace, version: int, app_version: str) -> Workspace:
    return replace(w, format_version=version, app_version=app_version)
