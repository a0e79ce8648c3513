"""Typed DataFrames from HubSpot CRM records, using the property catalogue.

HubSpot sends every property value as a string (or null); the catalogue says what each one really
is, and ``convert`` types each column by it (the rules and dtypes are in ``convert``'s docstring):
numbers ``Int64``/``Float64`` (chunked pulls use ``Float64`` throughout, so all chunks match, and
``finish``/``assembly.assemble`` narrow integral columns at the end), datetimes
``datetime64[ns, UTC]``, dates ``datetime64[ns]``, bools ``boolean``, enumerations ``category``
(catalogue order; labels with ``labels=True``), checkbox enumerations lists, anything else
``string``.

Every frame also has ``createdAt``, ``updatedAt`` (UTC) and ``archived`` columns and the string
record id as its index, named ``id``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from .assembly import narrow
from .catalogue import Catalogue
from .convert import convert, present_cells, to_datetime
from .raw_columns import RawColumns

RECORD_COLUMNS = ("createdAt", "updatedAt", "archived")


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
    if present_cells(archived_at).any():
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
