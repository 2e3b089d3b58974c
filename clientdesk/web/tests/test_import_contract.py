"""The layer rule of docs/directory-structure.md, held by the import contracts in pyproject.toml.

`lint-imports` runs the contracts on the real import graph; the other tests prove on small
graphs that each contract catches what it is for, and that no room of clientdesk is left out.
"""

from __future__ import annotations

import graphlib
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import grimp
import pytest
from importlinter.contracts.layers import LayersContract
from importlinter.contracts.protected import ProtectedContract

ROOT = Path(__file__).resolve().parents[3]
CONFIG: dict[str, Any] = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"][
    "importlinter"
]
CONTRACTS = {contract["id"]: contract for contract in CONFIG["contracts"]}

# Rooms held by a contract of their own rather than a floor of the layers.
OUTSIDE_THE_LAYERS = {
    "clientdesk.synth",  # a leaf library: the "synth-leaf" contract
    "clientdesk.testing",  # the test cast, which only tests import
}


def _layer_names(layer: str) -> list[str]:
    names = layer.replace("|", ":").split(":")
    return [name.strip().strip("()") for name in names]


def _floors() -> list[list[str]]:
    """The layers, top floor first."""
    return [_layer_names(layer) for layer in CONTRACTS["layers"]["layers"]]


def _check(contract_id: str, imports: list[tuple[str, str]]) -> bool:
    """Whether the contract holds on a graph made of just these imports."""
    options = {
        key: value
        for key, value in CONTRACTS[contract_id].items()
        if key not in {"id", "name", "type"}
    }
    # The real exceptions (tests importing the cast, say) have nothing to match in a small graph.
    options["unmatched_ignore_imports_alerting"] = "none"
    contract_class = {"layers": LayersContract, "protected": ProtectedContract}[
        CONTRACTS[contract_id]["type"]
    ]
    graph = grimp.ImportGraph()
    for module in (
        "clientdesk",
        *(name for floor in _floors() for name in floor),
        *CONTRACTS["private-modules"]["protected_modules"],
        "clientdesk.testing",
        "clientdesk.synth",
    ):
        graph.add_module(module)
    graph.add_module("duckdb", is_squashed=True)
    graph.add_module("pyspark", is_squashed=True)
    for importer, imported in imports:
        for module in (importer, imported):
            if not module.startswith("clientdesk."):
                continue  # duckdb, pyspark: added squashed above
            parts = module.split(".")
            for end in range(1, len(parts) + 1):
                graph.add_module(".".join(parts[:end]))
        graph.add_import(importer=importer, imported=imported)
    contract = contract_class(
        name=CONTRACTS[contract_id]["name"],
        session_options={"root_packages": ["clientdesk"]},
        contract_options=options,
    )
    return contract.check(graph, verbose=False).kept


def test_the_code_keeps_every_contract() -> None:
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(  # noqa: S603 (our own venv's script, fixed arguments)
        [str(lint_imports), "--no-cache", str(ROOT / "pyproject.toml")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Contracts: {len(CONTRACTS)} kept, 0 broken." in result.stdout


def _running_imports() -> dict[str, set[str]]:
    """Each module of the running code (no tests, no migrations) and the modules of clientdesk
    it imports, inside functions too (a lazy import still runs); annotation-only imports left
    out, as in the contracts."""
    graph = grimp.build_graph("clientdesk", exclude_type_checking_imports=True, cache_dir=None)

    def running(module: str) -> bool:
        return not any(part in {"tests", "migrations"} for part in module.split("."))

    return {
        module: {m for m in graph.find_modules_directly_imported_by(module) if running(m)}
        for module in graph.modules
        if module.startswith("clientdesk") and running(module)
    }


def _circle(imports: dict[str, set[str]]) -> list[str]:
    """One circle of imports (its modules in order), or [] when they all run one way."""
    try:
        graphlib.TopologicalSorter(imports).prepare()
    except graphlib.CycleError as found:
        return list(found.args[1])
    return []


def test_no_module_imports_itself_back_through_others() -> None:
    """A circle between modules (even through an import inside a function) means neither can be
    read or changed alone; the two there were (surveys actions <-> tasks, x12 convert <-> fast)
    were taken apart."""
    assert _circle(_running_imports()) == []


def test_no_room_imports_itself_back_through_others() -> None:
    """Rooms too: siblings on a floor may read each other (the layers allow it), but not both
    ways round, however far apart the two imports are."""
    rooms: dict[str, set[str]] = {}
    for module, imported in _running_imports().items():
        room = ".".join(module.split(".")[:2])
        rooms.setdefault(room, set()).update(
            ".".join(m.split(".")[:2]) for m in imported if not m.startswith(f"{room}.")
        )
        rooms[room].discard(room)
    assert _circle(rooms) == []


def test_a_circle_is_found_however_it_closes() -> None:
    assert _circle({"a": {"b"}, "b": {"c"}, "c": set()}) == []
    circle = _circle({"a": {"b"}, "b": {"c"}, "c": {"a"}})
    assert set(circle) == {"a", "b", "c"} and circle[0] == circle[-1]


def test_every_room_is_on_a_floor_or_under_its_own_contract() -> None:
    package = ROOT / "clientdesk"
    rooms = {
        f"clientdesk.{path.stem}"
        for path in package.iterdir()
        if (path.is_dir() and (path / "__init__.py").exists())
        or (path.suffix == ".py" and path.stem != "__init__")
    }
    named = {name for floor in _floors() for name in floor} | OUTSIDE_THE_LAYERS
    assert rooms - named == set()


def test_every_domain_app_keeps_its_modules_private() -> None:
    domain_floor = next(floor for floor in _floors() if "clientdesk.guarantees" in floor)
    package = ROOT / "clientdesk"
    present = [name for name in domain_floor if (package / name.split(".")[1]).is_dir()]
    assert sorted(CONTRACTS["private-modules"]["protected_modules"]) == sorted(present)


@pytest.mark.parametrize(
    ("importer", "imported", "kept"),
    [
        ("clientdesk.reports", "clientdesk.guarantees", True),
        ("clientdesk.guarantees", "clientdesk.lake", True),
        ("clientdesk.accounts", "clientdesk.inquiries", False),  # the account page, upward
        ("clientdesk.guarantees", "clientdesk.api", False),  # form_errors' old circle
        ("clientdesk.people", "clientdesk.audit", True),  # an API token's audit row
        ("clientdesk.audit", "clientdesk.people", False),  # the trail's pages live in web
        ("clientdesk.audit", "clientdesk.accounts", False),
        ("clientdesk.lib", "clientdesk.people", False),
        ("clientdesk.lib", "clientdesk.audit", False),
        ("clientdesk.lake", "clientdesk.reports", False),
        ("clientdesk.insights", "clientdesk.guarantees", True),  # siblings on the domain floor
        ("clientdesk.guarantees", "clientdesk.insights", True),
        # Tests may build the house around what they test.
        ("clientdesk.lake.tests.test_input_files", "clientdesk.inquiries.importing", True),
    ],
)
def test_the_layers_contract_holds_imports_one_way(
    importer: str, imported: str, kept: bool
) -> None:
    assert _check("layers", [(importer, imported)]) is kept


@pytest.mark.parametrize(
    ("importer", "imported", "kept"),
    [
        ("clientdesk.insights.series", "clientdesk.guarantees.queries", True),
        ("clientdesk.insights.series", "clientdesk.guarantees.models", True),
        ("clientdesk.insights.links", "clientdesk.inquiries.actions", True),
        ("clientdesk.guarantees.views", "clientdesk.utilization.panels", True),
        ("clientdesk.insights.series", "clientdesk.guarantees.marts", False),
        ("clientdesk.insights.links", "clientdesk.inquiries.access", False),
        ("clientdesk.inquiries.views", "clientdesk.insights.runs", False),
        ("clientdesk.guarantees.evaluation", "clientdesk.guarantees.marts", True),  # its own
        ("clientdesk.reports.stewardship", "clientdesk.utilization.exports", True),  # above
        ("clientdesk.web.views", "clientdesk.insights.detection", True),
    ],
)
def test_a_domain_app_reads_another_only_through_its_public_modules(
    importer: str, imported: str, kept: bool
) -> None:
    assert _check("private-modules", [(importer, imported)]) is kept


@pytest.mark.parametrize(
    ("importer", "imported", "kept"),
    [
        ("clientdesk.lake.gateway", "pyspark", True),
        ("clientdesk.lake.storage", "duckdb", True),
        ("clientdesk.utilization.actions", "duckdb", False),
        ("clientdesk.reports.runs", "pyspark", False),
    ],
)
def test_the_engines_are_imported_inside_the_lake_only(
    importer: str, imported: str, kept: bool
) -> None:
    assert _check("engines-in-lake", [(importer, imported)]) is kept


@pytest.mark.parametrize(
    ("importer", "imported", "kept"),
    [
        ("clientdesk.inquiries.tests.test_sla_clocks", "clientdesk.testing", True),
        ("clientdesk.web.views", "clientdesk.testing", False),
        ("clientdesk.demo.team", "clientdesk.testing", False),
    ],
)
def test_only_tests_import_the_cast(importer: str, imported: str, kept: bool) -> None:
    assert _check("cast-in-tests", [(importer, imported)]) is kept


@pytest.mark.parametrize(
    ("importer", "imported", "kept"),
    [
        ("clientdesk.demo.loading", "clientdesk.synth.generator", True),
        ("clientdesk.lake.tests.test_ingestion", "clientdesk.synth.generator", True),
        ("clientdesk.lake.ingestion", "clientdesk.synth.schemas", False),
        ("clientdesk.reports.runs", "clientdesk.synth.params", False),
    ],
)
def test_only_the_demo_and_tests_import_synth(importer: str, imported: str, kept: bool) -> None:
    assert _check("synth-for-demo-and-tests", [(importer, imported)]) is kept
