"""notebooks/03_marketing_performance.ipynb under Run All in a real kernel (nbclient), with no
HubSpot credentials: it must take the sandbox path, run top to bottom and produce its analysis."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient.exceptions import CellExecutionError
from nbtools import NOTEBOOKS, clean_env, find_secrets, kept_text, run_notebook, secret_probe, text_of

pytestmark = pytest.mark.slow  # long pulls, notebook kernels or installs: not in `make test-fast`

PATH = NOTEBOOKS / "03_marketing_performance.ipynb"


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> tuple[nbformat.NotebookNode, list[str]]:
    tmp = tmp_path_factory.mktemp("nb03")
    issued = tmp / "issued.json"
    try:
        nb, _ = run_notebook(PATH, clean_env(tmp), probes=[secret_probe(issued)], timeout=600)
    except CellExecutionError as exc:
        pytest.fail(f"{PATH.name} failed under Run All: {str(exc)[-3000:]}")
    return nb, json.loads(issued.read_text())


def code_cells(nb: nbformat.NotebookNode) -> list[Any]:
    return [c for c in nb.cells if c.cell_type == "code"]


def output_text(nb: nbformat.NotebookNode) -> str:
    return "\n".join(text_of(c) for c in code_cells(nb))


def test_saved_notebook_has_no_outputs() -> None:
    nb = nbformat.read(PATH, as_version=4)
    for cell in code_cells(nb):
        assert cell.outputs == [] and cell.execution_count is None, "clear outputs before committing"


def test_top_says_sandbox_without_credentials_and_hubspot_otherwise() -> None:
    nb = nbformat.read(PATH, as_version=4)
    top = nb.cells[0].source
    assert "sandbox" in top and "HUBSPOT_ACCESS_TOKEN" in top and "saved login" in top


def test_runs_against_the_sandbox_with_no_errors(executed: Any) -> None:
    nb, _ = executed
    assert "runs against the built-in sandbox" in text_of(code_cells(nb)[0])
    failed = [c.source[:60] for c in code_cells(nb) if any(o.output_type == "error" for o in c.outputs)]
    assert not failed


def test_produces_the_analysis(executed: Any) -> None:
    nb, _ = executed
    text = output_text(nb)
    charts = sum("image/png" in o.get("data", {}) for c in code_cells(nb) for o in c.outputs)
    assert charts >= 5, "funnel, rates over time, events, campaigns and conversion charts"
    emails = re.search(r"(\d+) emails, (\d+) sent", text)
    assert emails and int(emails.group(2)) > 10
    events = re.search(r"([\d,]+) events of (\d+) sends", text)
    assert events and int(events.group(1).replace(",", "")) > 1000
    for expected in ("Best:", "Worst:", "open_rate", "click_rate", "revenue_first_touch", "per_100_visits"):
        assert expected in text, expected
    conversion = re.search(r"([\d,]+) visits, ([\d,]+) submissions: ([\d.]+) per 100 visits", text)
    assert conversion and float(conversion.group(3)) > 0
    known = re.search(r"(\d+)% from known contacts", text)
    assert known and 50 < int(known.group(1)) < 100


def test_keeps_no_secret(executed: Any) -> None:
    nb, issued = executed
    assert issued, "the probe found no sandbox secrets, so the scan would prove nothing"
    assert not find_secrets(kept_text(nb), issued)


def test_notebook_source_never_prints_a_token() -> None:
    source = Path(PATH).read_text()
    assert "bearer()" not in source and "access_token=" not in source
