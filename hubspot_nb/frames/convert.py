"""Typed DataFrames from HubSpot records, using the property catalogue.

HubSpot sends every property value as a string (or null). The catalogue
(``GET /crm/v3/properties/{type}``) says what each one really is, and the conversion is done one
whole column at a time (vectorised), never value by value in Python where avoidable:

============================  ==========================================================
HubSpot ``type`` (fieldType)  pandas dtype
============================  ==========================================================
number                        ``Int64`` when every value is integral, else ``Float64``
                              (chunked pulls use ``Float64`` throughout, so all chunks match)
datetime                      ``datetime64[ns, UTC]`` (ISO strings and ms epochs both parse)
date                          ``datetime64[ns]`` at midnight: a calendar day, no time zone
                              (use ``.dt.date`` for python dates)
bool                          ``boolean``
enumeration                   ``category``, categories = the catalogue's option values (or
                              labels with ``labels=True``), in the catalogue's order
enumeration + checkbox        a list of values per cell (HubSpot joins them with ``;``)
anything else                 ``string``
============================  ==========================================================

Unset and empty values are missing (``<NA>``/``NaT``), never the string "None" or "".
Every frame also has ``createdAt``, ``updatedAt`` (UTC) and ``archived`` columns and the string
record id as its index, named ``id``.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from . import _fast as arrow_columns
from .assembly import all_integral, narrow  # (typed chunks → one frame: ``assembly.assemble``)
from .raw_columns import RawColumns

try:  # optional (the parquet extra); building string columns through it is about twice as fast
    import pyarrow as pa
except ImportError:  # pragma: no cover
    pa = None

RECORD_COLUMNS = ("createdAt", "updatedAt", "archived")
_BOOL_VALUES = {"true": True, "false": False, "True": True, "False": False, "1": True, "0": False}


@dataclass(frozen=True)
class PropertyInfo:
    name: str
    label: str
    type: str
    field_type: str
    options: tuple[tuple[str, str], ...] = ()  # (value, label)

    @property
    def multi(self) -> bool:
        return self.type == "enumeration" and self.field_type == "checkbox"


@dataclass
class Catalogue:
    """The property catalogue of one object type (fetched once per hub, cached)."""

    object_type: str
    properties: dict[str, PropertyInfo] = field(default_factory=dict)
    raw: list[Mapping[str, Any]] = field(default_factory=list)

    @classmethod
    def from_json(cls, object_type: str, results: Iterable[Mapping[str, Any]]) -> Catalogue:
        raw = list(results)
        props = {}
        for p in raw:
            options = tuple(
                (str(o.get("value")), str(o.get("label") if o.get("label") is not None else o.get("value")))
                for o in p.get("options") or []
            )
            props[p["name"]] = PropertyInfo(
                p["name"],
                p.get("label") or p["name"],
                p.get("type", "string"),
                p.get("fieldType", ""),
                options,
            )
        return cls(object_type, props, raw)

    def names(self) -> list[str]:
        return list(self.properties)

    def label(self, name: str) -> str:
        info = self.properties.get(name)
        return info.label if info else name


# -- one column at a time -----------------------------------------------------------------------


def _objects(values: Any) -> np.ndarray:
    """A column as a numpy object array of str/None (columns may arrive as Arrow string arrays)."""
    return np.asarray(values, dtype=object)


def _present(values: np.ndarray) -> np.ndarray:
    """Mask of cells that hold a real value (not None, not ""). JSON gives only str or None,
    so plain comparisons do (much cheaper than ``pd.notna`` on object arrays)."""
    return (values != None) & (values != "")  # noqa: E711 - elementwise on an object array


def to_number(values: np.ndarray, *, integral_to_int: bool = True) -> pd.api.extensions.ExtensionArray:
    arr = arrow_columns.strings(values)
    nums = arrow_columns.numbers(arr) if arr is not None else None
    if nums is None:
        nums = pd.to_numeric(pd.Series(_objects(values)), errors="coerce").to_numpy(dtype="float64")
    out = pd.array(nums, dtype="Float64")
    if integral_to_int and all_integral(nums[~np.isnan(nums)]):
        return out.astype("Int64")
    return out


def _parse_instants(values: np.ndarray) -> np.ndarray:
    """datetime64[ns] (UTC, naive) for ISO strings and ms-epoch strings; NaT where unset/invalid.

    One vectorised ISO pass over everything; what it could not read and looks like an integer is
    read as milliseconds since the epoch (HubSpot's older format) in a second pass. Arrow reads
    the usual columns (all zoned ISO, all dates, epochs) in C; anything else takes the pandas path.
    """
    arr = arrow_columns.strings(values)
    fast = arrow_columns.instants(arr) if arr is not None else None
    if fast is not None:
        return fast
    values = _objects(values)
    out = np.full(len(values), np.datetime64("NaT"), dtype="datetime64[ns]")
    present = _present(values)
    if not present.any():
        return out
    idx = np.flatnonzero(present)
    # Strings only: pandas reads numbers given with a format as epochs in future versions.
    strings = pd.Series([v if isinstance(v, str) else str(v) for v in values[idx]], dtype=object)
    parsed = pd.to_datetime(strings, utc=True, format="ISO8601", errors="coerce")
    out[idx] = parsed.dt.tz_convert(None).to_numpy(dtype="datetime64[ns]")
    missed = np.flatnonzero(parsed.isna().to_numpy())
    if len(missed):
        ms = pd.to_numeric(strings.iloc[missed], errors="coerce")
        epoch = pd.to_datetime(ms, unit="ms", utc=True, errors="coerce")
        out[idx[missed]] = epoch.dt.tz_convert(None).to_numpy(dtype="datetime64[ns]")
    return out


def to_datetime(values: np.ndarray) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(_parse_instants(values)).tz_localize("UTC")


def to_date(values: np.ndarray) -> pd.DatetimeIndex:
    # Casting to whole days floors (toward the past), as ``DatetimeIndex.floor("D")`` does, in C.
    return pd.DatetimeIndex(_parse_instants(values).astype("datetime64[D]").astype("datetime64[ns]"))


def to_bool(values: np.ndarray) -> pd.api.extensions.ExtensionArray:
    arr = arrow_columns.strings(values)
    if arr is not None:
        flags, missing = arrow_columns.flags(arr)
        return pd.arrays.BooleanArray(flags, missing)
    return pd.array(pd.Series(_objects(values)).map(_BOOL_VALUES).to_numpy(dtype=object), dtype="boolean")


def _blank_to_none(values: np.ndarray, present: np.ndarray) -> np.ndarray:
    out = values.copy()
    out[~present] = None
    return out


def _categories(info: PropertyInfo | None, labels: bool) -> tuple[list[str], dict[str, str] | None]:
    """The catalogue's categories in order (labels may repeat: kept once), and the value → label
    mapping when ``labels``."""
    options = list(info.options) if info else []
    if labels and options:
        return list(dict.fromkeys(label for _, label in options)), dict(options)
    return list(dict.fromkeys(value for value, _ in options)), None


@functools.lru_cache(maxsize=1024)
def _category_dtype(categories: tuple[str, ...]) -> pd.CategoricalDtype:
    """One dtype per category list: building it checks the categories, which every chunk of every
    enumeration column would otherwise pay again (5 % of an all-properties pull)."""
    return pd.CategoricalDtype(list(categories))


def to_category(values: np.ndarray, info: PropertyInfo | None, labels: bool) -> pd.Categorical:
    categories, mapping = _categories(info, labels)
    arr = arrow_columns.strings(values)
    if arr is not None:  # codes from Arrow's dictionary encoding: Python only sees distinct values
        codes, distinct = arrow_columns.encoded(arr)
        shown = [mapping.get(v, v) for v in distinct] if mapping else distinct
        known = set(categories)
        categories = categories + sorted({v for v in shown if v not in known})
        position = {c: i for i, c in enumerate(categories)}
        lookup = np.array([position[v] for v in shown] + [-1], dtype=np.int64)  # [-1]: missing
        return pd.Categorical.from_codes(lookup[codes], dtype=_category_dtype(tuple(categories)))
    values = _objects(values)
    present = _present(values)
    clean = _blank_to_none(values, present)
    if mapping:
        label_of = mapping
        clean = pd.Series(clean, dtype=object).map(lambda v: label_of.get(v, v) if v is not None else None)
        clean = clean.to_numpy()
    seen = pd.unique(clean[present]) if present.any() else []
    known = set(categories)
    extra = sorted(str(v) for v in seen if v not in known)  # values HubSpot sent outside the options
    return pd.Categorical(clean, categories=categories + extra)


def to_multi(values: np.ndarray, info: PropertyInfo | None, labels: bool) -> np.ndarray:
    out = np.full(len(values), None, dtype=object)
    mapping = dict(info.options) if (labels and info) else None

    def split(v: Any) -> list[str]:
        if mapping:
            return [mapping.get(x, x) for x in str(v).split(";") if x]
        return str(v).split(";")

    arr = arrow_columns.strings(values)
    if arr is not None:  # split each distinct value once; every cell gets its own list
        codes, distinct = arrow_columns.encoded(arr)
        lists = [split(v) for v in distinct]
        present = np.flatnonzero(codes >= 0)
        out[present] = [lists[c].copy() for c in codes[present].tolist()]
        return out
    values = _objects(values)
    present = np.flatnonzero(_present(values))
    out[present] = [split(v) for v in values[present]]
    return out


def to_string(values: np.ndarray) -> pd.api.extensions.ExtensionArray:
    arr = arrow_columns.strings(values)
    if arr is not None:
        return pd.array(arr, dtype="string")
    values = _objects(values)
    cleaned = _blank_to_none(values, _present(values))
    if pa is None:
        return pd.array(cleaned, dtype="string")
    return pd.array(pa.array(cleaned, type=pa.string(), from_pandas=True), dtype="string")


def convert(
    values: np.ndarray, info: PropertyInfo | None, *, labels: bool = False, integral_to_int: bool = True
) -> Any:
    """One column of raw HubSpot strings → its typed pandas array."""
    kind = info.type if info else "string"
    if kind == "number":
        return to_number(values, integral_to_int=integral_to_int)
    if kind == "datetime":
        return to_datetime(values)
    if kind == "date":
        return to_date(values)
    if kind == "bool":
        return to_bool(values)
    if kind == "enumeration":
        if info is not None and info.multi:
            return to_multi(values, info, labels)
        return to_category(values, info, labels)
    return to_string(values)


# -- whole frames -------------------------------------------------------------------------------


def property_columns(records: Sequence[Mapping[str, Any]], requested: Sequence[str] | None) -> list[str]:
    """Columns to build: the requested names in order, else every property the records carry."""
    if requested is not None:
        return list(dict.fromkeys(requested))
    seen: dict[str, None] = {}
    last: Any = None
    for r in records:
        keys = (r.get("properties") or {}).keys()
        if keys != last:  # records of one pull mostly share their keys: compare views in C
            seen.update(dict.fromkeys(keys))
            last = keys
    return list(seen)


def records_to_frame(
    records: Sequence[Mapping[str, Any]],
    catalogue: Catalogue | None,
    *,
    columns: Sequence[str] | None = None,
    associations: Sequence[str] = (),
    labels: bool = False,
    integral_to_int: bool = True,
) -> pd.DataFrame:
    """HubSpot records (``{"id", "properties", "createdAt", …}``) → a typed DataFrame, index ``id``.

    ``columns``: the property names to include (every name the records carry when None).
    ``associations``: association keys to turn into list-of-id columns (``raw_columns.association_ids``).
    """
    names = property_columns(records, columns)
    raw = RawColumns.read(records, names, associations)
    return raw_to_frame(raw, catalogue, labels=labels, integral_to_int=integral_to_int)


def raw_to_frame(
    raw: RawColumns, catalogue: Catalogue | None, *, labels: bool = False, integral_to_int: bool = True
) -> pd.DataFrame:
    """Records read into columns (``raw_columns.RawColumns``) → the typed DataFrame."""
    catalogue_props = catalogue.properties if catalogue else {}
    data: dict[str, Any] = {}
    for name, values in raw.properties.items():
        column = name if name not in RECORD_COLUMNS else f"property_{name}"
        info = catalogue_props.get(name)
        data[column] = convert(values, info, labels=labels, integral_to_int=integral_to_int)
    data["createdAt"] = to_datetime(raw.fields["createdAt"])
    data["updatedAt"] = to_datetime(raw.fields["updatedAt"])
    data["archived"] = pd.array(raw.fields["archived"], dtype="boolean")
    archived_at = raw.fields["archivedAt"]
    if _present(archived_at).any():
        data["archivedAt"] = to_datetime(archived_at)
    for key, values in raw.associations.items():
        data[key] = pd.array(values, dtype="string") if key == "primary_company" else values
    index = pd.Index(pd.array(raw.ids, dtype="string"), name="id")
    frame = pd.DataFrame(data, index=index, copy=False)  # fresh arrays: the default would copy them
    if labels and catalogue is not None:
        frame = frame.rename(columns=_label_names(frame.columns, catalogue))
    return frame


def _label_names(columns: Iterable[str], catalogue: Catalogue) -> dict[str, str]:
    """Column renames to labels; a label shared by two properties gets the name appended."""
    wanted = {c: catalogue.label(c) for c in columns if c in catalogue.properties}
    counts: dict[str, int] = {}
    for label in wanted.values():
        counts[label] = counts.get(label, 0) + 1
    return {c: (label if counts[label] == 1 else f"{label} ({c})") for c, label in wanted.items()}


def finish(frame: pd.DataFrame, catalogue: Catalogue | None) -> pd.DataFrame:
    """After concatenating chunks: number columns that turned out all integral become ``Int64``."""
    for name in frame.columns:
        if isinstance(frame[name].array, pd.arrays.FloatingArray):
            frame[name] = narrow(frame[name].array)
    return frame


def catalogue_frame(catalogue: Catalogue) -> pd.DataFrame:
    """The catalogue as a DataFrame: one row per property, index ``name``."""
    rows = []
    for p in catalogue.raw:
        rows.append({
            "name": p["name"],
            "label": p.get("label"),
            "type": p.get("type"),
            "fieldType": p.get("fieldType"),
            "groupName": p.get("groupName"),
            "description": p.get("description"),
            "options": [o.get("value") for o in p.get("options") or []],
            "option_labels": [o.get("label") for o in p.get("options") or []],
            "hubspotDefined": p.get("hubspotDefined"),
            "calculated": p.get("calculated"),
            "hasUniqueValue": p.get("hasUniqueValue"),
            "readOnlyValue": (p.get("modificationMetadata") or {}).get("readOnlyValue"),
            "archived": p.get("archived", False),
            "createdAt": p.get("createdAt"),
            "updatedAt": p.get("updatedAt"),
        })  # fmt: skip
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    for col in ("name", "label", "type", "fieldType", "groupName", "description"):
        frame[col] = frame[col].astype("string")
    for col in ("hubspotDefined", "calculated", "hasUniqueValue", "readOnlyValue", "archived"):
        frame[col] = frame[col].astype("boolean")
    for col in ("createdAt", "updatedAt"):
        frame[col] = to_datetime(frame[col].to_numpy(dtype=object))
    return frame.set_index("name", drop=False).rename_axis(None)
