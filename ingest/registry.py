"""Load the template registry (`templates.yml`) that a data clerk edits.

Everything about templates — headers, variants, types, enums, keys and
resubmission scopes — is read from that one file, so the code never names a
Chinese header itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from ingest.text import normalize_header

REGISTRY_PATH = Path(__file__).with_name("templates.yml")

REF_TYPES = frozenset({"unit_ref", "office_ref", "office_ref_list"})


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    label: str
    variants: tuple[str, ...]
    type: str
    required: bool
    not_null: bool
    default: object
    sensitive: bool
    enum: str | None
    empty_is_submitter: bool = False  # an empty cell means the submitting office (§5, §6)

    @property
    def headers(self) -> tuple[str, ...]:
        return (self.label, *self.variants)


@dataclass(frozen=True, slots=True)
class Template:
    code: str
    title: str
    table: str
    columns: tuple[Column, ...]
    natural_key: tuple[str, ...]
    scope: str | tuple[str, ...]

    @property
    def required(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.required)

    @property
    def submitter_defaults(self) -> frozenset[str]:
        """Columns whose empty cell stands for the submitter in keys and scopes (§6, §7)."""
        return frozenset(c.name for c in self.columns if c.empty_is_submitter)

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)


@dataclass(frozen=True, slots=True)
class Registry:
    templates: dict[str, Template]
    enums: dict[str, dict[str, list[str]]]
    # normalised header text → {template code: column}
    header_index: dict[str, dict[str, Column]]


def load_registry(path: Path = REGISTRY_PATH) -> Registry:
    """Parse the YAML registry; fails loudly on a malformed entry rather than guessing."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    enums = {
        name: {str(k): [str(s) for s in (v or [])] for k, v in values.items()}
        for name, values in data["enums"].items()
    }
    templates: dict[str, Template] = {}
    index: dict[str, dict[str, Column]] = {}
    for code, spec in data["templates"].items():
        columns = []
        for raw in spec["columns"]:
            required = bool(raw.get("required", False))
            col = Column(
                name=raw["name"],
                label=raw["label"],
                variants=tuple(raw.get("variants") or ()),
                type=raw["type"],
                required=required,
                not_null=bool(raw.get("not_null", required)),
                default=raw.get("default"),
                sensitive=bool(raw.get("sensitive", False)),
                enum=raw.get("enum"),
                empty_is_submitter=bool(raw.get("empty_is_submitter", False)),
            )
            if col.enum is not None and col.enum not in enums:
                raise ValueError(f"templates.yml: {code}.{col.name} names unknown enum {col.enum}")
            columns.append(col)
            for header in col.headers:
                index.setdefault(normalize_header(header), {}).setdefault(code, col)
        scope = spec["scope"]
        templates[code] = Template(
            code=code,
            title=spec["title"],
            table=spec["table"],
            columns=tuple(columns),
            natural_key=tuple(spec["natural_key"]),
            scope=scope if isinstance(scope, str) else tuple(scope),
        )
    return Registry(templates=templates, enums=enums, header_index=index)


@cache
def registry() -> Registry:
    return load_registry()
