"""Nothing crosses between sessions: every cache is keyed on all that reaches its output.

Two analysts whose accepted rows are the same, but whose files differ (name,
rejected rows, quality report), each get their own report: before, the second
received the first's report, naming the first's file and its rejected rows.
"""

from __future__ import annotations

import html
import re

import pandas as pd
import pytest

from ilp_core.data import ingest
from ilp_core.data.dataset import Dataset, load_sample
from ui import cache

LAST = "report.last"


@pytest.fixture(scope="module")
def rows():
    """400 incidents of the sample region written as a plain export."""
    inc = load_sample().incidents.iloc[::250].reset_index(drop=True)
    return pd.DataFrame(
        {
            "incident_id": inc["incident_id"].astype(str),
            "occurred_at": inc["occurred_at"].dt.strftime("%Y-%m-%d %H:%M"),
            "offence": inc["offence"].astype(str),
            "lat": inc["lat"],
            "lon": inc["lon"],
        }
    )


def _upload(rows: pd.DataFrame, name: str, n_bad: int) -> Dataset:
    """The same accepted rows, plus ``n_bad`` rows with an unreadable date (rejected)."""
    bad = rows.iloc[:n_bad].copy()
    bad["incident_id"] = [f"{name}-{i}" for i in range(n_bad)]
    bad["occurred_at"] = "31.02.2025 10:00"
    frame = pd.concat([rows, bad], ignore_index=True)
    loaded = ingest.load_incidents(frame.to_csv(index=False).encode("utf-8"), name)
    assert loaded.report.rejected == n_bad
    return Dataset(
        name=name, incidents=loaded.incidents, report=loaded.report, rejects=loaded.rejects
    )


def test_same_accepted_rows_from_different_files_have_different_cache_keys(rows):
    first, second = _upload(rows, "alpha.csv", 2), _upload(rows, "beta.csv", 7)
    assert first.fingerprint == second.fingerprint  # the accepted rows are the same
    assert cache.dataset_key(first) != cache.dataset_key(second)
    renamed = _upload(rows, "alpha.csv", 2)
    assert cache.dataset_key(renamed) == cache.dataset_key(first)  # equal content, equal key
    other_rejects = Dataset(
        name=first.name, incidents=first.incidents, report=first.report,
        rejects=first.rejects.iloc[:1],
    )  # fmt: skip
    assert cache.dataset_key(other_rejects) != cache.dataset_key(first)
    assert cache.dataset_key(load_sample()).startswith("sample:")
    assert cache.dataset_key(first).startswith("upload:")  # expires (ttl)


def _build_report(app, data: Dataset):
    at = app("pages/report.py", state={"ilp.upload": data, "ilp.source": "upload"})
    at.multiselect(key="p.report.sections").set_value(["data"]).run()
    at.button(key="report.build").click().run()
    assert not at.exception
    return at.session_state[LAST]


def _rejected(files) -> str:
    """The "Rejected" row of the report's quality table (as shown)."""
    text = re.sub(r"<[^>]+>", "|", html.unescape(files.html))
    found = re.search(r"\|Rejected\|+([0-9,]+)\|", text)
    assert found is not None
    return found.group(1)


def test_two_sessions_with_the_same_rows_get_their_own_report(app, rows):
    first = _build_report(app, _upload(rows, "export.csv", 2))
    second = _build_report(app, _upload(rows, "export.csv", 7))  # same name, other rejects
    third = _build_report(app, _upload(rows, "beta.csv", 2))  # same rejects, other name
    assert (_rejected(first), _rejected(second), _rejected(third)) == ("2", "7", "2")
    assert "export.csv" in first.html and "beta.csv" not in first.html
    assert "beta.csv" in third.html and "export.csv" not in third.html
    assert len({first.stamp, second.stamp, third.stamp}) == 3


@pytest.fixture
def clock(monkeypatch):
    """Streamlit's cache clock, under the test's hand (caches remade on it, emptied after)."""
    import streamlit as st
    from streamlit.runtime.caching import cache_utils

    now = [1_000.0]
    monkeypatch.setattr(cache_utils, "TTLCACHE_TIMER", lambda: now[0])
    monkeypatch.setattr(cache.time, "monotonic", lambda: now[0])
    st.cache_data.clear()  # the registries are emptied: caches are remade on the clock
    st.cache_resource.clear()
    yield now
    st.cache_data.clear()
    st.cache_resource.clear()


def test_results_made_from_an_upload_expire_and_the_samples_stay(rows, clock):
    calls: list[str] = []

    def count(data: Dataset, *, tag: str, progress=None) -> int:
        calls.append(tag)
        return len(data.incidents)

    upload, sample = _upload(rows, "alpha.csv", 1), load_sample()
    uploaded, bundled = cache.dataset_key(upload), cache.dataset_key(sample)

    def ask_every_cache() -> list[str]:
        """Ask every cache for its result; the tags of those computed (not served)."""
        calls.clear()
        for run in (cache.compute, cache.shared):
            run(count, uploaded, upload, tag=f"{run.__name__}-upload")
            run(count, bundled, sample, tag=f"{run.__name__}-sample")
        cache.with_progress(count, uploaded, upload, progress=print, tag="progress-upload")
        cache.by_content(count, upload, tag="content")
        cache.figure(count, upload, tag="figure")
        return sorted(calls)

    assert len(ask_every_cache()) == 7
    clock[0] += cache.UPLOAD_TTL - 60  # within the hour: every result comes from its cache
    assert ask_every_cache() == []
    clock[0] += 120  # past the hour: what came from the upload is made again
    assert ask_every_cache() == [
        "compute-upload", "content", "figure", "progress-upload", "shared-upload"
    ]  # fmt: skip


def test_compute_each_caches_every_call_and_runs_two_at_a_time(rows, clock):
    import threading

    from ilp_core.errors import IlpInputError

    upload = _upload(rows, "alpha.csv", 1)
    key = cache.dataset_key(upload)
    computed: list[int] = []
    both_running = threading.Barrier(2, timeout=20)

    def evidence(data: Dataset, *, problem: int, together: bool = False) -> tuple[int, int]:
        if together:
            both_running.wait()  # breaks (an error) unless two calls run at once
        if problem < 0:
            raise IlpInputError("strategy.note.no_incidents")
        computed.append(problem)
        return problem, len(data.incidents)

    first = cache.compute_each(
        evidence,
        key,
        upload,
        calls=[{"problem": 1, "together": True}, {"problem": 2, "together": True}],
    )
    assert first == [(1, 400), (2, 400)] and sorted(computed) == [1, 2]
    computed.clear()
    again = cache.compute_each(
        evidence, key, upload, calls=[{"problem": 3}, {"problem": 1, "together": True}]
    )
    assert again == [(3, 400), (1, 400)] and computed == [3]  # only the new call ran
    with pytest.raises(IlpInputError):
        cache.compute_each(evidence, key, upload, calls=[{"problem": 4}, {"problem": -1}])
    computed.clear()
    threads_seen: set[str] = set()

    def where(data: Dataset, *, problem: int) -> int:
        threads_seen.add(threading.current_thread().name)
        return problem

    alone = cache.compute_each(
        where, key, upload, calls=[{"problem": 5}, {"problem": 6}], threads=1
    )
    assert alone == [5, 6] and threads_seen == {threading.current_thread().name}
