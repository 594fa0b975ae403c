"""Offence labels classified in the ICCS, and harm weights that follow the class.

Independent truths: the category lists of the real exports (written out below as
the publishers list them), the ICCS codes checked against the manual's pages, the
CIS, French and Spanish legal terms the issue names, and blends worked by hand.
"""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
import yaml
from conftest import ROOT

from ilp_core import keys
from ilp_core.data import classify, ingest
from ilp_core.data.dataset import Dataset, load_sample
from ilp_core.decide import harm, priorities
from ilp_core.errors import IlpInputError

FIXTURES = ROOT / "tests" / "fixtures"

# The publishers' own category lists (police.uk "Crime type" since May 2013 and the two
# earlier ones; Chicago "Primary Type"; San Francisco "Incident Category").
POLICE_UK = {
    "Anti-social behaviour", "Bicycle theft", "Burglary", "Criminal damage and arson", "Drugs",
    "Other theft", "Possession of weapons", "Public order", "Robbery", "Shoplifting",
    "Theft from the person", "Vehicle crime", "Violence and sexual offences", "Other crime",
    "Violent crime", "Public disorder and weapons",
}  # fmt: skip
CHICAGO = {
    "ARSON", "ASSAULT", "BATTERY", "BURGLARY", "CONCEALED CARRY LICENSE VIOLATION",
    "CRIM SEXUAL ASSAULT", "CRIMINAL SEXUAL ASSAULT", "CRIMINAL DAMAGE", "CRIMINAL TRESPASS",
    "DECEPTIVE PRACTICE", "DOMESTIC VIOLENCE", "GAMBLING", "HOMICIDE", "HUMAN TRAFFICKING",
    "INTERFERENCE WITH PUBLIC OFFICER", "INTIMIDATION", "KIDNAPPING", "LIQUOR LAW VIOLATION",
    "MOTOR VEHICLE THEFT", "NARCOTICS", "NON - CRIMINAL", "NON-CRIMINAL",
    "NON-CRIMINAL (SUBJECT SPECIFIED)", "OBSCENITY", "OFFENSE INVOLVING CHILDREN",
    "OTHER NARCOTIC VIOLATION", "OTHER OFFENSE", "PROSTITUTION", "PUBLIC INDECENCY",
    "PUBLIC PEACE VIOLATION", "RITUALISM", "ROBBERY", "SEX OFFENSE", "STALKING", "THEFT",
    "WEAPONS VIOLATION",
}  # fmt: skip
SAN_FRANCISCO = {
    "Arson", "Assault", "Burglary", "Case Closure", "Civil Sidewalks", "Courtesy Report",
    "Disorderly Conduct", "Drug Offense", "Drug Violation", "Embezzlement", "Fire Report",
    "Forgery And Counterfeiting", "Fraud", "Gambling", "Homicide",
    "Human Trafficking (A), Commercial Sex Acts", "Human Trafficking (B), Involuntary Servitude",
    "Human Trafficking, Commercial Sex Acts", "Larceny Theft", "Liquor Laws", "Lost Property",
    "Malicious Mischief", "Miscellaneous Investigation", "Missing Person", "Motor Vehicle Theft",
    "Motor Vehicle Theft?", "Non-Criminal", "Offences Against The Family And Children", "Other",
    "Other Miscellaneous", "Other Offenses", "Prostitution", "Rape", "Recovered Vehicle",
    "Robbery", "Sex Offense", "Stolen Property", "Suicide", "Suspicious", "Suspicious Occ",
    "Traffic Collision", "Traffic Violation Arrest", "Vandalism", "Vehicle Impounded",
    "Vehicle Misplaced", "Warrant", "Weapons Carrying Etc", "Weapons Offence", "Weapons Offense",
}  # fmt: skip
LAYOUTS = {
    "police_uk_street": POLICE_UK,
    "chicago_crimes": CHICAGO,
    "sf_police_incidents": SAN_FRANCISCO,
}
REAL_FIXTURES = [
    "police_uk_month.csv",
    "chicago_month.csv",
    "sf_month.csv",
    "ru_cp1251.csv",
    "fr_latin1.csv",
    "es_export.csv",
]


# -- the classification itself ----------------------------------------------------------


def test_every_code_is_well_formed_and_its_parents_are_listed():
    table = classify.iccs_classes("en").set_index("code")
    for code, row in table.iterrows():
        if code == classify.NOT_A_CRIME:
            continue
        assert re.fullmatch(r"\d{2}(\d{2}(\d(\d)?)?)?(/[a-z_]+)?", code), code
        parent = row["parent"]
        while parent is not None:  # the whole chain up to the section is named
            assert parent in table.index, (code, parent)
            parent = table.loc[parent, "parent"]
    # the codes the issue names, at the level the ICCS gives them
    names = table["name"]
    assert names["0501"] == "Burglary" and names["0502"] == "Theft"
    assert names["0401"] == "Robbery" and names["0701"] == "Fraud"
    assert names["020111"] == "Serious assault" and names["020112"] == "Minor assault"
    assert not table.loc["0504/arson", "is_iccs"] and not table.loc["NC", "is_iccs"]


@pytest.mark.parametrize("lang", ["en", "ru", "fr", "es"])
def test_every_class_is_named_in_every_language(lang):
    shown = classify.iccs_classes(lang)
    english = classify.iccs_classes("en")
    assert shown["name"].str.len().gt(2).all()
    if lang != "en":  # translated, not copied (a few names are the same word: Fraude)
        assert (shown["name"] != english["name"]).mean() > 0.9


@pytest.mark.parametrize(("layout", "expected"), list(LAYOUTS.items()))
def test_every_category_of_a_known_export_maps_and_weighs(layout, expected):
    table = classify.layout_classes(layout)
    assert set(table) == expected  # the complete list, no more, no less
    weights = harm.harm_table()
    for label, code in table.items():
        assert classify.is_class(code), (label, code)
        assert weights.weight_of(code) is not None, f"{layout}: {label} ({code}) has no weight"


def test_every_synonym_names_a_known_class_and_the_unweighted_ones_are_deliberate():
    data = yaml.safe_load((ROOT / "ilp_core/config/offence_classes.yaml").read_text("utf-8"))
    codes = set()
    for lang in ("en", "ru", "fr", "es"):
        assert data["synonyms"][lang], lang
        codes |= {str(c) for c in data["synonyms"][lang]}
    assert all(classify.is_class(c) for c in codes)
    unweighted = {c for c in codes if harm.harm_table().weight_of(c) is None}
    # listed in harm_weights.yaml as "no weight on purpose"
    assert unweighted == {"0102", "0104", "0203", "0209", "0302", "0503", "0703", "07031"}


# The terms the issue names, with the class the ICCS gives the act they describe.
TERMS = [
    ("кража", "0502"), ("Кража со взломом", "0501"), ("Грабёж", "050221"),
    ("ГРАБЕЖ", "050221"), ("грабёж с применением насилия", "0401"), ("Разбой", "0401"),
    ("Хулиганство", "0801"), ("Мошенничество", "0701"), ("Вымогательство", "0205"),
    ("Угон", "05021"), ("Поджог", "0504/arson"), ("Побои", "020112"),
    ("vol", "0502"), ("Vol avec violence", "0401"), ("Cambriolage", "0501"),
    ("Escroquerie", "0701"), ("Dégradation", "0504"), ("Incendie volontaire", "0504/arson"),
    ("hurto", "0502"), ("Robo con violencia", "0401"), ("Robo con fuerza", "0501"),
    ("Estafa", "0701"), ("Lesiones", "02011"), ("Daños", "0504"),
    ("Theft", "0502"), ("Aggravated assault", "020111"), ("Criminal damage", "0504"),
]  # fmt: skip


@pytest.mark.parametrize(("label", "code"), TERMS)
def test_legal_terms_in_four_languages_are_suggested_their_class(label, code):
    s = classify.suggest_classes([label])
    assert s.loc[0, "code"] == code
    assert s.loc[0, "confidence"] in ("exact", "high", "medium")


def test_the_longest_term_wins_and_unknown_labels_stay_unclassified():
    s = classify.suggest_classes(["Кража из квартиры", "Кража велосипеда", "Статья 999"])
    assert s["code"].tolist() == ["05012", "0502", None]
    assert s["confidence"].tolist() == ["high", "medium", "none"]


def test_saved_choices_win_and_match_labels_by_name():
    s = classify.suggest_classes(
        ["Burglary", "ГРАБЕЖ"], saved={"burglary ": "05012", "Грабёж": "0401"}
    )
    assert s["code"].tolist() == ["05012", "0401"]
    assert s["confidence"].tolist() == ["saved", "saved"]


def test_a_classification_is_checked():
    with pytest.raises(IlpInputError) as err:
        classify.check_classes({"Theft": "9999"})
    assert err.value.message.key == "classify.unknown_class"
    assert "9999" in err.value.render("ru")
    with pytest.raises(IlpInputError) as err:
        classify.check_classes({"Theft": "0502", "THEFT ": "0401"})
    assert err.value.message.key == "classify.label_twice"
    assert classify.check_classes({"Theft": "0502", "THEFT ": "0502", "X": ""}) == {
        "Theft": "0502",
        "THEFT ": "0502",
    }


# -- harm follows the class ---------------------------------------------------------------


def test_blended_weights_by_hand():
    rows = harm.harm_table().table.set_index("iccs")["days"]
    # burglary: 70 % residential (18.75 days) and 30 % business (5 days)
    assert rows["0501"] == pytest.approx(0.7 * 18.75 + 0.3 * 5)
    # police.uk violence and sexual offences: the five parts of harm_weights.yaml
    parts = [(0.24, 18.75), (0.33, 2.5), (0.33, 5), (0.03, 1825), (0.055, 18.75)]
    expected = sum(s * d for s, d in parts) / sum(s for s, _ in parts)
    assert rows["02"] == pytest.approx(expected, abs=1e-3)  # 63.71 days
    assert rows["0201"] == pytest.approx((0.24 * 18.75 + 0.33 * 2.5) / 0.57, abs=1e-3)


def test_the_sample_region_keeps_its_weights():
    # the values of the previous, name-keyed table: the sample's ranking is unchanged
    before = {
        "Homicide": 5475, "Sexual offences": 1825, "Robbery": 365, "Violence with injury": 18.75,
        "Violence without injury": 2.5, "Residential burglary": 18.75,
        "Non-residential burglary": 5, "Vehicle crime": 2.5, "Theft from the person": 2.5,
        "Shoplifting": 2.5, "Other theft": 2.5, "Bicycle theft": 2.5, "Criminal damage": 2.5,
        "Arson": 18.75, "Public order offences": 2.5, "Drug offences": 5,
        "Possession of weapons": 18.75,
    }  # fmt: skip
    assert harm.harm_weights() == pytest.approx(before)


def test_a_russian_burglary_weighs_as_a_burglary_not_the_placeholder():
    labels = ["Кража со взломом", "Кража из квартиры", "Кража", "Неведомое деяние"]
    classes = classify.confirmed_classes(classify.suggest_classes(labels), at_least="medium")
    d = harm.default_weights(labels, classes).table.set_index("offence")
    assert d.loc["Кража со взломом", "days"] == pytest.approx(14.625)  # burglary, blended
    assert d.loc["Кража из квартиры", "days"] == 18.75  # residential burglary
    assert d.loc["Кража", "days"] == 2.5
    # an unknown act is not weighted silently: no class, no weight, listed
    assert not d.loc["Неведомое деяние", "has_weight"]
    assert d.loc["Неведомое деяние", "basis"] == "none"


def test_a_finer_class_without_a_weight_takes_its_level_two_parent_and_says_so():
    d = harm.default_weights(["Bike"], {"Bike": "05022"}).table.iloc[0]
    assert d["days"] == 2.5 and d["basis"] == "parent" and d["weight_class"] == "0502"
    d = harm.default_weights(["Insult"], {"Insult": "0209"}).table.iloc[0]
    assert not d["has_weight"]  # never the section's (02) blend


def test_broad_classes_carry_a_caveat_and_known_categories_their_judgement():
    d = harm.default_weights(["Violence and sexual offences", "Anti-social behaviour"]).table
    d = d.set_index("offence")
    assert "Rape" in d.loc["Violence and sexual offences", "caveat"]
    assert "sexual offences (ICCS 03" in d.loc["Violence and sexual offences", "class_note"]
    assert "Not a recorded crime" in d.loc["Anti-social behaviour", "class_note"]
    public_order = harm.harm_table().table.set_index("iccs").loc["0801"]
    assert "no recorded crime" in public_order["note"] and public_order["caveat"] == ""


@pytest.mark.parametrize(
    ("lang", "words"),
    [("en", "Rape"), ("ru", "Изнасилования"), ("fr", "Les viols"), ("es", "Las violaciones")],
)
def test_a_broad_class_caveat_is_written_in_the_users_language(lang, words):
    d = harm.default_weights(["Violence and sexual offences"], lang=lang).table.iloc[0]
    assert words in d["caveat"] and set(d["caveats"]) == {"en", "ru", "fr", "es"}


def test_every_caveat_of_the_bundled_table_is_given_in_all_four_languages():
    table = harm.harm_table().table
    broad = table[table["caveat"] != ""]
    assert len(broad) >= 10
    for row in broad.itertuples():
        assert set(row.caveats) == {"en", "ru", "fr", "es"}, row.iccs
        cyrillic = sum("а" <= ch.lower() <= "я" for ch in row.caveats["ru"])
        assert cyrillic > len(row.caveats["ru"]) / 2, row.iccs  # Russian, not a copy
        assert len({row.caveats[k] for k in ("en", "fr", "es")}) == 3, row.iccs


def test_a_caveat_written_once_is_shown_in_every_language(tmp_path):
    path = tmp_path / "harm.yaml"
    entry = {"iccs": "0401", "days": 365, "caveat": "Check it.", "guideline": "g"}
    path.write_text(yaml.safe_dump({"classes": [entry]}), encoding="utf-8")
    table = harm.harm_table(path)
    d = harm.default_weights(["Robbery"], {"Robbery": "0401"}, table=table, lang="ru")
    assert d.table.iloc[0]["caveat"] == "Check it."
    entry["caveat"] = {"en": "Check it.", "ru": "Проверьте."}  # French left out: English
    path.write_text(yaml.safe_dump({"classes": [entry]}), encoding="utf-8")
    table = harm.harm_table(path)
    for lang, text in [("ru", "Проверьте."), ("fr", "Check it.")]:
        d = harm.default_weights(["Robbery"], {"Robbery": "0401"}, table=table, lang=lang)
        assert d.table.iloc[0]["caveat"] == text
    entry["caveat"] = {"en": "Check it.", "de": "Prüfen."}
    path.write_text(yaml.safe_dump({"classes": [entry]}), encoding="utf-8")
    with pytest.raises(IlpInputError) as error:
        harm.harm_table(path)
    assert error.value.message.key == "priorities.harm_file_broken"
    assert "caveat language de" in str(error.value)


def test_not_a_crime_weighs_zero_and_counts():
    inc = pd.DataFrame({"offence": ["Lost Property", "Robbery"], "district": ["A", "A"]})
    t = harm.harm_totals(inc, classes={"Lost Property": "NC", "Robbery": "0401"})
    assert t.set_index("offence")["harm"].to_dict() == {"Robbery": 365.0, "Lost Property": 0.0}
    assert t["count"].sum() == 2


# -- uploads: the issue's Russian export ----------------------------------------------------


def _load(name: str, *, confirm: str = "medium"):
    raw = ingest.read_table((FIXTURES / name).read_bytes(), name)
    mapping = ingest.suggest_mapping(list(raw.frame.columns))
    labels = ingest.offence_labels(raw, mapping)
    found = classify.suggest_classes(labels, layout=mapping.layout)
    classes = classify.confirmed_classes(found, at_least=confirm)  # as the analyst confirms
    mapping = ingest.ColumnMapping(
        mapping.fields, mapping.epsg, mapping.date_order, mapping.swap_latlon,
        mapping.layout, offence_classes=classes,
    )  # fmt: skip
    result = ingest.build_incidents(raw, mapping)
    data = Dataset(name, result.incidents, offence_classes=result.offence_classes)
    return result, data


@pytest.mark.parametrize("name", REAL_FIXTURES)
def test_every_offence_of_every_real_fixture_is_classified_and_weighted(name):
    result, data = _load(name)
    assert all(result.offence_classes.values()), result.offence_classes
    defaults = harm.default_weights(data.offences, data.offence_classes)
    assert defaults.unweighted() == []
    assert not any(m.key == "ingest.issue.offences_unclassified" for m in result.report.issues)


def test_the_russian_export_ranks_on_priorities_without_a_collision():
    result, data = _load("ru_cp1251.csv")
    # «Грабёж» and «ГРАБЕЖ» are one offence, read once; every other name stays itself
    assert "Грабёж" in data.offences and "ГРАБЕЖ" not in data.offences
    assert any(m.key == "ingest.reading.offence_spellings" for m in result.report.readings)
    problems = priorities.problem_data(data.incidents, by="offence")
    weights = harm.harm_weights(problems.offences, data.offence_classes)
    assert len(weights) == len(problems.offences) == 19
    criteria = priorities.criteria_table(problems, weights)  # used to raise harm_duplicate
    ranking = priorities.score(criteria, priorities.presets()[0], missing="lowest")
    # the Report's default ranking (no weights given) follows the same classes
    default = priorities.criteria_table(problems, classes=data.offence_classes)
    pd.testing.assert_series_equal(criteria["harm"], default["harm"])
    by_harm = criteria.set_index("problem")["harm"]
    assert (
        by_harm["Убийство"] / (problems.table.set_index("problem").loc["Убийство", "volume"])
        == 5475
    )
    assert len(ranking.table) == 19


def test_an_unconfirmed_label_is_listed_in_the_quality_report():
    raw = ingest.read_table("Вид;Дата\nКража;01.02.2024\nСтатья 999;02.02.2024\n".encode(), "a.csv")
    mapping = ingest.ColumnMapping(
        {"offence": "Вид", "date": "Дата"}, offence_classes={"Кража": "0502"}
    )
    result = ingest.build_incidents(raw, mapping)
    assert result.offence_classes == {"Кража": "0502", "Статья 999": None}
    issue = next(m for m in result.report.issues if m.key == "ingest.issue.offences_unclassified")
    assert issue.params["k"] == 1 and "Статья 999" in issue.render("ru")


def test_the_classification_is_saved_with_the_column_mapping():
    m = ingest.ColumnMapping({"offence": "Вид"}, offence_classes={"Кража со взломом": "0501"})
    text = m.to_json()
    assert json.loads(text)["offence_classes"] == {"Кража со взломом": "0501"}
    assert "Кража со взломом" in text  # readable, not escaped
    assert ingest.ColumnMapping.from_json(text.encode("utf-8")) == m
    old = '{"version": 1, "fields": {"offence": "Crime type"}}'  # a file saved before
    assert ingest.ColumnMapping.from_json(old).offence_classes is None
    with pytest.raises(IlpInputError) as err:
        ingest.ColumnMapping.from_json(
            '{"fields": {"offence": "x"}, "offence_classes": {"a": "7"}}'
        )
    assert err.value.message.key == "classify.unknown_class"


def test_the_classification_is_part_of_the_fingerprint():
    sample = load_sample()
    other = dict(sample.offence_classes)
    other["Arson"] = "0504"
    again = Dataset("x", sample.incidents, sample.districts, offence_classes=other)
    assert again.fingerprint != sample.fingerprint
    assert Dataset("x", sample.incidents, sample.districts).fingerprint != sample.fingerprint
    with pytest.raises(TypeError):
        sample.offence_classes["Robbery"] = "0502"  # shared read-only


def test_keys_of_labels_give_widgets_of_their_own():
    result, data = _load("ru_cp1251.csv")
    widget_keys = {keys.safe_key(o) for o in data.offences}
    assert len(widget_keys) == len(data.offences)
