"""The dbt DAG flows one way: sources → staging → intermediate → marts (issue 14).

Each model's layer is the folder it lives in under `dbt_project/models/`; its name
prefix must fit that folder, and every model it reads (`ref`, also inside a macro:
the manifest resolves those) must belong to a layer it may read. The rule is the
table "分层" of `dbt_project/README.md`. The manifest is the project's own
(`orchestration.dbt_manifest.prepare_manifest`, a real `dbt parse`).
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

import pytest

from orchestration.dbt_manifest import prepare_manifest

SOURCE = "source"


@dataclass(frozen=True)
class Layer:
    """A folder of models: the name prefixes that belong there and the layers it reads."""

    prefixes: tuple[str, ...]
    reads: frozenset[str]


# folder under models/ → layer. Order is the data path; a layer reads only earlier
# layers (or itself), and reports read only marts, never staging or intermediate.
LAYERS: dict[str, Layer] = {
    "staging": Layer(("stg_",), frozenset({SOURCE})),
    "intermediate": Layer(("int_",), frozenset({"staging", "intermediate"})),
    "marts/core": Layer(("fct_", "dim_"), frozenset({"staging", "intermediate", "marts/core"})),
    "marts/ops": Layer(
        ("ingest_files", "quarantine"),
        frozenset({"staging", "intermediate", "marts/core", "marts/ops"}),
    ),
    "marts/aggregates": Layer(("agg_",), frozenset({"marts/core"})),
    "marts/reports": Layer(
        ("rpt_",),
        frozenset({"marts/core", "marts/aggregates", "marts/ops", "marts/reports"}),
    ),
}


def load_manifest() -> dict[str, Any]:
    """The project's parse manifest (re-parsed when a file of the project changed)."""
    return json.loads(prepare_manifest().read_text(encoding="utf-8"))


def model_layers(manifest: dict[str, Any]) -> dict[str, str]:
    """unique_id → folder under models/ of every model (its layer)."""
    layers = {}
    for unique_id, node in manifest["nodes"].items():
        if node["resource_type"] == "model":
            folder = PurePosixPath(node["original_file_path"]).parent
            layers[unique_id] = str(folder.relative_to("models"))
    return layers


def misplaced_models(manifest: dict[str, Any]) -> list[str]:
    """Models outside the known layer folders, or whose name prefix does not fit theirs."""
    problems = []
    for unique_id, folder in sorted(model_layers(manifest).items()):
        name = manifest["nodes"][unique_id]["name"]
        layer = LAYERS.get(folder)
        if layer is None:
            problems.append(f"{name}：文件夹 models/{folder} 不属于任何一层（{', '.join(LAYERS)}）")
        elif not name.startswith(layer.prefixes):
            problems.append(
                f"{name}：在 models/{folder} 中，名称应以 {' / '.join(layer.prefixes)} 开头"
            )
    return problems


def layer_violations(manifest: dict[str, Any]) -> list[str]:
    """Every (model → model or source it reads) edge that goes to a layer it may not read."""
    layers = model_layers(manifest)
    problems = []
    for unique_id, folder in sorted(
        layers.items(), key=lambda kv: manifest["nodes"][kv[0]]["name"]
    ):
        node = manifest["nodes"][unique_id]
        allowed = LAYERS[folder].reads if folder in LAYERS else frozenset()
        for dep in sorted(set(node["depends_on"]["nodes"])):
            if dep.startswith("source."):
                dep_name, dep_layer = manifest["sources"][dep]["name"], SOURCE
            elif dep in layers:
                dep_name, dep_layer = manifest["nodes"][dep]["name"], layers[dep]
            else:
                continue  # seeds, snapshots: none in this project
            if dep_layer not in allowed:
                problems.append(
                    f"{node['name']}（{folder}）读取了 {dep_name}（{dep_layer}）；"
                    f"{folder} 只能读取 {', '.join(sorted(allowed))}"
                )
    return problems


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    return load_manifest()


def test_every_model_sits_in_a_layer_folder_that_fits_its_name(manifest: dict[str, Any]) -> None:
    assert misplaced_models(manifest) == []


def test_no_model_reads_a_later_layer(manifest: dict[str, Any]) -> None:
    problems = layer_violations(manifest)
    assert problems == [], "数据应单向流动（dbt_project/README.md“分层”）：\n" + "\n".join(problems)


def test_the_check_sees_every_layer(manifest: dict[str, Any]) -> None:
    """Each layer folder holds models, so no rule above is vacuous."""
    assert set(model_layers(manifest).values()) == set(LAYERS)


def _with_extra_ref(manifest: dict[str, Any], reader: str, read: str) -> dict[str, Any]:
    edited = copy.deepcopy(manifest)
    ids = {n["name"]: uid for uid, n in edited["nodes"].items() if n["resource_type"] == "model"}
    edited["nodes"][ids[reader]]["depends_on"]["nodes"].append(ids[read])
    return edited


@pytest.mark.parametrize(
    ("reader", "read"),
    [
        ("int_problems_joined", "fct_inspection"),  # intermediate reaching into marts
        ("stg_raw__problems", "stg_raw__units"),  # staging reads sources only
        ("rpt_overview", "int_problems_joined"),  # reports read marts only
        ("fct_problem", "rpt_rectification"),  # core reading a report
        ("agg_rectification_by_region", "int_problems_joined"),  # aggregates read core only
    ],
)
def test_a_backward_ref_is_named(manifest: dict[str, Any], reader: str, read: str) -> None:
    problems = layer_violations(_with_extra_ref(manifest, reader, read))
    assert len(problems) == 1
    assert problems[0].startswith(f"{reader}（") and f"读取了 {read}（" in problems[0]


def test_a_model_in_the_wrong_folder_is_named(manifest: dict[str, Any]) -> None:
    edited = copy.deepcopy(manifest)
    node = next(n for n in edited["nodes"].values() if n["name"] == "agg_outcomes_by_region")
    node["original_file_path"] = "models/intermediate/agg_outcomes_by_region.sql"
    assert misplaced_models(edited) == [
        "agg_outcomes_by_region：在 models/intermediate 中，名称应以 int_ 开头"
    ]
    # and, being intermediate now, its reads of fct_ marts are backward refs
    assert any(
        p.startswith("agg_outcomes_by_region（intermediate）读取了 fct_")
        for p in layer_violations(edited)
    )
