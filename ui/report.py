"""Streamlit glue of the Report page: build the files from the session's work, and cache them.

The library builds the report from the dataset and the session's work alone
(:func:`ilp_core.products.report.build_report`); the work is gathered by
:func:`ui.products.current_workspace`, the same object the saved session holds.
The built files are cached under a digest of the dataset, the work's JSON (without
its time stamp) and the options: everything that reaches the output.

This page's own key: ``report.last`` (the last files built, shown until the next build).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd
import streamlit as st

from ilp_core.data.dataset import Dataset
from ilp_core.products import report
from ilp_core.products.workspace import Workspace
from ui import cache

LAST = "report.last"


@dataclasses.dataclass(frozen=True)
class Files:
    """A built report: both files, its findings and what it was built from."""

    stamp: str
    html: str
    pdf: bytes
    findings: tuple[str, ...]
    wider_release: bool
    k: int
    ranking: pd.DataFrame | None


def options(*, lang: str, sections: Sequence[str], wider: bool, k: int) -> dict[str, Any]:
    """The page's options as :func:`~ilp_core.products.report.build_report` takes them."""
    return {
        "lang": lang,
        "sections": [s for s in report.SECTIONS if s in sections],
        "wider_release": bool(wider),
        "k": int(k),
    }


def stamp(data: Dataset, work: Workspace, **chosen: Any) -> str:
    """What a build depends on, as a digest: the dataset, the work and the options."""
    record = work.to_dict()
    record.pop("saved_at", None)
    identity = cache.dataset_key(data)  # name, quality report and rejects included
    text = json.dumps([identity, record, options(**chosen)], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def build(data: Dataset, work: Workspace, **chosen: Any) -> Files:
    """Build both files (cached by :func:`stamp`)."""
    return _build(stamp(data, work, **chosen), data, work, options(**chosen))


def build_with_progress(
    data: Dataset, work: Workspace, progress: Callable[[float, str], None], **chosen: Any
) -> Files:
    """Build both files reporting to ``progress`` (see :func:`ui.progress.run`).

    Outside ``st.cache_data``: a cached function replays the Streamlit calls made in
    it (here the bar's updates, on a bar of an earlier run) on a later hit, and
    fails. The session's last files are reused when nothing changed.
    """
    key = stamp(data, work, **chosen)
    last = st.session_state.get(LAST)
    if last is not None and last.stamp == key:
        return last
    return _files(key, data, work, options(**chosen), progress)


@st.cache_data(show_spinner=False, max_entries=8, ttl=cache.UPLOAD_TTL)
def _build(stamp: str, _data: Dataset, _work: Workspace, _options: dict) -> Files:
    """One report per stamp; few kept (each holds a few megabytes)."""
    return _files(stamp, _data, _work, _options)


def _files(
    stamp: str,
    data: Dataset,
    work: Workspace,
    chosen: dict,
    progress: Callable[[float, str], None] | None = None,
) -> Files:
    def step(fraction: float, code: str) -> None:
        if progress is not None:
            progress(fraction, code)

    # the content is most of the time; the HTML and the PDF the rest
    content = report.build_report(
        data, work, **chosen, progress=lambda f, code: step(0.8 * f, code)
    )
    step(0.8, "html")
    html = report.to_html(content)
    step(0.9, "pdf")
    pdf = report.to_pdf(content)
    step(1.0, "done")
    ranking = content.table("ranking")
    return Files(
        stamp=stamp,
        html=html,
        pdf=pdf,
        findings=content.findings,
        wider_release=content.wider_release,
        k=content.k,
        ranking=ranking.data if ranking is not None else None,
    )


def file_stem(files: Files) -> str:
    """The downloads' file name: ``strategic-assessment[-wider-release]``."""
    return "strategic-assessment" + ("-wider-release" if files.wider_release else "")
