"""Find a sheet's header and the template it belongs to (contract §2–§3).

A sheet is recognised by its header only — never by sheet or file name. The
header may start on any of the first 15 rows and may span two rows with
merged parent cells, which are flattened to `parent/child`.
"""

from __future__ import annotations

from dataclasses import dataclass

from ingest.readers import Sheet
from ingest.registry import Column, Registry, Template
from ingest.text import cell_text, normalize_header

HEADER_SEARCH_ROWS = 15


@dataclass(frozen=True, slots=True)
class HeaderMatch:
    template: Template
    header_row: int  # 0-based index of the first header row
    height: int  # 1 or 2 header rows
    labels: tuple[str, ...]  # flattened header text per column, as written
    columns: dict[int, Column]  # column index → template column

    @property
    def data_start(self) -> int:
        return self.header_row + self.height


@dataclass(frozen=True, slots=True)
class NearMiss:
    """The closest template for an F2 message."""

    template: Template
    missing: tuple[str, ...]
    matched: int


def _merged_parent(sheet: Sheet, row: int, col: int) -> str | None:
    """Text of a horizontally merged header cell covering (row, col), from its first cell."""
    for (r0, c0), (r1, c1) in sheet.merged:
        if r0 <= row <= r1 and c0 <= col <= c1 and c1 > c0:
            return cell_text(sheet.rows[r0][c0]) if c0 < len(sheet.rows[r0]) else None
    return None


def flatten_two_rows(sheet: Sheet, row: int) -> list[str]:
    """Flatten header rows `row` and `row + 1` to `parent/child` labels."""
    top = sheet.rows[row]
    bottom = sheet.rows[row + 1]
    width = max(len(top), len(bottom))
    labels: list[str] = []
    carried = ""
    for col in range(width):
        parent = cell_text(top[col]) if col < len(top) else ""
        child = cell_text(bottom[col]) if col < len(bottom) else ""
        if not parent:
            merged = _merged_parent(sheet, row, col)
            if merged:
                parent = merged
            elif child and carried and not sheet.merged:
                # No merge information (CSV, some .xls): a blank parent over a
                # child continues the group to its left.
                parent = carried
        if parent and child:
            carried = parent
            labels.append(f"{parent}/{child}")
        else:
            carried = parent if child else ""
            labels.append(parent or child)
    return labels


def _match_labels(
    labels: list[str], registry: Registry
) -> dict[str, tuple[dict[int, Column], int]]:
    """For each template, which columns these labels map to and how many required ones."""
    result: dict[str, tuple[dict[int, Column], int]] = {}
    for idx, label in enumerate(labels):
        if not label:
            continue
        hits = registry.header_index.get(normalize_header(label))
        if not hits:
            continue
        for code, column in hits.items():
            mapping, _ = result.setdefault(code, ({}, 0))
            if column not in mapping.values():
                mapping[idx] = column
    return {
        code: (mapping, sum(1 for c in mapping.values() if c.required))
        for code, (mapping, _) in result.items()
    }


def find_header(sheet: Sheet, registry: Registry) -> HeaderMatch | NearMiss | None:
    """The best full template match in the first 15 rows, else the nearest miss.

    Among full matches the one mapping the most columns wins (a T3 sheet also
    satisfies part of T2), then the single-row reading, then the earliest row.
    """
    best: tuple[tuple[int, int, int], HeaderMatch] | None = None
    near: tuple[float, NearMiss] | None = None
    last = min(HEADER_SEARCH_ROWS, len(sheet.rows))
    for row in range(last):
        single = [cell_text(v) for v in sheet.rows[row]]
        if not any(single):
            continue
        candidates: list[tuple[int, list[str]]] = [(1, single)]
        if row + 1 < len(sheet.rows):
            candidates.append((2, flatten_two_rows(sheet, row)))
        for height, labels in candidates:
            for code, (mapping, required_hits) in _match_labels(labels, registry).items():
                template = registry.templates[code]
                total_required = len(template.required)
                if required_hits == total_required:
                    score = (len(mapping), -height, -row)
                    if best is None or score > best[0]:
                        best = (
                            score,
                            HeaderMatch(template, row, height, tuple(labels), mapping),
                        )
                elif required_hits:
                    fraction = required_hits / total_required
                    if near is None or fraction > near[0]:
                        found = {c.name for c in mapping.values()}
                        missing = tuple(c.label for c in template.required if c.name not in found)
                        near = (fraction, NearMiss(template, missing, required_hits))
    if best is not None:
        return best[1]
    return near[1] if near else None
