"""HubSpot records read into columns, before typing: the step between JSON pages and a frame.

A pull reads each page into columns as it arrives (property values as Arrow strings, a few bytes a
value, instead of a dict per record) and types them later in large chunks. Typing a column has a
fixed cost per call (Arrow compute and pandas constructors), which small chunks of a wide pull pay
over and over; raw columns are cheap to hold, so chunks can be big.

No pandas here: ``records.raw_to_frame`` turns a ``RawColumns`` into a typed DataFrame.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import _fast

RECORD_FIELDS = ("createdAt", "updatedAt", "archivedAt")


@dataclass
class RawColumns:
    """Records as columns: ``ids`` (str), ``properties`` (name → raw strings: an Arrow string array,
    or a numpy object array without pyarrow or with non-string values), ``fields`` (createdAt,
    updatedAt, archivedAt as object arrays, ``archived`` as bool) and ``associations`` (key →
    object array of id lists, plus ``primary_company`` for companies)."""

    ids: np.ndarray
    properties: dict[str, Any] = field(default_factory=dict)
    fields: dict[str, np.ndarray] = field(default_factory=dict)
    associations: dict[str, np.ndarray] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def read(
        cls, records: Sequence[Mapping[str, Any]], names: Sequence[str], associations: Sequence[str] = ()
    ) -> RawColumns:
        columns = _fast.property_strings(records, names) or object_columns(records, names)
        fields = {key: objects([r.get(key) for r in records]) for key in RECORD_FIELDS}
        fields["archived"] = np.array([bool(r.get("archived", False)) for r in records], dtype=bool)
        linked: dict[str, np.ndarray] = {}
        for key in associations:
            linked.update(association_ids(records, key))
        ids = objects([str(r["id"]) for r in records])
        return cls(ids, dict(zip(names, columns, strict=True)), fields, linked)

    @classmethod
    def combine(cls, parts: Sequence[RawColumns]) -> RawColumns:
        """One ``RawColumns`` of all ``parts``' rows, in order (parts share their column names)."""
        if len(parts) == 1:
            return parts[0]
        first = parts[0]
        return cls(
            np.concatenate([p.ids for p in parts]),
            {name: _concat([p.properties[name] for p in parts]) for name in first.properties},
            {name: np.concatenate([p.fields[name] for p in parts]) for name in first.fields},
            {name: np.concatenate([p.associations[name] for p in parts]) for name in first.associations},
        )

    def take(self, rows: np.ndarray | slice) -> RawColumns:
        """The rows at positions ``rows`` (an index array or a slice)."""
        return RawColumns(
            self.ids[rows],
            {name: _take(col, rows) for name, col in self.properties.items()},
            {name: col[rows] for name, col in self.fields.items()},
            {name: col[rows] for name, col in self.associations.items()},
        )

    def records(self) -> list[dict[str, Any]]:
        """The rows as HubSpot record dicts again (for the rare page merged record by record)."""
        values = {name: objects(column) for name, column in self.properties.items()}
        out: list[dict[str, Any]] = []
        for i, record_id in enumerate(self.ids):
            record: dict[str, Any] = {"id": record_id, "properties": {n: v[i] for n, v in values.items()}}
            record.update(
                {key: self.fields[key][i] for key in RECORD_FIELDS if self.fields[key][i] is not None}
            )
            record["archived"] = bool(self.fields["archived"][i])
            out.append(record)
        return out

    def by_id(self) -> RawColumns:
        """Rows in ascending numeric id order (stable: a repeated id keeps its first copy first);
        ids that are not integers leave the rows as they are."""
        try:
            numeric = self.ids.astype(np.int64)
        except (TypeError, ValueError, OverflowError):
            return self
        order = np.argsort(numeric, kind="stable")
        if (order[1:] > order[:-1]).all():
            return self  # already in order
        return self.take(order)


def read_page(body: bytes, names: Sequence[str]) -> dict[str, Any] | None:
    """A list or search page's body read straight into columns (``_fast.page_columns``, the GIL
    released): HubSpot's page dict, its ``results`` a ``RawColumns`` of ``names``. None when it
    cannot be read that way (the caller parses the JSON as usual)."""
    page = _fast.page_columns(body, names)
    if page is None:
        return None
    records = page["records"]
    fields = {key: objects(records[key]) for key in RECORD_FIELDS}
    fields["archived"] = np.asarray(
        records["archived"].fill_null(False).to_numpy(zero_copy_only=False), dtype=bool
    )
    raw = RawColumns(objects(records["id"]), dict(zip(names, page["properties"], strict=True)), fields)
    out: dict[str, Any] = {"results": raw}
    if page["after"] is not None:
        out["paging"] = {"next": {"after": page["after"]}}
    if page["total"] is not None:
        out["total"] = page["total"]
    return out


def object_columns(records: Sequence[Mapping[str, Any]], names: Sequence[str]) -> list[np.ndarray]:
    """The raw values of ``names``, one numpy object array per name (None where a record lacks one):
    the path for values Arrow cannot take as strings.

    HubSpot sends every requested property (null when unset), so one C-level ``itemgetter`` per
    record and one 2-D object array do the work; records missing a key take the slower path.
    """
    if not names:
        return []
    if len(names) == 1:
        return [objects([(r.get("properties") or {}).get(names[0]) for r in records])]
    pick = operator.itemgetter(*names)
    rows = []
    for r in records:
        props = r.get("properties") or {}
        try:
            rows.append(pick(props))
        except KeyError:
            rows.append(tuple(props.get(n) for n in names))
    table = np.empty((len(records), len(names)), dtype=object)
    if rows:
        table[:] = rows
    return [table[:, j] for j in range(len(names))]


def association_ids(records: Sequence[Mapping[str, Any]], key: str) -> dict[str, np.ndarray]:
    """``{key: [ids…]}`` from each record's ``associations[key]``, plus ``primary_company``.

    HubSpot has a primary *company* only. v3 lists the primary company twice, with the bare type
    (``contact_to_company``) and with ``…_unlabeled``; other companies only as ``…_unlabeled``.
    A bare type without an ``_unlabeled`` twin in the same block (``contact_to_deal``) means
    nothing about primacy.
    """
    ids = np.empty(len(records), dtype=object)
    primary = np.full(len(records), None, dtype=object)
    for i, r in enumerate(records):
        block = ((r.get("associations") or {}).get(key) or {}).get("results") or []
        ids[i] = list(dict.fromkeys(str(link.get("id")) for link in block))
        if key == "companies":
            types = {str(link.get("type") or "") for link in block}
            for link in block:
                link_type = str(link.get("type") or "")
                if not link_type.endswith("_unlabeled") and f"{link_type}_unlabeled" in types:
                    primary[i] = str(link.get("id"))
                    break
    out = {key: ids}
    if key == "companies":
        out["primary_company"] = primary
    return out


def objects(values: Any) -> np.ndarray:
    """Values as a 1-D numpy object array, one cell per value (a list stays one cell: no 2-D array);
    an object array is returned as it is, an Arrow array converted."""
    if isinstance(values, np.ndarray) and values.dtype == object and values.ndim == 1:
        return values
    if _fast.is_arrow(values):
        return np.asarray(values.to_numpy(zero_copy_only=False), dtype=object)
    items = list(values)
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out


def _concat(columns: list[Any]) -> Any:
    if all(_fast.is_arrow(c) for c in columns):
        return _fast.concat(columns, columns[0].type)
    return np.concatenate([np.asarray(c, dtype=object) for c in columns])


def _take(column: Any, rows: np.ndarray | slice) -> Any:
    if not _fast.is_arrow(column):
        return column[rows]
    if isinstance(rows, slice):
        start, stop, _ = rows.indices(len(column))
        return column.slice(start, stop - start)
    return column.take(rows)
