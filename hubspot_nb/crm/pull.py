"""Raw record streams for CRM pulls: batches of HubSpot record dicts, fetched as fast as the limits allow.

This is the lazy layer under every CRM DataFrame (``crm`` types the batches). Two sources:

* ``list_batches`` — the list endpoint (``GET /crm/v3/objects/{type}``, 100 per page, ascending
  ids). Property names are split into URL-sized chunks (HubSpot answers 414 past a URL length it
  does not document; a 414 makes the chunks smaller and the page is asked for again), fetched *in
  parallel* for each page and merged on id, so ``properties="all"`` just works.
* ``search_batches`` — the search endpoint (200 per page, its own 5/s limit), ordered by
  ``hs_object_id`` and restarted with ``hs_object_id > last`` before HubSpot's 10,000-result cap,
  so nothing is lost; the caller dedupes on id.

A full pull runs both at once, from both ends and in several list chains: ``_chains.two_ended``.
Pulls that type every record and read no associations (``columnar=True``) get their pages read
straight into columns where the page allows (``page_parser``): a batch is then a ``RawColumns``.

Associations asked for with the records come in each record's ``associations`` block, which HubSpot
cuts at 100 ids per type (``paging.next``). ``complete_associations`` fetches the full lists of the
records whose block was cut through the v4 association batch read (≤1,000 ids a request, each
result paged on its own) and puts them in the block: a page with no cut block costs nothing extra.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import quote

import numpy as np

from ..errors import URITooLong
from ..frames.chunks import WIDE_COLUMNS
from ..frames.raw_columns import RawColumns, read_page
from ..http.client import HubSpotClient, batch_results, next_after, parse_json
from .filters import with_filter

LIST_PAGE = 100
SEARCH_PAGE = 200
SEARCH_CAP = 10_000  # HubSpot refuses to page a search past its 10,000th result
ASSOCIATION_BATCH = 1_000  # ids per association batch read (HubSpot rejects more)

Records = list[dict[str, Any]]
# A page's records: HubSpot's dicts, or (``columnar`` pulls) already read into columns.
Batch = Records | RawColumns


def record_ids(batch: Batch) -> list[str]:
    """The ids of a batch's records, in order."""
    if isinstance(batch, RawColumns):
        return [str(i) for i in batch.ids]
    return [str(r["id"]) for r in batch]


def page_parser(names: Sequence[str] | None, columnar: bool) -> Callable[[bytes], Any]:
    """How to read a list or search page naming ``names``: ``columnar`` (for pulls that type every
    record and read no associations) and wide, straight into a ``RawColumns`` where the page allows
    (``raw_columns.read_page``: the GIL stays free for the typing), else HubSpot's JSON as dicts.
    Narrow pages keep the dicts: their parse costs the GIL little, and Arrow's buffers for many
    small pages held a 100,000-contact default pull's peak RSS 6 MB higher (``benchmarks``)."""
    if not columnar or not names or len(names) < WIDE_COLUMNS:
        return parse_json
    wanted = list(names)

    def parse(body: bytes) -> Any:
        page = read_page(body, wanted)
        return page if page is not None else parse_json(body)

    return parse


def chunk_names(names: Sequence[str], budget: int, overhead: int = 300) -> list[list[str]]:
    """Split property names so each ``properties=a,b,c`` fits in ``budget - overhead`` characters."""
    chunks: list[list[str]] = []
    current: list[str] = []
    used = 0
    room = budget - overhead
    for name in names:
        cost = len(quote(name, safe="")) + 3  # the comma, URL-encoded as %2C
        if current and used + cost > room:
            chunks.append(current)
            current, used = [], 0
        current.append(name)
        used += cost
    if current:
        chunks.append(current)
    return chunks


def _merge(pages: list[dict[str, Any]]) -> Batch:
    """Records of one page fetched in property chunks → one record each, properties merged on id."""
    results: list[Batch] = [page.get("results") or [] for page in pages]
    if len(results) == 1:
        return results[0]
    columns = [r for r in results if isinstance(r, RawColumns)]
    if len(columns) == len(results) and all(np.array_equal(c.ids, columns[0].ids) for c in columns):
        properties = {name: values for c in columns for name, values in c.properties.items()}
        return RawColumns(columns[0].ids, properties, columns[0].fields)
    # The records differ between the chunk requests (one appeared or went in between): by id.
    records = [r.records() if isinstance(r, RawColumns) else r for r in results]
    first = records[0]
    by_id = {r["id"]: r for r in first}
    for more in records[1:]:
        for r in more:
            base = by_id.get(r["id"])
            if base is None:  # the record appeared between two chunk requests: take it as is
                by_id[r["id"]] = r
                first.append(r)
            else:
                base.setdefault("properties", {}).update(r.get("properties") or {})
    return first


# One list request's share of a page: its ``properties=`` value (None: HubSpot's defaults) and how
# its answers are read (``page_parser``).
_Group = tuple[str | None, Callable[[bytes], Any]]


def _groups(names: Sequence[str] | None, budget: int, columnar: bool) -> list[_Group]:
    """``names`` in URL-sized groups for ``budget`` characters, each with its page parser."""
    if not names:
        return [(None, parse_json)]
    return [(",".join(chunk), page_parser(chunk, columnar)) for chunk in chunk_names(names, budget)]


def list_batches(
    client: HubSpotClient,
    object_type: str,
    names: Sequence[str] | None,
    *,
    archived: bool = False,
    associations: Sequence[str] = (),
    limit: int | None = None,
    stop: Callable[[Batch, str | None], bool] | None = None,
    after: str | None = None,
    columnar: bool = False,
) -> Iterator[Batch]:
    """Pages of the list endpoint as merged record batches, from the cursor ``after`` (None: the
    first page); stops after ``limit`` records or when ``stop(batch, next_cursor)`` says so.
    ``columnar``: batches may come as ``RawColumns`` (``page_parser``; not with associations)."""
    path = client.path("crm.objects", object_type=object_type)
    base: dict[str, Any] = {"archived": "true" if archived else "false"}
    if associations:
        base["associations"] = ",".join(associations)
    grouped: dict[int, list[_Group]] = {}  # URL budget -> the names' groups (made once per budget)

    def fetch(after: str | None, size: int) -> tuple[Batch, str | None]:
        pages = fetch_pages(after, size)
        batch = _merge(pages)
        if associations:
            assert isinstance(batch, list)  # pages with associations are never columnar
            complete_associations(client, object_type, batch, associations)
        return batch, next_after(pages[0])

    def fetch_pages(after: str | None, size: int) -> list[dict[str, Any]]:
        while True:
            budget = client.url_budget
            if budget not in grouped:
                grouped[budget] = _groups(names, budget, columnar and not associations)
            try:
                return fetch_groups(grouped[budget], after, size)
            except URITooLong:
                # HubSpot's URL limit is lower than we guessed: smaller groups, the same page again.
                if not names or not client.shrink_url_budget(budget):
                    raise

    def fetch_groups(groups: list[_Group], after: str | None, size: int) -> list[dict[str, Any]]:
        queries = []
        for n, (joined, parse) in enumerate(groups):
            query = dict(base, limit=size)
            if n > 0:
                query.pop("associations", None)  # associations once per page is enough
            if joined is not None:
                query["properties"] = joined
            if after is not None:
                query["after"] = after
            queries.append((query, parse))
        if len(queries) == 1:
            query, parse = queries[0]
            return [client.get(path, query, parse=parse)]
        futures = [client.pool.submit(client.get, path, q, parse=parse) for q, parse in queries]
        return [f.result() for f in futures]

    def size_after(fetched: int) -> int:
        return LIST_PAGE if limit is None else max(1, min(LIST_PAGE, limit - fetched))

    # The cursor chain is sequential, but the next page can travel while this one is typed.
    ahead = ThreadPoolExecutor(1, thread_name_prefix="hubspot-nb-list")
    try:
        pending = ahead.submit(fetch, after, size_after(0))
        fetched = 0
        while True:
            batch, after = pending.result()
            fetched += len(batch)
            stopped = stop is not None and stop(batch, after)  # told every page, the last one too
            done = stopped or after is None or (limit is not None and fetched >= limit)
            if not done:
                pending = ahead.submit(fetch, after, size_after(fetched))
            yield batch
            if done:
                return
    finally:
        ahead.shutdown(wait=False, cancel_futures=True)


def complete_associations(
    client: HubSpotClient, object_type: str, batch: Records, to_types: Sequence[str]
) -> None:
    """Make every ``associations.<type>`` block in ``batch`` complete, in place.

    HubSpot lists at most 100 ids per type in a record and marks a cut block with ``paging.next``;
    the full lists of those records come from the association batch read, turned into the block's
    own ``{"id", "type"}`` entries (a primary link listed twice, as v3 does), and the paging goes.
    """
    for to_type in to_types:
        cut = {}
        for r in batch:
            block = (r.get("associations") or {}).get(to_type)
            if block and (block.get("paging") or {}).get("next"):
                cut[str(r["id"])] = block
        if not cut:
            continue
        linked = read_associations(client, object_type, to_type, list(cut))
        for record_id, block in cut.items():
            block["results"] = _with_links(block.get("results") or [], linked.get(record_id, []))
            block.pop("paging", None)


def read_associations(
    client: HubSpotClient, from_type: str, to_type: str, ids: Sequence[str]
) -> dict[str, list[dict[str, Any]]]:
    """Every link of the records ``ids`` to ``to_type``: ``{id: [{"toObjectId", "associationTypes"}]}``
    from the associations batch read (``/crm/associations/2026-09/{from}/{to}/batch/read``, or v4 under
    ``legacy``), following each result's own
    ``paging.next.after`` (sent back as that input's ``after``) until none is left."""
    path = client.path("crm.associations.batch_read", from_type=from_type, to_type=to_type)
    out: dict[str, list[dict[str, Any]]] = {str(i): [] for i in ids}
    pending: list[dict[str, str]] = [{"id": str(i)} for i in ids]
    seen: set[tuple[str, str]] = set()  # (id, cursor): a cursor HubSpot repeats ends that record
    while pending:
        more: list[dict[str, str]] = []
        for start in range(0, len(pending), ASSOCIATION_BATCH):
            body = client.post(path, {"inputs": pending[start : start + ASSOCIATION_BATCH]})
            for result in batch_results(body):  # records without links: a 207, or (2026-09) 200 + errors
                record_id = str((result.get("from") or {}).get("id"))
                out.setdefault(record_id, []).extend(result.get("to") or [])
                after = ((result.get("paging") or {}).get("next") or {}).get("after")
                if after and (record_id, str(after)) not in seen:
                    seen.add((record_id, str(after)))
                    more.append({"id": record_id, "after": str(after)})
        pending = more
    return out


def _with_links(results: list[dict[str, Any]], links: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A cut v3 block's entries plus v4 ``links`` as v3 entries, each (id, type) once.

    v3 names a link by type (``company_to_contact_unlabeled``; the primary company also under the
    bare ``company_to_contact``); v4 by type id and label. The names come from the cut block: its
    ``…_unlabeled`` type (or its commonest, for types without a primary), and that without the
    suffix for a v4 link labelled ``Primary``.
    """
    types = [str(link.get("type") or "") for link in results]
    default = next((t for t in types if t.endswith("_unlabeled")), None)
    if default is None:
        default = Counter(types).most_common(1)[0][0] if types else ""
    primary = default.removesuffix("_unlabeled") if default.endswith("_unlabeled") else None
    out = list(results)
    seen = {(str(link.get("id")), str(link.get("type") or "")) for link in results}
    for link in links:
        to_id = str(link.get("toObjectId"))
        labels = {t.get("label") for t in link.get("associationTypes") or []}
        kinds = [primary, default] if primary and "Primary" in labels else [default]
        for kind in kinds:
            if kind is not None and (to_id, kind) not in seen:
                seen.add((to_id, kind))
                out.append({"id": to_id, "type": kind})
    return out


def search_batches(
    client: HubSpotClient,
    object_type: str,
    names: Sequence[str] | None,
    *,
    groups: list[dict[str, Any]] | None = None,
    sorts: list[dict[str, str]] | None = None,
    query: str | None = None,
    limit: int | None = None,
    descending: bool = False,
    on_total: Callable[[int], None] | None = None,
    stop: Callable[[Batch], bool] | None = None,
    columnar: bool = False,
) -> Iterator[Batch]:
    """Pages of a search as record batches, all of them, past the 10,000-result cap.

    Without ``sorts`` the search is ordered by ``hs_object_id`` (``descending`` for two-ended
    pulls) and restarted with an ``hs_object_id`` bound from the last id seen before the cap.
    With ``sorts`` HubSpot's order is kept and at most 10,000 results can be reached (the caller
    only uses that for ``limit`` ≤ 10,000). ``columnar``: batches may come as ``RawColumns``
    (``page_parser``).
    """
    path = client.path("crm.objects.search", object_type=object_type)
    parse = page_parser(names, columnar)
    groups = list(groups or [])
    keyed = not sorts
    order = [{"propertyName": "hs_object_id", "direction": "DESCENDING" if descending else "ASCENDING"}]
    body: dict[str, Any] = {"sorts": sorts or order, "limit": SEARCH_PAGE}
    if names:
        body["properties"] = list(names)
    if query:
        body["query"] = query
    fetched = 0
    bound: int | None = None  # the last id seen before a restart
    told_total = False
    while True:
        window = groups
        if bound is not None:
            op = "LT" if descending else "GT"
            window = with_filter(
                groups, {"propertyName": "hs_object_id", "operator": op, "value": str(bound)}
            )
        after = 0
        while True:
            size = SEARCH_PAGE if limit is None else max(1, min(SEARCH_PAGE, limit - fetched))
            request = dict(body, limit=size, after=str(after))
            if window:
                request["filterGroups"] = window
            page = client.post(path, request, search=True, parse=parse)
            if not told_total and on_total is not None and page.get("total") is not None:
                on_total(int(page["total"]))
                told_total = True
            batch = page.get("results") or []
            fetched += len(batch)
            if batch:
                yield batch
            if limit is not None and fetched >= limit:
                return
            if stop is not None and batch and stop(batch):
                return
            nxt = next_after(page)
            if nxt is None or not batch:
                return
            after = int(nxt)
            if after + SEARCH_PAGE > SEARCH_CAP:
                if not keyed:
                    return  # HubSpot's own sort: the cap is the end (limit ≤ 10,000 only)
                ids = [int(i) for i in record_ids(batch)]
                bound = min(ids) if descending else max(ids)
                break  # restart the window past the last id seen
