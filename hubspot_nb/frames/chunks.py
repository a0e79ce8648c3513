"""Record batches → typed chunks: the loop between a pull's pages and ``assembly.assemble``.

Each batch is read into raw columns as it arrives (``raw_columns``), so its dicts can go at once,
and typed in large chunks, where the fixed cost per column and call is paid rarely.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd

from . import _fast
from .assembly import assemble
from .catalogue import Catalogue
from .raw_columns import RawColumns
from .records import property_columns, raw_to_frame

TYPING_VALUES = 2_000_000  # raw values typed at once in a wide eager pull (see typing_rows)
WIDE_COLUMNS = 50


def typed_chunks(
    batches: Iterator[list[dict[str, Any]] | RawColumns],
    cat: Catalogue,
    names: list[str] | None,
    *,
    rows: int | None,
    limit: int | None,
    associations: Sequence[str] = (),
    labels: bool = False,
    bar: Any = None,
    dedupe: bool = True,
    sort_ids: bool = False,
) -> Iterator[pd.DataFrame]:
    """Type record batches as chunks of ``rows`` rows (None: as many as ``typing_rows`` finds
    worth it, for eager pulls that only assemble the chunks).

    Each batch is read into raw columns as it arrives (``raw_columns``: its dicts can go at once;
    a batch a pull already read into columns, ``RawColumns`` of ``names``, is taken as it is) and
    typed in large chunks, where the fixed cost per column and call is paid rarely.
    ``dedupe``: drop ids already delivered (two-ended pulls overlap where the ends meet). Eager
    pulls leave that to ``assembly.assemble``, which needs no set of every id seen.
    ``sort_ids``: each chunk's rows by ascending id (stable: a repeated id keeps its first copy
    first). For eager pulls sorted by id: the list end's ascending pages and the search end's
    descending ones then make a few long runs per chunk, which ``assembly.assemble`` copies into the
    frame slice by slice instead of gathering row by row through a second full copy.
    """
    seen: set[str] | None = set() if dedupe else None
    pending: list[RawColumns] = []
    held = delivered = 0
    columns = names
    size = rows

    def typed(raw: RawColumns) -> pd.DataFrame:
        # Numbers stay Float64 per chunk so every chunk has the same schema; ``finish`` narrows later.
        ordered = raw.by_id() if sort_ids else raw
        return raw_to_frame(ordered, cat, labels=labels, integral_to_int=False)

    try:
        for batch in batches:
            if isinstance(batch, RawColumns):
                raw = batch if seen is None else batch.take(fresh_rows(batch.ids, seen))
                if limit is not None:
                    raw = raw.take(slice(0, max(0, limit - delivered - held)))
                fresh_ids: Iterable[str] = raw.ids
                columns = columns if columns is not None else list(raw.properties)
            else:
                fresh = batch if seen is None else [r for r in batch if r["id"] not in seen]
                if limit is not None:
                    fresh = fresh[: max(0, limit - delivered - held)]
                if columns is None and fresh:
                    columns = property_columns(fresh[:1], None)  # HubSpot's default set
                raw = RawColumns.read(fresh, columns or [], associations)
                fresh_ids = (r["id"] for r in fresh)
            if seen is not None:
                seen.update(fresh_ids)
            if bar is not None:
                bar.update(len(raw))
            if len(raw):
                pending.append(raw)
                held += len(raw)
            size = size or typing_rows(len(columns or []))
            while held >= size:
                raw = RawColumns.combine(pending)
                part, rest = raw.take(slice(0, size)), raw.take(slice(size, None))
                pending, held = ([rest] if len(rest) else []), len(rest)
                delivered += len(part)
                yield typed(part)
            if limit is not None and delivered + held >= limit:
                break
        if pending or delivered == 0:
            raw = RawColumns.combine(pending) if pending else RawColumns.read([], columns or [], associations)
            yield typed(raw)
    finally:
        close = getattr(batches, "close", None)
        if close is not None:
            close()  # stop the fetch threads when the caller stops early
        if bar is not None:
            bar.close()


def fresh_rows(ids: Any, seen: set[str]) -> Any:
    """Positions of the ``ids`` not in ``seen``."""
    return np.flatnonzero([i not in seen for i in ids])


def typing_rows(columns: int) -> int:
    """Rows per typed chunk of an eager pull. Typing a column has a fixed cost per call whatever its
    length: wide pulls type big chunks, so they pay it a few times instead of many; narrow ones,
    where that cost is small, keep chunks small so memory stays near the frame."""
    if columns < WIDE_COLUMNS:
        return 1_000
    return max(1_000, min(10_000, TYPING_VALUES // columns))


@contextlib.contextmanager
def system_allocator() -> Iterator[None]:
    """Arrow allocations inside go to the system allocator, which reuses the freed buffers of
    short-lived chunks where Arrow's default pool keeps them (``_fast.system_pool``: safe for
    concurrent pulls; nothing with ``HUBSPOT_NB_FAST=0``)."""
    with _fast.system_pool():
        yield


def assemble_chunks(chunks: Iterable[pd.DataFrame], cat: Catalogue, *, by_id: bool = True) -> pd.DataFrame:
    """Type every chunk and assemble them into one frame (``assembly.assemble``), under the system
    allocator."""
    with system_allocator():
        return assemble(list(chunks), cat, by_id=by_id)
