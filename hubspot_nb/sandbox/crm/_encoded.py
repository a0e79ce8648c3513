"""A store's records as ready-made JSON pieces, built on first use and kept.

Why: a list page of 100 contacts x 25 properties is 2,800 values. Rendering them value by value costs
~1 ms of CPU even with pre-encoded pools (a Python step per value); slicing ~30 ready-made lists and
joining the slices costs a fifth of that. So each property column is kept as its JSON member text
for every record (``"email":"a@b.c"``), and so are each record's ``{"id":…,"properties":{`` head and
``},"createdAt":…,"archived":false}`` tail. Pieces are built a block of ``BLOCK`` records at a time,
when a page first needs that block: the first page costs a few milliseconds, not the whole column.

Memory: a pooled column costs one pointer per record (its member strings are shared through the
pool), 1.6 MB per 200,000 records; other columns (e-mails, dates, heads, tails) hold a string per
record, ~20 MB. A store keeps at most ``BUDGET_BYTES`` (estimated); columns past the budget are
rendered per page, as before. With every property of every object type pulled, a sandbox of 200,000
contacts stays around 1 GB. The whole cache is dropped when the store changes (``store.version``:
``touch`` moves last-modified dates).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from ..timestamps import iso_ms_texts
from ._columns import PoolColumn, json_value
from ._portal import ObjectStore

BUDGET_BYTES = 256 * 1024 * 1024  # per store: the 25 properties of the benchmark take ~210 MB
SLOT, STRING = 8, 100  # estimated bytes of a list slot, and of a short str of JSON
SHIFT = 12
BLOCK = 1 << SHIFT  # records per block


class Pieces:
    """One kind of per-record text (a column's members, the heads …), built by blocks on first use."""

    def __init__(self, size: int, build: Callable[[int, int], list[str]], lock: threading.Lock) -> None:
        self.size = size
        self.build = build  # (start, stop) -> the texts of records start..stop-1
        self.lock = lock
        self.blocks: list[list[str] | None] = [None] * -(-size // BLOCK)

    def block(self, k: int) -> list[str]:
        found = self.blocks[k]
        if found is None:
            # Concurrent pages needing the same block wait for one build instead of each doing it.
            with self.lock:
                found = self.blocks[k]
                if found is None:
                    found = self.blocks[k] = self.build(k * BLOCK, min(self.size, (k + 1) * BLOCK))
        return found

    def take(self, runs: list[tuple[int, int]]) -> list[str]:
        """The texts of the records in ``runs`` (``runs_of(indices)``), in order."""
        out: list[str] = []
        for start, stop in runs:
            for k in range(start >> SHIFT, ((stop - 1) >> SHIFT) + 1):
                base = k * BLOCK
                out += self.block(k)[max(start - base, 0) : stop - base]
        return out


def runs_of(indices: Sequence[int]) -> list[tuple[int, int]] | None:
    """``indices`` as runs of consecutive ascending records, ``[(start, stop), …]``, when there are
    few (a list page is one run, or a few around archived records); None for scattered indices."""
    runs: list[tuple[int, int]] = []
    start = prev = -2
    for i in indices:
        if i != prev + 1:
            if len(runs) > 8:
                return None
            if prev >= 0:
                runs.append((start, prev + 1))
            start = i
        prev = i
    if prev >= 0:
        runs.append((start, prev + 1))
    return runs


class EncodedStore:
    """One store's cached pieces, valid for ``version`` of the store."""

    def __init__(self, store: ObjectStore) -> None:
        self.store = store
        self.version = store.version  # read first: a change during a build leaves this cache stale
        self._lock = threading.Lock()
        self._members: dict[str, Pieces | None] = {}  # None: past the budget
        n = len(store)
        self.created = self._pieces(lambda a, b: iso_ms_texts(store.created[a:b]))
        self.modified = self._pieces(lambda a, b: iso_ms_texts(store.modified[a:b]))
        self.heads = self._pieces(lambda a, b: [f'{{"id":"{v}","properties":{{' for v in store.id_array[a:b]])
        self.tails = self._pieces(_tails_builder(self.created, self.modified))
        self.used = 4 * n * (SLOT + STRING)  # estimated bytes held (or to be held), against BUDGET_BYTES

    def members(self, name: str, prefix: str) -> Pieces | None:
        """``prefix`` + the JSON value of ``name``, per record (``prefix`` is ``"name":``, with a
        leading comma unless it is a record's first property); None when over the budget."""
        if prefix in self._members:
            return self._members[prefix]
        with self._lock:
            if prefix not in self._members:
                cost = self._member_cost(name)
                fits = self.used + cost <= BUDGET_BYTES
                self._members[prefix] = self._pieces(self._member_builder(name, prefix)) if fits else None
                self.used += cost if fits else 0
            return self._members[prefix]

    def _pieces(self, build: Callable[[int, int], list[str]]) -> Pieces:
        return Pieces(len(self.store), build, threading.Lock())

    def _member_cost(self, name: str) -> int:
        """The estimated bytes of a column's member texts for every record."""
        n, column = len(self.store), self.store.columns[name]
        if isinstance(column, PoolColumn) and len(column.pool) <= n:
            return n * SLOT + len(column.pool) * STRING
        return n * (SLOT + STRING)  # a new string per record

    def _member_builder(self, name: str, prefix: str) -> Callable[[int, int], list[str]]:
        """How to build a block (records a..b-1) of a column's member texts."""
        store = self.store
        # createdate and the last-modified date are createdAt and updatedAt again: format them once
        if name in ("createdate", store.modified_property):
            dates = self.created if name == "createdate" else self.modified
            return lambda a, b: [f'{prefix}"{text}"' for text in dates.block(a >> SHIFT)]
        if name == "hs_object_id":
            return lambda a, b: [f'{prefix}"{v}"' for v in store.id_array[a:b]]
        column = store.columns[name]
        if isinstance(column, PoolColumn) and len(column.pool) <= len(store):
            # one member string per pool entry, shared by the records: a pointer per record
            pooled = [prefix + json_value(v) for v in column.pool]
            return lambda a, b: [pooled[code] for code in column.codes[a:b]]
        return lambda a, b: [prefix + text for text in column.fragments(range(a, b))]


def _tails_builder(created: Pieces, modified: Pieces) -> Callable[[int, int], list[str]]:
    # a closure over the dates, not a method: no reference cycle, so a dropped cache is freed at once
    def build(start: int, stop: int) -> list[str]:
        k = start >> SHIFT
        return [
            f'}},"createdAt":"{c}","updatedAt":"{m}","archived":false}}'
            for c, m in zip(created.block(k), modified.block(k), strict=True)
        ]

    return build


_caches_lock = threading.Lock()


def encoded(store: ObjectStore) -> EncodedStore:
    """The store's cache (kept on the store), new when the store changed since it was made."""
    with _caches_lock:
        cache = store.encoded
        if not isinstance(cache, EncodedStore) or cache.version != store.version:
            cache = store.encoded = EncodedStore(store)
        return cache
