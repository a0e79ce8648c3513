"""Turn the benchmark's raw results into ``results.md`` (tables, goals, machine, date, command) and
``results.json`` (everything, for later comparison)."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

from floor import MAX_URL_CHARS, Floor, Limits, ListStrategy, pull_floor, requests_floor

MB = 1024 * 1024


# -- reading the sandbox's counters ---------------------------------------------------------------
def route_limits() -> dict[str, str | None]:
    """``"GET /crm/v3/objects/{object_type}" -> "burst"`` for every sandbox route."""
    from hubspot_nb.sandbox.app import build_router

    return {f"{r.method} {r.pattern}": r.limit for r in build_router().routes}


def wire(stats: dict[str, Any] | None, limits_by_route: dict[str, str | None]) -> dict[str, int]:
    """What went over the wire during one timed run, from ``/_sandbox/stats``."""
    stats = stats or {}
    per_route: dict[str, int] = stats.get("requests") or {}
    out = {"requests": 0, "burst": 0, "search": 0, "r429": 0, "r414": 0}
    for route, n in per_route.items():
        if "/_sandbox/" in route:
            continue  # the harness's own control calls
        out["requests"] += n
        kind = limits_by_route.get(route)
        if kind in ("burst", "search"):
            out[kind] += n
    limited = stats.get("rate_limited") or {}
    out["r429"] = sum(limited.values())
    # Refused requests do not count against HubSpot's windows: take them out of the floor's count.
    out["burst"] -= limited.get("TEN_SECONDLY_ROLLING", 0)
    out["search"] -= limited.get("SECONDLY", 0)
    out["r414"] = per_route.get("URI too long", 0)
    return out


# -- formatting helpers ---------------------------------------------------------------------------
def _mb(kb_or_bytes: float | None, *, bytes_: bool = False) -> str:
    if kb_or_bytes is None:
        return "–"
    value = kb_or_bytes / (MB if bytes_ else 1024)
    return f"{value:,.0f}" if value >= 10 else f"{value:.1f}"


def _s(x: float | None, digits: int = 1) -> str:
    return "–" if x is None else f"{x:,.{digits}f}"


def _ratio(x: float | None, digits: int = 2) -> str:
    return "–" if x is None else f"{x:.{digits}f}×"


def _median(values: list[float]) -> float:
    return float(statistics.median(values))


def _median_run(results: list[dict[str, Any]]) -> dict[str, Any]:
    """The run whose wall time is the median (the lower middle one for an even count)."""
    ordered = sorted(results, key=lambda r: r["wall_s"])
    return ordered[(len(ordered) - 1) // 2]


def _spread(values: list[float], digits: int, unit: str = "") -> str:
    """``median (min–max)``; one value alone when there is one run or all agree."""
    if not values:
        return "–"
    med, low, high = _median(values), min(values), max(values)
    text = f"{med:,.{digits}f}{unit}"
    if len(values) > 1 and f"{low:,.{digits}f}" != f"{high:,.{digits}f}":
        text += f" ({low:,.{digits}f}–{high:,.{digits}f}{unit})"
    return text


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return [*lines, ""]


def _verdict(ok: bool | None, smoke: bool = False) -> str:
    if smoke:
        return "n/a (smoke run)"
    return {True: "**met**", False: "**missed**", None: "n/a"}[ok]


# -- the machine ----------------------------------------------------------------------------------
def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next((ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name")), cpu)
    except OSError:
        pass
    mem_gb = None
    with contextlib.suppress(ValueError, OSError, AttributeError):
        mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    versions = {}
    for dist in ("hubspot-nb", "pandas", "numpy", "pyarrow", "requests", "hubspot-api-client", "duckdb"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = "not installed"
    root = Path(__file__).resolve().parent.parent
    commit = _git(root, "rev-parse", "--short", "HEAD")
    dirty = bool(_git(root, "status", "--porcelain", "--", "hubspot_nb"))
    return {
        "platform": platform.platform(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(mem_gb, 1) if mem_gb else None,
        "python": platform.python_version(),
        "versions": versions,
        "commit": commit + (" (+ uncommitted changes in hubspot_nb/)" if dirty else ""),
    }


def _git(root: Path, *args: str) -> str:
    try:
        return subprocess.run(
            ["git", *args], cwd=root, capture_output=True, text=True, timeout=10
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


# -- the report -----------------------------------------------------------------------------------
class Report:
    def __init__(
        self, records: list[dict[str, Any]], sandboxes: dict[str, dict[str, Any]], *, smoke: bool = False
    ) -> None:
        self.smoke = smoke  # tiny sizes: the numbers prove the harness runs, not the goals
        self.records = records
        self.sandboxes = sandboxes
        self.routes = route_limits()
        main = sandboxes.get("main", {})
        self.limits = Limits.from_config(main.get("knobs", {}))
        self.size = main.get("contacts", 0)
        self.goals: list[tuple[str, str, str, bool | None]] = []

    def find(
        self, workload: str, contender: str, *, properties: Any = None, sandbox: str | None = None
    ) -> Any:
        for r in self.records:
            if (
                r["workload"] == workload
                and r["contender"] == contender
                and r["properties"] == properties
                and (sandbox is None or r["sandbox"] == sandbox)
            ):
                return r["result"] if r["result"].get("ok") else None
        return None

    def find_runs(self, workload: str, contender: str, *, properties: Any = None) -> list[Any]:
        """Every run of one limited pull, in run order (failed runs as None)."""
        recs = [
            r
            for r in self.records
            if r["workload"] == workload and r["contender"] == contender and r["properties"] == properties
        ]
        recs.sort(key=lambda r: r.get("run", 1))
        return [r["result"] if r["result"].get("ok") else None for r in recs]

    def list_strategy(self, properties: Any) -> ListStrategy:
        main = self.sandboxes.get("main", {})
        if properties != "all":
            return ListStrategy.for_groups(1)
        groups = main.get("all_url_groups")
        if groups is None:  # results from before the harness counted the groups
            groups = 2 if main.get("all_url_chars", 0) > MAX_URL_CHARS else 1
        return ListStrategy.for_groups(int(groups))

    def floor(self, properties: Any) -> Floor:
        return pull_floor(self.size, self.limits, list_cost=self.list_strategy(properties).cost)

    # -- sections ---------------------------------------------------------------------------------
    def pull_section(self, workload: str) -> list[str]:
        properties = "all" if workload == "all" else None
        what = {"all": "all properties", "opaque": "default properties, opaque list cursors"}.get(
            workload, "default properties"
        )
        rows_in = [r for r in self.records if r["workload"] == workload]
        if not rows_in:
            return []
        floor = self.floor(properties)
        profile = self.sandboxes["main"]["profile"]
        lines = [f"## Pull: {self.size:,} contacts, {what} ({profile} profile)", ""]
        if floor.seconds > 0:
            lines += [f"Floor: **{floor.describe()}** (formula in `benchmarks/README.md`).", ""]
            if properties == "all":
                lines += [f"List pages with every property: {self.list_strategy(properties).how}.", ""]
        if workload == "opaque":
            lines += [
                "The main sandbox switched to `list_cursor=opaque`: cursors no client can write, so "
                "hubspot_nb runs one list chain plus the search. Not the headline: HubSpot's documented "
                "cursor is the base64 of the next id, which is what the `id` setting serves.",
                "",
            ]
        nb_runs = self.find_runs(workload, "hubspot_nb", properties=properties)
        nb_med = _median([r["wall_s"] for r in nb_runs if r]) if nb_runs else None
        runs = max((r.get("run", 1) for r in rows_in), default=1)
        lines += [
            f"Wall time and × floor: median of {runs} run{'s' if runs > 1 else ''} (min–max); the other "
            "columns are the median run's.",
            "",
        ]
        header = ["contender", "wall s", "rows × cols", "requests", "429s", "414s", "peak RSS MB",
                  "RSS growth MB", "DataFrame MB", "rows/s", "× floor", "× hubspot_nb time",
                  "client CPU s", "sandbox CPU s"]  # fmt: skip
        rows = []
        contenders = list(dict.fromkeys(r["contender"] for r in rows_in))
        for contender in contenders:
            results = self.find_runs(workload, contender, properties=properties)
            good = [r for r in results if r]
            if not good:
                rec = next(r for r in rows_in if r["contender"] == contender)
                error = rec["result"].get("error", "")[:120]
                rows.append([contender, f"failed: {error}"] + ["–"] * (len(header) - 2))
                continue
            walls = [r["wall_s"] for r in good]
            res = _median_run(good)
            w = wire(res.get("stats"), self.routes)
            failed = len(results) - len(good)
            rows.append(
                [
                    contender + (f" ({failed} run{'s' if failed > 1 else ''} failed)" if failed else ""),
                    _spread(walls, 1),
                    f"{res['rows']:,} × {res['columns']}",
                    str(w["requests"]),
                    _spread([wire(r.get("stats"), self.routes)["r429"] for r in good], 0),
                    _spread([wire(r.get("stats"), self.routes)["r414"] for r in good], 0),
                    _mb(res["peak_kb"]),
                    _mb(res["growth_kb"]),
                    _mb(res["df_bytes"], bytes_=True),
                    f"{res['rows'] / res['wall_s']:,.0f}" if res["wall_s"] else "–",
                    _spread([x / floor.seconds for x in walls], 2, "×") if floor.seconds else "n/a",
                    _ratio(_median(walls) / nb_med, 1) if nb_med else "–",
                    _s(res.get("cpu_s")),
                    _s(res.get("sandbox_cpu_s")),
                ]
            )
        lines += _table(header, rows)
        nb = _median_run([r for r in nb_runs if r]) if nb_runs else None
        if nb:
            w = wire(nb.get("stats"), self.routes)
            own = requests_floor(w["burst"], w["search"], self.limits)
            if own:
                lines += [
                    f"hubspot_nb (median run) made {w['burst']} burst-class and {w['search']} search "
                    f"requests; the limits allow those in {own:.2f} s at best, so {nb['wall_s'] - own:.2f} s "
                    "went to waiting on round trips, scheduling and conversion.",
                    "",
                ]
        if workload != "opaque":
            self.pull_goals(properties, floor, nb_runs)
        return lines

    def pull_goals(self, properties: Any, floor: Floor, nb_runs: list[Any]) -> None:
        """The pull goals hold in *every* run: the verdict goes by the worst one."""
        tag = "all properties" if properties == "all" else "default properties"
        limited = floor.seconds > 0
        good = [r for r in nb_runs if r]
        complete = bool(good) and len(good) == len(nb_runs)
        n = f"{self.size:,} contacts, {tag}"
        every = f", every run of {len(nb_runs)}" if len(nb_runs) > 1 else ""
        cap = 1.5 if properties == "all" else 1.3
        within = [r["wall_s"] / floor.seconds for r in good] if limited else []
        self.goals.append(
            (f"{n}: within {cap}× of the floor{every}", f"≤ {cap:.2f}×", _spread(within, 2, "×"),
             (complete and max(within) <= cap) if within else None)
        )  # fmt: skip
        if properties is None:
            official = self.find_runs("default", "official")
            pairs = [(o["wall_s"], r["wall_s"]) for o, r in zip(official, nb_runs, strict=False) if o and r]
            speedups = [o / r for o, r in pairs]
            self.goals.append(
                (f"{n}: faster than the official client{every} (its run of the same round)", "≥ 4.0×",
                 _spread(speedups, 1, "×"),
                 (complete and min(speedups) >= 4) if speedups and limited else None)
            )  # fmt: skip
        r429 = [wire(r.get("stats"), self.routes)["r429"] for r in good]
        self.goals.append(
            (f"{n}: 429s received{every}", "0", _spread(r429, 0) if r429 else "–",
             (complete and max(r429) == 0) if r429 and limited else None)
        )  # fmt: skip
        if properties == "all":
            r414 = [wire(r.get("stats"), self.routes)["r414"] for r in good]
            cols = min((r["columns"] for r in good), default=None)
            ok = complete and max(r414, default=1) == 0 and cols is not None and cols >= 300
            self.goals.append(
                (f"{n}: no 414, ≥ 300 columns{every}", "0 × 414, ≥ 300 cols",
                 f"{max(r414)} × 414, {cols} cols" if good else "failed", ok)
            )  # fmt: skip

    def sync_section(self) -> list[str]:
        res = self.find("sync", "hubspot_nb")
        rec = next((r for r in self.records if r["workload"] == "sync"), None)
        if rec is None:
            return []
        lines = ["## Re-pull after 1 % of the records changed (`hub.sync`)", ""]
        if res is None:
            lines += [f"Failed: {rec['result'].get('error')}", ""]
            self.goals.append(("re-pull after 1 % changed: requests vs. full pull", "≤ 5 %", "failed", False))
            return lines
        first, second = wire(res["first"]["stats"], self.routes), wire(res["second"]["stats"], self.routes)
        header = ["run", "wall s", "rows", "requests", "burst-class", "search", "429s"]
        rows = [
            [name, _s(part["wall_s"]), f"{part['rows']:,}", str(w["requests"]), str(w["burst"]),
             str(w["search"]), str(w["r429"])]
            for name, part, w in (("first sync (full pull)", res["first"], first),
                                  ("second sync (after touch)", res["second"], second))
        ]  # fmt: skip
        lines += _table(header, rows)
        lines += [
            f"`POST /_sandbox/touch` changed {res['touched']} records; {res['touched_changed']} of them "
            "show a new "
            f"`{res['changed_column']}` in the refreshed frame.",
            "",
        ]
        share = second["requests"] / first["requests"] if first["requests"] else None
        self.goals.append(
            ("re-pull after 1 % changed: requests vs. full pull", "≤ 5 %",
             f"{second['requests']}/{first['requests']} = {share:.1%}" if share is not None else "–",
             (share <= 0.05) if share is not None else None)
        )  # fmt: skip
        self.goals.append(
            ("re-pull after 1 % changed: every changed record refreshed", f"{res['touched']}",
             str(res["touched_changed"]), res["touched_changed"] == res["touched"])
        )  # fmt: skip
        return lines

    def convert_section(self) -> list[str]:
        recs = [r for r in self.records if r["workload"] == "convert"]
        if not recs:
            return []
        lines = ["## Building the typed frame vs. `pd.json_normalize` (conversion only, pages in memory)", ""]
        header = [
            "properties",
            "records",
            "json_normalize s",
            "hubspot_nb typed s",
            "ratio",
            "shapes (typed / normalize)",
        ]
        rows = []
        for rec in recs:
            res, tag = rec["result"], "all" if rec["properties"] == "all" else "default"
            if not res.get("ok"):
                rows.append([tag, f"failed: {res.get('error', '')[:120]}", "–", "–", "–", "–"])
                self.goals.append(
                    (f"typed frame vs json_normalize ({tag} properties)", "≤ 1.5×", "failed", False)
                )
                continue
            best = res["best_s"]
            ratio = best["hubspot_nb"] / best["json_normalize"]
            shapes = res["shapes"]
            rows.append([tag, f"{res['records']:,}", _s(best["json_normalize"], 3), _s(best["hubspot_nb"], 3),
                         _ratio(ratio), f"{shapes['hubspot_nb']} / {shapes['json_normalize']}"])  # fmt: skip
            self.goals.append(
                (f"typed frame vs json_normalize ({tag} properties)", "≤ 1.5×", _ratio(ratio), ratio <= 1.5)
            )
        return lines + _table(header, rows)

    def memory_section(self) -> list[str]:
        recs = [r for r in self.records if r["workload"] in ("memory", "parquet")]
        if not recs:
            return []
        lines = ["## Memory: in-memory pulls and `hub.to_parquet` (fast profile: no latency, no limits)", ""]
        header = ["contacts", "run", "wall s", "peak RSS MB", "RSS growth MB", "DataFrame MB",
                  "growth / DataFrame", "Parquet files", "on disk MB", "DuckDB count"]  # fmt: skip
        rows = []
        for rec in recs:
            res = rec["result"]
            size = self.sandboxes[rec["sandbox"]]["contacts"]
            run = f"{rec['contender']} in memory" if rec["workload"] == "memory" else "hubspot_nb to_parquet"
            if not res.get("ok"):
                rows.append([f"{size:,}", run, f"failed: {res.get('error', '')[:120]}"] + ["–"] * 7)
                continue
            df = res.get("df_bytes")
            rows.append(
                [
                    f"{size:,}",
                    run,
                    _s(res["wall_s"]),
                    _mb(res["peak_kb"]),
                    _mb(res["growth_kb"]),
                    _mb(df, bytes_=True) if df else "–",
                    _ratio(res["growth_kb"] * 1024 / df) if df else "–",
                    str(res.get("files", "–")),
                    _mb(res["disk_bytes"], bytes_=True) if "disk_bytes" in res else "–",
                    f"{res['duckdb_rows']:,}" if "duckdb_rows" in res else "–",
                ]
            )
        lines += _table(header, rows)
        self.memory_goals()
        return lines

    def memory_goals(self) -> None:
        big = self.sandboxes.get("memory", {}).get("contacts")
        nb = self.find("memory", "hubspot_nb", sandbox="memory")
        if big and nb:
            ratio = nb["growth_kb"] * 1024 / nb["df_bytes"]
            self.goals.append(
                (f"{big:,} contacts in memory: peak RSS growth vs. DataFrame deep memory (fast profile)",
                 "≤ 2.5×", _ratio(ratio), ratio <= 2.5)
            )  # fmt: skip
        elif big:
            self.goals.append(
                (f"{big:,} contacts in memory: RSS growth vs. DataFrame", "≤ 2.5×", "failed", False)
            )
        small_pq = self.find("parquet", "hubspot_nb", sandbox="main")
        big_pq = self.find("parquet", "hubspot_nb", sandbox="memory")
        if big_pq and small_pq:
            grow = big_pq["growth_kb"] / max(small_pq["growth_kb"], 1)
            small = self.sandboxes["main"]["contacts"]
            self.goals.append(
                (f"to_parquet peak RSS flat: growth at {big:,} vs. at {small:,} contacts", "≤ 1.5×",
                 f"{_mb(big_pq['growth_kb'])} / {_mb(small_pq['growth_kb'])} MB = {_ratio(grow)}",
                 grow <= 1.5)
            )  # fmt: skip
        if big_pq:
            # Every row the in-memory pull of the same portal got (the sandbox archives a few records).
            expected = nb["rows"] if nb else big
            self.goals.append(
                ("to_parquet dataset readable by DuckDB: every row", f"{expected:,}",
                 f"{big_pq['duckdb_rows']:,}", big_pq["duckdb_rows"] == expected)
            )  # fmt: skip
        elif big:
            self.goals.append(("to_parquet dataset readable by DuckDB", f"{big:,}", "failed", False))

    # -- whole document -----------------------------------------------------------------------------
    def markdown(self, info: dict[str, Any], command: str, when: str, total_s: float) -> str:
        body: list[str] = []
        body += self.pull_section("default")
        body += self.pull_section("opaque")
        body += self.pull_section("all")
        body += self.sync_section()
        body += self.convert_section()
        body += self.memory_section()
        versions = ", ".join(f"{k} {v}" for k, v in info["versions"].items())
        head = [
            "# hubspot_nb benchmark results",
            "",
            f"- Command: `{command}` (from the repository root; `make bench` runs the same with no flags)",
            f"- Date: {when} · run took {total_s / 60:.1f} min",
            f"- Machine: {info['platform']}; {info['cpu']} ({info['cores']} cores); "
            f"{info['memory_gb']} GB RAM; "
            f"Python {info['python']}",
            f"- Packages: {versions}; hubspot_nb commit {info['commit']}",
        ]
        for name, sb in self.sandboxes.items():
            k = sb["knobs"]
            head.append(
                f"- {name} sandbox: {sb['contacts']:,} contacts, `{sb['profile']}` profile "
                f"(latency {k.get('latency_ms')} ms "
                f"+ {k.get('per_record_ms')} ms/record, burst {k.get('burst') or 'unlimited'} per "
                f"{k.get('burst_window_ms', 0) / 1000:g} s, search {k.get('search_rps') or 'unlimited'}/s, "
                f"list cursors `{k.get('list_cursor', 'id')}`); "
                "its own "
                f"process (peak RSS {_mb(sb.get('peak_rss_kb'))} MB, not counted for any contender)"
            )
        if "all_properties" in self.sandboxes.get("main", {}):
            main = self.sandboxes["main"]
            head.append(
                f'- `properties="all"`: {main["all_properties"]} contact properties; '
                "a list URL naming them all is "
                f"{main['all_url_chars']:,} characters (limit {MAX_URL_CHARS:,})"
            )
        loads = [x for r in self.records for x in r["result"].get("load_avg", [])]
        if loads:
            busy = max(loads) > (info["cores"] or 1)
            head.append(
                f"- Load average (1 min) around the steps: {min(loads):.1f}–{max(loads):.1f} on "
                f"{info['cores']} cores"
                + (" — **other work was running on the machine: wall times are inflated**" if busy else "")
            )
        head += [
            "- Each contender runs in a fresh process with its own private-app token (a full rate-limit "
            "allowance); wall time excludes interpreter start, imports and login; RSS growth is the peak RSS "
            "above the RSS just before the pull. *Client CPU* is the contender process's CPU time during the "
            "pull (all threads); *sandbox CPU* is the sandbox process's during the whole step (login "
            f"included). Both share this machine's {info['cores']} cores: a column near the wall time marks "
            "the bottleneck.",
            "",
            "## Goals",
            "",
        ]
        goal_rows = [
            [g, target, measured, _verdict(ok, self.smoke)] for g, target, measured, ok in self.goals
        ]
        return "\n".join(head + _table(["goal", "target", "measured", "verdict"], goal_rows) + body)


def write_results(
    out: Path,
    records: list[dict[str, Any]],
    sandboxes: dict[str, dict[str, Any]],
    *,
    args: Any,
    command: str,
    total_s: float,
) -> None:
    info = machine()
    when = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    report = Report(records, sandboxes, smoke=bool(getattr(args, "smoke", False)))
    text = report.markdown(info, command, when, total_s)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    raw = {"command": command, "date": when, "machine": info, "sandboxes": sandboxes, "records": records,
           "goals": report.goals, "args": {k: str(v) for k, v in vars(args).items()}}  # fmt: skip
    out.with_suffix(".json").write_text(json.dumps(raw, indent=1, default=str))
