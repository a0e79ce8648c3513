"""The sandbox's architecture, checked from the source: imports run one way and stay inside it.

The graph is ``tests/import_graph.py``'s; cycles, imports of the client and private modules used
from outside are checked for the whole package in ``tests/test_architecture.py``. Here: the lanes
inside the sandbox.
"""

from __future__ import annotations

from import_graph import import_graph, within

SANDBOX = "hubspot_nb.sandbox"
GRAPH = import_graph()


def _sandbox(prefix: str = "") -> dict[str, set[str]]:
    name = f"{SANDBOX}.{prefix}" if prefix else SANDBOX
    return {m: e for m, e in GRAPH.items() if within(m, name)}


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


def test_the_graph_sees_lazy_and_type_checking_imports() -> None:
    """The checker itself: a function-level import and a relative one resolve to modules."""
    assert f"{SANDBOX}.crm._portal" in GRAPH[f"{SANDBOX}.crm"]
    assert SANDBOX in GRAPH[f"{SANDBOX}.pytest_plugin"]  # imported inside a fixture
