"""The sandbox's architecture, checked from the source: imports run one way and stay inside it.

The import graph is built with ``ast`` over the whole ``hubspot_nb`` package, relative imports
resolved, counting imports inside functions and under ``TYPE_CHECKING``. ``from pkg import name``
is an edge to ``pkg`` and, when ``pkg.name`` is a module, to that module as well.
"""

from __future__ import annotations

import ast
from pathlib import Path

import hubspot_nb

ROOT = Path(hubspot_nb.__file__).parent
SANDBOX = "hubspot_nb.sandbox"


def _modules() -> dict[str, Path]:
    found = {}
    for path in ROOT.rglob("*.py"):
        parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        edges: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                edges.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                    target = f"{base}.{node.module}" if node.module else base
                else:
                    target = node.module or ""
                edges.add(target)
                edges.update(f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in MODULES)
        graph[name] = {e for e in edges if e in MODULES and e != name}
    return graph


GRAPH = _graph()


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, as the list of modules around it, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return None


def _sandbox(prefix: str = "") -> dict[str, set[str]]:
    name = f"{SANDBOX}.{prefix}" if prefix else SANDBOX
    return {m: e for m, e in GRAPH.items() if m == name or m.startswith(name + ".")}


def test_the_sandbox_has_no_import_cycles() -> None:
    cycle = _cycle({m: {e for e in edges if e.startswith(SANDBOX)} for m, edges in _sandbox().items()})
    assert cycle is None, " -> ".join(cycle or [])


def test_the_sandbox_imports_nothing_else_of_hubspot_nb() -> None:
    outside = {
        (m, e) for m, edges in _sandbox().items() for e in edges if e != SANDBOX and not e.startswith(SANDBOX)
    }
    assert {(m, e) for m, e in outside if e.startswith("hubspot_nb")} == set()


def test_only_the_package_itself_imports_app() -> None:
    users = {m for m, edges in _sandbox().items() if f"{SANDBOX}.app" in edges}
    assert users == {SANDBOX}


def test_subpackages_keep_to_their_lane() -> None:
    """crm and marketing do not import each other; oauth imports neither; none imports the core's
    assembly (app, server, control) or the package root."""
    forbidden = {
        "crm": ("marketing", "oauth", "app", "server", "control"),
        "marketing": ("crm", "oauth", "app", "server", "control"),
        "oauth": ("crm", "marketing", "app", "server", "control"),
    }
    for sub, banned in forbidden.items():
        for module, edges in _sandbox(sub).items():
            bad = {e for e in edges if e == SANDBOX or any(e.startswith(f"{SANDBOX}.{b}") for b in banned)}
            assert bad == set(), f"{module} imports {sorted(bad)}"


def test_private_modules_are_used_only_inside_their_subpackage() -> None:
    for module, edges in GRAPH.items():
        for edge in edges:
            parent, _, leaf = edge.rpartition(".")
            if edge.startswith(SANDBOX) and leaf.startswith("_") and leaf != "__init__":
                assert module == parent or module.startswith(parent + "."), f"{module} imports {edge}"


def test_the_graph_sees_lazy_and_type_checking_imports() -> None:
    """The checker itself: a function-level import and a relative one resolve to modules."""
    assert f"{SANDBOX}.crm._portal" in GRAPH[f"{SANDBOX}.crm"]
    assert SANDBOX in GRAPH[f"{SANDBOX}.pytest_plugin"]  # imported inside a fixture
