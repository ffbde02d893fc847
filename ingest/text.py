"""Text normalisation shared by header matching, value parsing and reference resolution.

Contract §3 (header text) and §4 ("text", "Unit references"). Full-width forms are mapped
explicitly rather than with NFKC, because NFKC also rewrites characters that carry meaning
in Chinese documents (㈠, ①, 〔2023〕-style brackets are left alone).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from functools import lru_cache

# U+FF01..U+FF5E are the full-width twins of ASCII U+0021..U+007E; U+3000 is the ideographic space.
_HALFWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}

# clean_text only touches letters, digits and brackets: a problem description keeps its
# Chinese commas and colons, but `Ａ类`, `１２`, `（社区）` become `A类`, `12`, `(社区)`.
_TEXT_FOLD = {
    code: code - 0xFEE0
    for code in [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)]
    + [0xFF08, 0xFF09, 0xFF3B, 0xFF3D, 0xFF5B, 0xFF5D]
} | {0x3000: None, 0xA0: 0x20, 0x200B: None, 0xFEFF: None}

# One regex search finds whether a string has anything to map: much cheaper than
# `str.translate`, which looks every character of a Chinese text up in the table.
_HALFWIDTH_ANY = re.compile("[" + "".join(map(chr, _HALFWIDTH)) + "]")
_TEXT_FOLD_ANY = re.compile("[" + "".join(map(chr, _TEXT_FOLD)) + "]")

_WHITESPACE = re.compile(r"[\s\u200b\ufeff]+")  # \s covers \n \r \t U+3000 NBSP in str patterns
_TRAILING_NOTE = re.compile(r"^(.+?)\([^()]*\)$")
_EMPTY_MARKERS = frozenset({"—", "——", "―", "――", "–", "-", "--", "/", "无"})

_PARTY_PREFIX = "中共"
_PARTY_SUFFIXES = ("党总支", "党支部", "党工委", "党组", "党委")  # longest first


def to_halfwidth(s: str) -> str:
    """Map full-width ASCII forms (U+FF01–U+FF5E) to ASCII and U+3000 to a space."""
    return s.translate(_HALFWIDTH) if _HALFWIDTH_ANY.search(s) else s


def is_empty(value: object) -> bool:
    """True for cells the contract treats as null (§4 "empty"): blank, whitespace, `—` `-` `/` `无`.

    Zero and False are values, not empty. Lives here (re-used by ingest.values) so that
    clean_text can use it without a circular import.
    """
    if value.__class__ is str:  # most cells: skip the type tests below
        return text_is_empty(value)  # type: ignore[arg-type]
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    if not isinstance(value, str):
        return False
    return text_is_empty(value)


def text_is_empty(value: str) -> bool:
    """`is_empty` of a text cell, for a caller that already knows it holds a str."""
    head = value[:3]
    if len(head) == 3 and head.isprintable() and " " not in head:
        # Three visible characters (isprintable is False for every other whitespace and
        # for U+200B/U+FEFF) can be neither blank nor one of the short empty markers.
        return False
    return _blank_or_marker(value)


@lru_cache(maxsize=1 << 16)
def _blank_or_marker(value: str) -> bool:
    # Memoised: the same short cell texts (and blanks) recur on every row of every sheet.
    s = _WHITESPACE.sub("", to_halfwidth(value))
    return s == "" or s in _EMPTY_MARKERS


def cell_text(value: object) -> str:
    """A cell as raw text for headers and messages: 3.0 → `3`, stripped, "" for none.

    Unlike `_render` it keeps a datetime's full repr, so a message shows what was read.
    """
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _render(value: object) -> str:
    """Text of a cell as the submitter sees it (3.0 → `3`, a midnight datetime → its date)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def clean_text(value: object) -> str | None:
    """Normalise a free-text cell (§4 "text"); None when the cell is empty.

    Full-width letters, digits and brackets become half-width, full-width spaces are removed,
    the result is trimmed.
    """
    if value.__class__ is str:  # the common case, without is_empty's and _render's type tests
        if text_is_empty(value):  # type: ignore[arg-type]
            return None
        s = _fold(value).strip()  # type: ignore[arg-type]
        return None if text_is_empty(s) else s
    if is_empty(value):
        return None
    s = _fold(_render(value)).strip()
    return None if is_empty(s) else s


def _fold(s: str) -> str:
    """`clean_text`'s mapping of full-width letters, digits, brackets and spaces."""
    return s.translate(_TEXT_FOLD) if _TEXT_FOLD_ANY.search(s) else s


@lru_cache(maxsize=1 << 14)
def normalize_header(s: str) -> str:
    """Normalise header text or a registry variant for comparison (§3).

    Removes all whitespace, makes full-width forms half-width (brackets, colons, slashes) and
    drops one trailing bracketed unit note such as `（个）` when text remains before it — per
    level of a flattened `parent/child` header, so `移交问题线索（件）/其中县管干部（人）` matches.
    """
    s = _WHITESPACE.sub("", to_halfwidth(s))
    if "/" in s:
        # A flattened two-row header: each level may carry its own unit note.
        return "/".join(_drop_note(part) for part in s.split("/"))
    return _drop_note(s)


def _drop_note(s: str) -> str:
    m = _TRAILING_NOTE.match(s)
    return m.group(1) if m else s


def normalize_ref(s: str) -> str:
    """Normalise a unit/office reference (§4 "Unit references"): no whitespace, half-width."""
    return _WHITESPACE.sub("", to_halfwidth(s))


def strip_party_affixes(name: str) -> str:
    """Drop a leading `中共` and one trailing party-organisation word (`党委`, `党组`, …).

    Used as the second resolution attempt for unit names: `中共东湖市财政局党组` → `东湖市财政局`.
    An affix is only removed when something remains.
    """
    if name.startswith(_PARTY_PREFIX) and len(name) > len(_PARTY_PREFIX):
        name = name[len(_PARTY_PREFIX) :]
    for suffix in _PARTY_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name
