"""CRM objects as typed DataFrames: ``hub.contacts()``, ``objects()``, ``search()``, ``properties()``.

The record streams live in ``pull`` (paging, property chunks, two-ended pulls, the 10,000 cap);
typing lives in ``frames``. This module picks the stream for a call, converts its batches to typed
chunks as they arrive (so raw JSON pages and the frame never both sit in memory) and assembles
the result: one DataFrame, or an iterator of DataFrames with ``chunksize=``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from typing import Any

import pandas as pd

from .. import progress
from ..context import Context
from ..errors import InvalidInput
from ..frames.catalogue import Catalogue
from ..frames.chunks import assemble_chunks, typed_chunks
from ..frames.convert import to_datetime
from ..frames.records import catalogue_frame
from . import _chains, pull
from .filters import check_limits, epoch_ms, filter_groups, with_filter
from .filters import sorts as build_sorts
from .query import Query, SearchQuery

# HubSpot's standard object types and their ids (custom objects: "2-…" ids or "p_…" names).
OBJECT_TYPE_IDS = {
    "contacts": "0-1", "companies": "0-2", "deals": "0-3", "tickets": "0-5", "products": "0-7",
    "line_items": "0-8", "quotes": "0-14", "tasks": "0-27", "notes": "0-46", "meetings": "0-47",
    "calls": "0-48", "emails": "0-49", "communications": "0-18", "postal_mail": "0-116", "leads": "0-136",
    "goal_targets": "0-74", "feedback_submissions": "0-19", "deal_splits": "0-91",
}  # fmt: skip
_SINGULAR = {"company": "companies", "line_item": "line_items", "postal_mail": "postal_mail"}
LAST_MODIFIED = {"contacts": "lastmodifieddate"}  # every other type: hs_lastmodifieddate
SMALL_LIMIT = 2_000  # up to this many rows, plain list paging is as fast as anything


def object_type_name(object_type: str) -> str:
    """``"contacts"``, ``"contact"``, ``"CONTACTS"`` or ``"0-1"`` → ``"contacts"``; custom types pass."""
    name = str(object_type).strip().lower()
    if name in OBJECT_TYPE_IDS:
        return name
    for known, type_id in OBJECT_TYPE_IDS.items():
        if name == type_id:
            return known
    if name in _SINGULAR:
        return _SINGULAR[name]
    if name + "s" in OBJECT_TYPE_IDS:
        return name + "s"
    if re.fullmatch(r"2-\d+", name) or name.startswith("p_"):
        return name  # a custom object: HubSpot will say if it does not exist
    valid = ", ".join(f"{n} ({i})" for n, i in OBJECT_TYPE_IDS.items())
    raise InvalidInput(
        f"Unknown object type {object_type!r}. Valid types: {valid}; custom objects by id (2-…)."
    )


def last_modified_property(object_type: str) -> str:
    return LAST_MODIFIED.get(object_type, "hs_lastmodifieddate")


# -- the property catalogue -------------------------------------------------------------------------


def catalogue(ctx: Context, object_type: str) -> Catalogue:
    """The property catalogue of ``object_type``, fetched once per connection (``ctx.catalogues``)."""
    name = object_type_name(object_type)

    def fetch() -> Catalogue:
        body = ctx.client.get(ctx.client.path("crm.properties", object_type=name), {"archived": "false"})
        return Catalogue.from_json(name, body.get("results") or [])

    return ctx.catalogues.get(("catalogue", name), fetch)


def properties_frame(ctx: Context, object_type: str) -> pd.DataFrame:
    """``hub.properties(type)``: the catalogue as a DataFrame, one row per property."""
    return catalogue_frame(catalogue(ctx, object_type))


def _property_names(cat: Catalogue, properties: Any) -> list[str] | None:
    """None (HubSpot's default set), "all" (every property) or a checked list of names."""
    if properties is None:
        return None
    if isinstance(properties, str):
        if properties == "all":
            return cat.names()
        properties = [properties]
    names = [str(p) for p in properties]
    for name in names:
        if name not in cat.properties:
            close = difflib.get_close_matches(name, cat.names(), n=5, cutoff=0.6)
            hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
            raise InvalidInput(
                f"{cat.object_type} have no property {name!r}.{hint} "
                f"hub.properties({cat.object_type!r}) lists them all."
            )
    return names


def _associations(associations: Any) -> list[str]:
    if not associations:
        return []
    items = [associations] if isinstance(associations, str) else list(associations)
    return [object_type_name(a) for a in items]


# -- public helpers -----------------------------------------------------------------------------------


def objects(ctx: Context, object_type: str, query: Query) -> pd.DataFrame | Iterator[pd.DataFrame]:
    """Records of one object type as a typed DataFrame (or chunks); ``Query`` says which."""
    object_type = object_type_name(object_type)
    properties, since, limit, chunksize = query.properties, query.since, query.limit, query.chunksize
    archived, associations, labels = query.archived, query.associations, query.labels
    cat = catalogue(ctx, object_type)
    names = _property_names(cat, properties)
    assoc = _associations(associations)
    client = ctx.client
    bar = progress.bar(ctx.progress, f"{object_type}", unit="rec")
    on_total = lambda total: progress.set_total(bar, total if limit is None else min(total, limit))  # noqa: E731
    if since is not None:
        if archived:
            raise InvalidInput("since= uses HubSpot search, which has no archived records; drop one of them.")
        if assoc:
            raise InvalidInput("since= uses HubSpot search, which returns no associations; drop one of them.")
        modified = last_modified_property(object_type)
        since_filter = {"propertyName": modified, "operator": "GTE", "value": str(epoch_ms(since))}
        names = names or _default_names(client, object_type)  # named: no match still has the columns
        groups = with_filter([], since_filter)
        batches = pull.search_batches(
            client, object_type, names, groups=groups, limit=limit, on_total=on_total, columnar=True
        )
    elif archived or assoc or (limit is not None and limit <= SMALL_LIMIT):
        batches = pull.list_batches(
            client, object_type, names, archived=archived, associations=assoc, limit=limit, columnar=True
        )
    else:
        batches = _chains.two_ended(client, object_type, names, on_total=on_total)
    if limit == 0:
        batches = iter(())
    # Chunks and limits must not count a record twice; one eager frame dedupes when assembled.
    dedupe = chunksize is not None or limit is not None
    chunks = typed_chunks(
        batches, cat, names, rows=chunksize, limit=limit, associations=assoc, labels=labels, bar=bar,
        dedupe=dedupe, sort_ids=chunksize is None,
    )  # fmt: skip
    if chunksize is not None:
        return chunks
    return assemble_chunks(chunks, cat)


def _default_names(client: Any, object_type: str) -> list[str]:
    """HubSpot's default property set for list calls, read off one record, so that list and search
    (whose defaults can differ) deliver the same columns."""
    page = client.get(client.path("crm.objects", object_type=object_type), {"limit": 1})
    results = page.get("results") or []
    return list((results[0].get("properties") or {}).keys()) if results else ["hs_object_id"]


def search(ctx: Context, object_type: str, search: SearchQuery) -> pd.DataFrame:
    """``hub.search``: every record matching ``filters`` (see ``filters.py``), past the 10,000 cap."""
    filters, properties, sort, limit = search.filters, search.properties, search.sort, search.limit
    query, labels = search.query, search.labels
    object_type = object_type_name(object_type)
    cat = catalogue(ctx, object_type)
    known = {n: p.type for n, p in cat.properties.items()}
    groups = filter_groups(filters, known)
    sort_list = build_sorts(sort, known)
    names = _property_names(cat, properties)
    if names is None:
        names = _default_names(ctx.client, object_type)
    # Sorting here needs the sort properties' values: ask for them too, and drop them at the end.
    sort_names = [str(s["propertyName"]) for s in sort_list]
    extra = [n for n in dict.fromkeys(sort_names) if n not in names]
    wanted = [*names, *extra]
    bar = progress.bar(ctx.progress, f"{object_type} search", unit="rec")
    on_total = lambda total: progress.set_total(bar, total if limit is None else min(total, limit))  # noqa: E731
    run = _SearchRun(ctx, object_type, cat, wanted, groups, query, labels, bar, on_total)
    frame = None
    # HubSpot sorts by one key (more may be refused or ignored), and its order reaches only 10,000
    # results: within them HubSpot orders by the first key and further keys are applied here.
    if sort_list and limit is not None and limit <= pull.SEARCH_CAP:
        frame = run.server_sorted(sort_list, limit)
    if frame is None:  # no sort, past 10,000, or a first-key tie that reaches the cap: by id
        check_limits([g["filters"] for g in groups], extra_per_group=1)  # the id window is a filter
        frame = run.by_id(limit if not sort_list else None)
        if sort_list:
            by = _columns(cat, sort_names, labels)
            asc = [s["direction"] == "ASCENDING" for s in sort_list]
            frame = frame.sort_values(by=by, ascending=asc, kind="stable")  # ties stay in id order
            frame = frame if limit is None else frame.iloc[:limit]
    return frame.drop(columns=_columns(cat, extra, labels)) if extra else frame


def _columns(cat: Catalogue, names: list[str], labels: bool) -> list[str]:
    return [cat.label(n) if labels else n for n in names]


class _SearchRun:
    """One ``hub.search`` call's streams: HubSpot's order by one sort key, or everything by id."""

    def __init__(self, ctx: Context, object_type: str, cat: Catalogue, names: list[str],
                 groups: list[dict[str, Any]], query: str | None, labels: bool, bar: Any,
                 on_total: Any) -> None:  # fmt: skip
        self.ctx, self.object_type, self.cat, self.names = ctx, object_type, cat, names
        self.groups, self.query, self.labels, self.bar, self.on_total = groups, query, labels, bar, on_total

    def server_sorted(self, sorts: list[dict[str, str]], limit: int) -> pd.DataFrame | None:
        """The first ``limit`` results in HubSpot's order by ``sorts[0]``. With more keys, the
        results are read on to the end of the first key's tie at the limit, and the first key's runs
        keep HubSpot's order while the other keys order each run (ties by id). None when that tie
        runs into the 10,000 cap (the caller reads everything instead)."""
        watch = _Tie(sorts[0]["propertyName"], limit, self.on_total) if len(sorts) > 1 else None
        batches = pull.search_batches(
            self.ctx.client, self.object_type, self.names, groups=self.groups, sorts=sorts[:1],
            query=self.query, limit=None if watch else limit,
            on_total=watch.total if watch else self.on_total, stop=watch.stop if watch else None,
        )  # fmt: skip
        chunks = typed_chunks(
            batches, self.cat, self.names, rows=None, limit=None if watch else limit, labels=self.labels,
            bar=self.bar, dedupe=False, sort_ids=watch is not None,
        )  # fmt: skip
        frame = assemble_chunks(chunks, self.cat, by_id=watch is not None)
        if watch is None:
            return frame
        if not watch.complete():
            return None
        rank = "__hubspot_nb_rank"
        by = [rank, *_columns(self.cat, [s["propertyName"] for s in sorts[1:]], self.labels)]
        asc = [True] + [s["direction"] == "ASCENDING" for s in sorts[1:]]
        ranked = frame.assign(**{rank: frame.index.map(watch.rank).to_numpy()})
        return ranked.sort_values(by=by, ascending=asc, kind="stable").iloc[:limit].drop(columns=[rank])

    def by_id(self, limit: int | None) -> pd.DataFrame:
        """Every match (or the first ``limit`` by id), paged by id past the 10,000 cap."""
        batches = pull.search_batches(
            self.ctx.client, self.object_type, self.names, groups=self.groups, query=self.query,
            limit=limit, on_total=self.on_total,
        )  # fmt: skip
        chunks = typed_chunks(
            batches, self.cat, self.names, rows=None, limit=limit, labels=self.labels, bar=self.bar,
            dedupe=False, sort_ids=True,
        )  # fmt: skip
        return assemble_chunks(chunks, self.cat, by_id=True)


class _Tie:
    """Watches a search sorted by its first key: it may stop once ``limit`` results are in and the
    first key's value has moved past the one at the limit (nothing later can rank above it), and
    numbers the runs of equal values in the order HubSpot sent them (``rank``: id → run)."""

    def __init__(self, name: str, limit: int, on_total: Any) -> None:
        self.name, self.limit, self.on_total = name, limit, on_total
        self.seen = 0
        self.boundary: Any = None
        self.previous: Any = None
        self.run = 0
        self.rank: dict[str, int] = {}
        self.stopped = False
        self.matches: int | None = None

    def total(self, total: int) -> None:
        self.matches = total
        self.on_total(total)

    def stop(self, batch: pull.Batch) -> bool:
        assert isinstance(batch, list)  # a sorted search reads records, not columns
        for r in batch:
            value = (r.get("properties") or {}).get(self.name)
            value = None if value == "" else value
            self.seen += 1
            if self.seen > 1 and value != self.previous:
                self.run += 1
            self.previous = value
            self.rank.setdefault(str(r["id"]), self.run)
            if self.seen == self.limit:
                self.boundary = value
            elif self.seen > self.limit and value != self.boundary:
                self.stopped = True
        return self.stopped

    def complete(self) -> bool:
        """True when every result that can rank within the limit was read."""
        return self.stopped or self.matches is None or self.seen >= self.matches


def associations(ctx: Context, from_type: str, to_type: str, ids: Any = None) -> pd.DataFrame:
    """A link table ``from_id, to_id, type`` (one row per association)."""
    from_type, to_type = object_type_name(from_type), object_type_name(to_type)
    wanted = None if ids is None else {str(i) for i in ([ids] if isinstance(ids, (str, int)) else ids)}
    rows: list[tuple[str, str, str]] = []
    for batch in pull.list_batches(ctx.client, from_type, ["hs_object_id"], associations=[to_type]):
        assert isinstance(batch, list)  # with associations, pages are records
        for r in batch:
            if wanted is not None and r["id"] not in wanted:
                continue
            block = ((r.get("associations") or {}).get(to_type) or {}).get("results") or []
            rows.extend((r["id"], str(link.get("id")), str(link.get("type") or "")) for link in block)
    frame = pd.DataFrame(rows, columns=["from_id", "to_id", "type"])
    return frame.astype({"from_id": "string", "to_id": "string", "type": "category"})


def owners(ctx: Context, archived: bool = False) -> pd.DataFrame:
    """``hub.owners()``: the portal's owners (users records can be assigned to), index ``id``."""
    rows = []
    for page in ctx.client.pages(
        ctx.client.path("crm.owners"), {"limit": 100, "archived": str(archived).lower()}
    ):
        for o in page.get("results") or []:
            name = " ".join(p for p in (o.get("firstName"), o.get("lastName")) if p)
            rows.append({
                "id": str(o["id"]), "name": name or None, "email": o.get("email"),
                "firstName": o.get("firstName"), "lastName": o.get("lastName"), "userId": o.get("userId"),
                "teams": [t.get("name") for t in o.get("teams") or []], "archived": o.get("archived", False),
                "createdAt": o.get("createdAt"), "updatedAt": o.get("updatedAt"),
            })  # fmt: skip
    columns = ["id", "name", "email", "firstName", "lastName", "userId", "teams", "archived", "createdAt",
               "updatedAt"]  # fmt: skip
    frame = pd.DataFrame(rows, columns=columns)
    frame = frame.astype({c: "string" for c in ("id", "name", "email", "firstName", "lastName")})
    frame = frame.astype({"userId": "Int64", "archived": "boolean"})
    for col in ("createdAt", "updatedAt"):
        frame[col] = to_datetime(frame[col].to_numpy(dtype=object))
    return frame.set_index("id")


def pipelines(ctx: Context, object_type: str = "deals") -> pd.DataFrame:
    """``hub.pipelines("deals")``: one row per stage (index: stage id) with its pipeline's name,
    order, win probability and whether it closes the record."""
    object_type = object_type_name(object_type)
    body = ctx.client.get(ctx.client.path("crm.pipelines", object_type=object_type))
    rows = []
    for p in body.get("results") or []:
        for s in p.get("stages") or []:
            meta = s.get("metadata") or {}
            closed = meta.get("isClosed")
            rows.append({
                "stage_id": str(s["id"]), "stage": s.get("label"), "pipeline_id": str(p["id"]),
                "pipeline": p.get("label"), "displayOrder": s.get("displayOrder"),
                "probability": meta.get("probability"),
                "closed": (str(closed).lower() == "true") if closed is not None
                else (meta.get("ticketState") == "CLOSED" if "ticketState" in meta else None),
                "archived": s.get("archived", False),
            })  # fmt: skip
    columns = ["stage_id", "stage", "pipeline_id", "pipeline", "displayOrder", "probability", "closed",
               "archived"]  # fmt: skip
    frame = pd.DataFrame(rows, columns=columns)
    frame = frame.astype({"stage": "string", "pipeline_id": "string", "pipeline": "string"})
    frame["probability"] = pd.to_numeric(frame["probability"], errors="coerce").astype("Float64")
    frame = frame.astype({"displayOrder": "Int64", "closed": "boolean", "archived": "boolean"})
    return frame.set_index("stage_id")
