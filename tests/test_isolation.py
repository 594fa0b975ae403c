"""A room of participants on one server: sessions never see each other's work, and the
shared sample region stays exactly as loaded whatever the pages do with it.

Two AppTest instances in one process share Streamlit's caches (``st.cache_data``,
``st.cache_resource``) the way two browser tabs share a server, but each has its own
session state.
"""

from __future__ import annotations

import pandas as pd
import pytest

from ilp_core.data import dataset
from ilp_core.decide import priorities

PAGES = [
    "pages/home.py", "pages/data.py", "pages/patterns_where.py",
    "pages/patterns_concentration.py", "pages/patterns_when.py", "pages/near_repeat.py",
    "pages/priorities.py", "pages/allocation.py", "pages/intelligence.py", "pages/strategy.py",
    "pages/report.py", "pages/workshop.py",
]  # fmt: skip
MESSY = (
    "Номер;Дата;Вид преступления;Широта;Долгота\n"
    "1;03.02.2025 14:10;Грабёж;45,5021;-30,5103\n"
    "2;31.02.2025 10:00;Кража;45,5030;-30,5120\n"
    "3;04.02.2025 09:30;Кража;0;0\n"
    "4;05.02.2025 22:15;Грабёж;45,5010;-30,5090\n"
).encode("cp1251")
HARM = "p.priority.w.morile.harm"
ANSWERS = "ilp.workshop_answers"


def _incidents_in_view(at) -> int:
    return int(at.metric[0].value.replace(",", ""))


def test_one_participants_upload_weights_and_answers_never_reach_another(app):
    from ui.state import sample_dataset

    default_harm = priorities.preset("morile").weights["harm"]  # 3 in priority_presets.yaml
    a = app("pages/priorities.py")
    b = app("pages/priorities.py")
    assert a.number_input(key=HARM).value == b.number_input(key=HARM).value == default_harm

    # A changes a weight, answers a question and loads a file of their own.
    a.number_input(key=HARM).set_value(7.0).run()
    assert a.number_input(key=HARM).value == 7.0
    b.run()
    assert b.number_input(key=HARM).value == default_harm
    a.switch_page("pages/workshop.py").run()
    a.text_area(key="p.workshop.tasking.question").input("A's own tasking").run()
    a.switch_page("pages/data.py").run()
    a.file_uploader(key="data.file").set_value(("export.csv", MESSY, "text/csv")).run()
    a.button(key="data.load").click().run()
    assert not a.exception
    assert a.session_state["ilp.source"] == "upload"
    a.switch_page("pages/home.py").run()
    assert _incidents_in_view(a) == 2  # the two readable rows of A's file

    # B still works on the sample region with the default weights and no answers.
    b.run()
    assert not b.exception
    assert b.number_input(key=HARM).value == default_harm
    b.switch_page("pages/home.py").run()
    assert _incidents_in_view(b) == 100_000
    assert "ilp.upload" not in b.session_state
    assert b.session_state["ilp.period_for"] == sample_dataset().fingerprint  # sidebar's data
    b.switch_page("pages/workshop.py").run()
    assert b.text_area(key="p.workshop.tasking.question").value == ""
    assert not (b.session_state[ANSWERS] if ANSWERS in b.session_state else {})  # noqa: SIM401

    # And A's answers are still A's.
    a.switch_page("pages/workshop.py").run()
    assert a.session_state[ANSWERS] == {"tasking": {"question": "A's own tasking"}}
    assert a.text_area(key="p.workshop.tasking.question").value == "A's own tasking"


def test_no_page_modifies_the_shared_sample_region(app):
    from ui.state import sample_dataset

    shared = sample_dataset()  # the st.cache_resource object every session reads
    incidents = shared.incidents.copy(deep=True)
    districts = shared.districts.copy(deep=True)
    allocation = shared.allocation.copy(deep=True)
    assert (
        dataset.fingerprint(shared.incidents, shared.districts, shared.offence_classes)
        == shared.fingerprint
    )

    at = app()
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, page
    at.switch_page("pages/workshop.py").run()
    for step in ("priorities", "allocation"):
        at.session_state["p.workshop.step"] = step
        at.run()
        assert not at.exception, step

    assert sample_dataset() is shared  # still the one shared object
    assert (
        dataset.fingerprint(shared.incidents, shared.districts, shared.offence_classes)
        == shared.fingerprint
    )
    pd.testing.assert_frame_equal(shared.incidents, incidents)
    pd.testing.assert_frame_equal(shared.allocation, allocation)
    assert shared.districts.geometry.equals(districts.geometry)
    pd.testing.assert_frame_equal(
        pd.DataFrame(shared.districts.drop(columns="geometry")),
        pd.DataFrame(districts.drop(columns="geometry")),
    )


@pytest.mark.parametrize("lang", ["ru"])
def test_language_is_per_session(app, lang):
    a = app("pages/workshop.py", lang=lang)
    b = app("pages/workshop.py")
    assert a.title[0].value != b.title[0].value
    assert b.session_state["ilp.lang"] == "en"
