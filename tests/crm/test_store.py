"""Parquet streaming and the incremental local copy, against the sandbox over HTTP."""

from __future__ import annotations

import contextlib
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow.dataset as ds
import pytest
import requests
from helpers import make_hub
from test_crm import cell

from hubspot_nb.crm import store
from hubspot_nb.sandbox import Sandbox


def stats(sb: Sandbox) -> dict[str, Any]:
    return requests.get(f"{sb.base_url}/_sandbox/stats", timeout=10).json()


def api_requests(sb: Sandbox) -> int:
    """CRM API requests so far (control and OAuth endpoints left out)."""
    return sum(n for route, n in stats(sb)["requests"].items() if "/crm/" in route)


@pytest.mark.slow
def test_to_parquet_writes_one_file_per_chunk_readable_by_duckdb(fresh_sandbox: Any, tmp_path: Path) -> None:
    sb = fresh_sandbox(contacts=900, custom_properties=40)
    hub = make_hub(sb)
    target = hub.to_parquet("contacts", tmp_path / "contacts.parquet", properties="all", chunksize=200)
    files = sorted(Path(target).glob("*.parquet"))
    expected_ids = sb.portal.store("contacts").ids()
    assert len(files) == -(-len(expected_ids) // 200)
    dataset = ds.dataset(str(target), format="parquet")
    assert dataset.count_rows() == len(expected_ids)
    schemas = {ds.dataset(str(f), format="parquet").schema.remove_metadata() for f in files}
    assert len(schemas) == 1  # every chunk has the same schema
    query = f"SELECT count(*), count(DISTINCT id) FROM read_parquet('{target}/*.parquet')"
    count, distinct = duckdb.connect().execute(query).fetchall()[0]
    assert count == distinct == len(expected_ids)
    back = store.read_parquet(target).sort_index(key=lambda i: i.astype(int))
    eager = hub.contacts(properties="all")
    assert isinstance(eager, pd.DataFrame)
    assert list(back.index) == list(eager.index)
    for name in eager.columns:
        assert [cell(v) for v in back[name]] == [cell(v) for v in eager[name]], name


PRIVATE_TOKEN = "pat-na1-00000000-test-store-memory"


@contextlib.contextmanager
def sandbox_process(contacts: int) -> Iterator[str]:
    """A sandbox in a process of its own (so tracemalloc sees only the client); yields its URL."""
    command = [sys.executable, "-m", "hubspot_nb.cli", "sandbox", "--port", "0", "--contacts", str(contacts),
               "--private-token", PRIVATE_TOKEN]  # fmt: skip
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert child.stdout is not None
        for line in child.stdout:
            found = re.search(r"API base URL:\s+(\S+)", line)
            if found:
                yield found.group(1)
                return
        raise RuntimeError("the sandbox process did not print its URL")
    finally:
        child.terminate()
        child.wait(timeout=30)


# Runs in a child process: peak RSS growth (VmHWM after resetting it to the current RSS) of one
# pull. RSS, not tracemalloc: pyarrow-backed columns live outside Python's allocator.
_MEASURE = """
import sys
from pathlib import Path
from hubspot_nb.hub import Hub
from hubspot_nb.auth.token import Token

def kb(field):
    for line in open("/proc/self/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1])

base_url, token, mode, where = sys.argv[1:5]
hub = Hub(Token(token, kind="private-app"), api_base=base_url)
hub.progress = False
hub.to_parquet("contacts", Path(where) / "warm", properties="all", chunksize=250)  # imports, catalogue
hub.contacts(properties="all", limit=300)
with open("/proc/self/clear_refs", "w") as fh:
    fh.write("5")
before = kb("VmRSS")
if mode == "stream":
    hub.to_parquet("contacts", Path(where) / "out", properties="all", chunksize=250)
else:
    frame = hub.contacts(properties="all")
print(kb("VmHWM") - before)
"""


def _growth_kb(base_url: str, mode: str, where: Path) -> int:
    where.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-c", _MEASURE, base_url, PRIVATE_TOKEN, mode, str(where)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return int(done.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="needs Linux's peak-RSS reset")
@pytest.mark.slow
def test_to_parquet_memory_stays_flat_as_the_portal_grows(tmp_path: Path) -> None:
    growth = {}
    for contacts in (1500, 10_000):
        with sandbox_process(contacts) as url:
            for mode in ("stream", "eager"):
                growth[mode, contacts] = _growth_kb(url, mode, tmp_path / f"{mode}{contacts}")
    small_stream, big_stream = growth["stream", 1500], growth["stream", 10_000]
    small_eager, big_eager = growth["eager", 1500], growth["eager", 10_000]
    # 6.7x the records: the eager frame's peak grows with the portal, streaming's is bounded by one
    # chunk plus the read-ahead queue (how full that queue gets depends on the machine's speed,
    # so compare growths rather than demand equality; benchmarks/ measures 20k vs 100k contacts).
    # At 6,000 contacts the streaming baseline (~40 MB) sat too near 0.6x the eager peak once the
    # eager pull got leaner; at 10,000 it is ~0.35x.
    assert big_eager - small_eager > 2 * max(0, big_stream - small_stream), growth
    assert big_stream < 0.6 * big_eager, growth


@pytest.mark.slow
def test_sync_pulls_once_then_only_what_changed(fresh_sandbox: Any, tmp_path: Path) -> None:
    sb = fresh_sandbox(contacts=5000, custom_properties=20)
    hub = make_hub(sb)
    where = tmp_path / "sync"
    before = api_requests(sb)
    first = hub.sync("contacts", path=where)
    full_requests = api_requests(sb) - before
    assert len(first) == len(sb.portal.store("contacts").ids())

    touched = requests.post(
        f"{sb.base_url}/_sandbox/touch", json={"object_type": "contacts", "fraction": 0.01}, timeout=10
    ).json()["ids"]
    before = api_requests(sb)
    second = hub.sync("contacts", path=where)
    incremental_requests = api_requests(sb) - before
    assert incremental_requests <= 0.05 * full_requests, (incremental_requests, full_requests)

    fresh = make_hub(sb).contacts()
    assert isinstance(fresh, pd.DataFrame)
    assert list(second.index) == list(fresh.index)
    for name in fresh.columns:
        assert [cell(v) for v in second[name]] == [cell(v) for v in fresh[name]], name
    assert (second.loc[touched, "updatedAt"] > first.loc[touched, "updatedAt"]).all()

    # a new session (new hub) reads the local copy and still only asks for changes
    again = make_hub(sb).sync("contacts", path=where)
    assert len(again) == len(second)


def test_sync_default_location_is_keyed_by_hub_and_type(fresh_sandbox: Any) -> None:
    sb = fresh_sandbox(contacts=150)
    hub = make_hub(sb)
    hub.info.hub_id = sb.hub_id
    frame = hub.sync("companies")
    path = store.default_path(hub.context, "companies")
    assert str(sb.hub_id) in str(path) and path.name == "companies"
    assert (path / "data.parquet").exists() and (path / "_sync.json").exists()
    assert len(frame) == len(sb.portal.store("companies").ids())
