"""The package's shape, checked: imports run one way between the layers, and nothing imports in a circle.

The import graph is read from the source with ``ast`` (no module is imported), counting every import:
at module level, inside functions, and under ``if TYPE_CHECKING:``. Relative imports are resolved;
``from package import name`` counts as an import of ``package.name`` when that is a module.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "hubspot_nb"

# Top to bottom (docs/architecture.md draws the same table). A module may import modules of its own
# package, and any module of a lower layer; never one above it, never a sibling package of its layer.
LAYERS: list[tuple[str, ...]] = [
    ("hubspot_nb.cli",),
    ("hubspot_nb",),  # the package's public face: re-exports only
    ("hubspot_nb.notebook",),
    ("hubspot_nb.hub",),
    ("hubspot_nb.marketing",),
    ("hubspot_nb.crm",),
    ("hubspot_nb.context",),
    ("hubspot_nb.frames", "hubspot_nb.auth"),
    ("hubspot_nb.http",),
    ("hubspot_nb.progress",),
    ("hubspot_nb.errors",),
]
# The sandbox is a separate program that ships with the package: it imports nothing of the client, and
# only these start it.
SANDBOX = "hubspot_nb.sandbox"
SANDBOX_USERS = ("hubspot_nb", "hubspot_nb.cli", "hubspot_nb.notebook")


def _module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules(root: Path = PACKAGE) -> dict[str, Path]:
    return {_module_name(p, root): p for p in sorted(root.rglob("*.py"))}


def _resolve(module: str, is_package: bool, level: int, target: str | None) -> str:
    if level == 0:
        return target or ""
    base = module.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join(base + ([target] if target else []))


def import_graph(root: Path = PACKAGE) -> dict[str, set[str]]:
    known = modules(root)
    graph: dict[str, set[str]] = {name: set() for name in known}
    for name, path in known.items():
        tree = ast.parse(path.read_text(), filename=str(path))
        is_package = path.name == "__init__.py"
        for node in ast.walk(tree):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _resolve(name, is_package, node.level, node.module)
                for alias in node.names:
                    full = f"{base}.{alias.name}"
                    targets.append(full if full in known else base)
            for target in targets:
                if target in known and target != name:
                    graph[name].add(target)
    return graph


def _layer(module: str) -> tuple[int, str] | None:
    """(rank, package) of the most specific layer entry that ``module`` belongs to."""
    best: tuple[int, str] | None = None
    for rank, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and (
                best is None or len(prefix) > len(best[1])
            ):
                best = (rank, prefix)
    return best


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def layer_violations(graph: dict[str, set[str]]) -> list[str]:
    wrong = []
    for source, targets in sorted(graph.items()):
        in_sandbox = source == SANDBOX or source.startswith(SANDBOX + ".")
        for target in sorted(targets):
            to_sandbox = target == SANDBOX or target.startswith(SANDBOX + ".")
            if in_sandbox or to_sandbox:
                if in_sandbox and not to_sandbox:
                    wrong.append(f"{source} -> {target}: the sandbox imports nothing of the client")
                elif to_sandbox and not in_sandbox and not any(
                    source == user or source.startswith(user + ".") for user in SANDBOX_USERS[1:]
                ):
                    if source != SANDBOX_USERS[0]:
                        wrong.append(f"{source} -> {target}: only {SANDBOX_USERS} start the sandbox")
                continue
            here, there = _layer(source), _layer(target)
            if here is None or there is None:
                wrong.append(f"{source} -> {target}: module not in any declared layer")
            elif here[1] == there[1]:
                continue
            elif there[0] <= here[0]:
                wrong.append(f"{source} -> {target}: imports upward or sideways ({here[1]} -> {there[1]})")
    return wrong


def test_the_package_has_no_import_cycles():
    assert cycles(import_graph()) == []


def test_imports_run_down_the_layers():
    assert layer_violations(import_graph()) == []


def test_every_module_is_in_a_declared_layer():
    assert [m for m in modules() if not m.startswith(SANDBOX) and _layer(m) is None] == []


def test_subpackage_inits_say_what_lives_there_and_import_nothing():
    for name, path in modules().items():
        if path.name != "__init__.py" or name in ("hubspot_nb", SANDBOX):
            continue  # the package's and the sandbox's public faces re-export their names
        tree = ast.parse(path.read_text())
        doc = ast.get_docstring(tree)
        assert doc and len(doc.splitlines()) >= 2, f"{name}: a docstring saying what lives here"
        assert "import" in doc, f"{name}: the docstring says what it may import"
        imports = [n for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom)]
        assert [i for i in imports if not (isinstance(i, ast.ImportFrom) and i.module == "__future__")] == []


# -- the checker itself can fail ---------------------------------------------------------------------


def test_the_checker_finds_a_cycle_and_an_upward_import():
    graph = {
        "hubspot_nb.crm.objects": {"hubspot_nb.hub"},  # upward
        "hubspot_nb.hub": {"hubspot_nb.crm.objects"},
        "hubspot_nb.errors": set(),
    }
    assert cycles(graph) == [["hubspot_nb.crm.objects", "hubspot_nb.hub"]]
    assert layer_violations(graph) == [
        "hubspot_nb.crm.objects -> hubspot_nb.hub: imports upward or sideways (hubspot_nb.crm -> hubspot_nb.hub)"
    ]


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ("hubspot_nb.frames.convert", "hubspot_nb.auth.token"),  # sideways within a layer
        ("hubspot_nb.sandbox.app", "hubspot_nb.errors"),  # the sandbox reaching into the client
        ("hubspot_nb.crm.objects", "hubspot_nb.sandbox"),  # a data helper starting the sandbox
    ],
)
def test_the_checker_refuses_sideways_and_sandbox_edges(source, target):
    assert layer_violations({source: {target}, target: set()}) != []


def test_lazy_and_type_checking_imports_count(tmp_path):
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
    assert layer_violations(graph) == [
        "hubspot_nb.crm.objects -> hubspot_nb.hub: imports upward or sideways (hubspot_nb.crm -> hubspot_nb.hub)"
    ]
