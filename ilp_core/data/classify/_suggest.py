"""Suggest an ICCS class for each offence label: layout tables, saved choices, synonyms."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any, Final, Literal

import pandas as pd

from ilp_core import _yaml, i18n, keys
from ilp_core.data.classify._iccs import check_class, class_label, is_class
from ilp_core.errors import IlpInputError, Message

#: Columns of :func:`suggest_classes`.
SUGGESTION_COLUMNS: Final[tuple[str, ...]] = (
    "offence",
    "count",
    "code",
    "confidence",
    "reason",
    "source",
    "note",
)
#: How sure a suggestion is, surest first: the label is a category of a known export
#: (``exact``), the analyst chose it before (``saved``), it equals a synonym (``high``),
#: it contains one (``medium``), nothing matched (``none``).
CONFIDENCES: Final[tuple[str, ...]] = ("exact", "saved", "high", "medium", "none")
Confidence = Literal["exact", "saved", "high", "medium", "none"]


@dataclass(frozen=True)
class _Tables:
    layouts: dict[str, dict[str, tuple[str, str]]]  # layout -> name_key -> (code, note)
    synonyms: dict[str, tuple[str, str]]  # match_key -> (code, language)
    labels: dict[str, dict[str, str]]  # layout -> name_key -> label as written


@cache
def _tables() -> _Tables:
    text = (resources.files("ilp_core") / "config" / "offence_classes.yaml").read_text(
        encoding="utf-8"
    )
    data = _yaml.load(text)
    layouts: dict[str, dict[str, tuple[str, str]]] = {}
    labels: dict[str, dict[str, str]] = {}
    for layout, table in (data.get("layouts") or {}).items():
        layouts[str(layout)] = {}
        labels[str(layout)] = {}
        for label, entry in table.items():
            code = check_class(str(entry["code"]), str(label))
            note = " ".join(str(entry.get("note") or "").split())
            layouts[str(layout)][keys.name_key(label)] = (code, note)
            labels[str(layout)][keys.name_key(label)] = str(label)
    synonyms: dict[str, tuple[str, str]] = {}
    for lang, table in (data.get("synonyms") or {}).items():
        for code, words in table.items():
            check_class(str(code))
            for word in words:
                key = keys.match_key(word)
                if key in synonyms and synonyms[key][0] != str(code):
                    raise ValueError(f"synonym {word!r} names {synonyms[key][0]} and {code}")
                synonyms.setdefault(key, (str(code), str(lang)))
    return _Tables(layouts, synonyms, labels)


def known_layouts() -> dict[str, list[str]]:
    """The category lists of the known exports: ``{layout: [label, ...]}``.

    Examples
    --------
    >>> sorted(known_layouts())
    ['chicago_crimes', 'police_uk_street', 'sample', 'sf_police_incidents']
    >>> "Violence and sexual offences" in known_layouts()["police_uk_street"]
    True
    """
    return {name: list(table.values()) for name, table in _tables().labels.items()}


def layout_classes(layout: str) -> dict[str, str]:
    """``{label: code}`` of one known export's categories (see :func:`known_layouts`).

    Examples
    --------
    >>> layout_classes("police_uk_street")["Burglary"], layout_classes("chicago_crimes")["ASSAULT"]
    ('0501', '02012')
    """
    tables = _tables()
    if layout not in tables.layouts:
        raise IlpInputError(
            "classify.unknown_layout", layout=str(layout), known=", ".join(sorted(tables.layouts))
        )
    return {tables.labels[layout][k]: code for k, (code, _) in tables.layouts[layout].items()}


def _best_layout(keys_: Sequence[str], hint: str | None) -> str | None:
    """The known export whose category list covers most labels (the hint wins ties)."""
    tables = _tables().layouts
    cover = {name: sum(k in table for k in keys_) for name, table in tables.items()}
    if not cover or max(cover.values()) == 0:
        return None
    best = max(cover.values())
    if hint in cover and cover[hint] == best:
        return hint
    return sorted(name for name, n in cover.items() if n == best)[0]


@lru_cache(maxsize=8192)
def _synonym(label: str) -> tuple[str | None, Confidence, str]:
    """(code, confidence, language) of the best synonym for a label.

    Cached: the Priorities page asks again on every rerun (40 labels against ~700
    synonyms took 45 ms of CPU per rerun; 0.1 ms cached).
    """
    synonyms = _tables().synonyms
    key = keys.match_key(label)
    if key in synonyms:
        code, lang = synonyms[key]
        return code, "high", lang
    padded = f" {key} "
    found = [(len(s), c, lang) for s, (c, lang) in synonyms.items() if f" {s} " in padded]
    if not found:
        return None, "none", ""
    # the longest phrase wins ("кража со взломом" over "кража"); then the finer class
    _, code, lang = max(found, key=lambda f: (f[0], len(f[1]), f[1]))
    return code, "medium", lang


def suggest_classes(
    labels: Sequence[str] | pd.Series,
    counts: Sequence[int] | None = None,
    *,
    layout: str | None = None,
    saved: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Suggest the ICCS class of every offence label of an export, with how sure it is and why.

    The analyst sees the suggestions on the Data page and confirms or corrects each
    one; nothing is weighted on a suggestion alone. In order:

    1. the class the analyst chose for the same label before (``saved``, a
       classification saved with the column mapping): ``saved``;
    2. a category of a known export (police.uk, the Chicago data portal, San
       Francisco's incident reports, the sample region: ``layouts`` in
       ``ilp_core/config/offence_classes.yaml``), chosen as the export whose list
       covers most labels: ``exact``;
    3. a synonym in English, Russian (the criminal codes of the CIS states), French
       or Spanish equal to the label (accents and punctuation ignored): ``high``;
    4. a synonym the label contains as whole words (the longest wins): ``medium``;
    5. nothing: ``none`` (the label stays unclassified and is listed).

    Parameters
    ----------
    labels
        The offence labels (distinct), as written in the data; or a Series of
        counts indexed by label (``QualityReport.offence_counts``).
    counts
        Incidents per label, shown beside it (optional).
    layout
        The known export the column mapping recognised (``ColumnMapping.layout``),
        preferred when two layouts cover the labels equally.
    saved
        ``{label: code}`` confirmed earlier; matched by
        :func:`ilp_core.keys.name_key`. Unknown codes raise.

    Returns
    -------
    pandas.DataFrame
        One row per label, in the given order: ``offence``, ``count``, ``code``
        (None when nothing matched), ``confidence`` (one of :data:`CONFIDENCES`),
        ``reason`` (``layout``, ``saved``, ``synonym``, ``synonym_part``, ``none``),
        ``source`` (the layout or the synonym's language) and ``note`` (the
        judgement behind a layout's choice, "" when none).

    Raises
    ------
    IlpInputError
        ``classify.unknown_class`` for a saved code the classification does not know.

    Examples
    --------
    >>> s = suggest_classes(["Burglary", "Violence and sexual offences", "Drugs"])
    >>> s[["code", "confidence", "source"]].to_numpy().tolist()  # doctest: +NORMALIZE_WHITESPACE
    [['0501', 'exact', 'police_uk_street'], ['02', 'exact', 'police_uk_street'],
     ['0601', 'exact', 'police_uk_street']]
    >>> s = suggest_classes(["Грабёж", "Разбой", "Кража со взломом", "Кража велосипеда", "Код 7"])
    >>> s[["code", "confidence"]].to_numpy().tolist()  # doctest: +NORMALIZE_WHITESPACE
    [['050221', 'high'], ['0401', 'high'], ['0501', 'high'], ['0502', 'medium'],
     [None, 'none']]
    """
    if isinstance(labels, pd.Series) and counts is None:
        counts = labels.to_numpy().tolist()
        labels = [str(x) for x in labels.index]
    names = [str(x) for x in labels]
    if counts is not None and len(counts) != len(names):
        raise IlpInputError("classify.counts_length", labels=len(names), counts=len(counts))
    name_keys = [keys.name_key(n) for n in names]
    chosen = _best_layout(name_keys, layout)
    table = _tables().layouts.get(chosen, {}) if chosen else {}
    saved_by_key = {keys.name_key(k): check_class(v, str(k)) for k, v in (saved or {}).items() if v}
    rows = []
    for name, key in zip(names, name_keys, strict=True):
        if key in saved_by_key:  # the analyst's own earlier choice wins over any table
            rows.append((saved_by_key[key], "saved", "saved", "", ""))
        elif key in table:
            code, note = table[key]
            rows.append((code, "exact", "layout", chosen or "", note))
        else:
            code, confidence, lang = _synonym(name)
            reason = {"high": "synonym", "medium": "synonym_part"}.get(confidence, "none")
            rows.append((code, confidence, reason, lang, ""))
    out = pd.DataFrame(rows, columns=["code", "confidence", "reason", "source", "note"])
    out.insert(0, "offence", names)
    out.insert(1, "count", pd.array(list(counts) if counts is not None else [pd.NA] * len(names),
                                    dtype="Int64"))  # fmt: skip
    out["code"] = out["code"].astype(object).where(out["code"].notna(), None)
    return out[list(SUGGESTION_COLUMNS)]


def confirmed_classes(
    suggestions: pd.DataFrame, *, at_least: Confidence = "exact"
) -> dict[str, str]:
    """``{label: code}`` of the suggestions at least as sure as ``at_least``.

    What a script (or the sample region) takes without asking: by default only the
    categories of known exports. The Data page asks the analyst instead.

    Examples
    --------
    >>> confirmed_classes(suggest_classes(["Robbery", "Code 9"]))
    {'Robbery': '0401'}
    """
    rank = CONFIDENCES.index(at_least)
    keep = suggestions["confidence"].map(CONFIDENCES.index) <= rank
    picked = suggestions[keep & suggestions["code"].notna()]
    return dict(zip(picked["offence"].astype(str), picked["code"].astype(str), strict=True))


def check_classes(classes: Mapping[str, Any] | None) -> dict[str, str]:
    """Return a classification ``{label: code}`` checked (known codes, no label twice).

    Empty codes (``None``, ``""``) mean "not classified" and are dropped.

    Raises
    ------
    IlpInputError
        ``classify.not_a_mapping``; ``classify.unknown_class`` naming the label and
        the code; ``classify.label_twice`` when two labels are the same name
        (``"Theft"`` and ``"THEFT "``) with different codes.

    Examples
    --------
    >>> check_classes({"Theft": "0502", "Code 9": None})
    {'Theft': '0502'}
    """
    if classes is None:
        return {}
    if not isinstance(classes, Mapping):
        raise IlpInputError("classify.not_a_mapping")
    out: dict[str, str] = {}
    seen: dict[str, tuple[str, str]] = {}
    for label, code in classes.items():
        if code is None or (isinstance(code, str) and not code.strip()):
            continue
        code = check_class(code if isinstance(code, str) else str(code), str(label))
        key = keys.name_key(label)
        if key in seen and seen[key][1] != code:
            raise IlpInputError("classify.label_twice", first=seen[key][0], second=str(label))
        seen[key] = (str(label), code)
        out[str(label)] = code
    return out


def classes_for(
    offences: Sequence[str], classes: Mapping[str, str] | None
) -> dict[str, str | None]:
    """The class of each offence label: from ``classes`` (by name key), or the known layouts.

    ``classes=None`` (nothing confirmed, as in a script or the sample region):
    the categories of known exports are classified from their tables, other labels
    are not. With a confirmed classification, a label it does not list is not
    classified: a suggestion is never used unconfirmed.

    Examples
    --------
    >>> classes_for(["Robbery", "Грабёж"], None)
    {'Robbery': '0401', 'Грабёж': None}
    >>> classes_for(["Robbery", "ГРАБЕЖ"], {"Грабёж": "0401"})
    {'Robbery': None, 'ГРАБЕЖ': '0401'}
    """
    names = [str(o) for o in offences]
    if classes is None:
        auto = confirmed_classes(suggest_classes(names))
        return {n: auto.get(n) for n in names}
    by_key = {keys.name_key(k): v for k, v in classes.items() if v and is_class(v)}
    return {n: by_key.get(keys.name_key(n)) for n in names}


def suggestions_for_display(suggestions: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The suggestions with human column names and sentences in ``lang``.

    Parameters
    ----------
    suggestions
        Output of :func:`suggest_classes`.
    lang
        One of ``i18n.LANGUAGES``.

    Returns
    -------
    pandas.DataFrame
        Offence (translated when the catalog knows it), incidents, class (code and
        name), how sure, and why (with the layout's note).

    Examples
    --------
    >>> shown = suggestions_for_display(suggest_classes(["Burglary"], [3]), "fr")
    >>> shown.iloc[0, 2], shown.iloc[0, 3]
    ('0501 Cambriolage', 'Certaine')
    """
    why = [_reason(r.reason, r.source, r.note, lang) for r in suggestions.itertuples(index=False)]
    return pd.DataFrame(
        {
            i18n.t("classify.col.offence", lang): [
                i18n.term(o, lang) for o in suggestions["offence"]
            ],
            i18n.t("classify.col.count", lang): suggestions["count"].to_numpy(),
            i18n.t("classify.col.class", lang): [class_label(c, lang) for c in suggestions["code"]],
            i18n.t("classify.col.confidence", lang): [
                i18n.t(f"classify.confidence.{c}", lang) for c in suggestions["confidence"]
            ],
            i18n.t("classify.col.why", lang): why,
        }
    )


def _reason(reason: str, source: str, note: str, lang: str) -> str:
    params = {"source": i18n.t(f"classify.source.{source}", lang) if source else ""}
    text = Message(f"classify.reason.{reason}", params).render(lang)
    return f"{text} {note}".strip() if note else text
