"""Who covers which ids in a parallel full pull, when each source may stop, and where to start
the next list chain.

A full pull runs one search stream paging *down* from the highest id and one or more list chains
paging *up* (list pages come in ascending id order). A chain started from the list's first page
begins at the lowest id; others begin wherever their first page, fetched with a written cursor
(``cursors.py``), really began. Each source covers a contiguous run of ids from where it began:

* a list chain stops once its pages reach the start of a chain that began above it, or the lowest
  id the search has reached;
* the search stops once it reaches the highest id the topmost chain has read.

Only ids a source *has received* count, never the ids we asked for, so the union is every record
however HubSpot interprets a written cursor: a bad guess costs requests, not rows. Where runs
overlap, ids repeat and the caller dedupes them.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field

SPLIT_MIN_RECORDS = 1_000  # a gap smaller than this is not worth a new chain's first round trip


@dataclass
class Chain:
    number: int  # order of creation: breaks ties between chains that began at the same id
    aim: int | None = None  # the id its written cursor asked for (None: the list's first page)
    start: int | None = None  # the first id this chain received (None until its first page)
    reached: int = -1  # the highest id it has received
    running: bool = True


@dataclass
class Coverage:
    """Shared state of one parallel pull (thread-safe; every method takes the lock)."""

    chains: list[Chain] = field(default_factory=list)
    search_low: float = math.inf  # the lowest id the search has received
    search_top: int | None = None  # the highest id there is (the search's first record)
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
            stop = not ids or chain.reached >= self.search_low or self._above(chain) <= chain.reached
            if stop:
                chain.running = False
            return stop

    def search_page(self, ids: list[int]) -> bool:
        with self.lock:
            if ids:
                if self.search_top is None:
                    self.search_top = max(ids)
                self.search_low = min(self.search_low, min(ids))
            top = self._topmost()
            stop = not ids or (top is not None and self.search_low <= top.reached)
            if stop:
                self.search_running = False
            return stop

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
        Each running chain has a gap ahead of it: up to the next chain's start, or for the topmost,
        down to the search's lowest id, which the search eats from above. The gap that would take
        longest to close is split so its two halves close at the same time: halfway between two
        chains; for the topmost gap, where the new chain and the search arrive together.
        """
        with self.lock:
            if self.search_top is None or self.records_seen == 0:
                return None
            density = self.records_seen / max(1, self.ids_spanned)  # records per id
            best: tuple[float, int] | None = None
            for chain in self.chains:
                # A chain still waiting for its first page is planned to cover from its aim.
                began = chain.start if chain.start is not None else chain.aim
                if not chain.running or began is None:
                    continue
                reached = max(chain.reached, began)
                above = self._above(chain, planned=True)
                searching = math.isinf(above) and self.search_running
                upper = min(above, self.search_low, self.search_top + 1)
                gap_records = (upper - reached) * density
                if gap_records < SPLIT_MIN_RECORDS:
                    continue
                if searching:  # new chain meets the search; the old one closes the lower part
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

    def _topmost(self) -> Chain | None:
        started = [c for c in self.chains if c.start is not None]
        return max(started, key=lambda c: (c.start, c.number)) if started else None


def _received_start(chain: Chain) -> int | None:
    return chain.start


def _planned_start(chain: Chain) -> int | None:
    if chain.start is not None:
        return chain.start
    return chain.aim if chain.running else None  # a written cursor that failed plans nothing
