"""What each contender runs, in a process of its own, and what gets measured.

``run.py`` starts ``python benchmarks/contenders.py``, writes one job (JSON) to its stdin and reads
one ``RESULT {…}`` line back. Imports, login and session set-up happen before the timed part; the
sandbox's counters are reset just before it, so the requests counted are the pull's own.

Contenders (the same pull, three ways):
- ``hubspot_nb``: ``hnb.login(access_token=…, api_base=…)`` then ``hub.contacts(properties=…)``.
- ``official``: HubSpot's ``hubspot-api-client`` pointed at the sandbox
  (``HubSpot(access_token=…, host=…)``), ``crm.contacts.get_all()`` and a DataFrame of the records'
  flattened properties, as its README suggests for pandas users. For every property it pulls the
  names in groups that fit a URL and joins the frames (all names at once are HubSpot's 414).
- ``requests``: a plain ``requests`` cursor loop and ``pd.json_normalize`` on the collected records
  (for every property, one loop per group of names, merged by id).
"""

from __future__ import annotations

import gc
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import requests
from floor import name_groups
from measure import measure
from sandbox_process import Control

PAGE = 100
Job = dict[str, Any]


# -- the three ways to pull a DataFrame --------------------------------------------------------------
def hubspot_nb_pull(job: Job) -> Callable[[], pd.DataFrame]:
    import hubspot_nb.crm.objects  # noqa: F401 - imported before the clock starts, like the others' modules

    hub = _login(job)
    return lambda: hub.objects(job["object_type"], properties=job["properties"])


def official_pull(job: Job) -> Callable[[], pd.DataFrame]:
    from hubspot import HubSpot

    api = HubSpot(access_token=job["token"], host=job["base_url"])
    objects = getattr(api.crm, job["object_type"])
    objects.basic_api  # noqa: B018 - imports the generated modules before the clock starts

    def one_pull(**kwargs: Any) -> pd.DataFrame:
        records = objects.get_all(**kwargs)
        index = pd.Index([r.id for r in records], name="id")
        return pd.DataFrame.from_records([r.properties for r in records], index=index)

    def pull() -> pd.DataFrame:
        if job["properties"] != "all":
            return one_pull()
        # Every name in one URL is HubSpot's 414 on a real portal's catalogue, and the official client
        # has no way round it: its users pull the names in groups that fit a URL and join the frames.
        catalogue = api.crm.properties.core_api.get_all(object_type=job["object_type"])
        groups = name_groups([p.name for p in catalogue.results])
        joined = pd.concat([one_pull(properties=group) for group in groups], axis=1)
        return joined.loc[:, ~joined.columns.duplicated()]  # hs_object_id & co. come with every group

    return pull


def requests_pull(job: Job) -> Callable[[], pd.DataFrame]:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {job['token']}"
    base = job["base_url"].rstrip("/")

    def records(params: dict[str, Any]) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        while True:
            body = _get(session, f"{base}/crm/v3/objects/{job['object_type']}", params)
            found.extend(body["results"])
            after = ((body.get("paging") or {}).get("next") or {}).get("after")
            if not after:
                return found
            params = {**params, "after": after}

    def pull() -> pd.DataFrame:
        if job["properties"] != "all":
            return pd.json_normalize(records({"limit": PAGE}))
        # As for the official client: all names in one URL are a 414, so one pass per group of names,
        # each record's properties merged by id.
        catalogue = _get(session, f"{base}/crm/v3/properties/{job['object_type']}", {})
        merged: dict[str, dict[str, Any]] = {}
        for group in name_groups([p["name"] for p in catalogue["results"]]):
            for record in records({"limit": PAGE, "properties": ",".join(group)}):
                kept = merged.setdefault(record["id"], {**record, "properties": {}})
                kept["properties"].update(record["properties"])
        return pd.json_normalize(list(merged.values()))

    return pull


def _get(session: requests.Session, url: str, params: dict[str, Any]) -> Any:
    """GET with the minimum a careful script does: wait a second on 429, fail on other errors."""
    while True:
        resp = session.get(url, params=params, timeout=60)
        if resp.status_code == 429:
            time.sleep(float(resp.headers.get("Retry-After", 1)))
            continue
        resp.raise_for_status()
        return resp.json()


PULLS: dict[str, Callable[[Job], Callable[[], pd.DataFrame]]] = {
    "hubspot_nb": hubspot_nb_pull,
    "official": official_pull,
    "requests": requests_pull,
}


def _login(job: Job) -> Any:
    import hubspot_nb as hnb

    hub = hnb.login(access_token=job["token"], api_base=job["base_url"])
    hub.progress = False  # no progress bar: it would be measured too, and nobody watches it here
    return hub


def _frame_facts(df: pd.DataFrame) -> dict[str, Any]:
    return {"rows": len(df), "columns": df.shape[1], "df_bytes": int(df.memory_usage(deep=True).sum())}


# -- tasks ------------------------------------------------------------------------------------------
def task_pull(job: Job, control: Control) -> dict[str, Any]:
    """One full pull into a DataFrame: time, memory, requests."""
    pull = PULLS[job["contender"]](job)
    control.reset_stats()
    measured = measure(pull)
    stats = control.stats()
    return {**measured.as_dict(), **_frame_facts(measured.value), "stats": stats}


def task_sync(job: Job, control: Control) -> dict[str, Any]:
    """``hub.sync`` twice around a change to 1 % of the records: how many requests the refresh needs."""
    hub = _login(job)
    path = Path(job["workdir"]) / "sync"
    control.reset_stats()
    first = measure(lambda: hub.sync(job["object_type"], properties=job["properties"], path=path))
    first_stats = control.stats()
    touched = control.touch(job["object_type"], job.get("fraction", 0.01))
    control.reset_stats()
    second = measure(lambda: hub.sync(job["object_type"], properties=job["properties"], path=path))
    second_stats = control.stats()
    before, after = first.value, second.value
    seen = [i for i in touched if i in after.index]
    changed = 0
    column = next((c for c in ("lastmodifieddate", "hs_lastmodifieddate") if c in after.columns), None)
    if column is not None:
        common = [i for i in seen if i in before.index]
        changed = int((after.loc[common, column] != before.loc[common, column]).sum())
    return {
        "first": {**first.as_dict(), **_frame_facts(before), "stats": first_stats},
        "second": {**second.as_dict(), **_frame_facts(after), "stats": second_stats},
        "touched": len(touched),
        "touched_present": len(seen),
        "touched_changed": changed,
        "changed_column": column,
    }


def task_parquet(job: Job, control: Control) -> dict[str, Any]:
    """``hub.to_parquet``: peak memory while streaming, then DuckDB reads the dataset back."""
    import pyarrow.parquet  # noqa: F401 - loaded before the clock starts: its import is not the pull's

    import hubspot_nb.crm.store  # noqa: F401

    hub = _login(job)
    out = Path(job["workdir"]) / "parquet"
    control.reset_stats()
    measured = measure(lambda: hub.to_parquet(job["object_type"], out, properties=job["properties"]))
    stats = control.stats()
    files = sorted(out.glob("*.parquet"))
    import duckdb

    counted = duckdb.sql(f"select count(*) from '{out}/*.parquet'").fetchall()[0]
    return {
        **measured.as_dict(),
        "stats": stats,
        "files": len(files),
        "disk_bytes": sum(f.stat().st_size for f in files),
        "duckdb_rows": int(counted[0]) if counted else 0,
    }


def task_convert(job: Job, control: Control) -> dict[str, Any]:
    """Conversion only: the same pre-fetched pages, held in memory, to hubspot_nb's typed frame and
    to ``pd.json_normalize``; each timed ``repeat`` times, alternating, best of each."""
    from convert import build_typed_frame, parse_catalogue, prefetch_pages

    pages, raw_catalogue = prefetch_pages(job)
    catalogue = parse_catalogue(job["object_type"], raw_catalogue)
    records = [r for page in pages for r in page["results"]]
    best = {"hubspot_nb": float("inf"), "json_normalize": float("inf")}
    shapes = {}
    began = time.perf_counter()
    rounds = 0
    # Best of ``repeat`` rounds, but no more rounds once they add up to a minute: long timings
    # vary little, and the whole benchmark should stay within ~15 minutes.
    builders = {
        "json_normalize": lambda part: pd.json_normalize(part),
        "hubspot_nb": lambda part: build_typed_frame(part, catalogue),
    }
    for build in builders.values():  # warm up both (first-call costs) on a slice, untimed
        build(records[:500])
    while rounds < job.get("repeat", 3) and (rounds == 0 or time.perf_counter() - began < 30):
        rounds += 1
        for name, build in builders.items():
            gc.collect()
            started = time.perf_counter()
            df = build(records)
            best[name] = min(best[name], time.perf_counter() - started)
            shapes[name] = list(df.shape)
            del df
    return {"records": len(records), "pages": len(pages), "best_s": best, "shapes": shapes, "rounds": rounds}


TASKS: dict[str, Callable[[Job, Control], dict[str, Any]]] = {
    "pull": task_pull,
    "sync": task_sync,
    "parquet": task_parquet,
    "convert": task_convert,
}


def main() -> None:
    job = json.loads(sys.stdin.read())
    try:
        result = {"ok": True, **TASKS[job["task"]](job, Control(job["base_url"]))}
    except Exception as exc:  # report, don't crash: one failing contender must not sink the run
        result = {"ok": False, "error": f"{type(exc).__name__}: {str(exc)[:500]}"}
    print("RESULT " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
