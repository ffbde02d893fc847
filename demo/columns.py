"""The columns a demo clerk writes for each template, drawn from the template registry.

Every header and variant comes from `ingest/templates.yml` (through `ingest.registry`), so a
variant a data clerk adds there is written by the demo without a second edit; `clerks.yml`
beside this file adds only what the registry cannot say (which generator field fills the
column, how often an optional column is included, the unit note a clerk may append).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import NamedTuple

import yaml

from ingest.registry import Registry, Template

CLERKS_PATH = Path(__file__).with_name("clerks.yml")


class Spec(NamedTuple):
    """One column as the demo writes it."""

    key: str  # the generator's field (a row dict's key)
    label: str  # the registry's canonical header
    variants: tuple[str, ...]  # the registry's other accepted headers
    always: bool  # written in every sheet of the template
    p: float  # otherwise: the chance a clerk includes it
    note: str  # unit note a clerk may append to the header


@cache
def clerk_habits() -> dict[str, dict[str, dict]]:
    """`clerks.yml`: template → registry column name → {field, p, note}."""
    return yaml.safe_load(CLERKS_PATH.read_text(encoding="utf-8"))


def template_specs(template: Template, habits: dict[str, dict]) -> list[Spec]:
    """The demo's columns of one template, in the registry's order; a required registry
    column the clerks do not know is an error (the demo would write unreadable ledgers)."""
    out: list[Spec] = []
    for col in template.columns:
        habit = habits.get(col.name)
        if habit is None:
            if col.required:
                raise ValueError(f"demo/clerks.yml: {template.code}.{col.name} is missing")
            continue
        p = habit.get("p")
        out.append(
            Spec(
                habit["field"],
                col.label,
                tuple(col.variants),
                p is None,
                1 if p is None else p,
                habit.get("note", ""),
            )
        )
    return out


def column_specs(reg: Registry) -> dict[str, list[Spec]]:
    """Every template the demo writes, with its columns (see `template_specs`)."""
    return {tpl: template_specs(reg.templates[tpl], h) for tpl, h in clerk_habits().items()}


def split_header(spec: Spec) -> tuple[str, str] | None:
    """(parent, child) of the registry's `parent/child` variant of a column — the header a
    two-row merged form flattens to (§3) — or None when the column has none."""
    for variant in spec.variants:
        if "/" in variant:
            parent, child = variant.split("/", 1)
            return parent, child
    return None
