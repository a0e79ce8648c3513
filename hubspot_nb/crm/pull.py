"""Raw record streams for CRM pulls: batches of HubSpot record dicts, fetched as fast as the limits allow.

This is the lazy layer under every CRM DataFrame (``crm`` types the batches). Three sources:

* ``list_batches`` — the list endpoint (``GET /crm/v3/objects/{type}``, 100 per page, ascending
  ids). Property names are split into URL-sized chunks (HubSpot answers 414 past ~16k characters)
  fetched *in parallel* for each page and merged on id, so ``properties="all"`` just works.
* ``search_batches`` — the search endpoint (200 per page, its own 5/s limit), ordered by
  ``hs_object_id`` and restarted with ``hs_object_id > last`` before HubSpot's 10,000-result cap,
  so nothing is lost; the caller dedupes on id.
* ``two_ended`` — a full pull from both ends at once: list paging climbs from the lowest id while
  search pages down from the highest, until they meet. List and search have separate rate limits
  (10-second burst vs 5/s), so together they move about twice as many records per second as
  either alone. One list chain waits a round trip per page and cannot use the whole burst; when
  the portal's cursors read as record ids (``cursors.py``), more chains start in the middle of
  the id range, and ``coverage.py`` makes sure no record falls between them.
"""

from __future__ import annotations

import contextlib
import logging
import math
import queue
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import quote

from ..errors import BadRequest
from ..http.client import HubSpotClient, next_after
from ..http.urls import path as endpoint
from ._coverage import Chain, Coverage
from ._cursors import CursorFormat, learn
from .filters import with_filter

log = logging.getLogger(__name__)

LIST_PAGE = 100
SEARCH_PAGE = 200
SEARCH_CAP = 10_000  # HubSpot refuses to page a search past its 10,000th result
URL_BUDGET = 10_000  # characters of URL we allow ourselves (HubSpot's limit is ~16k)

Batch = list[dict[str, Any]]


def chunk_names(names: Sequence[str], budget: int = URL_BUDGET, overhead: int = 300) -> list[list[str]]:
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
    first = pages[0].get("results") or []
    if len(pages) == 1:
        return first
    by_id = {r["id"]: r for r in first}
    for page in pages[1:]:
        for r in page.get("results") or []:
            base = by_id.get(r["id"])
            if base is None:  # the record appeared between two chunk requests: take it as is
                by_id[r["id"]] = r
                first.append(r)
            else:
                base.setdefault("properties", {}).update(r.get("properties") or {})
    return first


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
) -> Iterator[Batch]:
    """Pages of the list endpoint as merged record batches, from the cursor ``after`` (None: the
    first page); stops after ``limit`` records or when ``stop(batch, next_cursor)`` says so."""
    path = endpoint("crm.objects", object_type=object_type)
    base: dict[str, Any] = {"archived": "true" if archived else "false"}
    if associations:
        base["associations"] = ",".join(associations)
    chunks = chunk_names(names) if names else [None]

    def fetch(after: str | None, size: int) -> list[dict[str, Any]]:
        queries = []
        for n, chunk in enumerate(chunks):
            query = dict(base, limit=size)
            if n > 0:
                query.pop("associations", None)  # associations once per page is enough
            if chunk is not None:
                query["properties"] = ",".join(chunk)
            if after is not None:
                query["after"] = after
            queries.append(query)
        if len(queries) == 1:
            return [client.get(path, queries[0])]
        futures = [client.pool.submit(client.get, path, q) for q in queries]
        return [f.result() for f in futures]

    def size_after(fetched: int) -> int:
        return LIST_PAGE if limit is None else max(1, min(LIST_PAGE, limit - fetched))

    # The cursor chain is sequential, but the next page can travel while this one is typed.
    ahead = ThreadPoolExecutor(1, thread_name_prefix="hubspot-nb-list")
    try:
        pending = ahead.submit(fetch, after, size_after(0))
        fetched = 0
        while True:
            pages = pending.result()
            batch = _merge(pages)
            fetched += len(batch)
            after = next_after(pages[0])
            stopped = stop is not None and stop(batch, after)  # told every page, the last one too
            done = stopped or after is None or (limit is not None and fetched >= limit)
            if not done:
                pending = ahead.submit(fetch, after, size_after(fetched))
            yield batch
            if done:
                return
    finally:
        ahead.shutdown(wait=False, cancel_futures=True)


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
) -> Iterator[Batch]:
    """Pages of a search as record batches, all of them, past the 10,000-result cap.

    Without ``sorts`` the search is ordered by ``hs_object_id`` (``descending`` for two-ended
    pulls) and restarted with an ``hs_object_id`` bound from the last id seen before the cap.
    With ``sorts`` HubSpot's order is kept and at most 10,000 results can be reached (the caller
    only uses that for ``limit`` ≤ 10,000).
    """
    path = endpoint("crm.objects.search", object_type=object_type)
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
            page = client.post(path, request, search=True)
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
                ids = [int(r["id"]) for r in batch]
                bound = min(ids) if descending else max(ids)
                break  # restart the window past the last id seen


_DONE = object()
MAX_LIST_CHAINS = 4


def two_ended(
    client: HubSpotClient,
    object_type: str,
    names: Sequence[str] | None,
    *,
    on_total: Callable[[int], None] | None = None,
) -> Iterator[Batch]:
    """Every active record: search pages down from the highest id while list chains page up from
    the bottom (and, when the list cursor reads as a record id, from points in the middle), until
    they meet (``coverage.py`` keeps score). Batches arrive as the sources deliver them; ids can
    repeat where two sources overlap (the caller dedupes on id).

    ``names=None`` means HubSpot's default properties: the first list chain starts at once without
    naming any, and the search (whose defaults can differ) asks for the names that chain's first
    page carried.
    """
    return _ParallelPull(client, object_type, names, on_total).batches()


class _ParallelPull:
    """The threads of one ``two_ended`` pull: the search, the list chains, and the splitting."""

    def __init__(
        self,
        client: HubSpotClient,
        object_type: str,
        names: Sequence[str] | None,
        on_total: Callable[[int], None] | None,
    ) -> None:
        self.client, self.object_type, self.names, self.on_total = client, object_type, names, on_total
        self.cover = Coverage()
        # Bounded (a page of 200 wide records is MBs), but deep enough that every fetch stream keeps
        # going while the consumer types a chunk: with 2, all-properties pulls stalled the list chain.
        self.out: queue.Queue[Any] = queue.Queue(maxsize=8)
        self.cancelled = threading.Event()
        self.first_page = threading.Event()
        self.learned: list[list[str]] = []  # the default property names, once the list has seen them
        self.cursor_format: CursorFormat | None = None  # None: cursors are opaque, one chain only
        self.list_rtt: float | None = None
        self.search_rtt: float | None = None
        self.threads: list[threading.Thread] = []
        self.spawn_lock = threading.Lock()

    # -- consumer side ------------------------------------------------------------------------------
    def batches(self) -> Iterator[Batch]:
        self._spawn("search", self._search_source())
        self._spawn("list", self._chain_source(self.cover.new_chain(), None))
        finished = 0
        try:
            while True:
                with self.spawn_lock:  # a thread can start another one before it finishes
                    if finished == len(self.threads):
                        return
                item = self.out.get()
                if item is _DONE:
                    finished += 1
                elif isinstance(item, BaseException):
                    raise item
                else:
                    yield item
        finally:
            self.cancelled.set()
            while any(t.is_alive() for t in list(self.threads)):  # unblock producers on a full queue
                with contextlib.suppress(queue.Empty):
                    self.out.get(timeout=0.05)

    def _spawn(self, side: str, source: Iterator[Batch]) -> None:
        with self.spawn_lock:
            self._start_thread(side, source)

    def _start_thread(self, side: str, source: Iterator[Batch]) -> None:
        """Start a producer thread (``spawn_lock`` held, so the consumer counts it before it ends)."""

        def run() -> None:
            try:
                for batch in source:
                    if self.cancelled.is_set():
                        return
                    self.out.put(batch)
            except BaseException as exc:  # handed to the consumer, raised there
                self.out.put(exc)
            finally:
                self.out.put(_DONE)

        thread = threading.Thread(target=run, daemon=True, name=f"hubspot-nb-{side}")
        self.threads.append(thread)
        thread.start()

    # -- the sources ------------------------------------------------------------------------------
    def _chain_source(self, chain: Chain, after: str | None) -> Iterator[Batch]:
        """One list chain: from the list's first page (``after`` None) or from a written cursor."""
        started = time.monotonic()

        def stop(batch: Batch, cursor: str | None) -> bool:
            ids = _ids(batch)
            if self.list_rtt is None:
                self.list_rtt = time.monotonic() - started
            if after is None and not self.first_page.is_set():
                self.learned.append(list((batch[0].get("properties") or {}) if batch else []))
                self.cursor_format = learn(cursor, ids) if cursor else None
                self.first_page.set()
            return self.cover.list_page(chain, ids)

        try:
            for batch in list_batches(self.client, self.object_type, self.names, stop=stop, after=after):
                yield batch
                self._split()
        except BadRequest:
            if after is None or chain.start is not None:
                raise
            # HubSpot refused a cursor we wrote: its cursors are not ids after all. The chains
            # already running cover everything without this one.
            log.debug("a written list cursor was refused; pulling with the chains already running")
            self.cursor_format = None
        finally:
            if after is None:
                self.first_page.set()  # never leave the search waiting
            self.cover.chain_ended(chain)
            self._split()

    def _search_source(self) -> Iterator[Batch]:
        wanted = self.names
        if wanted is None:
            self.first_page.wait()
            if not self.learned or self.cancelled.is_set():
                self.cover.search_ended()
                return
            wanted = self.learned[0]
        started = time.monotonic()
        stop = lambda batch: self.cover.search_page(_ids(batch))  # noqa: E731
        try:
            for batch in search_batches(self.client, self.object_type, wanted, descending=True,
                                        on_total=self.on_total, stop=stop):  # fmt: skip
                if self.search_rtt is None:
                    self.search_rtt = time.monotonic() - started
                yield batch
                self._split()
        finally:
            self.cover.search_ended()

    # -- splitting ----------------------------------------------------------------------------------
    def _split(self) -> None:
        """Start list chains in the middle while there are fewer than the burst limit can feed."""
        if self.cursor_format is None or self.cancelled.is_set() or self.list_rtt is None:
            return
        limits = self.client.limits()
        pages_per_s = limits.burst.rate  # the burst's steady rate
        wanted = max(1, min(MAX_LIST_CHAINS, math.ceil(pages_per_s * self.list_rtt)))
        if limits.burst.free < 2 * wanted:
            # The burst is spent: a new chain would only wait, and its first page would stop the
            # search, which still has its own allowance, at a point the waiting chains must reach.
            return
        list_rate = LIST_PAGE * min(1 / self.list_rtt, pages_per_s / wanted)
        search_rate = SEARCH_PAGE * min(limits.search.rate, 1 / (self.search_rtt or 1.0))
        with self.spawn_lock:
            while self.cover.running_chains() < wanted and self.cursor_format is not None:
                at = self.cover.split_point(list_rate, search_rate)
                if at is None:
                    return
                chain = self.cover.new_chain(aim=at)
                self._start_thread("list", self._chain_source(chain, self.cursor_format.cursor(at)))


def _ids(batch: Batch) -> list[int]:
    return [int(r["id"]) for r in batch]
