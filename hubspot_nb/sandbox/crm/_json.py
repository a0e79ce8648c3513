"""Pages of records as JSON text, joined from ready-made pieces rather than built with json.dumps.

A list page of 100 contacts x 25 properties is 2,800 values; building a dict per record and running
``json.dumps`` over them costs about as much again as rendering the values. ``_encoded`` keeps
each record's head, tail and property members as JSON text (built on first use), so a page is
slices of those lists, joined. ``_records.record`` stays the reference shape: the tests check that
both produce the same JSON.
"""

from __future__ import annotations

import json
from typing import Any

from ..routing import Response
from ._columns import json_value
from ._encoded import encoded, runs_of
from ._portal import ObjectStore


def records_json(
    store: ObjectStore,
    indices: list[int],
    names: list[str],
    history: list[str] | None = None,
    extras: dict[int, dict[str, Any]] | None = None,
) -> str:
    """A JSON array of the records at ``indices``, each shaped like ``_records.record`` plus the
    members in ``extras[i]`` (e.g. ``associations``)."""
    found_runs = runs_of(indices)
    # Walks through the records (list pages) are cut from the cached pieces; scattered records
    # (search results) are rendered directly instead of building whole blocks for a value each.
    cache = encoded(store) if found_runs is not None else None
    runs = found_runs or []
    if cache is not None:
        columns = [cache.heads.take(runs)]
    else:
        columns = [[f'{{"id":"{store.id_array[i]}","properties":{{' for i in indices]]
    # member names: a record's first property has no comma before it
    prefixes = [("," if n else "") + json_value(name) + ":" for n, name in enumerate(names)]
    for name, prefix in zip(names, prefixes, strict=True):
        members = cache.members(name, prefix) if cache is not None else None
        if members is not None:
            columns.append(members.take(runs))
        else:  # not cached: rendered for this page only
            columns.append([prefix + text for text in store.columns[name].fragments(indices)])
    overrides = store.overrides
    if overrides:
        for k, i in enumerate(indices):
            changed = overrides.get(i)
            if changed:
                for n, name in enumerate(names):
                    if name in changed:
                        columns[n + 1][k] = prefixes[n] + json_value(changed[name])
    if cache is None or history or extras:
        tails = [_tail(store, i, history, extras) for i in indices]
    else:
        tails = cache.tails.take(runs)  # cached as active records: archived ones get theirs here
        if not store.archived.isdisjoint(indices):
            archived = store.archived
            tails = [_tail(store, i, None, None) if i in archived else tail
                     for i, tail in zip(indices, tails, strict=True)]  # fmt: skip
    columns.append(tails)
    # A record is its head, its members and its tail, concatenated; zip and join do that in C.
    return "[" + ",".join(map("".join, zip(*columns, strict=True))) + "]"


def _tail(
    store: ObjectStore, i: int, history: list[str] | None, extras: dict[int, dict[str, Any]] | None
) -> str:
    """What follows a record's properties when it is archived or carries history or extras."""
    text = f'}},"createdAt":"{store.created_at(i)}","updatedAt":"{store.updated_at(i)}","archived":'
    text += f'true,"archivedAt":"{store.archived_at(i)}"' if i in store.archived else "false"
    if history:
        text += ',"propertiesWithHistory":' + json.dumps(store.history(i, history), separators=(",", ":"))
    more = extras.get(i) if extras else None
    if more:
        text += "," + json.dumps(more, separators=(",", ":"))[1:-1]
    return text + "}"


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
