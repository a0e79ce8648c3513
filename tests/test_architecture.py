"""The package's shape, checked: imports run one way between the layers, nothing imports in a circle,
private modules stay private. The graph comes from ``import_graph`` (``ast``; lazy and TYPE_CHECKING
imports count)."""

from __future__ import annotations

import ast

import pytest
from import_graph import cycles, import_graph, modules, within

# Top to bottom (docs/architecture.md draws the same table). A module may import modules of its own
# package and any module of a lower layer; never one above it, never a sibling package of its layer.
LAYERS: list[tuple[str, ...]] = [
    ("hubspot_nb.cli",),
    ("hubspot_nb",),  # the package's public face: re-exports only
    ("hubspot_nb.notebook",),
    ("hubspot_nb.hub",),
    ("hubspot_nb.analysis",),  # transforms the frames the hub returns: pandas and errors only
    ("hubspot_nb.marketing",),
    ("hubspot_nb.crm",),
    ("hubspot_nb.context",),
    ("hubspot_nb.frames", "hubspot_nb.auth"),
    ("hubspot_nb.http",),
    ("hubspot_nb.progress",),
    ("hubspot_nb.errors",),
]
# The sandbox is a separate program shipped with the package: it imports nothing of the client, and
# only the package root (``hnb.sandbox``), the CLI and the notebook layer (``login(sandbox=True)``) use it.
SANDBOX = "hubspot_nb.sandbox"
SANDBOX_USERS = ("hubspot_nb.cli", "hubspot_nb.notebook")


def _layer(module: str) -> tuple[int, str] | None:
    """(rank, package) of the most specific layer entry ``module`` belongs to."""
    best: tuple[int, str] | None = None
    for rank, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if within(module, prefix) and (best is None or len(prefix) > len(best[1])):
                best = (rank, prefix)
    return best


def _sandbox_edge_problem(source: str, target: str) -> str | None:
    if within(source, SANDBOX):
        return None if within(target, SANDBOX) else "the sandbox imports nothing of the client"
    if source == "hubspot_nb" or any(within(source, user) for user in SANDBOX_USERS):
        return None
    return f"only hubspot_nb, {', '.join(SANDBOX_USERS)} start the sandbox"


def layer_violations(graph: dict[str, set[str]]) -> list[str]:
    wrong = []
    for source, targets in sorted(graph.items()):
        for target in sorted(targets):
            if within(source, SANDBOX) or within(target, SANDBOX):
                problem = _sandbox_edge_problem(source, target)
                if problem:
                    wrong.append(f"{source} -> {target}: {problem}")
                continue
            here, there = _layer(source), _layer(target)
            if here is None or there is None:
                wrong.append(f"{source} -> {target}: module not in any declared layer")
            elif here[1] != there[1] and there[0] <= here[0]:
                wrong.append(f"{source} -> {target}: imports up or sideways ({here[1]} -> {there[1]})")
    return wrong


def private_imports(graph: dict[str, set[str]]) -> list[str]:
    """Imports of a ``_private`` module from outside the package that holds it."""
    wrong = []
    for source, targets in sorted(graph.items()):
        for target in sorted(targets):
            parent, _, leaf = target.rpartition(".")
            if leaf.startswith("_") and not within(source, parent):
                wrong.append(f"{source} -> {target}")
    return wrong


def test_the_package_has_no_import_cycles() -> None:
    assert cycles(import_graph()) == []


def test_imports_run_down_the_layers() -> None:
    assert layer_violations(import_graph()) == []


def test_private_modules_are_imported_only_inside_their_package() -> None:
    assert private_imports(import_graph()) == []


def test_every_module_is_in_a_declared_layer() -> None:
    assert [m for m in modules() if not within(m, SANDBOX) and _layer(m) is None] == []


def test_subpackage_inits_say_what_lives_there_and_import_nothing() -> None:
    for name, path in modules().items():
        if path.name != "__init__.py" or within(name, SANDBOX) or name == "hubspot_nb":
            continue  # the package's and the sandbox's faces re-export their names
        tree = ast.parse(path.read_text())
        doc = ast.get_docstring(tree)
        assert doc and len(doc.splitlines()) >= 2, f"{name}: a docstring saying what lives here"
        assert "import" in doc, f"{name}: the docstring says what it may import"
        imports = [n for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom)]
        assert [i for i in imports if not (isinstance(i, ast.ImportFrom) and i.module == "__future__")] == []


# -- the checker itself can fail ---------------------------------------------------------------------

UPWARD = "hubspot_nb.crm.objects -> hubspot_nb.hub: imports up or sideways (hubspot_nb.crm -> hubspot_nb.hub)"


def test_the_checker_finds_a_cycle_and_an_upward_import() -> None:
    graph = {"hubspot_nb.crm.objects": {"hubspot_nb.hub"}, "hubspot_nb.hub": {"hubspot_nb.crm.objects"}}
    assert cycles(graph) == [["hubspot_nb.crm.objects", "hubspot_nb.hub"]]
    assert layer_violations(graph) == [UPWARD]


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ("hubspot_nb.frames.convert", "hubspot_nb.auth.token"),  # sideways within a layer
        ("hubspot_nb.sandbox.app", "hubspot_nb.errors"),  # the sandbox reaching into the client
        ("hubspot_nb.crm.objects", "hubspot_nb.sandbox"),  # a data helper starting the sandbox
    ],
)
def test_the_checker_refuses_sideways_and_sandbox_edges(source: str, target: str) -> None:
    assert layer_violations({source: {target}, target: set()}) != []


def test_the_checker_refuses_a_private_module_used_from_outside() -> None:
    graph = {"hubspot_nb.crm.objects": {"hubspot_nb.frames._fast"}, "hubspot_nb.frames.chunks": {
        "hubspot_nb.frames._fast"}}  # fmt: skip
    assert private_imports(graph) == ["hubspot_nb.crm.objects -> hubspot_nb.frames._fast"]


def test_lazy_and_type_checking_imports_count(tmp_path) -> None:
    root = tmp_path / "hubspot_nb"
    (root / "crm").mkdir(parents=True)
    for name in ("__init__.py", "hub.py", "crm/__init__.py", "crm/pull.py"):
        (root / name).write_text("")
    (root / "crm" / "objects.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from ..hub import Hub\n"
        "def f():\n    from . import pull\n"
    )
    graph = import_graph(root)
    assert graph["hubspot_nb.crm.objects"] == {"hubspot_nb.hub", "hubspot_nb.crm.pull"}
    assert layer_violations(graph) == [UPWARD]
