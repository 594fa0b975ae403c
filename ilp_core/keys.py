"""Stable keys for names that come from data (offence types, districts, labels).

An analyst's export may name an offence «Грабёж», «Кража со взломом», «Vol avec
violence» or «強盗»: every key the dashboard derives from such a name (the identity
of an offence in the harm table, a widget key, a file name, an anchor, a cache key)
must keep the name's script, give distinct names distinct keys, and give the same
name the same key on every run and machine. Three functions, one per need:

:func:`name_key`
    The identity of a name. Two names with the same key are the same offence.
    Unicode NFKC (compatibility forms: full-width letters, ligatures, composed and
    decomposed accents), case folded, every run of white space one space, ends
    trimmed, invisible zero-width characters dropped, and the Russian «ё» read as
    «е». Accents are otherwise kept: «côte» and «cote», «año» and «ano» are
    different words.
:func:`safe_key`
    An ASCII form for contexts that accept only letters, digits and ``_-``
    (widget keys, file names, HTML anchors): the ASCII letters of the name as a
    readable prefix (no transliteration) and a short hash of :func:`name_key`,
    so names of any script stay distinct.
:func:`match_key`
    A looser form for *suggesting* matches only (offence synonyms, a saved
    classification against a new export): :func:`name_key` without accents and
    punctuation. Never an identity: «Грабеж» and «Грабёж» already share a
    :func:`name_key`; «Dégradation» and «Degradation» share only a match key.

Why these equivalences. Case and spacing never distinguish two offences in a
police export («THEFT», «Theft », «theft» are one category typed three ways).
In Russian «ё» is optional in writing (the 1956 spelling rules, §10, kept by the
2006 edition), so «Грабёж» and «Грабеж» are one word. Other accents can
distinguish words, so they separate identities but not suggestions.

Examples
--------
>>> name_key("  Кража   со ВЗЛОМОМ ") == name_key("кража со взломом")
True
>>> name_key("Грабёж") == name_key("Грабеж"), name_key("Грабёж") == name_key("Разбой")
(True, False)
>>> safe_key("Грабёж") != safe_key("Разбой")
True
>>> safe_key("Residential burglary")[:21]
'residential_burglary_'
>>> match_key("Dégradation, vandalisme") == match_key("degradation vandalisme")
True
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Any, Final

#: Characters with no visible form that copy-paste leaves in labels (zero-width
#: space, word joiner, byte-order mark). Zero-width (non-)joiners stay: they
#: change the spelling of Persian and Indic words.
_INVISIBLE: Final[dict[int, None]] = dict.fromkeys((0x200B, 0x2060, 0xFEFF))
_PREFIX_LENGTH: Final[int] = 24
_HASH_BYTES: Final[int] = 6  # 12 hex digits, 48 bits: no collision among 10^6 names in practice
_NOT_ASCII_WORD = re.compile(r"[^0-9a-z]+")


def name_key(name: Any) -> str:
    r"""Return the identity of a data name (same key: same offence, district or label).

    Parameters
    ----------
    name
        Any value; it is read as ``str(name)``.

    Returns
    -------
    str
        NFKC, case folded, white space collapsed, «ё» as «е»; idempotent
        (``name_key(name_key(x)) == name_key(x)``).

    Examples
    --------
    >>> name_key("Ｒｏｂｂｅｒｙ"), name_key("ROBBERY\u00a0 "), name_key("Ёлка")
    ('robbery', 'robbery', 'елка')
    """
    text = str(name).translate(_INVISIBLE)
    for _ in range(3):  # casefold can leave text that NFKC changes again (U+0345 and kin)
        folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
        folded = " ".join(folded.replace("ё", "е").split())
        if folded == text:
            break
        text = folded
    return text


def safe_key(name: Any) -> str:
    """Return an ASCII key for a data name: readable prefix plus a hash of its identity.

    For widget keys, file names and anchors. Names with the same :func:`name_key`
    get the same key; different ones get different keys (a 48-bit hash).

    Parameters
    ----------
    name
        Any value; it is read as ``str(name)``.

    Returns
    -------
    str
        Only ``[0-9a-z_]``: up to 24 ASCII letters or digits of the name (words
        joined by ``_``), then ``_`` and 12 hex digits; the hex digits alone when
        the name has no ASCII letter.

    Examples
    --------
    >>> len(safe_key("Кража")), safe_key("Кража") == safe_key(" КРАЖА")
    (12, True)
    >>> safe_key("Motor Vehicle Theft?") == safe_key("Motor Vehicle Theft")
    False
    """
    key = name_key(name)
    digest = hashlib.blake2b(key.encode("utf-8"), digest_size=_HASH_BYTES).hexdigest()
    prefix = _NOT_ASCII_WORD.sub("_", key)[:_PREFIX_LENGTH].strip("_")
    return f"{prefix}_{digest}" if prefix else digest


def match_key(name: Any) -> str:
    """Return the loose form of a name used to suggest matches (never an identity).

    :func:`name_key` with accents and diacritics removed and punctuation read as
    space.

    Examples
    --------
    >>> match_key("Vol  avec violence"), match_key("Daños (a la propiedad)")
    ('vol avec violence', 'danos a la propiedad')
    """
    text = unicodedata.normalize("NFKD", name_key(name))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = "".join(ch if (ch.isalnum() or ch.isspace()) else " " for ch in text)
    return " ".join(unicodedata.normalize("NFC", text).split())
