"""AppTest: an analyst's own export classified on the Data page, then ranked and mapped.

The issue's cases: a Russian Windows-1251 export (every method on the Priorities page
used to stop with "«Грабёж» and «Кража со взломом» name the same offence"), the
classification confirmed, corrected and reused, and a police.uk file whose rows
without a location are described the same way on the Data and Where pages.
"""

from __future__ import annotations

import json

from conftest import ROOT

from ilp_core import keys

FIXTURES = ROOT / "tests" / "fixtures"


def _upload(app, name: str, *, lang: str = "en"):
    at = app("pages/data.py", lang=lang)
    at.file_uploader(key="data.file").set_value((name, (FIXTURES / name).read_bytes(), "text/csv"))
    at.run()
    assert not at.exception
    return at


def _class_key(at, label: str) -> str:
    suffix = "." + keys.safe_key(label)
    # a widget on screen now (an earlier stamp's key may linger in the session state)
    return next(s.key for s in at.selectbox if s.key and s.key.endswith(suffix))


def test_a_russian_export_is_classified_corrected_and_ranked(app):
    at = _upload(app, "ru_cp1251.csv")
    # every label has a suggestion, one widget per label (Cyrillic keys of their own)
    grabezh = at.selectbox(key=_class_key(at, "Грабёж"))
    assert grabezh.value == "050221"
    assert at.selectbox(key=_class_key(at, "Кража со взломом")).value == "0501"
    assert not [w for w in at.warning if "Not classified" in w.value]
    grabezh.set_value("0401").run()  # the analyst corrects one class
    at.button(key="data.load").click().run()
    assert not at.exception
    data = at.session_state["ilp.upload"]
    assert data.offence_classes["Грабёж"] == "0401"
    assert all(data.offence_classes.values())
    assert "ГРАБЕЖ" not in data.offences  # one offence, one label
    at.switch_page("pages/priorities.py").run()
    assert not at.exception
    assert not [e.value for e in at.error], [e.value for e in at.error]
    assert not [w for w in at.warning if "No harm weight" in w.value]
    for page in ("pages/allocation.py", "pages/report.py"):
        at.switch_page(page).run()
        assert not at.exception, page
        assert not [e.value for e in at.error], (page, [e.value for e in at.error])


def test_an_unclassified_label_is_listed_and_never_weighted_silently(app):
    at = _upload(app, "ru_cp1251.csv")
    at.selectbox(key=_class_key(at, "Поджог")).select_index(0).run()  # "Not classified"
    assert [w for w in at.warning if "Not classified" in w.value]
    at.button(key="data.load").click().run()
    assert at.session_state["ilp.upload"].offence_classes["Поджог"] is None
    at.switch_page("pages/priorities.py").run()
    assert not at.exception
    flagged = [w.value for w in at.warning if "No harm weight for" in w.value]
    assert flagged and "Поджог" in flagged[0]


def test_police_uk_rows_without_a_location_read_the_same_on_data_and_where(app):
    at = _upload(app, "police_uk_month.csv")
    assert all(
        at.selectbox(key=_class_key(at, label)).value is not None
        for label in ("Anti-social behaviour", "Violence and sexual offences", "Drugs")
    )
    at.button(key="data.load").click().run()
    data_page = [w.value for w in at.markdown if "neither coordinates nor a district" in w.value]
    assert data_page and "9" in data_page[0]
    at.switch_page("pages/patterns_where.py").run()
    assert not at.exception
    notes = [w.value for w in at.warning]
    assert any("9 incidents have neither coordinates nor a district" in n for n in notes), notes
    assert not any("still count per district" in n for n in notes)


def test_a_saved_classification_is_reused_with_the_mapping(app):
    at = _upload(app, "ru_cp1251.csv")
    saved = {
        "version": 2,
        "fields": {"offence": "Вид преступления", "date": "Дата происшествия"},
        "offence_classes": {"ГРАБЁЖ": "0401", "Кража": "05022"},
    }
    at.file_uploader(key="data.mfile").set_value(
        ("column-mapping.json", json.dumps(saved, ensure_ascii=False).encode(), "application/json")
    )
    at.run()
    assert not at.exception
    # matched by name: «ГРАБЁЖ» saved, «Грабёж» in this file
    assert at.selectbox(key=_class_key(at, "Грабёж")).value == "0401"
    assert at.selectbox(key=_class_key(at, "Кража")).value == "05022"
    assert at.selectbox(key=_class_key(at, "Разбой")).value == "0401"  # suggested, not saved
