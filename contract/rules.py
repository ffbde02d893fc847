"""Load the rule catalog (`rules.yml`): the one place each quality rule of §8 is described.

Ingest, the dbt test metadata, the quality gate, feedback, status and the reports all
read a rule's level and texts from here, so changing a rule's wording or adding a rule
is an edit of `rules.yml` plus the check that enforces it (tests/test_rule_catalog.py
fails while the two disagree).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

CATALOG_PATH = Path(__file__).with_name("rules.yml")

RULE_KEYS = frozenset({"level", "title", "short", "check", "hint", "count", "checks"})
CHECK_KINDS = ("ingest", "dbt_models", "dbt_tests", "gx", "gate")


class UnknownRule(KeyError):
    """A rule id the catalog does not list: a check or a row cites a rule nobody described."""

    def __init__(self, rule_id: object) -> None:
        super().__init__(rule_id)
        self.rule_id = rule_id

    def __str__(self) -> str:
        return f"规则编号“{self.rule_id}”不在质量规则目录 contract/rules.yml 中"


@dataclass(frozen=True, slots=True)
class Checks:
    """What enforces a rule; the names are verified against the code by the catalog test."""

    ingest: str | None = None  # where the ingest code cites the rule (prose for the clerk)
    dbt_models: tuple[str, ...] = ()
    dbt_tests: tuple[str, ...] = ()
    gx: tuple[str, ...] = ()
    gate: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    level: str  # file | row | blocking | warning
    level_name: str  # 拒收文件 | 隔离行 | 阻止发布 | 警告
    title: str
    short: str | None
    check: str | None
    hint: str | None
    count: str | None  # warning rules: the SQL counting what the warning flags
    checks: Checks

    @property
    def blocking(self) -> bool:
        return self.level == "blocking"


@dataclass(frozen=True, slots=True)
class Catalog:
    levels: dict[str, str]  # level key → Chinese name
    rules: dict[str, Rule]  # in the catalog's order (R1…R8, F1…F4, B1…, W1…)

    def rule(self, rule_id: str) -> Rule:
        try:
            return self.rules[rule_id]
        except KeyError:
            raise UnknownRule(rule_id) from None

    def of_level(self, level: str) -> tuple[Rule, ...]:
        """The rules of one level, in catalog order (R1…R8 is also the quarantine order, §8)."""
        return tuple(r for r in self.rules.values() if r.level == level)

    def ids(self, level: str) -> tuple[str, ...]:
        return tuple(r.id for r in self.of_level(level))

    def enforcing(self, kind: str, name: str) -> Rule:
        """The one rule whose `checks.<kind>` lists `name` (a gate check, a GX expectation):
        a check the catalog does not place, or places twice, fails instead of guessing."""
        found = [r for r in self.rules.values() if name in getattr(r.checks, kind)]
        if len(found) != 1:
            owners = "、".join(r.id for r in found) or "没有规则"
            raise LookupError(
                f"质量规则目录 contract/rules.yml：checks.{kind} 列有 {name} 的规则应为一条，现为{owners}"
            )
        return found[0]


def _checks(rule_id: str, raw: dict | None) -> Checks:
    raw = raw or {}
    unknown = set(raw) - set(CHECK_KINDS)
    if unknown:
        raise ValueError(f"rules.yml: {rule_id}.checks has unknown keys {sorted(unknown)}")
    return Checks(
        ingest=raw.get("ingest"),
        **{k: tuple(raw.get(k) or ()) for k in CHECK_KINDS if k != "ingest"},
    )


def load_catalog(path: Path = CATALOG_PATH) -> Catalog:
    """Parse `rules.yml`; a malformed entry fails loudly instead of being guessed around."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    levels = {key: spec["name"] for key, spec in data["levels"].items()}
    rules: dict[str, Rule] = {}
    for rule_id, spec in data["rules"].items():
        unknown = set(spec) - RULE_KEYS
        if unknown:
            raise ValueError(f"rules.yml: {rule_id} has unknown keys {sorted(unknown)}")
        if spec["level"] not in levels:
            raise ValueError(f"rules.yml: {rule_id} has unknown level {spec['level']!r}")
        rules[str(rule_id)] = Rule(
            id=str(rule_id),
            level=spec["level"],
            level_name=levels[spec["level"]],
            title=spec["title"],
            short=spec.get("short"),
            check=spec.get("check"),
            hint=spec.get("hint"),
            count=spec.get("count"),
            checks=_checks(rule_id, spec.get("checks")),
        )
    return Catalog(levels=levels, rules=rules)


@cache
def catalog() -> Catalog:
    """The catalog of this checkout, read once per process."""
    return load_catalog()


def rule(rule_id: str) -> Rule:
    """One rule by id (`rule("R2").hint`); an id the catalog lacks raises UnknownRule."""
    return catalog().rule(rule_id)


def title(rule_id: str) -> str:
    """The rule's Chinese title, "" for an id the catalog lacks (a text is still printed)."""
    found = catalog().rules.get(rule_id)
    return found.title if found else ""


def id_span(ids: tuple[str, ...]) -> str:
    """R1, R2, R3 → “R1–R3”: how the texts of this project name a run of rules."""
    return f"{ids[0]}–{ids[-1]}" if len(ids) > 1 else "".join(ids)
