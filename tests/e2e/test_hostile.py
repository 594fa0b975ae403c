"""A hostile upload and a hostile session file, in the browser: nothing from data acts.

Offence names, a column name and rejected values hold Markdown links and images to
another origin, an ``=HYPERLINK`` formula, a ``<script>`` and bare URLs; the session
file names its dataset and privacy actions the same way. The test loads both, visits
every page, builds the report and opens its preview, and checks the browser's own
request log: no request leaves for another origin (a beacon image would), and no
link or image from data appears in the page or in any of its frames.
"""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import urlparse

import pandas as pd
import pytest

from e2e.conftest import assert_no_error, settle

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from test_hostile_inputs import EVIL, LINKS, _hostile_session

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser")]  # one worker, one server

PAGES = [
    "data", "patterns_where", "patterns_concentration", "patterns_when", "near_repeat", "outlook",
    "priorities", "allocation", "intelligence", "strategy", "report", "workshop",
]  # fmt: skip
LOCAL = {"127.0.0.1", "localhost", ""}


def _hostile_csv(path: Path) -> Path:
    from ilp_core.data.dataset import load_sample

    inc = load_sample().incidents.iloc[::200].reset_index(drop=True)
    offences = inc["offence"].astype(str).to_numpy().copy()
    for i, link in enumerate(LINKS):
        offences[i::10] = link
    frame = pd.DataFrame(
        {
            "incident_id": inc["incident_id"].astype(str),
            "occurred_at": inc["occurred_at"].dt.strftime("%Y-%m-%d %H:%M"),
            "offence": offences,
            "lat": inc["lat"],
            "lon": inc["lon"],
            LINKS[1]: "x",
        }
    )
    frame.loc[:3, "occurred_at"] = LINKS[0]
    path.write_text(frame.to_csv(index=False), encoding="utf-8")
    return path


def _from_data(page) -> list[str]:
    """Links and images pointing at the hostile origin, in the page and all its frames."""
    found = []
    for frame in page.frames:
        try:
            found += frame.eval_on_selector_all(
                f'a[href*="{EVIL}"], img[src*="{EVIL}"], [srcset*="{EVIL}"], '
                f'link[href*="{EVIL}"], script[src*="{EVIL}"]',
                "els => els.map(e => (e.closest('[data-testid=stElementContainer]') || e)"
                ".innerText.slice(0, 120) + ' :: ' + e.outerHTML.slice(0, 120))",
            )
        except Exception as error:
            if "detached" not in str(error).lower():
                raise
    return found


def test_hostile_data_never_reaches_another_origin(server, page, tmp_path):
    requests: list[str] = []
    page.context.on("request", lambda r: requests.append(r.url))
    page.goto(f"{server}/data", wait_until="domcontentloaded")
    settle(page)
    page.locator('[data-testid="stFileUploader"] input[type="file"]').first.set_input_files(
        str(_hostile_csv(tmp_path / "export.csv"))
    )
    settle(page)
    page.get_by_role("button", name="Load the data").click()
    settle(page)
    assert_no_error(page)
    assert "Rejected rows" in page.inner_text("body")

    session = tmp_path / "session.json"
    session.write_bytes(_hostile_session())
    page.goto(f"{server}/strategy", wait_until="domcontentloaded")
    settle(page)
    page.get_by_role("tab", name="Save or load the session").click()
    page.locator('[data-testid="stFileUploader"] input[type="file"]').last.set_input_files(
        str(session)
    )
    settle(page)
    page.get_by_role("button", name="Restore it anyway").click()
    settle(page)
    assert_no_error(page)
    assert "Session restored" in page.inner_text("body")

    shown = {}
    for path in PAGES:
        page.goto(f"{server}/{path}", wait_until="domcontentloaded")
        settle(page)
        if path == "report":
            page.get_by_role("button", name="Build the report").click()
            settle(page, timeout=300)
            page.get_by_text("Show the whole report here").click()
            settle(page)
            # The preview runs without the app's origin: one frame deeper, sandboxed.
            sandboxes = [
                f.frame_element().get_attribute("sandbox") or ""
                for f in page.frames
                if f.parent_frame is not None and f.parent_frame.parent_frame is not None
            ]
            assert sandboxes and all("allow-same-origin" not in s for s in sandboxes)
        assert_no_error(page)
        shown[path] = _from_data(page)
    assert not any(shown.values()), shown
    foreign = sorted(
        {u for u in requests if urlparse(u).scheme in ("http", "https", "ws", "wss")}
        - {u for u in requests if urlparse(u).hostname in LOCAL}
    )
    assert not foreign, foreign[:10]
    assert not [u for u in requests if EVIL in u]
