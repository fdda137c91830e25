"""How names are folded and compared: index keys, abbreviations, ordinary words."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from anyascii import anyascii

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
# The same rules for ASCII text (the bulk of any gazetteer) as one translate and one split:
# about three times faster than the regular expressions, and the same keys (checked on every
# name of the shipped gazetteer by tests/test_gazetteer.py).
_ASCII_KEPT = "abcdefghijklmnopqrstuvwxyz0123456789"
_ASCII_FOLD = str.maketrans(
    {chr(c): (chr(c) if chr(c) in _ASCII_KEPT else " ") for c in range(128)}
    | {"'": None, "`": None, "&": " and "}
)
_APOSTROPHES = re.compile(r"['`\u2018\u2019\u02bc\u02bb\u00b4]")
_ABBREV_STRIP = re.compile(r"[.\s]")
# A trailing possessive as news writes it: "Syria's", "Idlib’s", "Texas'".
POSSESSIVE = re.compile(r"(?:'s|’s|'|’)$")


def fold_name(text: str) -> str:
    """Fold a place name to its index key: case, diacritics, punctuation and a leading "the".

    >>> fold_name("The Côte d’Ivoire")
    'cote divoire'
    """
    if text.isascii():
        key = " ".join(text.lower().translate(_ASCII_FOLD).split())
        return key[4:] if key.startswith("the ") else key
    return fold_any(text)


def fold_any(text: str) -> str:
    """`fold_name` by the general rules, for any text (the ASCII path must agree with it)."""
    text = unicodedata.normalize("NFKC", text)
    if not text.isascii():
        text = anyascii(text)
    text = _APOSTROPHES.sub("", text.lower()).replace("&", " and ")
    text = _NON_ALNUM.sub(" ", text).strip()
    if text.startswith("the "):
        text = text[4:]
    return text


# Tagging asks for the same few thousand names again and again; compiling a gazetteer asks
# for millions once each and calls fold_name directly.
normalize_name = lru_cache(maxsize=1 << 16)(fold_name)


def strip_possessive(text: str) -> str:
    """ "Syria's" -> "Syria"; other text unchanged."""
    # Most names end in none of the endings (nor in a line end, before which $ matches).
    if not text.endswith(("s", "'", "’", "\n")):
        return text
    return POSSESSIVE.sub("", text)


def abbreviation_key(text: str) -> str:
    """Abbreviations match case-sensitively with dots and spaces dropped: "U.S." == "US"."""
    return _ABBREV_STRIP.sub("", unicodedata.normalize("NFKC", text))


# Ordinary English words that also name regions somewhere (France's Centre, Cameroon's
# Littoral, Papua New Guinea's Gulf): the gazetteer alone never makes them places.
GENERIC_NAMES = frozenset(
    """
    centre center central north south east west northern southern eastern western northeast
    northwest southeast southwest coast gulf valley capital capitol islands island lakes
    lake mountains mountain plateau delta littoral interior border borders city state
    region province district territory midlands highlands lowlands upper lower middle mid
    greater federal national metro downtown uptown harbour harbor bay beach river port hill
    hills union
    """.split()
)


def is_generic_name(surface: str) -> bool:
    """True for a name made only of ordinary geographic words ("Centre", "North East")."""
    words = normalize_name(surface).split()
    return bool(words) and all(w in GENERIC_NAMES for w in words)
