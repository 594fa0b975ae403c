"""The Room page in AppTest: a trainer and participants, two rooms apart, rejoin after a reload."""

from __future__ import annotations

import pytest
from conftest import ROOT
from streamlit.testing.v1 import AppTest

from ilp_core import i18n
from ilp_core.learn import room as lib
from ilp_core.store import Actor, config_from_env, open_store

PAGE = "pages/room.py"


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """A fresh embedded store for the page (ILP_DATA_DIR), shared by trainer and participants."""
    monkeypatch.setenv("ILP_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("ILP_DATABASE_URL", raising=False)
    return tmp_path  # ui.shared keys its store on the configuration: a new folder, a new store


def _trainer(app, lang="en"):
    return app(PAGE, lang=lang)


def _participant(code: str, token: str | None = None, lang: str = "en") -> AppTest:
    at = AppTest.from_file(str(ROOT / PAGE), default_timeout=120)
    at.session_state["ilp.lang"] = lang
    at.query_params["room"] = code
    if token:
        at.query_params["t"] = token
    return at.run()


def _create(at, name: str, lang: str = "en"):
    at.text_input(key="room.create.name").input(name)
    at.selectbox(key="room.create.lang").select(lang)
    at.button(key="room.create.go").click().run()
    assert not at.exception
    return at


def _store():
    return open_store(config_from_env())


def _answer_text(p: AppTest, code: str, step: str, text: str, show: bool = False) -> None:
    key = f"room.a.{code}.{step}.0"
    p.text_area(key=f"{key}.v").input(text)
    if show:
        p.checkbox(key=f"{key}.show").check()
    p.button(key=f"{key}.send").click().run()
    assert not p.exception


@pytest.mark.parametrize("lang", list(i18n.LANGUAGES))
def test_the_page_opens_and_creates_a_room_in_every_language(app, data_dir, lang):
    at = _trainer(app, lang)
    assert not at.exception and at.title[0].value == i18n.t("room.title", lang)
    _create(at, "Séminaire", lang)
    [made] = _store().trainer_rooms(Actor.local())
    assert made.language == lang and made.name == "Séminaire"
    assert at.metric[0].value == made.code
    assert len(at.image) == 1  # the QR code
    # the projector speaks the room's language, and so does the participant's page
    assert at.metric[0].label == i18n.t("room.code", lang)
    p = _participant(made.code)  # a participant's browser in English: the room's words win
    p.button(key="room.join.go").click().run()
    assert not p.exception
    assert p.info[0].value == i18n.t("room.wait", lang)
    assert p.caption[0].value == i18n.t("room.you_are_anonymous", lang)


def test_trainer_and_three_participants_anonymous_unless_shown(app, data_dir):
    at = _create(_trainer(app), "Kyiv")
    code = at.metric[0].value
    at.multiselect(key=f"room.open.{code}").set_value(["ranking", "lesson"]).run()
    assert _store().room(code).open_steps == ("ranking", "lesson")
    people = []
    for name in ("Alice", "Bob", ""):
        p = _participant(code)
        p.text_input(key="room.join.name").input(name)
        p.button(key="room.join.go").click().run()
        assert not p.exception
        assert p.query_params["t"]
        people.append(p)
    _answer_text(people[0], code, "lesson", "More patrols!", show=True)
    _answer_text(people[1], code, "lesson", "more patrols")
    _answer_text(people[2], code, "lesson", "Prevention")
    problems, scored, _ = __import__("ui.room", fromlist=["scoring"]).scoring()
    for p, order in zip(people, (list(scored), list(scored), list(scored)[::-1]), strict=True):
        key = f"room.a.{code}.ranking.0"
        p.multiselect(key=f"{key}.v").set_value(order)
        p.button(key=f"{key}.send").click().run()
        assert not p.exception
    at.run()
    tables = [t.value for t in at.table]
    free = next(t for t in tables if i18n.t("room.col.shown_by", "en") in t.columns)
    assert free.loc["More patrols!", i18n.t("room.col.count", "en")] == 2
    assert free.loc["More patrols!", i18n.t("room.col.shown_by", "en")] == "Alice"
    page = " ".join(str(t) for t in tables) + " ".join(m.value for m in at.markdown)
    assert "Bob" not in page  # Bob did not show his name
    ranking = next(t for t in tables if i18n.t("room.col.mean_rank", "en") in t.columns)
    assert i18n.t("room.col.scored_rank", "en") not in ranking.columns  # not revealed yet
    assert any("Kendall" in m.value for m in at.markdown)
    assert not any("Spearman" in m.value for m in people[2].markdown)
    at.multiselect(key=f"room.reveal.{code}").set_value(["ranking"]).run()
    people[2].run()  # once revealed, a participant sees their order beside the scored one
    assert any("Spearman" in m.value and "\\-1" in m.value for m in people[2].markdown)
    ranking = next(
        t.value for t in at.table if i18n.t("room.col.mean_rank", "en") in t.value.columns
    )
    assert i18n.t("room.col.scored_rank", "en") in ranking.columns
    answers = _store().room_answers(Actor.local(), code)
    expected = lib.room_results(answers, lib.room_config(), problems=problems, scored=scored)
    assert list(ranking.index) == list(expected.ranking.table["consensus_rank"])


def test_a_participant_who_reloads_rejoins_with_their_answers(app, data_dir):
    at = _create(_trainer(app), "Reload")
    code = at.metric[0].value
    at.multiselect(key=f"room.open.{code}").set_value(["lesson"]).run()
    p = _participant(code)
    p.text_input(key="room.join.name").input("Zoé")
    p.button(key="room.join.go").click().run()
    token = p.query_params["t"]
    _answer_text(p, code, "lesson", "Hot spots move")
    again = _participant(code, token[0] if isinstance(token, list) else token)  # a new session
    assert not again.exception
    assert again.text_area(key=f"room.a.{code}.lesson.0.v").value == "Hot spots move"
    assert any("Zoé" in c.value for c in again.caption)


def test_two_rooms_at_once_stay_apart(app, data_dir):
    at = _create(_trainer(app), "One")
    one = at.metric[0].value
    at = _create(at, "Two")
    two = at.metric[0].value
    assert one != two
    s = _store()
    for code in (one, two):
        s.open_steps(Actor.local(), code, ["lesson"])
    for code, text in ((one, "first room"), (two, "second room")):
        p = _participant(code)
        p.button(key="room.join.go").click().run()
        _answer_text(p, code, "lesson", text)
    for code, text, other in ((one, "first room", "second"), (two, "second room", "first")):
        at.selectbox(key="room.current").select(code).run()
        shown = " ".join(str(t.value) for t in at.table)
        assert text in shown and other not in shown


def test_reset_and_delete(app, data_dir):
    at = _create(_trainer(app), "Gone")
    code = at.metric[0].value
    at.multiselect(key=f"room.open.{code}").set_value(["lesson"]).run()
    p = _participant(code)
    p.button(key="room.join.go").click().run()
    _answer_text(p, code, "lesson", "x")
    at.selectbox(key=f"room.reset.{code}").select("lesson")
    at.button(key=f"room.reset_go.{code}").click().run()
    assert _store().room(code).round_of("lesson") == 1
    assert _store().room_answers(Actor.local(), code).empty
    p.run()  # the participant's page: a new round, a blank form
    assert p.text_area(key=f"room.a.{code}.lesson.1.v").value == ""
    at.checkbox(key=f"room.delete_sure.{code}").check().run()
    at.button(key=f"room.delete_go.{code}").click().run()
    assert not at.exception
    assert _store().trainer_rooms(Actor.local()) == []
    assert i18n.t("room.deleted", "en", code=code) in [s.value for s in at.success]
    gone = _participant(code)
    assert gone.error and code in gone.error[0].value


def test_an_unknown_code_says_so_plainly(data_dir):
    p = _participant("NOPE42")
    assert not p.exception and "NOPE42" in p.error[0].value


def test_weights_and_allocation_reach_the_projector(app, data_dir):
    at = _create(_trainer(app), "Weights")
    code = at.metric[0].value
    at.multiselect(key=f"room.open.{code}").set_value(["weights", "allocation"]).run()
    criteria = lib.room_config().criteria
    for harm in (5, 0):
        p = _participant(code)
        p.button(key="room.join.go").click().run()
        key = f"room.a.{code}.weights.0"
        for c in criteria:
            p.slider(key=f"{key}.w.{c}").set_value(harm if c == "harm" else 1)
        p.button(key=f"{key}.send").click().run()
        assert not p.exception
        key = f"room.a.{code}.allocation.0"
        p.button(key=f"{key}.send").click().run()  # nothing chosen: asked to choose
        assert p.warning[0].value == i18n.t("room.choose_one", "en")
        p.radio(key=f"{key}.v").set_value("hot_spots")
        p.button(key=f"{key}.send").click().run()
        assert not p.exception
    at.run()
    stored = _store().room_answers(Actor.local(), code)
    weights = [a["weights"]["harm"] for a in stored["answers"] if "weights" in a]
    assert sorted(weights) == [0, 5]
    tables = {tuple(t.value.columns): t.value for t in at.table}
    mean = i18n.t("room.col.mean", "en")
    summary = next(v for cols, v in tables.items() if mean in cols)
    assert summary.loc[i18n.t("priorities.criterion.harm", "en"), mean] == 2.5
    count = i18n.t("room.col.count", "en")
    choice = next(v for cols, v in tables.items() if i18n.t("room.col.share", "en") in cols)
    assert choice[count].tolist() == [2, 0, 0, 0]
    best = i18n.t("room.col.best_rank", "en")
    assert any(best in cols for cols in tables)  # the range of ranks the weights give


def test_names_from_people_are_shown_as_written_never_as_markdown(app, data_dir):
    at = _create(_trainer(app), "[click](http://evil) **x**")
    code = at.metric[0].value
    p = _participant(code)
    assert "\\[click\\]" in p.header[0].value  # escaped: Streamlit shows it as typed
    p.text_input(key="room.join.name").input("![img](http://x.png)")
    p.button(key="room.join.go").click().run()
    assert "\\!\\[img\\]" in p.caption[0].value


def test_a_second_trainer_tab_shows_the_steps_opened_in_the_first_and_keeps_them(app, data_dir):
    one = _create(_trainer(app), "Two tabs")
    code = one.metric[0].value
    two = _trainer(app)  # the projector's tab, opened before the step was opened
    one.multiselect(key=f"room.open.{code}").set_value(["lesson"]).run()
    two.run()  # any rerun of the other tab
    assert two.multiselect(key=f"room.open.{code}").value == ["lesson"]
    assert _store().room(code).open_steps == ("lesson",)
    two.multiselect(key=f"room.reveal.{code}").set_value(["lesson"]).run()
    assert _store().room(code).open_steps == ("lesson",)  # not overwritten by a stale tab
    assert _store().room(code).revealed_steps == ("lesson",)


def test_projector_only_hides_the_controls_and_keeps_the_code(app, data_dir):
    at = _create(_trainer(app), "Wall")
    code = at.metric[0].value
    at.toggle(key="room.projector_only").set_value(True).run()
    assert not at.exception and len(at.image) == 0
    assert not [m for m in at.multiselect if m.key == f"room.open.{code}"]
    assert at.metric[0].value == code
