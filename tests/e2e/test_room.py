"""A workshop room in Chromium: one trainer and three participants, live projector, rejoin."""

from __future__ import annotations

import time

import pytest

from e2e.conftest import assert_no_error, running_app, settle
from ilp_core import i18n

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser")]  # one worker, one server


def _t(key: str, **params) -> str:
    return i18n.t(key, "en", **params)


@pytest.fixture(scope="module")
def room_server(tmp_path_factory):
    """The app on its own empty store (ILP_DATA_DIR), so rooms of other runs never show."""
    folder = tmp_path_factory.mktemp("room")
    env = {"ILP_DATA_DIR": str(folder), "ILP_DATABASE_URL": ""}
    with running_app(folder / "streamlit.log", env=env) as (base, _proc):
        yield base


def _context(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.script_errors = []
    page.on("pageerror", lambda e: page.script_errors.append(str(e)))
    return context, page


def _wait_for(page, text: str, timeout: float = 30) -> float:
    """Seconds until ``text`` shows on the page (no reload); fails after ``timeout``."""
    start = time.time()
    while time.time() - start < timeout:
        if text in page.inner_text("body"):
            return time.time() - start
        time.sleep(0.2)
    pytest.fail(f"{text!r} never appeared")


def test_trainer_and_three_participants(room_server, browser):
    trainer_ctx, trainer = _context(browser)
    trainer.goto(room_server, wait_until="domcontentloaded")
    settle(trainer)
    trainer.get_by_test_id("stSidebarNav").get_by_text(_t("nav.room")).click()
    settle(trainer)
    trainer.get_by_label(_t("room.name")).fill("Seminar")
    trainer.get_by_role("button", name=_t("room.create")).click()
    settle(trainer)
    assert_no_error(trainer)
    code = trainer.get_by_test_id("stMetricValue").first.inner_text().strip()
    assert len(code) == 6
    assert trainer.get_by_test_id("stImage").count() >= 1  # the QR code
    # open the free-answer step
    box = trainer.get_by_test_id("stMultiSelect").filter(has_text=_t("room.open_steps"))
    box.locator("input").click()
    trainer.keyboard.type(_t("room.step.lesson.title"))
    trainer.keyboard.press("Enter")
    trainer.keyboard.press("Escape")
    settle(trainer)

    contexts, people = [], []
    for name in ("Alice", "Bob", ""):
        ctx, p = _context(browser)
        p.goto(f"{room_server}/room?room={code}", wait_until="domcontentloaded")
        settle(p)
        if name:
            p.get_by_label(_t("room.nickname"), exact=True).fill(name)
        p.get_by_role("button", name=_t("room.join")).click()
        settle(p)
        assert "t=" in p.url
        contexts.append(ctx)
        people.append(p)
    answers = ("More patrols!", "more patrols", "Prevention")
    for p, text in zip(people, answers, strict=True):
        p.get_by_label(_t("room.step.lesson.question")).fill(text)
        if p is people[0]:
            p.get_by_text(_t("room.show_name", name="Alice")).click()
        p.get_by_role("button", name=_t("room.send")).click()
        settle(p)
        assert_no_error(p)
        shown = p.inner_text("body")  # "sent", or once the fragment has rerun, "in the room"
        assert _t("room.sent") in shown or _t("room.sent_before") in shown
    # the projector updates itself: no reload of the trainer's page
    waited = _wait_for(trainer, _t("room.answered", n=3, m=3))
    assert waited < 10
    # the table of answers follows its heading in the same run (the browser may show
    # the heading first on a busy machine)
    assert _wait_for(trainer, "Prevention", timeout=10) < 10
    body = trainer.get_by_test_id("stMain").inner_text()
    assert "Alice" in body and "Bob" not in body  # only the name its author showed
    assert "More patrols!" in body and "Prevention" in body
    # a participant reloads: same member, same answer
    people[1].reload(wait_until="domcontentloaded")
    settle(people[1])
    assert people[1].get_by_label(_t("room.step.lesson.question")).input_value() == "more patrols"
    assert _t("room.you_are", name="Bob") in people[1].inner_text("body")
    assert _t("room.joined") in body
    assert_no_error(trainer)
    for ctx in (trainer_ctx, *contexts):
        ctx.close()
