"""The benchmark harness keeps working: ``benchmarks/run.py --smoke`` runs every workload at a tiny
size against fast-profile sandboxes and writes its results file. No timing is asserted (CI machines
vary); what is checked is that each step ran and the report says what it measured."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # long pulls, notebook kernels or installs: not in `make test-fast`

ROOT = Path(__file__).resolve().parent.parent


def test_smoke_run_completes_and_writes_results(tmp_path: Path) -> None:
    out = tmp_path / "results.md"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--smoke", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]

    text = out.read_text()
    assert "--smoke" in text  # the exact command is recorded
    for heading in ("## Goals", "## Pull:", "## Re-pull", "## Building the typed frame", "## Memory"):
        assert heading in text, heading

    raw = json.loads(out.with_suffix(".json").read_text())
    steps = {
        (r["workload"], r["contender"], r["properties"], r["sandbox"]): r["result"] for r in raw["records"]
    }
    failed = {k: v.get("error") for k, v in steps.items() if not v.get("ok")}
    assert not failed, failed
    rows = steps[("default", "hubspot_nb", None, "main")]["rows"]
    assert 250 <= rows <= 300  # the smoke portal: 300 contacts, a few of them archived
    for contender in ("hubspot_nb", "official", "requests"):
        pulled = steps[("default", contender, None, "main")]
        assert pulled["rows"] == rows, contender  # the same data for everyone
        assert pulled["stats"]["requests"], contender  # the sandbox counted its requests
    assert steps[("all", "hubspot_nb", "all", "main")]["columns"] >= 300
    sync = steps[("sync", "hubspot_nb", None, "main")]
    assert sync["touched"] == sync["touched_changed"] > 0
    parquet = steps[("parquet", "hubspot_nb", None, "memory")]
    assert parquet["duckdb_rows"] == steps[("memory", "hubspot_nb", None, "memory")]["rows"] > 0


def test_floor_matches_the_documented_worked_examples() -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from floor import Limits, ListStrategy, pull_floor, requests_floor, url_groups
    finally:
        sys.path.pop(0)
    hubspot = Limits(latency_ms=120, per_record_ms=0.2, burst=110, burst_window_ms=10_000, search_rps=5)
    # 201 list requests (200 pages + the catalogue): 110 at once, 91 one window later, + one round trip.
    assert requests_floor(201, 0, hubspot) == pytest.approx(10.14)
    # 110 requests fit in the first burst: only the round trip remains.
    assert requests_floor(110, 0, hubspot) == pytest.approx(0.14)
    # Search alone: 46 pages at 5/s start by 9 s, then a 200-record round trip.
    assert requests_floor(0, 46, hubspot) == pytest.approx(9.16)
    best = pull_floor(20_000, hubspot)
    assert best.seconds == pytest.approx(9.16)
    assert 100 * (best.list_requests - 1) + 200 * best.search_requests >= 20_000
    # Properties that do not fit in the URL cost two burst requests per 100 records.
    assert pull_floor(20_000, hubspot, list_cost=2).seconds > best.seconds
    # Every property of a real portal (~16,100 characters of URL): 2 list calls per page, and the best
    # split moves records to search: 10.14 s, not the 9.16 s of a catalogue that fits one URL.
    assert pull_floor(20_000, hubspot, list_cost=2).seconds == pytest.approx(10.14)
    names = [f"custom_property_{i:04d}" for i in range(700)]  # 700 × 26 characters ≈ 18,000
    assert url_groups(names) == 2 and url_groups(names[:100]) == 1
    assert url_groups(names * 3) == 4 and ListStrategy.for_groups(4).cost == 2  # ids + batch read
    # No limits, no latency: nothing to wait for.
    assert pull_floor(20_000, Limits()).seconds == 0
