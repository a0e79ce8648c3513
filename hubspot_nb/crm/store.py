"""Parquet: stream big pulls to disk, and keep a local copy that refreshes incrementally.

``hub.to_parquet("contacts", "contacts.parquet")`` writes a Parquet *dataset directory*, one file
per chunk (``part-00000.parquet`` …), all with the same schema, so memory stays about one chunk
however big the portal. Read it with ``pd.read_parquet(path)``, ``pyarrow.dataset`` or DuckDB
(``SELECT * FROM read_parquet('contacts.parquet/*.parquet')``).

``hub.sync("contacts")`` keeps a local copy (default: ``<cache dir>/data/<hub id>/<type>/``):
the first call pulls everything; later calls ask HubSpot search only for records modified since the
newest ``updatedAt`` already held (minus a small lookback, because search indexes changes with a
delay) and upsert them by id.

Deletion caveat: HubSpot's search does not return archived (deleted) or merged-away records, so
a record deleted in HubSpot stays in the local copy. Call ``hub.sync(type, full=True)`` (or
delete the directory) now and then to start over from a full pull.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pandas as pd

from ..context import Context
from ..errors import ConfigError
from ..frames import catalogue as frames
from ..frames import records
from ..frames.chunks import system_allocator
from . import objects as crm
from .query import Query

LOOKBACK = timedelta(minutes=2)  # search indexes changes a little late: ask for a bit more
STATE_FILE = "_sync.json"
DATA_FILE = "data.parquet"


def _pyarrow() -> Any:
    try:
        import pyarrow as pa
        import pyarrow.parquet
    except ImportError:
        raise ConfigError(
            "Parquet needs pyarrow: pip install 'hubspot-nb[parquet]' (or pip install pyarrow)."
        ) from None
    return pa


def arrow_schema(frame: pd.DataFrame) -> Any:
    """An Arrow schema for a typed frame that every chunk of the same pull shares.

    Declared from the dtypes, not inferred from the values: a chunk whose list column happens to be
    all empty must still say ``list<string>``, and category codes are always int32.
    """
    pa = _pyarrow()
    fields = [pa.field(frame.index.name or "id", pa.string())]
    for name, dtype in frame.dtypes.items():
        kind = str(dtype)
        if kind in ("Float64", "float64"):
            typ = pa.float64()
        elif kind in ("Int64", "int64"):
            typ = pa.int64()
        elif kind in ("boolean", "bool"):
            typ = pa.bool_()
        elif kind.startswith("datetime64") and "UTC" in kind:
            typ = pa.timestamp("ns", tz="UTC")
        elif kind.startswith("datetime64"):
            typ = pa.timestamp("ns")
        elif kind == "category":
            typ = pa.dictionary(pa.int32(), pa.string())
        elif kind == "object":
            typ = pa.list_(pa.string())  # multi-select values, association ids
        else:
            typ = pa.string()
        fields.append(pa.field(str(name), typ))
    return pa.schema(fields)


def _table(frame: pd.DataFrame, schema: Any) -> Any:
    pa = _pyarrow()
    flat = frame.reset_index()
    for field in schema:
        if pa.types.is_dictionary(field.type):
            flat[field.name] = flat[field.name].astype("string")  # each file keeps its own dictionary
    columns = [pa.array(flat[f.name], type=f.type.value_type if pa.types.is_dictionary(f.type) else f.type,
                        from_pandas=True) for f in schema]  # fmt: skip
    arrays = [c.dictionary_encode().cast(f.type) if pa.types.is_dictionary(f.type) else c
              for c, f in zip(columns, schema, strict=True)]  # fmt: skip
    return pa.Table.from_arrays(arrays, schema=schema)


def to_parquet(
    ctx: Context,
    object_type: str,
    path: str | os.PathLike[str],
    *,
    properties: Any = None,
    since: Any = None,
    archived: bool = False,
    chunksize: int = 10_000,
) -> Path:
    """Stream a pull into a Parquet dataset directory at ``path`` (replaced if it exists)."""
    pa = _pyarrow()
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        schema = None
        query = Query(properties=properties, since=since, archived=archived, chunksize=chunksize)
        chunks = crm.objects(ctx, object_type, query)
        with system_allocator():  # malloc reuses the chunks' freed buffers; mimalloc keeps them
            for n, chunk in enumerate(chunks):
                if schema is None:
                    schema = arrow_schema(chunk)
                pa.parquet.write_table(_table(chunk, schema), staging / f"part-{n:05d}.parquet")
        if target.exists():
            shutil.rmtree(target) if target.is_dir() else target.unlink()
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def read_parquet(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a frame written here back with its index and list columns as Python lists."""
    pa = _pyarrow()
    table = pa.parquet.read_table(path)
    frame = table.to_pandas(types_mapper=_nullable)
    lists = [f.name for f in table.schema if pa.types.is_list(f.type)]
    for name in lists:
        frame[name] = [list(v) if v is not None else None for v in frame[name]]
    if "id" in frame.columns:
        frame = frame.set_index("id")
    return frame


def _nullable(arrow_type: Any) -> Any:
    pa = _pyarrow()
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return pd.StringDtype()
    if pa.types.is_boolean(arrow_type):
        return pd.BooleanDtype()
    if pa.types.is_int64(arrow_type):
        return pd.Int64Dtype()
    if pa.types.is_floating(arrow_type):
        return pd.Float64Dtype()
    return None


# -- incremental local copy ------------------------------------------------------------------------


def default_path(ctx: Context, object_type: str) -> Path:
    from ..auth.cache import default_directory

    return default_directory() / "data" / str(ctx.hub_id or "unknown") / object_type


def sync(
    ctx: Context, object_type: str, *, properties: Any = None, path: Any = None, full: bool = False
) -> pd.DataFrame:
    """The local copy of ``object_type``, brought up to date; returns it as a DataFrame."""
    object_type = crm.object_type_name(object_type)
    where = Path(path) if path is not None else default_path(ctx, object_type)
    state = _read_state(where)
    wanted = properties if properties is None or isinstance(properties, str) else sorted(properties)
    if full or state is None or state.get("properties") != wanted or not (where / DATA_FILE).exists():
        frame = crm.objects(ctx, object_type, Query(properties=properties))
    else:
        since = datetime.fromisoformat(state["max_updated"]) - LOOKBACK
        # The columns we already hold, by name: no request to rediscover HubSpot's default set.
        changed = crm.objects(ctx, object_type, Query(properties=state["columns"], since=since))
        old = read_parquet(where / DATA_FILE)
        frame = _upsert(old, changed, crm.catalogue(ctx, object_type))
    _write(where, frame, object_type, wanted)
    return frame


def _upsert(old: pd.DataFrame, changed: pd.DataFrame, cat: frames.Catalogue) -> pd.DataFrame:
    if changed.empty:
        return old
    kept = old[~old.index.isin(changed.index)]
    merged = pd.concat([kept, changed.reindex(columns=old.columns)])
    for name in old.columns:  # categories may differ between the parts: keep the column a category
        if isinstance(old[name].dtype, pd.CategoricalDtype) and not isinstance(
            merged[name].dtype, pd.CategoricalDtype
        ):
            cats = list(
                dict.fromkeys([*old[name].cat.categories, *pd.Series(changed[name]).dropna().unique()])
            )
            merged[name] = pd.Categorical(merged[name], categories=cats)
    merged = records.finish(merged, cat)
    order = pd.to_numeric(merged.index, errors="coerce")
    return merged.iloc[order.argsort(kind="stable")]


def _write(where: Path, frame: pd.DataFrame, object_type: str, wanted: Any) -> None:
    pa = _pyarrow()
    where.mkdir(parents=True, exist_ok=True)
    tmp = where / f".{DATA_FILE}.tmp"
    pa.parquet.write_table(_table(frame, arrow_schema(frame)), tmp)
    os.replace(tmp, where / DATA_FILE)
    updated = frame["updatedAt"].max() if "updatedAt" in frame and len(frame) else None
    state = {
        "object_type": object_type,
        "properties": wanted,
        "columns": [c for c in frame.columns if c not in (*records.RECORD_COLUMNS, "archivedAt")],
        "max_updated": (
            updated
            if updated is not None and not pd.isna(updated)
            else datetime(1970, 1, 1, tzinfo=timezone.utc)
        ).isoformat(),
        "synced_at": datetime.now(timezone.utc).isoformat(),
        "rows": len(frame),
    }
    (where / STATE_FILE).write_text(json.dumps(state, indent=1))


def _read_state(where: Path) -> dict[str, Any] | None:
    try:
        state: dict[str, Any] = json.loads((where / STATE_FILE).read_text())
        return state
    except (OSError, ValueError):
        return None
