"""The named decisions of contract §8: every rejected file and quarantined row cites one.

Like a dlt schema contract, the action for each kind of bad input is explicit:
row rules quarantine a row, file rules reject a file, blocking rules stop
publishing, warnings are only reported. The rules themselves (level, texts, fix
hints, which check enforces them) live in the catalog `contract/rules.yml`; this
module keeps the ingest code's names for them.
"""

from __future__ import annotations

from contract.rules import catalog

# rule id → (level key, Chinese title), in catalog order; read from contract/rules.yml
RULES: dict[str, tuple[str, str]] = {r.id: (r.level, r.title) for r in catalog().rules.values()}

# §8: a row quarantined once is recorded under the first rule it fails, in this order
ROW_RULE_ORDER: tuple[str, ...] = catalog().ids("row")


class FileRejected(Exception):
    """A file rule (F1–F4) decided the whole file is not loaded; other files still are."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(f"{rule}: {message}")
        self.rule = rule
        self.message = message
