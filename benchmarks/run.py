"""hubspot_nb's benchmark: one command, every contender, the same sandbox data.

    make bench                          # = .venv/bin/python benchmarks/run.py (several minutes)
    python benchmarks/run.py --smoke    # tiny sizes, fast profile: proves the harness works (CI)
    python benchmarks/run.py --only default,sync --size 5000

Two sandboxes, each in its own process (their memory is never counted as a contender's):
- "main": ``--size`` contacts (20,000) in the ``hubspot`` profile (latency 120 ms + 0.2 ms per
  record, 110 requests per rolling 10 s, search 5 per s). Workloads ``default`` (default
  properties) and ``all`` (``properties="all"``) pull with hubspot_nb, HubSpot's official client and
  a plain requests loop; ``sync`` re-pulls after 1 % of records changed. Then the main sandbox is
  switched to no latency/no limits for ``convert`` (typed frame vs ``pd.json_normalize`` on the
  same in-memory pages), and the small-size ``memory`` and ``parquet`` runs.
- "memory": ``--memory-size`` contacts (100,000) in the ``fast`` profile (no latency, no limits, so
  it does not take forever): ``memory`` (peak RSS vs. the DataFrame's size) and ``parquet``
  (``hub.to_parquet``: peak RSS stays flat; DuckDB reads the dataset).

Every contender runs in a fresh process (``contenders.py``) with its own private-app token, so each
starts with a full rate-limit allowance. Results go to ``benchmarks/results.md`` (+ ``.json``).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import requests
from floor import name_groups, url_groups
from report import write_results
from sandbox_process import SandboxProcess

HERE = Path(__file__).resolve().parent
WORKLOADS = ("default", "opaque", "all", "sync", "convert", "memory", "parquet")
CONTENDERS = ("hubspot_nb", "official", "requests")
FAST_KNOBS = {"latency_ms": 0, "per_record_ms": 0, "burst": 0, "search_rps": 0}
STEP_TIMEOUT_S = 1200


@dataclass
class Step:
    workload: str
    contender: str
    task: str  # see contenders.TASKS
    sandbox: str  # "main" or "memory"
    properties: Any = None
    fast: bool = False  # needs the main sandbox switched to no latency / no limits
    run: int = 1  # which of ``--runs`` repetitions of a limited pull
    knobs: dict[str, Any] = field(default_factory=dict)  # main sandbox settings this step needs
    extra: dict[str, Any] = field(default_factory=dict)
    token: str = field(default_factory=lambda: f"pat-na1-{uuid.uuid4()}")

    @property
    def label(self) -> str:
        props = " (all properties)" if self.properties == "all" else ""
        return f"{self.workload}{props} · {self.contender} · run {self.run}"


def plan(only: list[str], contenders: list[str], runs: int = 1, list_cursor: str = "id") -> list[Step]:
    """The steps to run, in order: the main sandbox's limited workloads first (each pull ``runs``
    times, the contenders taking turns, so a drift in the machine's load hits them alike), then its
    fast ones, then the memory sandbox's."""
    steps: list[Step] = []
    want = set(only)
    pullers = [c for c in ("hubspot_nb", "official", "requests") if c in contenders]
    cursor = {"list_cursor": list_cursor}
    nb = "hubspot_nb" in contenders
    for run in range(1, runs + 1):
        if "default" in want:
            steps += [Step("default", c, "pull", "main", run=run, knobs=cursor) for c in pullers]
        if "opaque" in want and nb and list_cursor != "opaque":
            # The same pull when HubSpot's cursors cannot be read as ids: one list chain plus search.
            steps.append(
                Step("opaque", "hubspot_nb", "pull", "main", run=run, knobs={"list_cursor": "opaque"})
            )
    for run in range(1, runs + 1):
        if "all" in want:
            steps += [
                Step("all", c, "pull", "main", properties="all", run=run, knobs=cursor) for c in pullers
            ]
    if "sync" in want and nb:
        steps.append(Step("sync", "hubspot_nb", "sync", "main", knobs=cursor))
    if "convert" in want:
        steps.append(Step("convert", "hubspot_nb", "convert", "main", fast=True))
        steps.append(Step("convert", "hubspot_nb", "convert", "main", properties="all", fast=True))
    memory_pullers = [c for c in ("hubspot_nb", "requests") if c in contenders]
    for sandbox in ("main", "memory"):
        fast = sandbox == "main"
        if "memory" in want:
            steps += [Step("memory", c, "pull", sandbox, fast=fast) for c in memory_pullers]
        if "parquet" in want and nb:
            steps.append(Step("parquet", "hubspot_nb", "parquet", sandbox, fast=fast))
    return steps


def run_step(step: Step, base_url: str, workdir: Path, repeat: int) -> dict[str, Any]:
    """Run one step in a fresh process; its RESULT line as a dict (``ok`` False on any failure)."""
    job = {
        "contender": step.contender,
        "task": step.task,
        "base_url": base_url,
        "token": step.token,
        "object_type": "contacts",
        "properties": step.properties,
        "workdir": str(workdir),
        "repeat": repeat,
        **step.extra,
    }
    started = time.perf_counter()
    try:
        proc = subprocess.run(
            [sys.executable, str(HERE / "contenders.py")],
            input=json.dumps(job),
            capture_output=True,
            text=True,
            timeout=STEP_TIMEOUT_S,
        )
    except subprocess.TimeoutExpired:
        return {"ok": False, "error": f"timed out after {STEP_TIMEOUT_S} s"}
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
    if not lines:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
        return {"ok": False, "error": f"exit code {proc.returncode}: " + " | ".join(tail)}
    result = json.loads(lines[-1][len("RESULT ") :])
    result["process_s"] = time.perf_counter() - started
    return result


def summarize(step: Step, result: dict[str, Any]) -> str:
    if not result.get("ok"):
        return f"FAILED: {result.get('error')}"
    if step.task == "sync":
        first, second = result["first"], result["second"]
        return (
            f"first {first['wall_s']:.1f} s, refresh {second['wall_s']:.1f} s after touching "
            f"{result['touched']} records"
        )
    if step.task == "convert":
        best = result["best_s"]
        return f"typed {best['hubspot_nb']:.3f} s vs json_normalize {best['json_normalize']:.3f} s"
    text = f"{result['wall_s']:.1f} s, peak RSS {result['peak_kb'] / 1024:.0f} MB"
    if "rows" in result:
        text += f", {result['rows']} rows × {result['columns']} columns"
    if "duckdb_rows" in result:
        text += f", DuckDB counts {result['duckdb_rows']} rows"
    return text


def contact_property_names(base_url: str, token: str) -> list[str]:
    resp = requests.get(
        f"{base_url}/crm/v3/properties/contacts", headers={"Authorization": f"Bearer {token}"}, timeout=60
    )
    resp.raise_for_status()
    return [p["name"] for p in resp.json()["results"]]


def probe_catalogue(names: list[str]) -> dict[str, int]:
    """How many contact properties there are, and how long a list URL naming them all would be
    (the floor for ``properties="all"`` depends on whether they fit in the URL)."""
    query = urlencode({"limit": 100, "after": "x" * 12, "properties": ",".join(names)})
    return {
        "all_properties": len(names),
        "all_url_chars": len(f"/crm/v3/objects/contacts?{query}"),
        "all_url_groups": url_groups(names),  # the fewest URL-sized groups (the floor's list cost)
    }


def warm_up(sb: SandboxProcess, knobs: dict[str, Any], token: str, names: list[str] | None) -> float:
    """Read every contact once (default properties, and ``names`` too unless None) plus a search
    page, with latency and limits off, then put the knobs back; the seconds it took.

    The sandbox builds its records' JSON pieces and engagement roll-ups on first use and keeps
    them; unwarmed, the first measured run would pay for that and HubSpot has no such cold start."""
    assert sb.control is not None
    sb.control.configure(**FAST_KNOBS)
    started = time.perf_counter()
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    url = f"{sb.base_url}/crm/v3/objects/contacts"
    groups: list[list[str] | None] = [None, *name_groups(names or [])]
    for group in groups:
        params: dict[str, Any] = {"limit": 100}
        if group is not None:
            params["properties"] = ",".join(group)
        while True:
            page = session.get(url, params=params, timeout=60)
            page.raise_for_status()
            after = ((page.json().get("paging") or {}).get("next") or {}).get("after")
            if not after:
                break
            params["after"] = after
    session.post(f"{url}/search", json={"limit": 200}, timeout=60).raise_for_status()
    sb.control.configure(**{key: knobs[key] for key in FAST_KNOBS})
    return time.perf_counter() - started


def sandbox_options(name: str, args: argparse.Namespace, tokens: list[str]) -> dict[str, Any]:
    """Sandbox options: main = the benchmark's profile and size; memory = fast and big."""
    small = {"companies": 50, "deals": 50, "tickets": 20, "emails": 4, "campaigns": 2, "forms": 2}
    if name == "main":
        return {
            "profile": args.profile,
            "list_cursor": args.list_cursor,
            "contacts": args.size,
            "seed": args.seed,
            "private_tokens": tokens,
            **small,
        }
    return {
        "profile": "fast",
        "contacts": args.memory_size,
        "seed": args.seed,
        "private_tokens": tokens,
        **small,
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--size", type=int, default=20_000, help="contacts in the main sandbox (default 20000)"
    )
    parser.add_argument(
        "--memory-size",
        type=int,
        default=100_000,
        help="contacts for the memory/parquet runs (default 100000)",
    )
    parser.add_argument(
        "--only", default=",".join(WORKLOADS), help=f"comma-separated: {', '.join(WORKLOADS)}"
    )
    parser.add_argument(
        "--contenders", default=",".join(CONTENDERS), help=f"comma-separated: {', '.join(CONTENDERS)}"
    )
    parser.add_argument("--profile", default="hubspot", help="profile of the main sandbox (default hubspot)")
    parser.add_argument(
        "--list-cursor",
        default="id",
        choices=("id", "plain", "issued", "opaque"),
        help="how the main sandbox spells list cursors (default id, HubSpot's; opaque: no mid-range chains)",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3, help="conversion timings: best of this many")
    parser.add_argument(
        "--runs",
        type=int,
        default=3,
        help="limited pulls (default, opaque, all): run each this many times, report median and min–max",
    )
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, fast profile (CI: it still works)")
    parser.add_argument("--out", type=Path, default=None, help="results file (default benchmarks/results.md)")
    args = parser.parse_args(argv)
    if args.smoke:
        args.size = min(args.size, 300)
        args.memory_size = min(args.memory_size, 600)
        args.profile = "fast"
        args.repeat = 1
        args.runs = 1
    if args.out is None:
        smoke_out = Path(tempfile.gettempdir()) / "hubspot_nb-bench-smoke.md"
        args.out = smoke_out if args.smoke else HERE / "results.md"
    args.only = [w.strip() for w in args.only.split(",") if w.strip()]
    args.contenders = [c.strip() for c in args.contenders.split(",") if c.strip()]
    bad = [w for w in args.only if w not in WORKLOADS] + [c for c in args.contenders if c not in CONTENDERS]
    if bad:
        parser.error(
            f"unknown names {bad}; workloads: {', '.join(WORKLOADS)}; contenders: {', '.join(CONTENDERS)}"
        )
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.runs < 1:
        print("--runs must be at least 1")
        return 1
    steps = plan(args.only, args.contenders, args.runs, args.list_cursor)
    if not steps:
        print("nothing to run for", args.only, args.contenders)
        return 1
    command = shlex.join(
        [os.path.relpath(sys.executable), os.path.relpath(__file__), *(argv or sys.argv[1:])]
    )
    print(f"hubspot_nb benchmark: {len(steps)} steps; results → {args.out}", flush=True)
    began = time.perf_counter()
    records: list[dict[str, Any]] = []
    sandboxes: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="hubspot_nb-bench-") as tmp:
        for name in ("main", "memory"):
            mine = [s for s in steps if s.sandbox == name]
            if not mine:
                continue
            probe_token = f"pat-na1-{uuid.uuid4()}"
            options = sandbox_options(name, args, [probe_token, *(s.token for s in mine)])
            print(
                f"starting the {name} sandbox: {options['contacts']} contacts, "
                f"{options['profile']} profile …",
                flush=True,
            )
            with SandboxProcess(options) as sb:
                assert sb.control is not None
                knobs = sb.control._call("GET", "config")
                print(f"  ready in {sb.started_in_s:.1f} s at {sb.base_url}", flush=True)
                names = contact_property_names(sb.base_url, probe_token)
                catalogue_facts = probe_catalogue(names)
                warm_names = names if any(s.properties == "all" for s in mine) else None
                print(
                    f"  warmed up in {warm_up(sb, knobs, probe_token, warm_names):.1f} s (not measured)",
                    flush=True,
                )
                fast_now = False
                for step in mine:
                    if step.fast and not fast_now:
                        sb.control.configure(**FAST_KNOBS)
                        fast_now = True
                    elif step.knobs and not fast_now:
                        sb.control.configure(**step.knobs)
                    index = steps.index(step) + 1
                    print(f"[{index}/{len(steps)}] {step.label} …", flush=True)
                    workdir = Path(tmp) / f"step{index}"
                    workdir.mkdir()
                    cpu_before, load_before = sb.cpu_seconds(), os.getloadavg()[0]
                    result = run_step(step, sb.base_url, workdir, args.repeat)
                    cpu_after = sb.cpu_seconds()
                    # Other work on the machine inflates wall times: keep the evidence with the numbers.
                    result["load_avg"] = [load_before, os.getloadavg()[0]]
                    if cpu_before is not None and cpu_after is not None:
                        result["sandbox_cpu_s"] = cpu_after - cpu_before  # whole step, set-up included
                    print(f"  {summarize(step, result)}", flush=True)
                    records.append(
                        {
                            "workload": step.workload,
                            "contender": step.contender,
                            "task": step.task,
                            "sandbox": name,
                            "properties": step.properties,
                            "fast": step.fast,
                            "run": step.run,
                            "knobs": step.knobs,
                            "result": result,
                        }
                    )
                sandboxes[name] = {
                    "contacts": options["contacts"],
                    "profile": options["profile"],
                    "knobs": knobs,
                    "start_s": sb.started_in_s,
                    "peak_rss_kb": sb.peak_rss_kb(),
                    **catalogue_facts,
                }
    total = time.perf_counter() - began
    write_results(args.out, records, sandboxes, args=args, command=command, total_s=total)
    print(f"done in {total / 60:.1f} min; wrote {args.out}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
