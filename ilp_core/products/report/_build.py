"""Assembling a report: check the options, filter the view, run the analyses, build the sections."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

import ilp_core
from ilp_core import checks, i18n
from ilp_core.data.dataset import Dataset, filter_incidents
from ilp_core.products import suppression
from ilp_core.products.report._analyses import _analyse, _Analyses
from ilp_core.products.report._content import SECTIONS, Report, Section
from ilp_core.products.report._findings import _findings, _findings_section
from ilp_core.products.report._format import _Fmt
from ilp_core.products.report._methods import _methods_section, _parameters
from ilp_core.products.report._sections_data import _data_section
from ilp_core.products.report._sections_decide import _allocation_section, _priorities_section
from ilp_core.products.report._sections_outlook import _outlook_section
from ilp_core.products.report._sections_patterns import (
    _near_repeat_section,
    _when_section,
    _where_section,
)
from ilp_core.products.report._sections_products import _intelligence_section, _strategy_section
from ilp_core.products.workspace import Workspace, make_workspace

#: Share of the progress bar given to the analyses (the sections take the rest).
_ANALYSES_SHARE = 2 / 3


def build_report(
    data: Dataset,
    work: Workspace | None = None,
    *,
    lang: str = i18n.DEFAULT_LANGUAGE,
    sections: Sequence[str] = SECTIONS,
    wider_release: bool = False,
    k: int = suppression.DEFAULT_K,
    created: dt.date | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> Report:
    r"""Assemble the strategic assessment: findings, maps, charts, tables and the annex.

    For a manager this is the document to read, file and share: what the data
    say about where, when and what, which problems come first and why, where the
    officers should go, what is still unknown and what will be done about it.
    Everything is computed here from the dataset and the session's work alone:
    the incidents of the work's view, the hot spots with its Where settings, the
    ranking of its priority assessment (with the assessment's stability
    analysis), its near-repeat test and its allocation scenario, each with its
    page's defaults when the work holds none, and its product tables. The same
    dataset and work give the same report.

    Parameters
    ----------
    data
        The dataset (its quality report, districts, current allocation and
        fingerprint are reported).
    work
        The session's work (:class:`~ilp_core.products.workspace.Workspace`);
        None for a session that did nothing yet: all the data, every page's
        defaults, no product written.
    lang
        Language of the report (``en``, ``ru``, ``fr``, ``es``).
    sections
        The sections to include, any of :data:`SECTIONS` (their order is fixed).
    wider_release
        Prepare the report for readers outside the police: suppress small
        counts, drop personal fields, and say so (see the module notes).
    k
        Threshold of the small-count suppression (default 5).
    created
        Date of the report (default: today).
    progress
        Called on the calling thread with the fraction done (increasing, 0 to 1)
        and the code of the section being worked on (a key of :data:`SECTIONS`;
        ``done`` at the end), for a progress bar: the analyses take the first
        two thirds, the sections the rest. Raising :class:`~ilp_core.errors.Cancelled`
        from it stops the build and nothing is returned (building has no side effect).

    Returns
    -------
    Report

    Raises
    ------
    IlpInputError
        ``checks.option`` for an unknown language or section (or none),
        ``checks.flag`` for ``wider_release``, ``checks.whole`` for a ``k``
        outside 2 to :data:`ilp_core.products.suppression.MAX_K`.
    Cancelled
        When ``progress`` raised it.

    Examples
    --------
    >>> from ilp_core.data.dataset import load_sample
    >>> rep = build_report(load_sample(), sections=("data", "findings"), lang="fr")
    >>> rep.table("quality").rows[0]
    ('Lignes lues', '100\u202f000')
    >>> rep.findings[0][:31]
    '75 cellules de grille de 300 m '
    """
    lang = checks.option("lang", lang, i18n.LANGUAGES)
    chosen = {str(checks.option("sections", s, SECTIONS)) for s in sections}
    if not chosen:  # no section at all is not a choice of sections either
        checks.option("sections", (), SECTIONS)
    wider_release = checks.flag("wider_release", wider_release)
    k = checks.whole("k", k, minimum=2, maximum=suppression.MAX_K)
    if work is None:
        work = make_workspace(fingerprint=data.fingerprint, dataset=data.name)
    start, end = work.period()
    offences = work.offences()
    incidents = filter_incidents(data.incidents, start, end, offences)
    period = (start, end) if start is not None and end is not None else None
    fmt = _Fmt(lang, wider_release, k)
    when = incidents["occurred_at"]
    if period is None and when.notna().any():
        period = (when.min().date(), when.max().date())
    where = work.where
    a = _Analyses(data, incidents, work, period, offences, where["cell_size"], bool(where["fdr"]))

    done = [0.0]  # the largest fraction reported: the bar never goes back (float noise)

    def step(fraction: float, code: str) -> None:
        done[0] = max(done[0], min(1.0, fraction))
        if progress is not None:
            progress(done[0], code)

    _analyse(a, chosen, lambda f, code: step(_ANALYSES_SHARE * f, code))
    findings = tuple(_findings(a, fmt)) if "findings" in chosen else ()
    builders: dict[str, Callable[[_Analyses, _Fmt], Section]] = {
        "data": _data_section,
        "findings": lambda _a, f: _findings_section(findings, f),
        "where": _where_section,
        "when": _when_section,
        "near_repeat": _near_repeat_section,
        "outlook": _outlook_section,
        "priorities": _priorities_section,
        "allocation": _allocation_section,
        "intelligence": _intelligence_section,
        "strategy": _strategy_section,
        "methods": _methods_section,
    }
    keys = [key for key in SECTIONS if key in chosen]
    built = []
    for i, key in enumerate(keys):
        step(_ANALYSES_SHARE + (1 - _ANALYSES_SHARE) * i / len(keys), key)
        built.append(builders[key](a, fmt))
    notices = [fmt.t("report.reminder")]
    notices.append(
        fmt.t("report.wider_statement", k=str(k), base=str(suppression.ROUND_BASE))
        if fmt.wider
        else fmt.t("report.internal_statement")
    )
    name = fmt.dataset(data)
    subtitle = fmt.t(
        "report.subtitle",
        name=name,
        start=fmt.date(period[0]) if period else "–",
        end=fmt.date(period[1]) if period else "–",
    )
    result = Report(
        lang=lang,
        title=fmt.t("report.title"),
        subtitle=subtitle,
        created=created or dt.date.today(),
        wider_release=wider_release,
        k=k,
        notices=tuple(notices),
        findings=findings,
        sections=tuple(built),
        parameters=_parameters(a, fmt),
        fingerprint=data.fingerprint,
        version=ilp_core.__version__,
    )
    step(1.0, "done")
    return result
