"""Data flows one way: no stage imports a later one (README, Layout).

The data path is files → raw → staging → intermediate → marts → gate → published →
reports. Its Python steps are `ingest` (files → raw), `expectations` (the gate's Great
Expectations suites) and `reports`; dbt's steps live in `dbt_project/`, the gate's
decision and the publish step in `orchestration/assets/`. `home` (the paths under
XUNCHA_HOME) and `contract` (the rule catalog) import nothing of the project, so every
step can read them; the demo province reads only the template registry; orchestration
wires them all and bench measures them all. Every import counts, also one inside a
function. The README's layout table names each of these folders once.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FOUNDATIONS = ("home", "contract")  # imported by every step, import nothing of the project
DATA_PATH = ("ingest", "expectations", "reports")  # the Python steps, in the data's order
PACKAGES = {*FOUNDATIONS, *DATA_PATH, "demo", "orchestration", "bench"}
# what each package may import of the project besides itself
ALLOWED = {
    "home": set(),
    "contract": set(),
    "ingest": {"home", "contract"},
    "expectations": {"home", "contract", "ingest"},
    "reports": {"home", "contract"},
    "demo": {"ingest"},
    "orchestration": PACKAGES - {"orchestration", "bench"},  # the wiring: every step, no bench
    "bench": PACKAGES - {"bench"},
}
# the folders the README's layout table gives a row: the packages, dbt's project and the tests
LAYOUT_FOLDERS = PACKAGES | {"dbt_project", "tests", "docs"}


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
        found[str(path.relative_to(REPO))] = (names & (PACKAGES | {"tests"})) - {package}
    return found


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_no_stage_imports_a_later_one(package: str) -> None:
    wrong = {
        module: sorted(names - ALLOWED[package])
        for module, names in project_imports(package).items()
        if names - ALLOWED[package]
    }
    assert not wrong, f"{package} reaches past what it may import: {wrong}"


def test_every_package_is_checked() -> None:
    """A new top-level package gets its line in ALLOWED (and the README) before it counts."""
    on_disk = {p.parent.name for p in REPO.glob("*/__init__.py")} - {"tests"}
    assert on_disk == set(ALLOWED), on_disk ^ set(ALLOWED)


@pytest.mark.parametrize("step", DATA_PATH)
def test_allowed_imports_follow_the_data_path(step: str) -> None:
    """ALLOWED itself cannot be loosened against the data's direction: a step may import the
    foundations and the steps before it, never one after it."""
    earlier = set(FOUNDATIONS) | set(DATA_PATH[: DATA_PATH.index(step)])
    assert ALLOWED[step] <= earlier, ALLOWED[step] - earlier


def test_readme_layout_names_one_home_per_folder() -> None:
    """Each folder has exactly one row of the README's layout table, and the table names the
    data path in the order this test checks it."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    layout = readme.split("## Layout", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([a-z_]+)/` \|", layout, flags=re.M)
    assert sorted(rows) == sorted(LAYOUT_FOLDERS), sorted(set(rows) ^ LAYOUT_FOLDERS)
    path = "files → raw → staging → intermediate → marts → gate → published → reports"
    assert path in layout
