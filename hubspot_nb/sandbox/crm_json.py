"""Pages of records as JSON text, assembled from the columns' pre-encoded values.

A list page of 100 contacts x 25 properties is 2,800 values; building a dict per record and then
running ``json.dumps`` over them costs about as much again as rendering the values. Columns hand out
their values already JSON-encoded (``fragments``; pooled values are encoded once per pool), so a
page is joined from strings. ``crm_records.record`` stays the reference shape: the tests check that
both produce the same JSON.
"""

from __future__ import annotations

import json
from typing import Any

from .crm_columns import iso_ms, json_value
from .data import ObjectStore
from .routing import Response


def records_json(
    store: ObjectStore,
    indices: list[int],
    names: list[str],
    history: list[str] | None = None,
    extras: dict[int, dict[str, Any]] | None = None,
) -> str:
    """A JSON array of the records at ``indices``, each shaped like ``crm_records.record`` plus the
    members in ``extras[i]`` (e.g. ``associations``)."""
    ids = store.id_array
    created = [iso_ms(store.created[i]) for i in indices]
    modified = [iso_ms(store.modified[i]) for i in indices]
    # createdate and the last-modified date are createdAt/updatedAt again: format them once
    same = {"createdate": created, store.modified_property: modified}
    columns = []
    for name in names:
        prefix = json_value(name) + ":"
        if name in same:
            columns.append([f'{prefix}"{v}"' for v in same[name]])
        else:
            columns.append(store.columns[name].fragments(indices, prefix))
    rows: Any = zip(*columns, strict=True) if columns else (() for _ in indices)
    overrides, archived = store.overrides, store.archived
    out = []
    for k, (i, row) in enumerate(zip(indices, rows, strict=True)):
        changed = overrides.get(i) if overrides else None
        if changed:
            row = [json_value(n) + ":" + json_value(changed[n]) if n in changed else v
                   for n, v in zip(names, row, strict=True)]  # fmt: skip
        properties = ",".join(row)
        text = (
            f'{{"id":"{ids[i]}","properties":{{{properties}}},"createdAt":"{created[k]}",'
            f'"updatedAt":"{modified[k]}","archived":'
        )
        text += f'true,"archivedAt":"{store.archived_at(i)}"' if i in archived else "false"
        if history:
            text += ',"propertiesWithHistory":' + json.dumps(store.history(i, history), separators=(",", ":"))
        more = extras.get(i) if extras else None
        if more:
            text += "," + json.dumps(more, separators=(",", ":"))[1:-1]
        out.append(text + "}")
    return "[" + ",".join(out) + "]"


def page_response(results_json: str, count: int, **members: Any) -> Response:
    """``{"results": [...], <members>}`` as a response; members (``total``, ``paging`` …) with a
    None value are left out, and ``total`` comes first as in HubSpot's search answers."""
    head = f'{{"total":{members.pop("total")},' if members.get("total") is not None else "{"
    members.pop("total", None)
    body = head + '"results":' + results_json
    for key, value in members.items():
        if value is not None:
            body += f',"{key}":' + json.dumps(value, separators=(",", ":"))
    return Response(status=200, body=(body + "}").encode(), records=count)
