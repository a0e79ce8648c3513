"""The list chains of a full pull: how many run, where each starts, and when each may stop.

``two_ended`` pulls every active record from both ends at once: list paging climbs from the lowest
id while search pages down from the highest, until they meet. List and search have separate rate
limits (10-second burst vs 5/s), so together they move about twice as many records per second as
either alone. One list chain waits a round trip per page and cannot use the whole burst; when the
portal's cursors read as record ids (``CursorFormat``), more chains start in the middle of the id
range, and ``Coverage`` makes sure no record falls between them. The pages themselves come from
``pull.list_batches`` and ``pull.search_batches``; the chains plan from ``client.limits()``.

Who covers which ids (``Coverage``). A full pull runs one search stream paging *down* and one or
more list chains paging *up* (list pages come in ascending id order). A chain started from the
list's first page begins at the lowest id; others begin wherever their first page, fetched with a
written cursor (``CursorFormat``), really began. The search works in runs (``SearchRun``): the
first pages down from the highest id; when it meets a chain, the next one takes the widest gap
still open between two chains and pages it down from just below the upper chain's start (a search
filtered on ``hs_object_id < start``), so the search keeps moving records on its own limit until
the list chains are done instead of idling while they close their gaps on the spent burst. Each
source covers a contiguous run of ids from where it began:

* a list chain stops once its pages reach the start of a chain that began above it, or the lowest
  id of a search run that began above it;
* a search run stops once it reaches the highest id read by a chain that began below it (a chain
  that began above the run's lowest id is inside the run and does not end it).

Only ids a source *has received* count, never the ids we asked for (a run begins below a start a
chain received), so the union is every record however HubSpot interprets a written cursor: a bad
guess costs requests, not rows. Where runs overlap, ids repeat and the caller dedupes them.

Reading a list cursor as a record id (``learn``, ``CursorFormat``). HubSpot calls the list
endpoint's ``after`` an opaque paging token. What it sends is, in its own docs' example, the base64
of the next record id and a newline (``NTI1Cg%3D%3D`` is ``"525\\n"``); other captures show the id
as plain digits. A pull that can write such a cursor for any id can start extra list chains in the
middle of the id range instead of walking one chain from the start.

Nothing here is trusted blindly. ``learn`` accepts a format only when the cursor of a real page
decodes to a number at or just past that page's last id. And a chain started from a written cursor
only *starts* there: it continues with HubSpot's own cursors, and the chain below it stops only
where this chain's first real page began (``Coverage``). If HubSpot meant something else by the
cursor, or refuses a written one, the pull loses time, never records.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import logging
import math
import queue
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote

from ..errors import BadRequest
from ..http.client import HubSpotClient
from . import pull
from .filters import with_filter
from .pull import Batch

log = logging.getLogger(__name__)


# -- reading a list cursor as a record id -------------------------------------------------------------
@dataclass(frozen=True)
class CursorFormat:
    """How one portal's list cursors spell a record id: plain digits or base64, with a suffix
    (HubSpot's example ends in a newline) and URL-quoted or not, exactly as the real cursor was."""

    encoding: str  # "plain" or "base64"
    suffix: str = ""
    quoted: bool = False

    def cursor(self, record_id: int) -> str:
        """The cursor HubSpot would send for a page starting at ``record_id``."""
        text = f"{record_id}{self.suffix}"
        if self.encoding == "plain":
            return text
        encoded = base64.b64encode(text.encode()).decode()
        return quote(encoded, safe="") if self.quoted else encoded


def learn(after: str, page_ids: list[int]) -> CursorFormat | None:
    """The format of ``after`` if it reads as a record id just past the page it followed, else None.

    ``page_ids`` are the ids of the page the cursor came with. "Just past" means at or after the
    page's last id and no further than the page's own id span again (ids are sparse, but the next
    record is never far beyond a page of 100).
    """
    if not page_ids or not after:
        return None
    last, span = max(page_ids), max(page_ids) - min(page_ids)
    for fmt, number in _readings(after):
        if last <= number <= last + max(span, 1) + 1:
            return fmt
    return None


def _readings(after: str) -> list[tuple[CursorFormat, int]]:
    """Every way ``after`` can be read as a number, with the format that reproduces it."""
    out: list[tuple[CursorFormat, int]] = []
    if after.isdigit():
        out.append((CursorFormat("plain"), int(after)))
    quoted = unquote(after) != after
    try:
        text = base64.b64decode(unquote(after), validate=True).decode("ascii")
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return out
    digits = text.rstrip()
    if digits.isdigit():
        fmt = CursorFormat("base64", suffix=text[len(digits) :], quoted=quoted)
        if fmt.cursor(int(digits)) == after:  # it must round-trip exactly, padding and all
            out.append((fmt, int(digits)))
    return out


# -- who covers which ids ------------------------------------------------------------------------------
SPLIT_MIN_RECORDS = 1_000  # a gap smaller than this is not worth a new chain's first round trip


@dataclass
class Chain:
    number: int  # order of creation: breaks ties between chains that began at the same id
    aim: int | None = None  # the id its written cursor asked for (None: the list's first page)
    start: int | None = None  # the first id this chain received (None until its first page)
    reached: int = -1  # the highest id it has received
    running: bool = True


@dataclass
class SearchRun:
    """One stretch of the search: every record below ``below``, paged down from the highest."""

    below: float = math.inf  # where it begins: the received start of a chain (inf: the very top)
    top: int | None = None  # the first (highest) id it received
    low: float = math.inf  # the lowest id it has received


@dataclass
class Coverage:
    """Shared state of one parallel pull (thread-safe; every method takes the lock)."""

    chains: list[Chain] = field(default_factory=list)
    runs: list[SearchRun] = field(default_factory=lambda: [SearchRun()])  # the last one is current
    search_running: bool = True
    records_seen: int = 0  # list records, for the id density estimate
    ids_spanned: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def new_chain(self, aim: int | None = None) -> Chain:
        with self.lock:
            chain = Chain(len(self.chains), aim=aim)
            self.chains.append(chain)
            return chain

    # -- reports from the sources; each returns True when that source should stop ---------------
    def list_page(self, chain: Chain, ids: list[int]) -> bool:
        with self.lock:
            if ids:
                if chain.start is None:
                    chain.start = min(ids)
                chain.reached = max(chain.reached, max(ids))
                if len(ids) > 1:
                    self.records_seen += len(ids) - 1
                    self.ids_spanned += max(ids) - min(ids)
            # A search run covers from its lowest id up to where it began: a chain that began below
            # that and has read up to the run's lowest id is done (one that began inside it, too).
            began = chain.start if chain.start is not None else math.inf
            stop = (
                not ids
                or self._above(chain) <= chain.reached
                or any(run.low <= chain.reached and began < run.below for run in self.runs)
            )
            if stop:
                chain.running = False
            return stop

    def search_page(self, ids: list[int]) -> bool:
        """A page of the current search run; True when the run has met a chain."""
        with self.lock:
            run = self.runs[-1]
            if ids:
                if run.top is None:
                    run.top = max(ids)
                run.low = min(run.low, min(ids))
            # The run meets the chains' once a chain that began at or below its lowest id has read
            # up to it. A chain that began above it (its first page came back after the run had
            # passed its aim) lies inside the run: stopping there would leave the gap below to the
            # list chains alone, on whatever burst they have left.
            return not ids or any(
                c.start is not None and c.start <= run.low <= c.reached for c in self.chains
            )

    def next_search_run(self, min_records: int) -> int | None:
        """After a search run met a chain, where the next one begins: the search moves to the widest
        gap still open between two chains and pages it down from the upper chain's start (the lower
        chain keeps climbing; they meet in between). Returns that start (the new run asks for ids
        below it), or None when no gap holds ``min_records``: the search is done."""
        with self.lock:
            density = self._density()
            best: tuple[float, int] | None = None
            for chain in self.chains:
                if not chain.running or chain.start is None:
                    continue
                above = self._above(chain)  # only a start some chain *received* bounds a run
                if math.isinf(above) or self._run_above(chain) < above:
                    continue  # the gap above is the search's already, or nobody covers its top
                gap_records = (above - chain.reached) * density
                if gap_records >= min_records and (best is None or gap_records > best[0]):
                    best = (gap_records, int(above))
            if best is None:
                return None
            self.runs.append(SearchRun(below=best[1]))
            return best[1]

    def chain_ended(self, chain: Chain) -> None:
        """The chain's thread is done (stopped, ran out of pages, or its written cursor failed)."""
        with self.lock:
            chain.running = False

    def search_ended(self) -> None:
        with self.lock:
            self.search_running = False

    # -- where to start the next chain -------------------------------------------------------------
    def split_point(self, list_rate: float, search_rate: float) -> int | None:
        """The id to start a new chain at, or None when no gap is worth one.

        ``list_rate``/``search_rate``: records per second one chain and the search move (estimates).
        Each running chain has a gap ahead of it: up to the next chain's start, or down to the
        lowest id of the search run above it, which eats the gap from above. The gap that would
        take longest to close is split so its two halves close at the same time: halfway between
        two chains; where the search is eating, where the new chain and the search arrive together.
        """
        with self.lock:
            if self.runs[0].top is None or self.records_seen == 0:
                return None
            density = self._density()
            best: tuple[float, int] | None = None
            for chain in self.chains:
                # A chain still waiting for its first page is planned to cover from its aim.
                began = chain.start if chain.start is not None else chain.aim
                if not chain.running or began is None:
                    continue
                reached = max(chain.reached, began)
                above = self._above(chain, planned=True)
                run_low = self._run_above(chain, planned=True)
                upper = min(above, run_low)
                if math.isinf(upper):
                    continue
                gap_records = (upper - reached) * density
                if gap_records < SPLIT_MIN_RECORDS:
                    continue
                if run_low < above and self.search_running:  # the new chain meets the search
                    seconds = gap_records / (list_rate + search_rate)
                    share = list_rate / (2 * list_rate + search_rate)
                else:
                    seconds = gap_records / list_rate
                    share = 0.5
                at = int(reached + (upper - reached) * share)
                if best is None or seconds > best[0]:
                    best = (seconds, at)
            return None if best is None else best[1]

    def running_chains(self) -> int:
        with self.lock:
            return sum(c.running for c in self.chains)

    # -- internals (lock held) ---------------------------------------------------------------------
    def _density(self) -> float:
        """Records per id, from what the list chains have seen (ids are sparse)."""
        return self.records_seen / max(1, self.ids_spanned) if self.records_seen else 1.0

    def _above(self, chain: Chain, *, planned: bool = False) -> float:
        """The start of the nearest chain that began above ``chain`` (inf if none). ``planned``
        also counts chains still waiting for their first page, at their aim: for splitting only,
        stopping goes by what was received."""
        begin = _planned_start if planned else _received_start
        mine = begin(chain)
        if mine is None:
            return math.inf
        starts = [
            s
            for c in self.chains
            if c is not chain and (s := begin(c)) is not None and (s, c.number) > (mine, chain.number)
        ]
        return min(starts) if starts else math.inf

    def _run_above(self, chain: Chain, *, planned: bool = False) -> float:
        """The lowest id received by a search run that began above ``chain`` (inf if none)."""
        mine = (_planned_start if planned else _received_start)(chain)
        if mine is None:
            return math.inf
        return min((run.low for run in self.runs if mine < run.below), default=math.inf)


def _received_start(chain: Chain) -> int | None:
    return chain.start


def _planned_start(chain: Chain) -> int | None:
    if chain.start is not None:
        return chain.start
    return chain.aim if chain.running else None  # a written cursor that failed plans nothing


# -- the threads of one pull ---------------------------------------------------------------------------
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
    they meet (``Coverage`` keeps score). Batches arrive as the sources deliver them; ids can
    repeat where two sources overlap (the caller dedupes on id).

    ``names=None`` means HubSpot's default properties: the first list chain starts at once without
    naming any, and the search (whose defaults can differ) asks for the names that chain's first
    page carried.
    """
    return ParallelPull(client, object_type, names, on_total).batches()


class ParallelPull:
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
                first = batch[0] if isinstance(batch, list) and batch else {}  # None names: dicts
                self.learned.append(list(first.get("properties") or {}))
                self.cursor_format = learn(cursor, ids) if cursor else None
                self.first_page.set()
            return self.cover.list_page(chain, ids)

        try:
            for batch in pull.list_batches(self.client, self.object_type, self.names, stop=stop, after=after,
                                           columnar=True):  # fmt: skip
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
        """The search: pages down from the highest id until it meets a list chain, then moves on
        to the widest gap still open between two chains (``Coverage.next_search_run``), so that it
        keeps moving records on its own limit until the list chains are done."""
        wanted = self.names
        if wanted is None:
            self.first_page.wait()
            if not self.learned or self.cancelled.is_set():
                self.cover.search_ended()
                return
            wanted = self.learned[0]
        started = time.monotonic()
        met = False

        def stop(batch: Batch) -> bool:
            nonlocal met
            met = self.cover.search_page(_ids(batch))
            return met

        groups: list[dict[str, Any]] = []  # the first run: every record
        on_total = self.on_total
        try:
            while True:
                for batch in pull.search_batches(self.client, self.object_type, wanted, groups=groups,
                                                 descending=True, on_total=on_total, stop=stop,
                                                 columnar=True):  # fmt: skip
                    if self.search_rtt is None:
                        self.search_rtt = time.monotonic() - started
                    yield batch
                    self._split()
                if not met or self.cancelled.is_set():
                    return  # the run read to the bottom of its range: nothing is left below it
                below = self.cover.next_search_run(min_records=pull.SEARCH_PAGE)
                if below is None:
                    return
                met, on_total = False, None
                groups = with_filter(
                    [], {"propertyName": "hs_object_id", "operator": "LT", "value": str(below)}
                )
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
        list_rate = pull.LIST_PAGE * min(1 / self.list_rtt, pages_per_s / wanted)
        search_rate = pull.SEARCH_PAGE * min(limits.search.rate, 1 / (self.search_rtt or 1.0))
        with self.spawn_lock:
            while self.cover.running_chains() < wanted and self.cursor_format is not None:
                at = self.cover.split_point(list_rate, search_rate)
                if at is None:
                    return
                chain = self.cover.new_chain(aim=at)
                self._start_thread("list", self._chain_source(chain, self.cursor_format.cursor(at)))


def _ids(batch: Batch) -> list[int]:
    return [int(i) for i in pull.record_ids(batch)]
