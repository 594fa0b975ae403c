"""The incidents the sidebar's filters copy are shared, and kept within a memory budget."""

from __future__ import annotations

import datetime as dt
import threading
import time

import numpy as np
import pytest

from ilp_core.data.dataset import filter_incidents, load_sample
from ui import cache, state


def sized(budget: int, entries: int = 64) -> tuple[cache.Sized, list[str]]:
    made: list[str] = []
    return cache.Sized(budget, entries=entries), made


def ask(kept: cache.Sized, made: list[str], key: str, size: int) -> str:
    return kept.get(key, lambda: made.append(key) or key, lambda _: size)


def test_the_least_recently_used_go_first_when_over_the_budget():
    kept, made = sized(1_000)
    for key in ("sample:a", "sample:b"):
        ask(kept, made, key, 400)
    ask(kept, made, "sample:a", 400)  # used again: now the most recent
    ask(kept, made, "sample:c", 400)  # 1,200 bytes: the least recently used (b) goes
    assert kept.held() == 800
    made.clear()
    for key in ("sample:a", "sample:c", "sample:b"):
        ask(kept, made, key, 400)
    assert made == ["sample:b"]  # a and c were served; b was made again (and a went)


def test_the_most_recent_stays_even_over_the_budget_and_free_views_count_only_as_entries():
    kept, made = sized(100, entries=3)
    ask(kept, made, "sample:big", 500)
    assert kept.held() == 500  # kept: its session shows it on every rerun
    ask(kept, made, "sample:big", 500)
    assert made == ["sample:big"]  # and served again
    ask(kept, made, "sample:s1", 0)  # a slice of the dataset: no memory of its own
    assert kept.held() == 0  # the big one is no longer the most recent: over, it went
    for key in ("sample:s2", "sample:s3", "sample:s4"):
        ask(kept, made, key, 0)
    made.clear()
    for key in ("sample:s2", "sample:s3", "sample:s4", "sample:s1"):
        ask(kept, made, key, 0)
    assert made == ["sample:s1"]  # three entries at most: the oldest went


def test_an_uploads_views_expire_and_the_samples_stay(monkeypatch):
    now = [1_000.0]
    monkeypatch.setattr(cache.time, "monotonic", lambda: now[0])
    kept, made = sized(10**9)
    ask(kept, made, "upload:x|2024-01-01", 10)
    ask(kept, made, "sample:x|2024-01-01", 10)
    now[0] += cache.UPLOAD_TTL + 1
    made.clear()
    ask(kept, made, "upload:x|2024-01-01", 10)
    ask(kept, made, "sample:x|2024-01-01", 10)
    assert made == ["upload:x|2024-01-01"]


def test_sessions_asking_at_once_wait_for_one_making():
    kept, made = cache.Sized(10**9, entries=8), []

    def slow() -> object:
        made.append(1)
        time.sleep(0.2)
        return object()

    got: list[object] = []
    threads = [
        threading.Thread(target=lambda: got.append(kept.get("sample:k", slow, lambda _: 1)))
        for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(made) == 1 and len(got) == 4 and all(g is got[0] for g in got)


def test_a_failed_making_is_not_kept_and_the_next_caller_tries_again():
    kept = cache.Sized(10**9, entries=8)

    def broken() -> object:
        raise ValueError("no")

    with pytest.raises(ValueError):
        kept.get("sample:k", broken, lambda _: 1)
    assert kept.get("sample:k", lambda: "made", lambda _: 1) == "made"


def test_an_offence_filter_counts_its_copy_and_a_period_counts_nothing():
    sample = load_sample()
    whole = sample.incidents.sort_values("occurred_at", kind="stable").reset_index(drop=True)
    period = filter_incidents(whole, dt.date(2024, 3, 1), dt.date(2024, 5, 31))
    offence = filter_incidents(whole, offences=["Shoplifting"])
    assert state._own_bytes(whole.copy(deep=False), whole) == 0
    assert 0 < len(period) < len(whole) and state._own_bytes(period, whole) == 0
    assert state._own_bytes(offence, whole) == offence.memory_usage(deep=True).sum() > 0


def test_views_past_the_budget_are_filtered_again_and_equal(monkeypatch):
    sample = load_sample()
    monkeypatch.setattr(state, "_VIEWS", cache.Sized(1, entries=64))  # one copy at a time
    key = cache.dataset_key(sample)
    one = state._filtered(f"{key}|||a", sample, None, None, ("Shoplifting",))
    assert state._filtered(f"{key}|||a", sample, None, None, ("Shoplifting",)) is one
    state._filtered(f"{key}|||b", sample, None, None, ("Vehicle crime",))  # a goes
    again = state._filtered(f"{key}|||a", sample, None, None, ("Shoplifting",))
    assert again is not one
    np.testing.assert_array_equal(again["incident_id"], one["incident_id"])


@pytest.mark.parametrize(
    ("setting", "megabytes"), [("", 1024), ("256", 256), (" 64 ", 64), ("0", 1024), ("lots", 1024)]
)
def test_the_view_memory_setting_is_megabytes_from_one(monkeypatch, caplog, setting, megabytes):
    monkeypatch.setenv("ILP_VIEW_MEMORY_MB", setting)
    assert state._view_memory() == megabytes * 2**20
    assert ("not a number of megabytes" in caplog.text) == (setting in ("0", "lots"))
