"""The assessment: save the whole configuration to JSON or YAML and load it back next quarter.

An :class:`Assessment` holds the method and weights, the entered values, the harm
table, the problems and the stability settings, with the fingerprint of the data
assessed; :func:`make_assessment` collects and checks them, :func:`load_assessment`
reads a saved file and says whether it was saved on the data now loaded.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal

import numpy as np
import pandas as pd
import yaml

from ilp_core import checks
from ilp_core.decide import harm
from ilp_core.decide.priorities._entered import ENTERED_COLUMNS, _entered_arrays, _is_blank
from ilp_core.decide.priorities._problem_data import PROBLEM_LEVELS, ProblemLevel
from ilp_core.decide.priorities._settings import Scheme, Settings, _scheme_from_dict, settings
from ilp_core.errors import IlpInputError, Message

ConfigFormat = Literal["json", "yaml"]

#: Version of the saved-assessment format.
ASSESSMENT_VERSION: Final[int] = 1
#: Largest top k a saved assessment may hold (the problems are not known when saving).
_MAX_TOP_K: Final[int] = 10_000
_FORMAT_NAME: Final[str] = "ilp-priority-assessment"


@dataclass(frozen=True)
class Assessment:
    """Everything needed to reproduce a priority assessment next quarter.

    Attributes
    ----------
    scheme
        Method, weights and parameters.
    entered
        Entered values as ``(problem, criterion, value, confidence)`` tuples.
    harm_weights
        ``{offence: days}`` used for harm.
    default_harm_days
        Days given to offences without a weight.
    harm_default_confirmed
        Whether the user confirmed that default.
    by
        Problem level: ``"offence"`` or ``"offence_district"``.
    custom
        Analyst-defined problems (``name``, ``offences``, ``districts``).
    top_k, draws, seed
        Settings of the stability analysis.
    fingerprint
        :attr:`ilp_core.data.dataset.Dataset.fingerprint` of the data assessed.
    dataset
        Name of the dataset (for people; the fingerprint is what is checked).
    """

    scheme: Scheme
    entered: tuple[tuple[str, str, float, str], ...] = ()
    harm_weights: Mapping[str, float] = field(default_factory=dict)
    default_harm_days: float = 2.5
    harm_default_confirmed: bool = False
    by: str = "offence"
    custom: tuple[Mapping[str, Any], ...] = ()
    top_k: int = 5
    draws: int = 1000
    seed: int = 20240601
    fingerprint: str = ""
    dataset: str = ""

    def entered_frame(self) -> pd.DataFrame:
        """Return the entered values as a table (see :data:`ENTERED_COLUMNS`)."""
        rows = list(self.entered)
        return pd.DataFrame(
            {
                "problem": pd.array([r[0] for r in rows], dtype="str"),
                "criterion": pd.array([r[1] for r in rows], dtype="str"),
                "value": np.array([r[2] for r in rows], dtype=float),
                "confidence": pd.array([r[3] for r in rows], dtype="str"),
            }
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the assessment as plain JSON-ready values."""
        return {
            "format": _FORMAT_NAME,
            "version": ASSESSMENT_VERSION,
            "fingerprint": self.fingerprint,
            "dataset": self.dataset,
            "scheme": self.scheme.to_dict(),
            "problems": {"by": self.by, "custom": [_plain(c) for c in self.custom]},
            "harm": {
                "weights": {str(k): float(v) for k, v in self.harm_weights.items()},
                "default_days": float(self.default_harm_days),
                "default_confirmed": bool(self.harm_default_confirmed),
            },
            "entered": [
                {"problem": p, "criterion": c, "value": float(v), "confidence": f}
                for p, c, v, f in self.entered
            ],
            "stability": {
                "top_k": int(self.top_k),
                "draws": int(self.draws),
                "seed": int(self.seed),
            },
        }

    def to_json(self) -> str:
        """Return the assessment as indented UTF-8 JSON."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n"

    def to_yaml(self) -> str:
        """Return the assessment as YAML (easier to read and edit by hand)."""
        return yaml.safe_dump(self.to_dict(), allow_unicode=True, sort_keys=False)


def _plain(spec: Mapping[str, Any]) -> dict[str, Any]:
    """An analyst-defined problem as plain JSON-ready values."""
    return {
        "name": str(spec.get("name", "")),
        "offences": [str(o) for o in spec.get("offences") or ()],
        "districts": [str(d) for d in spec.get("districts") or ()],
    }


def make_assessment(
    scheme: Scheme,
    entered: pd.DataFrame | None = None,
    *,
    harm_weights: Mapping[str, float] | None = None,
    default_harm_days: float | None = None,
    harm_default_confirmed: bool = False,
    by: ProblemLevel = "offence",
    custom: Sequence[Mapping[str, Any]] = (),
    top_k: int | None = None,
    draws: int | None = None,
    seed: int | None = None,
    fingerprint: str = "",
    dataset: str = "",
    cfg: Settings | None = None,
) -> Assessment:
    """Collect an assessment's settings, checked, so it can be saved.

    Parameters
    ----------
    scheme
        The method with its weights.
    entered
        Entered values (``problem``, ``criterion``, ``value``, ``confidence``).
    harm_weights
        ``{offence: days}``; ``None`` stores the bundled defaults of the sample
        region's offence types (:func:`ilp_core.decide.harm.harm_weights`).
    default_harm_days
        Days for offences without a weight (``None``: the table's default).
    harm_default_confirmed
        Whether the user confirmed that default.
    by, custom
        The problems (see :func:`problem_data`).
    top_k, draws, seed
        Stability settings (``None``: the defaults of the settings file).
    fingerprint, dataset
        The data's fingerprint and name.
    cfg
        Settings (default: the bundled file).

    Returns
    -------
    Assessment

    Raises
    ------
    IlpInputError
        As :func:`score` for entered values out of scale,
        ``priorities.bad_harm_weight``, ``checks.option`` for ``by``,
        ``checks.flag`` for ``harm_default_confirmed``, ``checks.whole`` for
        ``top_k`` (1 to 10,000), ``draws`` (100 to 100,000) or ``seed`` (0 to
        2**32 - 1).

    Examples
    --------
    >>> from ilp_core.decide.priorities import preset
    >>> a = make_assessment(preset("morile"), fingerprint="abc")
    >>> load_assessment(a.to_json(), fingerprint="abc").assessment == a
    True
    """
    cfg = cfg or settings()
    table = harm.harm_table()
    weights = harm.harm_weights() if harm_weights is None else harm.check_weights(harm_weights)
    default = table.unknown_offence_days if default_harm_days is None else default_harm_days
    default = harm.check_weights({"default_days": default})["default_days"]
    rows: list[tuple[str, str, float, str]] = []
    if entered is not None and len(entered):
        problems = list(dict.fromkeys(str(p) for p in entered["problem"]))
        keys = list(dict.fromkeys(str(k) for k in entered["criterion"]))
        bad = [k for k in keys if k not in cfg.criteria or cfg.criteria[k].kind != "entered"]
        if bad:
            raise IlpInputError(
                "priorities.unknown_criterion", criterion=bad[0], allowed=", ".join(cfg.entered)
            )
        _entered_arrays(entered, problems, keys, cfg)  # validates every row
        for p, c, v, f in zip(
            entered["problem"],
            entered["criterion"],
            entered["value"],
            entered["confidence"],
            strict=True,
        ):
            conf = cfg.default_confidence if _is_blank(f) else str(f)
            rows.append((str(p), str(c), float(v), conf))
    custom_plain = tuple(_plain(c) for c in custom)
    top_k = checks.whole(
        "top_k", cfg.top_k if top_k is None else top_k, minimum=1, maximum=_MAX_TOP_K
    )
    draws = checks.whole(
        "draws", cfg.draws if draws is None else draws, minimum=100, maximum=100_000
    )
    seed = checks.seed("seed", cfg.seed if seed is None else seed)
    return Assessment(
        scheme=_scheme_from_dict(scheme.to_dict(), cfg.criteria),
        entered=tuple(rows),
        harm_weights=weights,
        default_harm_days=float(default),
        harm_default_confirmed=checks.flag("harm_default_confirmed", harm_default_confirmed),
        by=str(checks.option("by", by, PROBLEM_LEVELS)),
        custom=custom_plain,
        top_k=top_k,
        draws=draws,
        seed=seed,
        fingerprint=str(fingerprint),
        dataset=str(dataset),
    )


def _part(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """A part of a saved file that must be a mapping (absent: empty); TypeError otherwise."""
    value = data.get(key)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise TypeError(f"{key} must be a mapping")
    return value


@dataclass(frozen=True)
class LoadedAssessment:
    """A configuration read back from a file, and whether it fits the current data.

    Attributes
    ----------
    assessment
        The settings read.
    same_data
        False when the file was saved on other data (fingerprints differ): the
        settings still load, but rankings will differ from the saved ones.
    warnings
        Messages for the user (``priorities.config_other_dataset``).
    """

    assessment: Assessment
    same_data: bool
    warnings: tuple[Message, ...]


def load_assessment(
    source: str | bytes,
    *,
    fingerprint: str | None = None,
    cfg: Settings | None = None,
) -> LoadedAssessment:
    """Read a saved assessment (JSON or YAML) and check it against the current data.

    Parameters
    ----------
    source
        The file's content.
    fingerprint
        The current data's fingerprint; a different saved one gives a warning
        (the settings are still returned).
    cfg
        Settings to check the criteria and scales against.

    Returns
    -------
    LoadedAssessment

    Raises
    ------
    IlpInputError
        ``priorities.config_broken`` (not a saved assessment, or a part missing or
        of the wrong type, named in the message), ``priorities.config_version``
        (saved by a newer version), or the specific error of a bad weight, an
        unknown criterion or a value out of its scale.

    Examples
    --------
    >>> from ilp_core.decide.priorities import preset
    >>> a = make_assessment(preset("risk_matrix"), fingerprint="abc")
    >>> loaded = load_assessment(a.to_yaml(), fingerprint="def")
    >>> loaded.same_data, [m.key for m in loaded.warnings]
    (False, ['priorities.config_other_dataset'])
    """
    cfg = cfg or settings()
    if isinstance(source, bytes | bytearray | memoryview):
        try:
            source = bytes(source).decode("utf-8-sig")
        except UnicodeDecodeError:
            raise IlpInputError("priorities.config_broken", reason="UTF-8") from None
    if not isinstance(source, str):
        raise IlpInputError("priorities.config_broken", reason="format")
    try:
        # bounded in size, depth and values: a file nested 1,000 deep is a message
        data = checks.json_document(source, yaml_too=True)
    except IlpInputError:
        raise
    except ValueError:
        raise IlpInputError("priorities.config_broken", reason="JSON / YAML") from None
    if not isinstance(data, Mapping) or data.get("format") != _FORMAT_NAME:
        raise IlpInputError("priorities.config_broken", reason="format")
    version = data.get("version")
    if not isinstance(version, int) or version > ASSESSMENT_VERSION:
        raise IlpInputError(
            "priorities.config_version", version=str(version), supported=ASSESSMENT_VERSION
        )
    part = "scheme"
    try:
        scheme = _scheme_from_dict(data["scheme"], cfg.criteria)
        part = "problems"
        problems = _part(data, "problems")
        by = str(problems.get("by", "offence"))
        custom = [dict(c) for c in problems.get("custom") or ()]
        part = "harm"
        harm_spec = _part(data, "harm")
        harm_weights = _part(harm_spec, "weights")
        part = "entered"
        entered_rows = list(data.get("entered") or ())
        entered = pd.DataFrame(
            {
                col: [r[col] if col != "confidence" else r.get(col) for r in entered_rows]
                for col in ENTERED_COLUMNS
            }
        )
        part = "stability"
        stab = _part(data, "stability")
        stability = {k: stab.get(k) for k in ("top_k", "draws", "seed")}
    except (KeyError, TypeError, ValueError, AttributeError):
        raise IlpInputError("priorities.config_broken", reason=part) from None
    assessment = make_assessment(
        scheme,
        entered if len(entered_rows) else None,
        harm_weights=harm_weights,
        default_harm_days=harm_spec.get("default_days"),
        harm_default_confirmed=bool(harm_spec.get("default_confirmed", False)),
        by=by,  # type: ignore[arg-type]
        custom=custom,
        top_k=stability["top_k"],
        draws=stability["draws"],
        seed=stability["seed"],
        fingerprint=str(data.get("fingerprint", "")),
        dataset=str(data.get("dataset", "")),
        cfg=cfg,
    )
    saved = assessment.fingerprint
    same = fingerprint is None or saved == fingerprint
    warnings = (
        ()
        if same
        else (
            Message(
                "priorities.config_other_dataset",
                {
                    "saved": saved or "-",
                    "current": fingerprint,
                    "dataset": assessment.dataset or "-",
                },
            ),
        )
    )
    return LoadedAssessment(assessment=assessment, same_data=same, warnings=warnings)
