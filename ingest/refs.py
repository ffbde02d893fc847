"""Resolve unit and office references against R0 and T0 (contract §4).

Units: exact 单位编码, then exact name or alias, also after removing a leading
中共 and a trailing party-organisation word. Offices (and submitters): a region
code, or the region whose name the text contains, longest name wins. No fuzzy
matching — but a failure names the closest registry entries so the submitter
knows what to write.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from ingest.text import normalize_ref, strip_party_affixes

_REGION_CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")


class UnresolvedReference(ValueError):
    """A reference that matches nothing (R1); the message suggests close names."""


def _memoised(memo: dict[str, tuple[bool, str]], resolve: Callable[[str], str], text: str) -> str:
    """`resolve(text)`, remembering the code or the failure message for the next call."""
    hit = memo.get(text)
    if hit is None:
        try:
            hit = (True, resolve(text))
        except UnresolvedReference as exc:
            hit = (False, str(exc))
        memo[text] = hit
    found, result = hit
    if not found:
        raise UnresolvedReference(result)
    return result


@dataclass(slots=True)
class RegionIndex:
    """Regions of R0 by code and by name, for office and submitter references."""

    names: dict[str, str] = field(default_factory=dict)  # code → name
    levels: dict[str, str] = field(default_factory=dict)  # code → 省/市/县
    by_name: list[tuple[str, str]] = field(default_factory=list)  # (normalised name, code)
    memo: dict[str, tuple[bool, str]] = field(default_factory=dict)  # text → (found, code/message)

    def add(self, code: str, name: str, level: str | None) -> None:
        self.memo.clear()
        self.names[code] = name
        if level:
            self.levels[code] = level
        self.by_name.append((normalize_ref(name), code))
        self.by_name.sort(key=lambda item: -len(item[0]))

    def resolve(self, text: str) -> str:
        """A region code in the text, else the longest region name it contains.

        Memoised per text: a province's ledgers repeat the same few hundred references
        on hundreds of thousands of rows.
        """
        return _memoised(self.memo, self._resolve, text)

    def _resolve(self, text: str) -> str:
        compact = normalize_ref(text)
        for code in _REGION_CODE.findall(compact):
            if code in self.names:
                return code
        for name, code in self.by_name:
            if name and name in compact:
                return code
        raise UnresolvedReference(
            f"“{text}”无法对应到行政区划表中的区划（应写区划代码或含区划名称）"
            + self._suggest(compact)
        )

    def _suggest(self, compact: str) -> str:
        names = [self.names[c] for c in self.names]
        close = difflib.get_close_matches(compact, names, n=3, cutoff=0.3)
        return f"；最接近的区划：{'、'.join(close)}" if close else ""


@dataclass(slots=True)
class UnitIndex:
    """Units of T0 by code, name and alias, with and without party affixes."""

    codes: dict[str, str] = field(default_factory=dict)  # normalised code → code
    names: dict[str, set[str]] = field(default_factory=dict)  # normalised name → codes
    display: dict[str, str] = field(default_factory=dict)  # code → registry name
    memo: dict[str, tuple[bool, str]] = field(default_factory=dict)  # text → (found, code/message)

    def add(self, code: str, name: str, aliases: list[str] | None) -> None:
        self.memo.clear()
        self.codes[normalize_ref(code)] = code
        self.display[code] = name
        for text in [name, *(aliases or [])]:
            key = normalize_ref(text)
            if not key:
                continue
            for variant in {key, strip_party_affixes(key)}:
                if variant:
                    self.names.setdefault(variant, set()).add(code)

    def resolve(self, text: str) -> str:
        """Exact code, else the one unit with this name or alias; memoised per text."""
        return _memoised(self.memo, self._resolve, text)

    def _resolve(self, text: str) -> str:
        key = normalize_ref(text)
        if key in self.codes:
            return self.codes[key]
        for variant in (key, strip_party_affixes(key)):
            hits = self.names.get(variant)
            if hits and len(hits) == 1:
                return next(iter(hits))
            if hits:
                listed = "、".join(f"{self.display[c]}（{c}）" for c in sorted(hits))
                raise UnresolvedReference(f"“{text}”对应名录中多个单位：{listed}；请填写单位编码")
        raise UnresolvedReference(
            f"“{text}”在被巡视巡察单位名录中找不到（按编码、名称、别名匹配）" + self._suggest(key)
        )

    def _suggest(self, key: str) -> str:
        stripped = strip_party_affixes(key)
        pool = list(self.names)
        close = difflib.get_close_matches(stripped, pool, n=6, cutoff=0.4)
        seen: list[str] = []
        for name in close:
            for code in sorted(self.names[name]):
                label = f"{self.display[code]}（{code}）"
                if label not in seen:
                    seen.append(label)
        return f"；最接近的名录单位：{'、'.join(seen[:3])}" if seen else ""
