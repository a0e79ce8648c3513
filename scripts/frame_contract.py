"""Pull every data helper's frame from a seeded sandbox and write what users get, as JSON.

Run it on two checkouts of hubspot_nb and compare the files: a restructuring that changes no
behaviour leaves them identical::

    PYTHONPATH=/path/to/old python scripts/frame_contract.py --out old.json
    PYTHONPATH=/path/to/new python scripts/frame_contract.py --out new.json --compare old.json

Only the public API is used (``import hubspot_nb as hnb``, ``hnb.sandbox``, ``hnb.login`` and the
``Hub`` methods), so the script runs unchanged on any layout of the package. Per frame it records
the column names in order, each column's dtype, the index name and dtype, the row count, the
``attrs``, a sha256 of the content per column and one over the whole frame (cells in a stable text
form: lists, dicts and arrays spelled out, missing values as ``<NA>``).

``--contract FILE`` also writes the dtype contract that ``tests/test_frame_contract.py`` checks
(see that test for what it holds and why); it must be generated from the code before a change.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import math
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

import hubspot_nb as hnb

PRIVATE_TOKEN = "pat-na1-00000000-frame-contract"


def _test_sandbox_options() -> dict[str, Any]:
    """The test suite's sandbox (``tests/sandbox_options.py`` of this script's own checkout, loaded by
    path so that PYTHONPATH may name any other checkout): the dtypes written with --contract are the
    ones the tests' session sandbox must give."""
    path = Path(__file__).resolve().parents[1] / "tests" / "sandbox_options.py"
    spec = importlib.util.spec_from_file_location("sandbox_options", path)
    assert spec is not None and spec.loader is not None, path
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return dict(module.SANDBOX_OPTIONS)


SANDBOX_OPTIONS: dict[str, Any] = _test_sandbox_options()

# Fixed dates inside the seeded data (marketing sends run from late 2025 into 2026), so no frame
# depends on today's date.
SINCE = "2025-09-01"
T0, T1 = "2026-01-01", "2026-03-01"
# One standard contact property of every kind: text, enumeration (select, radio), datetime, number,
# bool and date.
PROPERTIES = [
    "email",
    "lifecyclestage",
    "hubspot_owner_id",
    "createdate",
    "hs_analytics_num_page_views",
    "hs_lead_status",
    "hs_email_optout",
    "date_of_birth",
]
# Chunked pulls split the id range and fill chunks as pages arrive from parallel requests, so which
# rows a chunk holds varies from run to run (not its columns or dtypes): these calls' chunks are
# described without content hashes, and their rows together (sorted by id) with one.
CHUNKED = ("contacts(chunksize=250)", 'contacts(properties="all", chunksize=250)')
Call = Callable[[hnb.Hub, Path], Any]


def calls() -> dict[str, Call]:
    """Helper call (as a user would type it) → how to make it. A call may give a list of frames
    (a ``chunksize`` iterator): those are recorded as ``call[0]``, ``call[1]`` …"""

    def first_form(hub: hnb.Hub) -> str:
        return str(hub.forms().index[0])

    def deal_ids(hub: hnb.Hub) -> list[str]:
        deals = hub.deals(limit=10)
        assert isinstance(deals, pd.DataFrame)
        return [str(i) for i in deals.index]

    def parquet(hub: hnb.Hub, tmp: Path) -> pd.DataFrame:
        target = hub.to_parquet("contacts", tmp / "contacts.parquet", properties="all", chunksize=250)
        # Which rows land in which file varies run to run (see CHUNKED): compare the rows by id.
        back = pd.read_parquet(target)
        return back.sort_values("id", key=lambda ids: ids.astype(int), kind="stable").reset_index(drop=True)

    def sync_twice(hub: hnb.Hub, tmp: Path) -> list[pd.DataFrame]:
        where = tmp / "sync-contacts"
        return [hub.sync("contacts", path=where), hub.sync("contacts", path=where)]

    return {
        "contacts()": lambda hub, tmp: hub.contacts(),
        f"contacts(properties={PROPERTIES})": lambda hub, tmp: hub.contacts(properties=PROPERTIES),
        'contacts(properties="all")': lambda hub, tmp: hub.contacts(properties="all"),
        'contacts(properties=["lifecyclestage", "hubspot_owner_id", "hs_lead_status"], labels=True)': (
            lambda hub, tmp: hub.contacts(
                properties=["lifecyclestage", "hubspot_owner_id", "hs_lead_status"], labels=True
            )
        ),
        'contacts(labels=True, properties="all")': lambda hub, tmp: hub.contacts(
            properties="all", labels=True
        ),
        'contacts(associations=["companies"])': lambda hub, tmp: hub.contacts(associations=["companies"]),
        f'contacts(since="{SINCE}")': lambda hub, tmp: hub.contacts(since=SINCE),
        "contacts(limit=50)": lambda hub, tmp: hub.contacts(limit=50),
        "contacts(chunksize=250)": lambda hub, tmp: list(hub.contacts(chunksize=250)),
        'contacts(properties="all", chunksize=250)': lambda hub, tmp: list(
            hub.contacts(properties="all", chunksize=250)
        ),
        "contacts(archived=True)": lambda hub, tmp: hub.contacts(archived=True),
        "companies()": lambda hub, tmp: hub.companies(),
        'companies(properties="all")': lambda hub, tmp: hub.companies(properties="all"),
        "deals()": lambda hub, tmp: hub.deals(),
        'deals(labels=True, associations=["companies", "contacts"])': lambda hub, tmp: hub.deals(
            labels=True, associations=["companies", "contacts"]
        ),
        'objects("tickets")': lambda hub, tmp: hub.objects("tickets"),
        'objects("tickets", properties="all")': lambda hub, tmp: hub.objects("tickets", properties="all"),
        'search("contacts", {"lifecyclestage": "lead", "createdate__gte": "2024-01-01"}, '
        'properties=["email", "lifecyclestage", "createdate"], sort="-createdate")': lambda hub, tmp: (
            hub.search(
                "contacts",
                {"lifecyclestage": "lead", "createdate__gte": "2024-01-01"},
                properties=["email", "lifecyclestage", "createdate"],
                sort="-createdate",
            )
        ),
        'search("deals", {"amount__gt": 1000}, sort="amount", limit=30)': lambda hub, tmp: hub.search(
            "deals", {"amount__gt": 1000}, sort="amount", limit=30
        ),
        'search("contacts", {"lifecyclestage": "lead"}, labels=True)': lambda hub, tmp: hub.search(
            "contacts", {"lifecyclestage": "lead"}, labels=True
        ),
        'properties("contacts")': lambda hub, tmp: hub.properties("contacts"),
        'properties("deals")': lambda hub, tmp: hub.properties("deals"),
        'associations("contacts", "companies")': lambda hub, tmp: hub.associations("contacts", "companies"),
        'associations("deals", "contacts", ids=<10 deal ids>)': lambda hub, tmp: hub.associations(
            "deals", "contacts", ids=deal_ids(hub)
        ),
        "owners()": lambda hub, tmp: hub.owners(),
        "owners(archived=True)": lambda hub, tmp: hub.owners(archived=True),
        'pipelines("deals")': lambda hub, tmp: hub.pipelines("deals"),
        'pipelines("tickets")': lambda hub, tmp: hub.pipelines("tickets"),
        "marketing_emails()": lambda hub, tmp: hub.marketing_emails(),
        "marketing_emails(stats=False)": lambda hub, tmp: hub.marketing_emails(stats=False),
        "marketing_emails(archived=True)": lambda hub, tmp: hub.marketing_emails(archived=True),
        f'marketing_emails(since="{SINCE}")': lambda hub, tmp: hub.marketing_emails(since=SINCE),
        f'email_statistics("{T0}", "{T1}")': lambda hub, tmp: hub.email_statistics(T0, T1),
        f'email_statistics("{T0}", "{T1}", interval="day")': lambda hub, tmp: hub.email_statistics(
            T0, T1, interval="day"
        ),
        f'email_statistics("{T0}", "{T1}", interval="month")': lambda hub, tmp: hub.email_statistics(
            T0, T1, interval="month"
        ),
        f'email_events("{T0}", "2026-01-20")': lambda hub, tmp: hub.email_events(T0, "2026-01-20"),
        f'email_events("{T0}", "2026-01-20", event_types=["OPEN", "CLICK"])': lambda hub, tmp: (
            hub.email_events(T0, "2026-01-20", event_types=["OPEN", "CLICK"])
        ),
        "campaigns()": lambda hub, tmp: hub.campaigns(),
        f'campaigns("{T0}", "2026-06-30", revenue=True)': lambda hub, tmp: hub.campaigns(
            T0, "2026-06-30", revenue=True
        ),
        "forms()": lambda hub, tmp: hub.forms(),
        "forms(archived=True)": lambda hub, tmp: hub.forms(archived=True),
        "form_submissions()": lambda hub, tmp: hub.form_submissions(),
        f'form_submissions(form_id=<first form>, since="{T0}")': lambda hub, tmp: hub.form_submissions(
            form_id=first_form(hub), since=T0
        ),
        f'traffic("sources", "total", "{T0}", "2026-01-31")': lambda hub, tmp: hub.traffic(
            "sources", "total", T0, "2026-01-31"
        ),
        f'traffic("sources", "daily", "{T0}", "2026-01-10")': lambda hub, tmp: hub.traffic(
            "sources", "daily", T0, "2026-01-10"
        ),
        f'traffic("geolocation", "monthly", "{T0}", "2026-03-31")': lambda hub, tmp: hub.traffic(
            "geolocation", "monthly", T0, "2026-03-31"
        ),
        f'traffic("totals", "summarize/weekly", "{T0}", "2026-02-28")': lambda hub, tmp: hub.traffic(
            "totals", "summarize/weekly", T0, "2026-02-28"
        ),
        'to_parquet("contacts", properties="all", chunksize=250) read back, rows by id': parquet,
        'sync("contacts"), then again': sync_twice,
        'sync("companies", properties=["name", "domain", "industry"])': lambda hub, tmp: hub.sync(
            "companies", properties=["name", "domain", "industry"], path=tmp / "sync-companies"
        ),
    }


# -- describing a frame ------------------------------------------------------------------------------
def cell(value: Any) -> str:
    """A cell as stable text: lists, arrays and dicts spelled out element by element."""
    if isinstance(value, (list, tuple, np.ndarray)):
        return "[" + ", ".join(cell(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {cell(value[k])}" for k in sorted(value, key=str)) + "}"
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return "<NA>"
    if isinstance(value, pd.Timestamp):
        return str(value.isoformat())
    return f"{type(value).__name__}:{value!r}"


def digest(values: Any) -> str:
    h = hashlib.sha256()
    for v in values:
        h.update(cell(v).encode())
        h.update(b"\x1f")
    return h.hexdigest()


def describe(frame: pd.DataFrame, content: bool = True) -> dict[str, Any]:
    """What a user sees of ``frame``; ``content=False``: no hashes (a chunk whose rows vary)."""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"expected a DataFrame, got {type(frame).__name__}")
    hashes: dict[str, Any] | None = None
    if content:
        columns = {str(name): digest(frame[name]) for name in frame.columns}
        index = digest(frame.index)
        whole = hashlib.sha256(json.dumps([index, list(columns.items())]).encode()).hexdigest()
        hashes = {"frame": whole, "index": index, "columns": columns}
    return {
        "columns": [str(c) for c in frame.columns],
        "dtypes": {str(c): str(t) for c, t in frame.dtypes.items()},
        "index": {
            "names": [None if n is None else str(n) for n in frame.index.names],
            "dtypes": [str(frame.index.get_level_values(i).dtype) for i in range(frame.index.nlevels)],
        },
        "rows": len(frame),
        "attrs": {str(k): cell(v) for k, v in sorted(frame.attrs.items())},
        "hash": hashes,
    }


def frames(hub: hnb.Hub, tmp: Path) -> dict[str, pd.DataFrame]:
    """Every call's frames by name (see ``calls``); ``tmp`` takes the Parquet and sync files."""
    out: dict[str, pd.DataFrame] = {}
    for key, make in calls().items():
        got = make(hub, tmp)
        if isinstance(got, list):
            out.update((f"{key}[{i}]", frame) for i, frame in enumerate(got))
        else:
            out[key] = got
        if key in CHUNKED:
            whole = pd.concat(got).sort_index(key=lambda ids: ids.astype(int), kind="stable")
            out[f"{key}[all chunks, rows by id]"] = whole
        if key.startswith("to_parquet("):
            schema = pq.read_schema(next(iter(sorted((tmp / "contacts.parquet").glob("*.parquet")))))
            out['to_parquet("contacts", properties="all", chunksize=250) Arrow schema'] = pd.DataFrame(
                {
                    "name": schema.names,
                    "type": [str(t) for t in schema.types],
                    "metadata": [cell(schema.metadata)] * len(schema.names),
                }
            )
    return out


def kind(type_: str, field_type: str) -> str:
    """A property's kind as the conversion sees it: its type, and ``enumeration/checkbox`` for
    multi-select enumerations (lists in cells)."""
    return "enumeration/checkbox" if type_ == "enumeration" and field_type == "checkbox" else type_


def catalogue(hub: hnb.Hub, object_type: str) -> dict[str, Any]:
    """Column name (and label) → kind, and the standard (HubSpot-defined) properties, in order."""
    props = hub.properties(object_type)
    kinds = {str(r.name): kind(str(r.type), str(r.fieldType)) for r in props.itertuples()}
    shared = props["label"].duplicated(keep=False)  # hubspot_nb shows a shared label as "label (name)"
    labels = {
        (f"{r.label} ({r.name})" if twice else str(r.label)): str(r.name)
        for r, twice in zip(props.itertuples(), shared, strict=True)
    }
    standard = [str(r.name) for r in props.itertuples() if r.hubspotDefined is not pd.NA and r.hubspotDefined]
    return {"kinds": kinds, "labels": labels, "standard": standard}


def pull(out_dir: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """Every call's frames, described, and the catalogues, from a sandbox built with ``SANDBOX_OPTIONS``."""
    options = {**SANDBOX_OPTIONS, "private_tokens": [PRIVATE_TOKEN]}
    with hnb.sandbox.run(**options) as sb:
        hub = hnb.login(access_token=PRIVATE_TOKEN, api_base=sb.base_url)
        hub.progress = False
        described = {
            key: describe(frame, content=not key.startswith(CHUNKED) or key.endswith("rows by id]"))
            for key, frame in frames(hub, out_dir).items()
        }
        catalogues = {t: catalogue(hub, t) for t in set(CATALOGUE.values())}
    return described, catalogues


# -- the dtype contract (tests/test_frame_contract.py) ------------------------------------------------
# Frames whose columns are an object type's property catalogue (properties="all").
CATALOGUE = {
    'contacts(properties="all")': "contacts",
    'contacts(labels=True, properties="all")': "contacts",
    **{f'contacts(properties="all", chunksize=250)[{i}]': "contacts" for i in range(3)},
    'contacts(properties="all", chunksize=250)[all chunks, rows by id]': "contacts",
    'companies(properties="all")': "companies",
    'objects("tickets", properties="all")': "tickets",
    'to_parquet("contacts", properties="all", chunksize=250) read back, rows by id': "contacts",
    'to_parquet("contacts", properties="all", chunksize=250) Arrow schema': "contacts",
}
TRAILING = ("createdAt", "updatedAt", "archived")  # after the properties in every CRM frame
# Frames with a fixed set of leading columns (up to this one) and then whatever the data holds:
# fields only some e-mail events carry, one column per submitted form field.
OPEN = {
    'email_events("2026-01-01", "2026-01-20")': "smtpId",
    'email_events("2026-01-01", "2026-01-20", event_types=["OPEN", "CLICK"])': "smtpId",
    "form_submissions()": "form_archived",
    'form_submissions(form_id=<first form>, since="2026-01-01")': "form_archived",
}


def index_spec(described: dict[str, Any]) -> list[list[Any]]:
    return [
        list(pair) for pair in zip(described["index"]["names"], described["index"]["dtypes"], strict=True)
    ]


def contract(frames: dict[str, Any], catalogues: dict[str, Any]) -> dict[str, Any]:
    """The dtype contract per call (format: tests/test_frame_contract.py's docstring)."""
    out: dict[str, Any] = {}
    for key, d in frames.items():
        dtypes: dict[str, str] = d["dtypes"]
        if key.endswith("Arrow schema"):
            continue  # its rows, not its columns, are the catalogue: the script compares it whole
        spec: dict[str, Any] = {"index": index_spec(d)}
        if key in CATALOGUE:
            cat = catalogues[CATALOGUE[key]]
            names = [cat["labels"].get(c, c) if "labels=True" in key else c for c in d["columns"]]
            leading = [c for c, n in zip(d["columns"], names, strict=True) if n not in cat["kinds"]]
            leading = leading[: len(leading) - len(TRAILING)]
            by_kind: dict[str, set[str]] = {}
            named: dict[str, str] = {}  # the first standard property of each kind
            for column, name in zip(d["columns"], names, strict=True):
                if name in cat["kinds"]:
                    k = cat["kinds"][name]
                    if name in cat["standard"] and k not in by_kind:
                        named[column] = dtypes[column]
                    by_kind.setdefault(k, set()).add(dtypes[column])
            spec["leading"] = {c: dtypes[c] for c in leading}
            spec["named"] = named
            spec["by_kind"] = {k: sorted(v) for k, v in sorted(by_kind.items())}
            spec["trailing"] = {c: dtypes[c] for c in d["columns"][-len(TRAILING) :]}
        elif key in OPEN:
            cut = d["columns"].index(OPEN[key]) + 1
            spec["leading"] = {c: dtypes[c] for c in d["columns"][:cut]}
            spec["others"] = sorted({dtypes[c] for c in d["columns"][cut:]})
        else:
            spec["columns"] = dict(dtypes)
        out[key] = spec
    return out


def compare(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """What differs between two outputs of this script, one line each (empty: identical)."""
    problems = [f"only in old: {k}" for k in old if k not in new]
    problems += [f"only in new: {k}" for k in new if k not in old]
    for key in (k for k in old if k in new):
        a, b = old[key], new[key]
        for field in ("columns", "dtypes", "index", "rows", "attrs"):
            if a[field] != b[field]:
                problems.append(f"{key}: {field} differs: {a[field]!r} != {b[field]!r}")
        if a["hash"] != b["hash"]:
            if a["hash"] is None or b["hash"] is None:
                problems.append(f"{key}: hashed in one output only")
                continue
            old_cols, new_cols = a["hash"]["columns"], b["hash"]["columns"]
            cols = [c for c in old_cols if old_cols[c] != new_cols.get(c)]
            index = "the index and " if a["hash"]["index"] != b["hash"]["index"] else ""
            problems.append(f"{key}: content differs in {index}{len(cols)} columns {cols[:5]}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, help="where to write the JSON")
    parser.add_argument("--compare", help="an earlier output to compare with (exit 1 if they differ)")
    parser.add_argument("--contract", help="also write the dtype contract for tests/test_frame_contract.py")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        frames, catalogues = pull(Path(tmp))
    result = {"hubspot_nb": str(Path(hnb.__file__).parent), "sandbox": SANDBOX_OPTIONS, "frames": frames}
    Path(args.out).write_text(json.dumps(result, indent=1, sort_keys=False) + "\n")
    columns = sum(len(f["columns"]) for f in frames.values())
    print(f"{len(frames)} frames, {columns} columns from {result['hubspot_nb']} -> {args.out}")
    if args.contract:
        write_contract(frames, catalogues, Path(args.contract))
    if args.compare:
        problems = compare(json.loads(Path(args.compare).read_text())["frames"], frames)
        for line in problems:
            print(line)
        print("identical" if not problems else f"{len(problems)} differences")
        return 1 if problems else 0
    return 0


def write_contract(frames: dict[str, Any], catalogues: dict[str, Any], path: Path) -> None:
    about = (
        "Written by scripts/frame_contract.py --contract from the code before the restructuring "
        "(5c69eb7); checked by tests/test_frame_contract.py, whose docstring explains the format."
    )
    body = {"about": about, "sandbox": SANDBOX_OPTIONS, "frames": contract(frames, catalogues)}
    path.write_text(json.dumps(body, indent=1) + "\n")
    print(f"contract for {len(body['frames'])} frames -> {path}")


if __name__ == "__main__":
    sys.exit(main())
