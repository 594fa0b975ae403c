"""The intelligence log: grading validation, crosswalks, the weak rule, reading and summaries."""

from __future__ import annotations

import datetime as dt
import itertools
from importlib import resources

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ilp_core import i18n
from ilp_core.errors import IlpInputError
from ilp_core.products import intelligence

CFG = intelligence.grading()
SCHEME_AXIS = [(s, a) for s in intelligence.SCHEMES for a in intelligence.AXES]


# -- the schemes as published ----------------------------------------------------------------


def test_the_three_schemes_have_their_published_codes():
    codes = {
        s: {a: list(CFG.schemes[s][a]) for a in intelligence.AXES} for s in intelligence.SCHEMES
    }
    assert codes["eu4x4"] == {
        "source": ["A", "B", "C", "X"],
        "information": ["1", "2", "3", "4"],
        "handling": ["H0", "H1", "H2", "H3"],
    }
    assert codes["uk3x5x2"] == {
        "source": ["1", "2", "3"],
        "information": ["A", "B", "C", "D", "E"],
        "handling": ["P", "C"],
    }
    assert codes["5x5x5"] == {
        "source": ["A", "B", "C", "D", "E"],
        "information": ["1", "2", "3", "4", "5"],
        "handling": ["1", "2", "3", "4", "5"],
    }
    assert CFG.default_scheme == "eu4x4"
    # Europol Regulation art. 29 and the Council's handling codes, as worded there.
    assert "most instances proved to be unreliable" in intelligence.code_meaning(
        "eu4x4", "source", "C"
    )
    assert "cannot be corroborated" in intelligence.code_meaning("eu4x4", "information", "4")
    assert "judicial proceedings" in intelligence.code_meaning("eu4x4", "handling", "H1")
    assert intelligence.code_meaning("uk3x5x2", "handling", "C") == (
        "lawful sharing permitted with conditions"
    )


@pytest.mark.parametrize(("scheme", "axis"), SCHEME_AXIS)
def test_every_code_is_accepted_in_any_case_and_spacing(scheme, axis):
    for code in CFG.schemes[scheme][axis]:
        assert intelligence.check_code(scheme, axis, f"  {code.lower()} ") == code
        if code.isdigit():
            assert intelligence.check_code(scheme, axis, int(code)) == code
            assert (
                intelligence.check_code(scheme, axis, float(code)) == code
            )  # 2.0 from a spreadsheet


@pytest.mark.parametrize(("scheme", "axis"), SCHEME_AXIS)
@pytest.mark.parametrize("lang", list(i18n.LANGUAGES))
def test_an_invalid_code_names_itself_and_every_allowed_code_with_its_meaning(scheme, axis, lang):
    with pytest.raises(IlpInputError) as caught:
        intelligence.check_code(scheme, axis, "Z9")
    text = caught.value.message.render(lang)
    assert "Z9" in text
    assert intelligence.scheme_label(scheme, lang) in text
    for code in CFG.schemes[scheme][axis]:
        assert f"{code} ({intelligence.code_meaning(scheme, axis, code, lang)})" in text
    assert caught.value.columns == (axis,)


def test_the_four_by_four_source_message_reads_as_the_issue_asks():
    with pytest.raises(IlpInputError) as caught:
        intelligence.check_code("eu4x4", "source", "Z")
    assert str(caught.value).startswith(
        "Source 'Z' is not a code of the EU/Europol 4x4 scheme: use A (no doubt about the "
        "authenticity, trustworthiness and competence of the source, or the information comes "
        "from a source who proved reliable in all instances), B ("
    )
    assert str(caught.value).endswith(", or X (the reliability of the source cannot be assessed).")


@pytest.mark.parametrize(("scheme", "axis"), SCHEME_AXIS)
def test_a_missing_code_is_its_own_message(scheme, axis):
    with pytest.raises(IlpInputError) as caught:
        intelligence.check_code(scheme, axis, "  ")
    assert caught.value.message.key == "intelligence.code_missing"
    assert all(c in str(caught.value) for c in CFG.schemes[scheme][axis])


def test_an_unknown_scheme_is_refused_and_a_blank_one_is_the_default():
    with pytest.raises(IlpInputError, match="'NATO' is not a grading scheme"):
        intelligence.check_scheme("NATO")
    assert intelligence.check_scheme(None) == "eu4x4"
    assert intelligence.make_grade("", "b", 2, "h3").label == "B2 H3"


def test_a_wrong_scheme_or_axis_argument_is_refused_by_the_shared_checks():
    # check_code and crosswalk take a scheme's name as the library spells it; check_scheme
    # (row content) is the one that reads " UK3x5x2 " or a blank.
    for call, name in [
        (lambda: intelligence.check_code("NATO", "source", "A"), "scheme"),
        (lambda: intelligence.check_code(" UK3x5x2 ", "source", "1"), "scheme"),
        (lambda: intelligence.check_code("eu4x4", "reliability", "A"), "axis"),
        (lambda: intelligence.crosswalk(intelligence.make_grade("", "A", "1", "H0"), "NATO"), "to"),
    ]:
        with pytest.raises(IlpInputError) as caught:
            call()
        assert caught.value.message.key == "checks.option"
        assert caught.value.message.params["name"] == name


def test_a_code_of_another_scheme_is_refused():
    # "X" is a 4x4 source code, not a 5x5x5 one; "H0" is not a 3x5x2 handling code.
    with pytest.raises(IlpInputError, match="'X'"):
        intelligence.make_grade("5x5x5", "X", "1", "1")
    with pytest.raises(IlpInputError, match="'H0'"):
        intelligence.make_grade("uk3x5x2", "1", "A", "H0")


# -- crosswalks ------------------------------------------------------------------------------


def _all_grades(scheme):
    s = CFG.schemes[scheme]
    for a, b, c in itertools.product(s["source"], s["information"], s["handling"]):
        yield intelligence.Grade(scheme, a, b, c)


@pytest.mark.parametrize(
    ("source", "target"), list(itertools.permutations(intelligence.SCHEMES, 2))
)
def test_every_crosswalk_is_approximate_valid_and_explained(source, target):
    for grade in _all_grades(source):
        out = intelligence.crosswalk(grade, target)
        assert out.approximate is True
        assert out.original == grade
        # the converted grade is a valid grade of the target scheme
        assert (
            intelligence.make_grade(
                target, out.grade.source, out.grade.information, out.grade.handling
            )
            == out.grade
        )
        assert out.note.key == "intelligence.crosswalk.approximate"
        assert grade.label in out.note.render() and out.grade.label in out.note.render()


def test_a_crosswalk_to_the_same_scheme_is_exact():
    grade = intelligence.make_grade("uk3x5x2", "2", "C", "P")
    out = intelligence.crosswalk(grade, "uk3x5x2")
    assert out.grade == grade and out.approximate is False


@pytest.mark.parametrize(("a", "b"), list(itertools.permutations(intelligence.SCHEMES, 2)))
@pytest.mark.parametrize("axis", intelligence.AXES)
def test_round_trips_return_the_code_wherever_the_mapping_is_one_to_one(a, b, axis):
    forward, back = CFG.crosswalks[a][b][axis], CFG.crosswalks[b][a][axis]
    checked = 0
    for code, mapped in forward.items():
        if list(forward.values()).count(mapped) == 1:  # no other code meets it
            assert back[mapped] == code, f"{a}->{b}->{a} {axis}: {code}->{mapped}->{back[mapped]}"
            checked += 1
    assert checked >= 1


def test_crosswalk_examples_by_hand():
    # UK 1B P: reliable source (4x4 B, not A: "reliable" is not "in all instances"),
    # known indirectly but corroborated (4x4 3), lawful sharing permitted (H0).
    uk = intelligence.make_grade("uk3x5x2", "1", "B", "P")
    eu = intelligence.crosswalk(uk, "eu4x4").grade
    assert eu.label == "B3 H0"
    assert intelligence.crosswalk(eu, "uk3x5x2").grade == uk
    # 5x5x5 E5 5 (untested, suspected false, no further dissemination) -> 4x4 X4 H2
    assert intelligence.crosswalk(
        intelligence.make_grade("5x5x5", "E", "5", "5"), "eu4x4"
    ).grade.label == ("X4 H2")


def test_a_broken_grading_file_names_the_part(tmp_path):
    text = (resources.files("ilp_core") / "config" / "grading.yaml").read_text("utf-8")
    broken = text.replace("      handling: {P: H0, C: H3}", "      handling: {P: H0, C: H9}")
    path = tmp_path / "grading.yaml"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(IlpInputError) as caught:
        intelligence.grading(path)
    assert caught.value.message.params["part"] == "crosswalks"


# -- the weak rule ----------------------------------------------------------------------------


def test_weak_means_source_c_or_x_or_information_3_or_4_in_four_by_four():
    for grade in _all_grades("eu4x4"):
        expected = grade.source in ("C", "X") or grade.information in ("3", "4")
        assert intelligence.is_weak(grade) is expected, grade.label
    # other schemes are judged after conversion: untested (X) or "not known" (4) are weak
    assert intelligence.is_weak(intelligence.make_grade("uk3x5x2", "2", "A", "P"))
    assert intelligence.is_weak(intelligence.make_grade("uk3x5x2", "1", "D", "P"))
    assert not intelligence.is_weak(intelligence.make_grade("uk3x5x2", "1", "A", "C"))
    assert not intelligence.is_weak(intelligence.make_grade("5x5x5", "B", "2", "4"))


def test_the_rule_is_stated_in_every_language():
    for lang in i18n.LANGUAGES:
        text = intelligence.weak_rule().render(lang)
        assert "50" in text and "C" in text and "X" in text and "3" in text and "4" in text
    assert "one of C, X" in intelligence.weak_rule().render("en")
    assert "ЕС/Европол 4x4" in intelligence.weak_rule().render("ru")


# -- the log: validation, reading, adding -----------------------------------------------------


def _log(rows):
    cols = ["date", "summary", "problem", "scheme", "source", "information", "handling"]
    return pd.DataFrame(rows, columns=cols)


def test_every_row_is_accepted_or_rejected_with_its_reason():
    frame = _log(
        [
            ["2025-03-01", "Van seen at night", "Vehicle crime", "", "B", "2", "H0"],  # ok
            ["01.03.2025", "", "Robbery", "", "B", "2", "H0"],  # summary_missing
            ["", "Tip-off", "Robbery", "", "B", "2", "H0"],  # date_missing
            ["31.02.2025", "Tip-off", "Robbery", "", "B", "2", "H0"],  # date_unreadable
            ["2025-03-02", "Tip-off", "Robbery", "NATO", "B", "2", "H0"],  # scheme_unknown
            ["2025-03-02", "Tip-off", "Robbery", "eu4x4", None, "2", "H0"],  # code_missing
            ["2025-03-02", "Tip-off", "Robbery", "uk3x5x2", "1", "A", "H1"],  # code_invalid
            ["02/03/2025", "Crew at the port", "Drug offences", "5x5x5", "e", "4", "4"],  # ok
        ]
    )
    check = intelligence.validate_log(frame)
    assert len(check.log) + len(check.rejects) == check.rows_read == 8
    assert check.rejects["row_number"].tolist() == [2, 3, 4, 5, 6, 7]
    assert check.rejects["reason"].tolist() == [
        "summary_missing",
        "date_missing",
        "date_unreadable",
        "scheme_unknown",
        "code_missing",
        "code_invalid",
    ]
    assert check.rejects.loc[5, "column"] == "handling" and check.rejects.loc[5, "value"] == "H1"
    assert check.log["item_id"].tolist() == ["INT-0001", "INT-0002"]
    assert check.log["date"].tolist() == [dt.date(2025, 3, 1), dt.date(2025, 3, 2)]
    assert check.log.loc[1, ["scheme", "source"]].tolist() == ["5x5x5", "E"]
    shown = intelligence.rejects_for_display(check.rejects, "ru")
    assert list(shown.columns[:3]) == ["Строка", "Код", "Причина"]
    assert "H1" in shown.iloc[5, 2] and "законная передача разрешена" in shown.iloc[5, 2]


def test_ids_are_kept_filled_in_and_never_repeated():
    frame = _log([["2025-01-01", "a", "", "", "A", "1", "H0"]] * 3).assign(
        item_id=["INT-0007", "", "INT-0007"]
    )
    check = intelligence.validate_log(frame)
    assert check.log["item_id"].tolist() == ["INT-0007", "INT-0008"]
    assert check.rejects["reason"].tolist() == ["duplicate_id"]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["2025-01-01", "01.02.2025", "", "32.13.2025", "garbage"]),
            st.text(max_size=8),
            st.sampled_from(["", "eu4x4", "uk3x5x2", "5x5x5", "x"]),
            st.sampled_from(["A", "b", "X", "1", "E", "", "7"]),
            st.sampled_from(["1", "4", "A", "e", "", "9"]),
            st.sampled_from(["H0", "h3", "P", "c", "5", "", "H9"]),
        ),
        max_size=12,
    )
)
def test_accepted_plus_rejected_is_rows_read(rows):
    frame = pd.DataFrame(
        rows, columns=["date", "summary", "scheme", "source", "information", "handling"]
    )
    check = intelligence.validate_log(frame)
    assert len(check.log) + len(check.rejects) == check.rows_read == len(rows)
    again = intelligence.validate_log(check.log)  # what was accepted passes again, unchanged
    assert again.log.equals(check.log) and not len(again.rejects)


def test_a_log_file_with_russian_headers_is_read():
    headers = [
        i18n.t(f"intelligence.col.{c}", "ru")
        for c in ("date", "summary", "problem", "source", "information", "handling")
    ]
    text = (
        ";".join(headers)
        + "\n"
        + "\n".join(
            [
                "01.03.2025;Двое осматривают дворы;Residential burglary;B;2;H0",
                "02.03.2025;Слух;Residential burglary;Z;4;H0",
            ]
        )
    )
    check = intelligence.read_log(text.encode("cp1251"), "журнал.csv")
    assert check.rows_read == 2 and len(check.log) == 1
    assert check.rejects["row_number"].tolist() == [3]  # as a spreadsheet numbers it
    with pytest.raises(IlpInputError) as caught:
        intelligence.read_log(b"a,b\n1,2\n", "other.csv")
    assert caught.value.message.key == "intelligence.log_no_columns"


def test_adding_an_item_checks_it_and_leaves_the_log_unchanged():
    log = intelligence.add_item(
        intelligence.empty_log(),
        date=dt.date(2025, 4, 1),
        summary="x",
        source="A",
        information="1",
        handling="H0",
    )
    with pytest.raises(IlpInputError, match="'Q'"):
        intelligence.add_item(
            log, date="2025-04-02", summary="y", source="Q", information="1", handling="H0"
        )
    assert len(log) == 1
    both = intelligence.append_items(log, log)
    assert both["item_id"].tolist() == ["INT-0001", "INT-0002"] and len(log) == 1


# -- summaries on a hand-made log ------------------------------------------------------------


def test_summary_counts_and_flags_by_hand():
    rows = [
        # Robbery: B2 (strong), X2 (weak source), C1 (weak source): 2 of 3 weak > 50 %
        ["2025-01-01", "r1", "Robbery", "", "B", "2", "H0"],
        ["2025-01-05", "r2", "robbery", "", "X", "2", "H0"],
        ["2025-01-03", "r3", "Грабёж и разбой", "", "C", "1", "H0"],  # Russian name
        # Burglary: A1 and 1A-P (UK, 4x4 B2): none weak
        ["2025-02-01", "b1", "Residential burglary", "", "A", "1", "H0"],
        ["2025-02-02", "b2", "Residential burglary", "uk3x5x2", "1", "A", "P"],
        # Shoplifting: B2 and B4 (uncorroborated): 1 of 2 = 50 %, not more than half
        ["2025-03-01", "s1", "Shoplifting", "", "B", "2", "H1"],
        ["2025-03-02", "s2", "Shoplifting", "", "B", "4", "H1"],
        # a problem outside the ranking, graded 5x5x5 E3 (untested: 4x4 X, weak)
        ["2025-03-03", "o1", "Crew at the port", "5x5x5", "E", "3", "1"],
    ]
    log = intelligence.validate_log(_log(rows)).log
    ranking = pd.DataFrame(
        {
            "problem": ["Robbery", "Residential burglary", "Shoplifting", "Homicide"],
            "rank": [1, 2, 3, 4],
            "tier": ["high", "high", "medium", "low"],
        }
    )
    s = intelligence.summarise(log, ranking)
    t = s.per_problem.set_index("problem")
    assert list(t.index) == [
        "Robbery",
        "Residential burglary",
        "Shoplifting",
        "Homicide",
        "Crew at the port",
    ]
    assert t["n_items"].tolist() == [3, 2, 2, 0, 1]
    assert t["n_weak"].tolist() == [2, 0, 1, 0, 1]
    assert t.loc["Robbery", "weak_share"] == pytest.approx(2 / 3)
    assert t["flag_reason"].tolist() == ["mostly_weak", "", "", "no_items", "mostly_weak"]
    assert t["in_ranking"].tolist() == [True, True, True, True, False]
    assert t.loc["Robbery", "last_date"] == dt.date(2025, 1, 5)
    assert t.loc["Homicide", "tier"] == "low"
    assert (s.n_items, s.n_weak) == (8, 4)
    grades = s.per_grade.set_index("grade")
    # 4x4 grades after conversion: B2 x2 (r1, s1) + the UK 1A (B2) = 3, of which 1 converted
    assert grades.loc["B2", "n_items"] == 3 and grades.loc["B2", "n_converted"] == 1
    assert grades.loc["X3", "n_items"] == 1 and bool(grades.loc["X3", "weak"])
    assert int(grades["n_items"].sum()) == 8
    grid = s.by_problem_grade.set_index("problem")
    assert grid.loc["Robbery"].sum() == 3 and grid.loc["Homicide"].sum() == 0
    shown = intelligence.summary_for_display(s, "fr")
    assert shown.columns[0] == "Priorité"
    assert shown.iloc[0, -2] == "Repose surtout sur une information faible"


def test_a_ranking_without_a_problem_column_is_refused():
    with pytest.raises(IlpInputError) as caught:
        intelligence.summarise(intelligence.empty_log(), pd.DataFrame({"rank": [1]}))
    assert caught.value.message.key == "checks.missing_columns"
    assert caught.value.columns == ("problem",)


def test_an_empty_log_flags_every_priority():
    s = intelligence.summarise(intelligence.empty_log(), ["Robbery", "Homicide"])
    assert s.per_problem["flag_reason"].tolist() == ["no_items", "no_items"]
    assert s.n_items == 0 and len(s.per_grade) == 0


def test_a_priority_named_twice_is_summarised_once():
    log = pd.DataFrame({"date": ["2025-01-02"] * 2, "summary": ["a", "b"],
                        "problem": ["Robbery", "Burglary"], "source": ["B", "X"],
                        "information": ["2", "2"], "handling": ["H0"] * 2})  # fmt: skip
    ranking = pd.DataFrame({"problem": ["Robbery", "Burglary", "Robbery"], "rank": [1, 2, 3]})
    s = intelligence.summarise(intelligence.validate_log(log).log, ranking)
    assert s.per_problem["problem"].tolist() == ["Robbery", "Burglary"]
    assert s.per_problem["n_items"].tolist() == [1, 1]
    assert s.per_problem["rank"].tolist() == [1, 2]
