"""Data flows one way: no stage imports a later one (README, Layout).

`home` (the paths under XUNCHA_HOME) imports nothing of the project, so every stage can
use it; ingest, the checks and the reports import only earlier stages; the demo province
reads only the template registry; orchestration wires them all. Every import counts,
also one inside a function.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = {"home", "ingest", "expectations", "reports", "demo", "orchestration", "bench"}
# what each package may import of the project besides itself
ALLOWED = {
    "home": set(),
    "ingest": {"home"},
    "expectations": {"home", "ingest"},
    "reports": {"home"},
    "demo": {"ingest"},
}


def project_imports(package: str) -> dict[str, set[str]]:
    """Module file → the project packages it imports (absolute imports)."""
    found: dict[str, set[str]] = {}
    for path in sorted((REPO / package).rglob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
            elif isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
        found[str(path.relative_to(REPO))] = (names & PACKAGES) - {package}
    return found


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_no_stage_imports_a_later_one(package: str) -> None:
    wrong = {
        module: sorted(names - ALLOWED[package])
        for module, names in project_imports(package).items()
        if names - ALLOWED[package]
    }
    assert not wrong, f"{package} reaches past what it may import: {wrong}"
