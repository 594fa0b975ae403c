"""The Priorities page in AppTest: it ranks, re-ranks on a weight change, keeps the user's work."""

from __future__ import annotations

import pytest

from ilp_core.decide import priorities

PAGE = "pages/priorities.py"
ONLY_VOLUME = {
    "p.priority.preset": "weighted_sum",
    **{f"p.priority.w.weighted_sum.{k}": 0.0 for k in priorities.settings().criteria},
    "p.priority.w.weighted_sum.volume": 1.0,
}


def _ranked(at) -> list[str]:
    table = at.dataframe[0].value
    return table[table.columns[1]].tolist()  # the "Problem" column, best first


def test_changing_a_weight_reranks_the_problems(app):
    at = app(PAGE, state=ONLY_VOLUME)
    assert not at.exception
    # Volume alone: the count ranking of the sample region.
    before = _ranked(at)
    assert before[:3] == ["Violence without injury", "Shoplifting", "Criminal damage"]
    at.number_input(key="p.priority.w.weighted_sum.harm").set_value(5.0).run()
    assert not at.exception
    after = _ranked(at)
    assert after != before
    assert after[0] == "Sexual offences"  # harm now dominates (see ilp_core.decide.priorities)
    assert after.index("Robbery") < before.index("Robbery")


def test_weights_summing_to_zero_show_a_message_and_keep_the_last_ranking(app):
    at = app(PAGE, state=ONLY_VOLUME)
    before = _ranked(at)
    at.number_input(key="p.priority.w.weighted_sum.volume").set_value(0.0).run()
    assert not at.exception
    assert any("All weights are 0" in e.value for e in at.error)
    assert _ranked(at) == before  # the last good ranking stays on screen
    assert any("last valid ranking" in i.value for i in at.info)
    assert at.number_input(key="p.priority.w.weighted_sum.volume").value == 0.0  # input kept


def test_entering_a_value_counts_as_assessed_and_moves_the_score(app):
    state = {**ONLY_VOLUME, "p.priority.w.weighted_sum.vulnerability": 1.0}
    at = app(PAGE, state=state)
    assert any("entered values have not been assessed" in w.value for w in at.warning)
    n_before = next(w.value for w in at.warning if "not been assessed" in w.value)
    problem = at.selectbox(key="p.priority.edit").value  # the first problem, "Bicycle theft"

    def score_of(at_):
        table = at_.dataframe[0].value
        return float(table.loc[table[table.columns[1]] == problem, table.columns[3]].iloc[0])

    before = score_of(at)
    slider = next(s for s in at.slider if s.key and s.key.endswith(".vulnerability"))
    slider.set_value(4.0).run()  # from the default 2 (not assessed) to 4
    assert not at.exception
    n_after = next(w.value for w in at.warning if "not been assessed" in w.value)
    assert int(n_after.split()[0]) == int(n_before.split()[0]) - 1
    # Weighted sum, volume 1 and vulnerability 1: +2 points on a 0-4 scale add 100 * 0.5 * 0.5.
    assert score_of(at) == pytest.approx(before + 25.0, abs=0.02)


def test_offence_by_district_ranks_many_more_problems(app):
    at = app(PAGE, state={"p.priority.by": "offence_district"})
    assert not at.exception
    assert len(at.dataframe[0].value) > 100


def test_page_in_russian(app):
    at = app(PAGE, lang="ru")
    assert not at.exception
    assert at.title[0].value == "Приоритеты"
    assert "Ранг" in at.dataframe[0].value.columns


def test_the_full_ranking_is_made_for_the_download_only(app, monkeypatch):
    import pandas as pd

    from ilp_core.products import export
    from ui import widgets

    made = []
    real = priorities.ranking_for_display

    def spy(*args, **kwargs):
        made.append(bool(kwargs.get("full")))
        return real(*args, **kwargs)

    monkeypatch.setattr(priorities, "ranking_for_display", spy)
    at = app(PAGE)
    assert not at.exception
    assert made and not any(made)  # the table on screen, not the download's full one
    # What the button makes on a click: the same formula-safe bytes from a table or
    # from the function making it.
    table = pd.DataFrame({"problem": ["=HYPERLINK(1)"], "score": [1.5]})
    audited = []
    assert widgets._made(export.csv_bytes, lambda: table, lambda: audited.append(1)) == (
        export.csv_bytes(table)
    )
    assert widgets._made(export.csv_bytes, table, lambda: audited.append(1)) == (
        export.csv_bytes(table)
    )
    assert audited == [1, 1]  # each download is written to the audit trail
    assert b"'=HYPERLINK" in export.csv_bytes(table)


def test_broad_class_caveats_are_written_in_the_pages_language(app):
    at = app("pages/priorities.py", lang="fr")
    assert not at.exception
    captions = " ".join(c.value for c in at.caption)
    assert "Détention et trafic ensemble" in captions  # Drug offences: class 0601
    assert "Possession and supply" not in captions
