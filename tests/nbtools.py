"""Helpers for the notebook tests: run a notebook in a real kernel (nbclient) with a clean env, and
scan what a notebook keeps (outputs and saved widget state) for secrets.

A secret is anything that would let someone act as the user: OAuth access and refresh tokens,
authorization codes, private-app tokens and the client secret. We look for the exact values the
sandbox issued (collected by a probe cell from the sandbox's own store) and, as a net for anything
the probe missed, for the shapes the sandbox gives them.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"

# The shapes of the sandbox's secrets (hubspot_nb/sandbox/tokens.py) and of HubSpot's own ones.
SECRET_PATTERNS = {
    "access token": re.compile(r"sbx-at-[A-Za-z0-9_\-]{16,}"),
    "refresh token": re.compile(r"sbx-rt-[A-Za-z0-9_\-]{16,}"),
    "authorization code": re.compile(r"\bna1-[0-9a-f]{32}\b"),
    "private-app token": re.compile(r"\bpat-[a-z]{2}\d-[0-9a-f\-]{20,}"),
    "client secret": re.compile(re.escape("sandbox-client-secret")),
}

# Collects every secret the kernel's sandbox(es) issued into a JSON file, without printing anything.
# Runs as an extra cell after the notebook; the cell is removed again before the notebook is scanned.
PROBE_SECRETS = """
import json as _json, gc as _gc
from hubspot_nb.sandbox.oauth import AuthStore as _AuthStore
_found = []
for _store in [o for o in _gc.get_objects() if isinstance(o, _AuthStore)]:
    _found += list(getattr(_store, "_codes", {})) + list(getattr(_store, "_grants", {}))
    _found += list(getattr(_store, "_access", {}))
    _found += [g.refresh_token for g in getattr(_store, "_grants", {}).values()]
    # revoked grants leave _grants but stay reachable from the access tokens minted from them
    _found += [a.grant.refresh_token for a in getattr(_store, "_access", {}).values() if a.grant]
with open(%r, "w") as _fh:
    _json.dump(sorted(set(_found)), _fh)
"""


def clean_env(tmp: Path, **extra: str) -> dict[str, str]:
    """The test process's env without any HUBSPOT_* setting (so notebooks take the sandbox path),
    a private token cache and private Jupyter/IPython dirs."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUBSPOT_")}
    env.update(
        HUBSPOT_NB_CACHE_DIR=str(tmp / "token-cache"),
        IPYTHONDIR=str(tmp / "ipython"),
        JUPYTER_RUNTIME_DIR=str(tmp / "jupyter-runtime"),
        MPLBACKEND="module://matplotlib_inline.backend_inline",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def secret_probe(out_file: Path) -> nbformat.NotebookNode:
    return nbformat.v4.new_code_cell(PROBE_SECRETS % str(out_file))


def run_notebook(
    path: Path, env: dict[str, str], *, probes: list[Any] = (), timeout: int = 180, cwd: Path | None = None
) -> tuple[nbformat.NotebookNode, list[nbformat.NotebookNode]]:
    """Execute ``path`` top to bottom in a fresh kernel, then each probe cell in the same kernel.

    Returns the executed notebook (probe cells removed, widget state saved as Run All would) and
    the executed probe cells. Raises nbclient's CellExecutionError when a notebook cell fails.
    """
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(cwd or path.parent)}}
    )
    done: list[nbformat.NotebookNode] = []
    with client.setup_kernel(env=env):
        for index, cell in enumerate(list(nb.cells)):
            client.execute_cell(cell, index)
        client.set_widgets_metadata()  # the state a saved notebook carries, before any probe acts
        saved_widgets = json.loads(json.dumps(nb.metadata.get("widgets", {})))
        for probe in probes:
            cell = probe if isinstance(probe, nbformat.NotebookNode) else nbformat.v4.new_code_cell(probe)
            nb.cells.append(cell)  # execute_cell writes back into nb.cells[index]
            client.execute_cell(cell, len(nb.cells) - 1)
            done.append(cell)
        if probes:
            client.set_widgets_metadata()
            after = nb.metadata.get("widgets", {})
            # keep both states: the probes may have changed widgets (and the scan must see that too)
            nb.metadata["widgets"] = saved_widgets
            nb.metadata["widgets_after_probes"] = after
    nb.cells = [c for c in nb.cells if c not in done]
    return nb, done


def kept_text(nb: nbformat.NotebookNode) -> str:
    """Everything a saved notebook keeps besides its source: every output and the widget state."""
    kept = {
        "outputs": [cell.get("outputs", []) for cell in nb.cells],
        "widgets": nb.metadata.get("widgets", {}),
        "widgets_after_probes": nb.metadata.get("widgets_after_probes", {}),
    }
    return json.dumps(kept)


def find_secrets(text: str, known: list[str] = ()) -> list[str]:
    """What kinds of secret appear in ``text`` (messages never repeat the secret itself)."""
    hits = []
    for value in known:
        if value and value in text:
            hits.append(f"an issued secret ending …{value[-4:]}")
    for kind, pattern in SECRET_PATTERNS.items():
        for match in pattern.finditer(text):
            hits.append(f"a {kind} shape at offset {match.start()} (…{match.group()[-4:]})")
    return hits


def text_of(cell: nbformat.NotebookNode) -> str:
    """The printed text (stdout and text/plain results) of an executed cell."""
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            parts.append(out.get("text", ""))
        elif "data" in out:
            parts.append(out["data"].get("text/plain", ""))
        elif out.get("output_type") == "error":
            parts.append("\n".join(out.get("traceback", [])))
    return "".join(parts)
