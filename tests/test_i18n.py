"""Every catalog is complete, consistent with English, and covers every key the code uses."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from conftest import ROOT

from ilp_core import i18n
from ilp_core.data import schema

LANGS = [lang for lang in i18n.LANGUAGES if lang != "en"]
# A key literal passed to one of the translating calls: tr("x.y"), t("x.y", ...), Message("x.y"),
# IlpInputError("x.y"), i18n.t("x.y").
KEY_CALL = re.compile(
    r"""(?:\btr|\bt|i18n\.t|Message|IlpInputError|_msg|message)\(\s*["']([a-z_]+\.[a-z0-9_.]+)["']"""
)


def _code_files():
    for folder in ("ilp_core", "pages", "ui"):
        yield from (ROOT / folder).rglob("*.py")
    yield ROOT / "app.py"


def _used_keys() -> set[str]:
    keys = set()
    for path in _code_files():
        keys |= set(KEY_CALL.findall(path.read_text(encoding="utf-8")))
    keys |= {f"field.{f}" for f in schema.MAPPABLE_FIELDS}
    return keys


def test_every_key_the_code_uses_is_in_english():
    missing = sorted(k for k in _used_keys() if k not in i18n.catalog("en"))
    assert not missing, f"keys used in code but missing from the English catalog: {missing}"


@pytest.mark.parametrize("lang", LANGS)
def test_catalog_has_every_english_key(lang):
    english, other = i18n.catalog("en"), i18n.catalog(lang)
    missing = sorted(set(english) - set(other))
    extra = sorted(set(other) - set(english))
    assert not missing, f"{lang} lacks {len(missing)} strings, e.g. {missing[:10]}"
    assert not extra, f"{lang} has strings English does not: {extra[:10]}"


@pytest.mark.parametrize("lang", LANGS)
def test_placeholders_match_english(lang):
    english, other = i18n.catalog("en"), i18n.catalog(lang)
    wrong = {
        k: (sorted(i18n.placeholders(v)), sorted(i18n.placeholders(english[k])))
        for k, v in other.items()
        if k in english and i18n.placeholders(v) != i18n.placeholders(english[k])
    }
    assert not wrong, f"{lang}: placeholders differ from English: {wrong}"


@pytest.mark.parametrize("lang", list(i18n.LANGUAGES))
def test_no_key_is_defined_in_two_domain_files(lang):
    seen: dict[str, str] = {}
    for path in sorted((ROOT / "ilp_core" / "locales" / lang).glob("*.json")):
        for key in json.loads(path.read_text(encoding="utf-8")):
            assert key not in seen, f"{lang}: {key} is in both {seen[key]} and {path.name}"
            seen[key] = path.name


@pytest.mark.parametrize("lang", LANGS)
def test_translations_are_not_english_copies(lang):
    english, other = i18n.catalog("en"), i18n.catalog(lang)
    long_keys = [k for k, v in english.items() if len(v) > 40]
    same = [k for k in long_keys if other.get(k) == english[k]]
    # Long sentences left in English betray a catalog that was copied, not translated.
    assert len(same) <= 0.02 * len(long_keys) + 1, f"{lang}: untranslated: {same[:10]}"


def test_numbers_and_dates_follow_the_language():
    assert i18n.number(1234567, "en") == "1,234,567"
    assert i18n.number(1234567, "ru").replace("\xa0", " ") == "1 234 567"
    assert i18n.number(1234.5, "fr", 1).replace("\u202f", " ") == "1 234,5"
    assert i18n.number(1234.5, "es", 1) == "1.234,5"
    assert i18n.date(dt.date(2026, 3, 5), "en") == "Mar 5, 2026"
    assert "марта" in i18n.date(dt.date(2026, 3, 5), "ru", "long")


def test_t_fills_placeholders_and_falls_back_to_english():
    assert i18n.t("common.rows", "en", n=2500) == "2,500 rows"
    with pytest.raises(KeyError):
        i18n.t("no.such_key", "en")


def test_terms_translate_known_values_and_keep_unknown_ones():
    assert i18n.term("Some local offence code 12", "ru") == "Some local offence code 12"
    assert i18n.slug("Violence with injury") == "violence_with_injury"
