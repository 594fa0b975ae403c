"""The Report page in Chromium: build, download, open the HTML offline; hostile text stays text."""

from __future__ import annotations

import pytest

from e2e.conftest import ROOT, assert_no_error, settle

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser")]  # one worker, one server

HOSTILE_OFFENCE = "<script>alert(1)</script>"
HOSTILE_OFFENCE_2 = '"><img src=x onerror=alert(1)>'
HOSTILE_NOTE = 'Note <img src=x onerror="window.__pwned=1;alert(2)"> & <b>bold</b>'


def _open_offline(browser, path):
    """Open a file in a fresh context that refuses every network request; record what happens."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    seen = {"errors": [], "dialogs": [], "remote": []}

    def refuse(route):
        seen["remote"].append(route.request.url)
        route.abort()

    context.route("http://**/*", refuse)
    context.route("https://**/*", refuse)
    page = context.new_page()
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
    page.goto(path.as_uri(), wait_until="load")
    page.wait_for_function(
        "document.querySelectorAll('.plotly-graph-div .main-svg').length > 0", timeout=60_000
    )
    page.wait_for_timeout(1500)
    return context, page, seen


def test_build_download_and_open_the_report_offline(server, page, browser, tmp_path):
    page.goto(f"{server}/report", wait_until="domcontentloaded")
    settle(page)
    assert_no_error(page)
    page.get_by_role("button", name="Build the report").click()
    settle(page, timeout=300)
    assert_no_error(page)
    with page.expect_download(timeout=120_000) as info:
        page.get_by_role("button", name="Download HTML (interactive, offline)").click()
    target = tmp_path / "strategic-assessment.html"
    info.value.save_as(target)
    assert target.stat().st_size > 1_000_000  # plotly.js and Leaflet travel with the file
    context, report_page, seen = _open_offline(browser, target)
    try:
        assert not seen["errors"], seen["errors"][:3]
        assert not seen["dialogs"]
        assert not seen["remote"], seen["remote"][:3]
        assert report_page.locator("h1").inner_text() == "Strategic assessment"
        charts = report_page.locator(".plotly-graph-div .main-svg")
        assert charts.count() >= 5  # interactive charts drawn from the inlined plotly.js
        frames = [f for f in report_page.frames if f != report_page.main_frame]
        assert len(frames) == 3
        for frame in frames:  # every map drew its layers with the inlined Leaflet
            frame.wait_for_selector(".leaflet-container", timeout=30_000)
            assert frame.locator(".leaflet-overlay-pane path, .leaflet-overlay-pane canvas").count()
        (ROOT / "docs").mkdir(exist_ok=True)
        report_page.screenshot(path=str(ROOT / "docs" / "report-screenshot.png"))
    finally:
        context.close()


def test_hostile_names_and_notes_never_run_in_the_report(browser, tmp_path):
    import pandas as pd

    from ilp_core.data import schema
    from ilp_core.data.dataset import Dataset, load_sample
    from ilp_core.products import report, workspace

    sample = load_sample()
    inc = sample.incidents.iloc[:20_000]
    frame = pd.DataFrame({c: inc[c] for c in schema.INCIDENT_COLUMNS})
    offence = frame["offence"].astype(str).to_numpy()
    offence[:40] = HOSTILE_OFFENCE
    offence[40:90] = HOSTILE_OFFENCE_2
    frame["offence"] = offence
    data = Dataset(
        f"{HOSTILE_OFFENCE}.csv",
        schema.coerce_incidents(frame),
        sample.districts,
        sample.allocation,
    )
    products = {
        "strategy": pd.DataFrame(
            {"problem": [HOSTILE_OFFENCE], "pillar": ["prevention"], "action": [HOSTILE_NOTE],
             "owner": [HOSTILE_NOTE], "suggested": [False]}
        ),
        "requirements": pd.DataFrame(
            {"problem": [HOSTILE_OFFENCE_2], "known": [HOSTILE_NOTE], "gap": [HOSTILE_NOTE],
             "requirement": [HOSTILE_NOTE], "owner": ["x"], "due": ["2026-01-31"],
             "status": ["open"]}
        ),
    }  # fmt: skip
    work = workspace.make_workspace(fingerprint=data.fingerprint, **products)
    built = report.build_report(data, work)
    target = tmp_path / "hostile.html"
    target.write_text(report.to_html(built), encoding="utf-8")
    context, page, seen = _open_offline(browser, target)
    try:
        assert not seen["dialogs"], seen["dialogs"]
        assert not seen["errors"], seen["errors"][:3]
        assert not seen["remote"], seen["remote"][:3]
        assert page.evaluate("window.__pwned === undefined")
        assert page.locator("img[src='x']").count() == 0
        body = page.inner_text("body")
        for text in (HOSTILE_OFFENCE, HOSTILE_OFFENCE_2, HOSTILE_NOTE):
            assert text in body  # shown as text, exactly as typed
    finally:
        context.close()
