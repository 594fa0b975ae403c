"""Personal data: detection by headers (four languages) and by values; drop and pseudonymise."""

from __future__ import annotations

import hashlib
import hmac

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ilp_core import i18n
from ilp_core.analysis import hotspots
from ilp_core.data import privacy
from ilp_core.errors import IlpInputError

KEY = bytes(range(32))
DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"


def _dni(number: int) -> str:
    return f"{number:08d}{DNI_LETTERS[number % 23]}"  # the letter is the number mod 23


def _snils(nine: str) -> str:
    # check number: sum of digits weighted 9..1; <100 itself; 100/101 -> 00; else mod 101
    total = sum(int(d) * w for d, w in zip(nine, range(9, 0, -1), strict=True))
    check = total if total < 100 else (0 if total in (100, 101) else total % 101)
    check = 0 if check == 100 else check
    return f"{nine[:3]}-{nine[3:6]}-{nine[6:]} {check:02d}"


def _found(frame):
    return {c.name: (c.kind, c.rule) for c in privacy.detect_personal_columns(frame)}


# -- headers in the four languages ------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "kind"),
    [
        ("Victim name", "name"),
        ("Surname", "name"),
        ("ФИО потерпевшего", "name"),
        ("Фамилия", "name"),
        ("Prénom", "name"),
        ("Nom de la victime", "name"),
        ("Apellidos", "name"),
        ("Nombre completo", "name"),
        ("Passport number", "id_number"),
        ("NI number", "id_number"),
        ("СНИЛС", "id_number"),
        ("Номер паспорта", "id_number"),
        ("Numéro de sécurité sociale", "id_number"),
        ("DNI", "id_number"),
        ("Documento de identidad", "id_number"),
        ("Phone", "phone"),
        ("Mobile number", "phone"),
        ("Телефон", "phone"),
        ("Numéro de téléphone", "phone"),
        ("Teléfono móvil", "phone"),
        ("E-mail", "email"),
        ("Электронная почта", "email"),
        ("Courriel", "email"),
        ("Correo electrónico", "email"),
        ("Victim address", "address"),
        ("Адрес проживания", "address"),
        ("Adresse de la victime", "address"),
        ("Dirección", "address"),
        ("Date of birth", "birth_date"),
        ("DOB", "birth_date"),
        ("Дата рождения", "birth_date"),
        ("date_de_naissance", "birth_date"),
        ("Fecha de nacimiento", "birth_date"),
    ],
)
def test_personal_headers_are_recognised_in_four_languages(header, kind):
    found = _found(pd.DataFrame({header: ["", None]}))
    assert found == {header: (kind, "header")}


def test_ordinary_headers_are_not_personal():
    frame = pd.DataFrame(
        {
            "incident_id": ["SR-2024-000123", "SR-2024-000124"],
            "Offence": ["Robbery", "Shoplifting"],
            "Вид преступления": ["Грабёж", "Кража"],
            "District name": ["Old Harbour", "Castle Hill"],
            "Nom du quartier": ["A", "B"],
            "Date": ["2025-03-01 10:00", "01.03.2025 22:15"],
            "Latitude": ["45.476871", "45.5"],
            "Longitude": ["-30.512539", "-30.5"],
            "location_id": ["L000123", "L000124"],
            "Street type": ["Avenue", "Lane"],
            "Nombre del delito": ["Robo", "Hurto"],
        }
    )
    assert _found(frame) == {}


# -- values -----------------------------------------------------------------------------------


def test_phone_numbers_e_mails_and_id_numbers_are_recognised_by_their_values():
    frame = pd.DataFrame(
        {
            "c1": ["+44 20 7946 0958", "+7 916 123-45-67", "020 7946 0958", "n/a"],
            "c2": ["ann@example.org", "j.doe+x@mail.example.co.uk", "bo@ex.es", "none"],
            "c3": [_dni(12345678), _dni(87654321), _dni(11111111), _dni(5)],
            "c4": [_snils("112233445"), _snils("123456789"), _snils("987654321"), ""],
            "c5": ["QQ 12 34 56 C", "AB123456D", "JG 10 37 56 A", "ZZ"],
            "c6": ["12 Harbour Street", "ул. Ленина, д. 5", "3 rue de la Paix", "Calle Mayor 12"],
        }
    )
    detected = {c.name: c for c in privacy.detect_personal_columns(frame)}
    assert {k: (v.kind, v.rule) for k, v in detected.items()} == {
        "c1": ("phone", "values"),
        "c2": ("email", "values"),
        "c3": ("id_number", "values"),
        "c4": ("id_number", "values"),  # SNILS also looks like a phone: the id wins
        "c5": ("id_number", "values"),
        "c6": ("address", "values"),
    }
    assert detected["c1"].share == pytest.approx(3 / 4) and detected["c1"].sampled == 4
    assert detected["c4"].share == pytest.approx(3 / 3)  # the empty cell is not sampled
    assert detected["c6"].suggested == "pseudonymise" and detected["c1"].suggested == "drop"
    assert detected["c1"].evidence.key == "privacy.evidence.values.phone"
    assert detected["c1"].evidence.params["percent"] == 75


def test_check_digits_are_verified():
    wrong_dni = [f"{n:08d}{DNI_LETTERS[(n + 1) % 23]}" for n in (12345678, 87654321, 11111111)]
    wrong_snils = ["112-233-445 96", "123-456-789 00", "987-654-321 01"]
    assert privacy.snils_valid("112-233-445 95")
    frame = pd.DataFrame({"a": wrong_dni, "b": wrong_snils})
    found = _found(frame)
    assert "a" not in found
    assert found.get("b", ("", ""))[0] != "id_number"


def test_a_header_and_its_values_agreeing_is_reported_as_both():
    frame = pd.DataFrame({"Correo": ["ana@ejemplo.es", "luis@ejemplo.es"]})
    (col,) = privacy.detect_personal_columns(frame)
    assert (col.kind, col.rule, col.share) == ("email", "header_and_values", 1.0)
    for lang in i18n.LANGUAGES:
        text = col.evidence.render(lang)
        assert "Correo" in text and "100" in text


def test_the_sample_is_spread_and_capped():
    values = [f"user{i}@example.org" if i % 2 else "text" for i in range(5000)]
    (col,) = privacy.detect_personal_columns(pd.DataFrame({"x": values}))
    assert col.sampled == 500 and 0.45 <= col.share <= 0.55


# -- protection -----------------------------------------------------------------------------------


def _upload():
    return pd.DataFrame(
        {
            "Offence": ["Burglary", "Burglary", "Burglary", "Robbery"],
            "Address": ["12 Harbour Street", "12 harbour  street ", "3 Elm Road", None],
            "Victim": ["Ann Smith", "Bo Lee", "Cy Diaz", "Di Roe"],
            "Phone": ["+44 20 7946 0958", "+44 20 7946 0959", "", None],
        },
        index=pd.Index([2, 3, 5, 6], name="row_number"),
    ).astype("str")


def test_protect_drops_and_pseudonymises_and_leaves_no_raw_value():
    frame = _upload()
    before = frame.copy()
    out = privacy.protect(
        frame, {"Address": "pseudonymise", "Victim": "drop", "Phone": "keep"}, KEY
    )
    pd.testing.assert_frame_equal(frame, before)  # the caller's frame is untouched
    assert list(out.frame.columns) == ["Offence", "Address", "Phone"]
    assert out.frame.index.equals(frame.index)
    tokens = out.frame["Address"]
    # same address (spaces and case aside) -> same token; another address -> another token
    assert tokens.iloc[0] == tokens.iloc[1] != tokens.iloc[2]
    assert pd.isna(tokens.iloc[3])
    expected = hmac.new(KEY, b"12 harbour street", hashlib.sha256).hexdigest()[:16]
    assert tokens.iloc[0] == expected
    cells = " ".join(map(str, out.frame.to_numpy().ravel()))
    for raw in ("Harbour", "harbour", "Elm", "Ann Smith", "Bo Lee"):
        assert raw not in cells
    assert out.codes == ("pseudonymise:Address", "drop:Victim", "keep:Phone")
    assert [m.key for m in out.actions] == [
        "privacy.action.pseudonymise",
        "privacy.action.drop",
        "privacy.action.keep",
    ]
    assert out.actions[0].params["n"] == 3  # distinct raw values hashed
    assert "Address" in privacy.describe_action(out.codes[0], "fr")


def test_pseudonymised_addresses_still_group_repeat_locations():
    rng = np.random.default_rng(3)
    addresses = rng.choice(["1 High St", "2 High St", "9 Mill Lane", "4 Dock Road"], size=200)
    incidents = pd.DataFrame(
        {
            "location_id": addresses,
            "occurred_at": pd.Timestamp("2025-01-01") + pd.to_timedelta(np.arange(200), "h"),
            "offence": "Burglary",
        }
    )
    raw = hotspots.repeat_locations(incidents)
    hidden = privacy.protect(incidents, {"location_id": "pseudonymise"}, privacy.new_key()).frame
    tokens = hotspots.repeat_locations(hidden)
    assert sorted(raw["count"]) == sorted(tokens["count"])
    assert not set(tokens["location_id"]) & set(addresses)


def test_keys_make_different_tokens_and_are_checked():
    a = privacy.protect(_upload(), {"Address": "pseudonymise"}, privacy.new_key()).frame
    b = privacy.protect(_upload(), {"Address": "pseudonymise"}, privacy.new_key()).frame
    assert a["Address"].iloc[0] != b["Address"].iloc[0]
    with pytest.raises(IlpInputError) as caught:
        privacy.protect(_upload(), {"Address": "pseudonymise"}, b"short")
    assert caught.value.message.key == "privacy.weak_key"
    with pytest.raises(IlpInputError, match="'Email'"):
        privacy.protect(_upload(), {"Email": "drop"}, KEY)
    with pytest.raises(IlpInputError, match="drop, pseudonymise, keep"):
        privacy.protect(_upload(), {"Phone": "encrypt"}, KEY)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=20).filter(str.strip), min_size=1, max_size=30))
def test_pseudonymisation_is_consistent_and_hides_every_value(values):
    frame = pd.DataFrame({"v": values})
    out = privacy.protect(frame, {"v": "pseudonymise"}, KEY).frame["v"]
    normal = [" ".join(v.split()).casefold() for v in values]
    for i in range(len(values)):
        for j in range(len(values)):
            assert (out.iloc[i] == out.iloc[j]) == (normal[i] == normal[j])
    assert all(len(t) == 16 and set(t) <= set("0123456789abcdef") for t in out)
