"""A participant walks through the whole workshop in Russian, in Chromium, without an error."""

from __future__ import annotations

import re

import pytest

from e2e.conftest import ROOT, assert_no_error, settle
from ilp_core import i18n
from ilp_core.learn import workshop

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser")]  # one worker, one server

LANG = "ru"
CFG = workshop.scenario()


def _t(key: str, **params) -> str:
    return i18n.t(key, LANG, **params)


def _heading(page) -> str:
    return page.locator("h2").filter(has_text=re.compile(r"^Шаг \d")).first.inner_text()


def _answer_text_areas(page, text: str) -> None:
    for area in page.get_by_test_id("stTextArea").locator("textarea").all():
        area.fill(text)
        area.press("Control+Enter")  # commits the value, as leaving the box does
        settle(page)


def _pick(page, label: str, values: list[str]) -> None:
    """Choose values in the multiselect with this label, one after the other, as a user types."""
    box = page.get_by_test_id("stMultiSelect").filter(has_text=label)
    for value in values:
        box.locator("input").click()
        page.keyboard.type(value)
        page.keyboard.press("Enter")
        settle(page)
    page.keyboard.press("Escape")


def _open_workshop_in_russian(server, page) -> None:
    """Open the app at its root, switch to Russian, then go to the Workshop by the sidebar.

    The root first: on a freshly started server, a first request for a page's own URL
    runs that page without app.py (Streamlit's pages/-folder mode, until app.py has
    called st.navigation once), so the sidebar would be missing.
    """
    page.goto(server, wait_until="domcontentloaded")
    settle(page)
    page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").first.click()
    page.keyboard.type(i18n.LANGUAGES[LANG])
    page.keyboard.press("Enter")
    settle(page)
    page.get_by_test_id("stSidebarNav").get_by_text(_t("nav.workshop"), exact=True).click()
    settle(page)
    assert_no_error(page)


def test_a_participant_walks_every_step_in_russian(server, page):
    _open_workshop_in_russian(server, page)
    assert page.inner_text("h1") == _t("workshop.title")

    steps = {s.id: s for s in CFG.steps}
    for n, step in enumerate(CFG.steps, start=1):
        title = workshop.step_text(step, "title", LANG)
        assert _heading(page) == _t("workshop.step_heading", n=n, total=len(CFG.steps), title=title)
        assert_no_error(page)
        if step.id == "data":
            number = page.get_by_test_id("stNumberInput").locator("input").first
            number.fill("98.5")
            number.press("Enter")
            settle(page)
            expected = workshop.expected_text(step, step.questions[0], LANG)
            assert _t("workshop.feedback_right", expected=expected) in page.inner_text("body")
        if step.id == "when":
            option = _t("workshop.q.when.violence_peak.weekend_nights")
            page.get_by_test_id("stRadio").get_by_text(option).click()
            settle(page)
        if step.id == "priorities":
            problems = [i18n.term(p, LANG) for p in CFG.ranking_problems]
            _pick(page, _t("workshop.rank_pick"), problems)
            settle(page)
            assert_no_error(page)
            body = page.inner_text("body")
            assert _t("workshop.rank_compare_title") in body
            assert "ρ =" in body
            page.set_viewport_size({"width": 1400, "height": 2200})
            settle(page)
            (ROOT / "docs").mkdir(exist_ok=True)
            page.screenshot(path=str(ROOT / "docs" / "workshop-priority.png"))
            page.set_viewport_size({"width": 1400, "height": 1000})
        _answer_text_areas(page, f"Ответ на шаге {n}")
        assert_no_error(page)
        if n < len(CFG.steps):
            page.get_by_role("button", name=_t("workshop.next")).click()
            settle(page)

    # The review lists the answers given along the way.
    body = page.inner_text("body")
    assert "Ответ на шаге 1" in body and "Ответ на шаге 7" in body
    assert _t("workshop.own_ranking") in body
    assert steps["review"].questions


def test_a_step_link_opens_its_page_with_the_settings_and_the_answers_stay(server, page):
    _open_workshop_in_russian(server, page)
    _answer_text_areas(page, "Где патрулировать?")
    when = CFG.step("when")
    page.get_by_test_id("stRadio").get_by_text(
        f"4. {workshop.step_text(when, 'title', LANG)}", exact=True
    ).click()
    settle(page)
    name = _t("nav.patterns_when")
    page.get_by_role("link", name=_t("workshop.go", page=f"«{name}»")).click()
    settle(page)
    assert_no_error(page)
    assert page.inner_text("h1") == _t("when.title")
    offence = page.get_by_test_id("stMain").get_by_test_id("stSelectbox").first
    value = offence.locator("input").first.input_value()
    assert value == i18n.term("Violence with injury", LANG)
    page.get_by_test_id("stSidebarNav").get_by_text(_t("nav.workshop"), exact=True).click()
    settle(page)
    assert_no_error(page)
    assert _heading(page).startswith("Шаг 4 из 8")
    page.get_by_test_id("stRadio").get_by_text(
        f"1. {workshop.step_text(CFG.step('tasking'), 'title', LANG)}", exact=True
    ).click()
    settle(page)
    assert page.get_by_test_id("stTextArea").locator("textarea").first.input_value() == (
        "Где патрулировать?"
    )
