"""Which source column holds which canonical field: suggestion, validation, JSON."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Final, Literal

from ilp_core import checks
from ilp_core.data import classify, schema
from ilp_core.data.ingest._common import config, normalise_name, synonyms
from ilp_core.errors import IlpInputError

DATE_ORDERS: Final[tuple[str, ...]] = ("auto", "dmy", "mdy")
QUESTION_KEYS: Final[tuple[str, ...]] = ("date_order", "swap_latlon", "epsg")
_MAPPING_VERSION: Final[int] = 2  # 2 added offence_classes; version 1 files still load
_MIN_PARTIAL: Final[int] = 4


@dataclass(frozen=True)
class ColumnMapping:
    """Which column of the export holds each canonical field, and how to read it.

    Attributes
    ----------
    fields
        Canonical field (one of ``schema.MAPPABLE_FIELDS``) -> source column name.
        Unmapped fields are simply absent.
    epsg
        EPSG code of the projected coordinates in the ``x``/``y`` columns
        (3435 for Chicago's feet); ``None`` when no x/y are mapped or not yet known.
    date_order
        ``"dmy"`` (day first), ``"mdy"`` (month first) or ``"auto"`` (decided from
        the data; a question is asked when the data cannot decide).
    swap_latlon
        Read the latitude column as longitude and vice versa (an export that
        swapped them).
    offence_classes
        The confirmed ICCS class of each offence label (``{label: code}``, see
        :mod:`ilp_core.data.classify`); ``None`` when the analyst has not
        classified the offences (then only the categories of known exports are
        classified, from their tables). A label left out has no class.
    layout
        The known export the header was recognised as (not saved to JSON).

    Examples
    --------
    >>> m = ColumnMapping({"offence": "Crime type", "datetime": "Month"})
    >>> ColumnMapping.from_json(m.to_json()) == m
    True
    """

    fields: Mapping[str, str]
    epsg: int | None = None
    date_order: Literal["auto", "dmy", "mdy"] = "auto"
    swap_latlon: bool = False
    layout: str | None = field(default=None, compare=False)
    offence_classes: Mapping[str, str] | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.fields, Mapping):
            raise IlpInputError("ingest.mapping.not_a_mapping")
        clean: dict[str, str] = {}
        for key, column in self.fields.items():
            if key not in schema.MAPPABLE_FIELDS:
                raise IlpInputError(
                    "ingest.mapping.unknown_field",
                    field=str(key),
                    allowed=", ".join(schema.MAPPABLE_FIELDS),
                )
            if column is None or (isinstance(column, str) and not column.strip()):
                continue
            if not isinstance(column, str):
                raise IlpInputError("ingest.mapping.bad_column", field=str(key), value=str(column))
            clean[key] = column
        # a fresh dict in canonical order: later changes to the caller's dict do not leak in
        ordered = {f: clean[f] for f in schema.MAPPABLE_FIELDS if f in clean}
        object.__setattr__(self, "fields", ordered)
        if self.date_order not in DATE_ORDERS:
            raise IlpInputError(
                "ingest.mapping.bad_date_order",
                value=str(self.date_order),
                allowed=", ".join(DATE_ORDERS),
            )
        if not isinstance(self.swap_latlon, bool):
            raise IlpInputError("ingest.mapping.bad_swap", value=str(self.swap_latlon))
        if self.epsg is not None and (
            isinstance(self.epsg, bool) or not isinstance(self.epsg, int) or self.epsg <= 0
        ):
            raise IlpInputError("ingest.mapping.bad_epsg", value=str(self.epsg))
        if self.offence_classes is not None:
            object.__setattr__(
                self, "offence_classes", classify.check_classes(self.offence_classes)
            )

    def __hash__(self) -> int:
        return hash(self.to_json())

    def to_json(self) -> str:
        """Return the mapping as small, human-readable JSON to reuse on the next export.

        Examples
        --------
        >>> classes = {"Кража": "0502"}
        >>> m = ColumnMapping({"offence": "Вид"}, date_order="dmy", offence_classes=classes)
        >>> print(m.to_json())
        {
          "version": 2,
          "fields": {
            "offence": "Вид"
          },
          "epsg": null,
          "date_order": "dmy",
          "swap_latlon": false,
          "offence_classes": {
            "Кража": "0502"
          }
        }
        """
        return json.dumps(
            {
                "version": _MAPPING_VERSION,
                "fields": dict(self.fields),
                "epsg": self.epsg,
                "date_order": self.date_order,
                "swap_latlon": self.swap_latlon,
                "offence_classes": (
                    None if self.offence_classes is None else dict(self.offence_classes)
                ),
            },
            ensure_ascii=False,
            indent=2,
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> ColumnMapping:
        """Read a mapping saved with :meth:`to_json`.

        Raises ``IlpInputError`` when the file is not such a mapping (broken JSON,
        unknown field, wrong value), saying what is wrong.
        """
        if isinstance(text, bytes | bytearray):
            try:
                text = bytes(text).decode("utf-8-sig")
            except UnicodeDecodeError:
                raise IlpInputError("ingest.mapping.unreadable") from None
        try:
            data = checks.json_document(text)
        except IlpInputError:
            raise
        except json.JSONDecodeError as exc:
            raise IlpInputError("ingest.mapping.unreadable_at", line=exc.lineno) from None
        except ValueError:
            raise IlpInputError("ingest.mapping.unreadable") from None
        if not isinstance(data, dict) or not isinstance(data.get("fields"), dict):
            raise IlpInputError("ingest.mapping.unreadable")
        known = {"version", "fields", "epsg", "date_order", "swap_latlon", "offence_classes"}
        extra = set(data) - known
        if extra:
            raise IlpInputError("ingest.mapping.unknown_key", key=", ".join(sorted(extra)))
        return cls(
            fields=data["fields"],
            epsg=data.get("epsg"),
            date_order=data.get("date_order", "auto"),
            swap_latlon=data.get("swap_latlon", False),
            offence_classes=data.get("offence_classes"),
        )

    def answer(self, key: str, option: str) -> ColumnMapping:
        """Return the mapping with a question answered (``key`` and one of its options).

        ``answer("date_order", "dmy")``, ``answer("swap_latlon", "swap")``,
        ``answer("epsg", "3435")``.
        """
        if key == "date_order" and option in ("dmy", "mdy"):
            return replace(self, date_order=option)  # type: ignore[arg-type]
        if key == "swap_latlon" and option in ("swap", "keep"):
            return replace(self, swap_latlon=option == "swap")
        if key == "epsg" and str(option).strip().isdigit():
            return replace(self, epsg=int(str(option).strip()))
        raise IlpInputError("ingest.mapping.bad_answer", key=str(key), option=str(option))


def suggest_mapping(columns: Sequence[str]) -> ColumnMapping:
    """Suggest which column holds which field, from the header alone.

    The analyst sees the suggestion on the Data page and corrects it; nothing is
    loaded before that. Known export layouts (police.uk street-level files, the
    Chicago data portal, San Francisco's incident reports) are recognised from
    their header and mapped as a whole (with EPSG:3435 for Chicago's X/Y feet);
    otherwise each column is matched against the synonyms in
    ``ilp_core/config/column_synonyms.yaml`` (English, Russian, French, Spanish),
    exact names first, then names that contain a synonym.

    Parameters
    ----------
    columns
        The export's column names, as in ``RawTable.frame.columns``.

    Returns
    -------
    ColumnMapping
        Suggested fields; ``epsg`` set when the layout says so; ``layout`` names the
        recognised layout (not saved to JSON).

    Examples
    --------
    >>> m = suggest_mapping(["Дата", "Вид преступления", "Широта", "Долгота"])
    >>> dict(m.fields)
    {'datetime': 'Дата', 'offence': 'Вид преступления', 'lat': 'Широта', 'lon': 'Долгота'}
    >>> suggest_mapping(["fecha", "hora", "delito"]).fields
    {'date': 'fecha', 'time': 'hora', 'offence': 'delito'}
    """
    columns = [str(c) for c in columns]
    norm = [normalise_name(c) for c in columns]
    by_norm: dict[str, str] = {}
    for c, n in zip(columns, norm, strict=True):
        by_norm.setdefault(n, c)
    chosen: dict[str, str] = {}
    epsg: int | None = None
    layout_name: str | None = None
    for name, layout in (config().get("layouts") or {}).items():
        signature = [normalise_name(s) for s in layout.get("signature") or ()]
        if signature and all(s in by_norm for s in signature):
            layout_name = str(name)
            for fld, col in (layout.get("fields") or {}).items():
                column = by_norm.get(normalise_name(col))
                if column is not None and fld in schema.MAPPABLE_FIELDS:
                    chosen[str(fld)] = column
            epsg = layout.get("epsg")
            break
    used = set(chosen.values())
    candidates: list[tuple[int, int, int, str, str]] = []
    table = synonyms()
    for fld, names in table.items():
        if fld in chosen:
            continue
        for j, (column, n) in enumerate(zip(columns, norm, strict=True)):
            if column in used or not n:
                continue
            if n in names:
                candidates.append((0, names.index(n), j, fld, column))
                continue
            for rank, syn in enumerate(names):
                if len(syn) >= _MIN_PARTIAL and f" {syn} " in f" {n} ":
                    candidates.append((1, rank, j, fld, column))
                    break
    for _tier, _rank, _j, fld, column in sorted(candidates):
        if fld in chosen or column in used:
            continue
        chosen[fld] = column
        used.add(column)
    chosen = _settle_dates(chosen)
    if "x" not in chosen or "y" not in chosen:
        chosen.pop("x", None)
        chosen.pop("y", None)
        epsg = None
    if ("lat" in chosen) != ("lon" in chosen):
        chosen.pop("lat", None)
        chosen.pop("lon", None)
    return ColumnMapping(fields=chosen, epsg=epsg, layout=layout_name)


def _settle_dates(chosen: dict[str, str]) -> dict[str, str]:
    """One way of giving the time: a date-time column, or a date (+ time) pair."""
    out = dict(chosen)
    if "datetime" in out and "date" in out:
        out.pop("date")
        out.pop("time", None)
    elif "time" in out and "datetime" in out:
        out["date"] = out.pop("datetime")
    if "time" in out and "date" not in out:
        out.pop("time")
    return {f: out[f] for f in schema.MAPPABLE_FIELDS if f in out}


def check_mapping(mapping: ColumnMapping, columns: Sequence[str]) -> None:
    """Raise ``IlpInputError`` when the mapping cannot be used on these columns."""
    missing = [f"{f} -> {c}" for f, c in mapping.fields.items() if c not in set(columns)]
    if missing:
        raise IlpInputError(
            "ingest.mapping.column_not_found",
            columns=[c for c in mapping.fields.values() if c not in set(columns)],
            pairs="; ".join(missing),
        )
    for fld in schema.REQUIRED_FIELDS:
        if fld not in mapping.fields:
            raise IlpInputError(f"ingest.mapping.required_{fld}")
    fields = mapping.fields
    if "datetime" in fields and ("date" in fields or "time" in fields):
        raise IlpInputError(
            "ingest.mapping.datetime_and_date",
            datetime=fields["datetime"],
            date=fields.get("date") or fields.get("time", ""),
        )
    if "time" in fields and "date" not in fields:
        raise IlpInputError("ingest.mapping.time_without_date", time=fields["time"])
    if ("lat" in fields) != ("lon" in fields):
        raise IlpInputError("ingest.mapping.lat_lon_pair")
    if ("x" in fields) != ("y" in fields):
        raise IlpInputError("ingest.mapping.x_y_pair")
    columns_used = list(fields.values())
    repeated = sorted({c for c in columns_used if columns_used.count(c) > 1})
    if repeated:
        raise IlpInputError(
            "ingest.mapping.column_twice", columns=repeated, column=", ".join(repeated)
        )
