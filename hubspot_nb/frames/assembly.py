"""Typed chunks → one DataFrame, with peak memory near one frame: the one assembler of CRM pulls
(``assemble``: each id once, in id order) and marketing pages (``assemble_pages``: sorted by a column).

A pull types its records in chunks, so the raw JSON never piles up; at the end those chunks become
one frame. Done naively (concatenate, then sort) that holds the chunks, the concatenation and the
sorted copy at once: three frames. Here the rows' final order is worked out first, then each
column is copied once, straight into that order, its chunk pieces dropped right after and the
freed memory handed back to the OS (``_fast.release_free_memory``), so at any moment memory
holds about one frame plus one column.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals

from . import _fast
from .convert import all_integral, integers

if TYPE_CHECKING:
    from .catalogue import Catalogue


def assemble(parts: list[pd.DataFrame], catalogue: Catalogue | None, *, by_id: bool = True) -> pd.DataFrame:
    """Typed chunks → one frame: each id once (first seen), ascending ids (``by_id``) or as they came.

    Peak memory is what this is about (a 100,000-row pull holds its chunks, then builds the frame):
    each final column is made with one allocation from runs of rows already in final order (chunks
    typed with their records sorted by id make a few long runs each), its chunk pieces are dropped
    at once and the freed memory handed back to the OS before the next column, so the chunks and
    the frame never both sit in memory whole. ``parts`` is emptied.
    """
    if not parts:
        raise ValueError("assemble needs at least one chunk (an empty pull still yields an empty one)")
    ids, order = _first_ids(parts, by_id)
    rows = _runs(order, [len(p) for p in parts])  # how the frame's rows come out of the chunks
    del order
    return _build(parts, list(parts[0].columns), rows, lambda: _id_index(ids), narrow_numbers=True)


def assemble_pages(
    pages: list[pd.DataFrame],
    *,
    leading: Sequence[str] = (),
    categories: Iterable[str] = (),
    sort_by: str | None = None,
) -> pd.DataFrame:
    """Per-page frames → one frame, built a column at a time, like ``assemble``. **Consumes** ``pages``.

    Columns: ``leading`` first, then any others (present in some pages only, empty elsewhere)
    sorted by name. ``categories`` columns become categorical (pages' own categories are united,
    sorted). ``sort_by``: rows ordered by that column, then by index, so the same rows always give
    the same frame whatever order pages came in; else in page order. No ids are dropped.
    """
    if not pages:
        return pd.DataFrame()
    extra = sorted({c for f in pages for c in f.columns} - set(leading))
    names = [c for c in dict.fromkeys([*leading, *extra]) if any(c in f.columns for f in pages)]
    index = pages[0].index.append([f.index for f in pages[1:]]) if len(pages) > 1 else pages[0].index
    lengths = [len(f) for f in pages]
    rows: list[tuple[int, int, int]] | np.ndarray = [(k, 0, n) for k, n in enumerate(lengths) if n]
    if sort_by is not None:
        keys = pd.concat([f[sort_by] for f in pages], ignore_index=True)
        both = pd.DataFrame({"key": keys, "id": index.to_numpy()}, copy=False)
        order = both.sort_values(["key", "id"], kind="stable").index.to_numpy()
        del keys, both
        rows = _runs(order, lengths)
        index = index.take(order)
    for name in names:  # a column some pages lack: all missing there, in the dtype of the first that has it
        template = next(f[name] for f in pages if name in f.columns)
        for f in pages:
            if name not in f.columns:
                f[name] = template.iloc[:0].reindex(range(len(f))).array
    frame = _build(pages, names, rows, lambda: index, narrow_numbers=False, sort_categories=True)
    for name in dict.fromkeys(categories):
        if name in frame.columns and not isinstance(frame[name].dtype, pd.CategoricalDtype):
            frame[name] = frame[name].astype("category")
    return frame


def _build(
    parts: list[pd.DataFrame],
    columns: list[str],
    rows: list[tuple[int, int, int]] | np.ndarray,
    index: Any,
    *,
    narrow_numbers: bool,
    sort_categories: bool = False,
) -> pd.DataFrame:
    """The frame of ``columns``, each gathered from ``parts`` by ``rows`` (runs or positions) in one
    allocation, the parts' pieces dropped as they are copied. ``index()`` is made last: made earlier,
    it would sit next to every chunk still to copy. ``parts`` is emptied."""
    # The pull's freed network buffers and the sorting temporaries: released before the columns'
    # allocations, which would not fit in their holes.
    _fast.release_free_memory()
    # Column arrays out of the chunk frames first: deleting columns from a DataFrame one by one
    # costs O(columns) each, which a wide pull would feel.
    pieces_by_part = [{name: p[name].array for name in columns} for p in parts]
    positions = _positions(rows, [len(p) for p in parts])
    parts.clear()
    data: dict[str, Any] = {}
    # A trim walks the whole heap: after every column of a narrow frame, where columns are big, but
    # only every few percent of the columns of a wide one, whose columns are small and many (a trim
    # per column would cost more than it returns).
    trim_every = max(1, len(columns) // TRIMS_PER_FRAME)
    for k, name in enumerate(columns, start=1):
        column = _gather([d.pop(name) for d in pieces_by_part], rows, positions, sort_categories)
        data[name] = narrow(column) if narrow_numbers else column
        if k % trim_every == 0:
            _fast.release_free_memory()  # the pieces: back to the OS, not kept by malloc
    return pd.DataFrame(data, index=index(), copy=False)  # copy=False: the default copies every column


TRIMS_PER_FRAME = 32


def _runs(order: np.ndarray, lengths: list[int]) -> list[tuple[int, int, int]] | np.ndarray:
    """``order`` (positions into the stacked chunks) as runs ``(chunk, start, stop)`` of consecutive
    rows of one chunk; ``order`` itself when there are so many runs that a take is cheaper."""
    if not len(order):
        return []
    starts = np.cumsum([0, *lengths])
    part = np.searchsorted(starts, order, side="right") - 1
    breaks = np.flatnonzero((np.diff(order) != 1) | (np.diff(part) != 0)) + 1
    if len(breaks) > max(256, len(order) // 64):  # chunks not sorted by id: thousands of tiny runs
        return order
    bounds = [0, *breaks.tolist(), len(order)]
    out = []
    for a, b in itertools.pairwise(bounds):
        k = int(part[a])
        lo = int(order[a] - starts[k])
        out.append((k, lo, lo + b - a))
    return out


def _positions(rows: list[tuple[int, int, int]] | np.ndarray, lengths: list[int]) -> np.ndarray | None:
    """The rows as positions into the stacked pieces, when there are more runs than pieces (then
    one concat and a take beats concatenating every run: pandas builds a Series per run); else None."""
    if isinstance(rows, np.ndarray):
        return rows
    if len(rows) <= len(lengths):
        return None
    starts = np.cumsum([0, *lengths])
    return np.concatenate([np.arange(starts[k] + a, starts[k] + b) for k, a, b in rows])


def _gather(
    pieces: list[Any],
    rows: list[tuple[int, int, int]] | np.ndarray,
    positions: np.ndarray | None,
    sort_categories: bool,
) -> Any:
    """One column's chunk pieces → the final column: Arrow strings copied run by run (one
    allocation, each piece dropped once copied); other columns by ``positions`` (a concat of the
    pieces, then a take) or, with few runs, by concatenating the runs."""
    first = pieces[0]
    if all(isinstance(p, pd.Categorical) for p in pieces):  # pieces may differ: codes into the union
        union = union_categoricals(
            [p[:0] for p in pieces], sort_categories=sort_categories, ignore_order=True
        )
        codes_in_union = [_codes_in(p, union.categories) for p in pieces]
        codes = _gather(codes_in_union, rows, positions, sort_categories)
        return pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(union.categories))
    if not isinstance(rows, np.ndarray) and rows and isinstance(first, pd.arrays.ArrowStringArray):
        arrays = [_fast.arrow_strings(p) for p in pieces] if _fast.enabled() else []
        if arrays and all(a is not None and a.type == arrays[0].type for a in arrays):
            pieces.clear()  # the arrays alone hold the pieces now: each goes once copied
            return pd.array(_fast.gather_strings(arrays, rows), dtype=first.dtype)
    if positions is not None:
        return _concat(pieces).take(positions)
    assert not isinstance(rows, np.ndarray)  # an array of rows is its own positions
    return _concat([pieces[k][a:b] for k, a, b in rows] or [first[:0]])


def _concat(arrays: list[Any]) -> Any:
    """Arrays → one array in one allocation (Arrow's own concat leaves them chunked); arrays of
    different dtypes (a page's integers, another's floats) as ``pd.concat`` unites them."""
    if all(isinstance(a, np.ndarray) for a in arrays):
        return np.concatenate(arrays)
    if isinstance(arrays[0], pd.arrays.ArrowExtensionArray) and all(
        a.dtype == arrays[0].dtype for a in arrays
    ):
        chunks = [_fast.arrow_strings(a) for a in arrays]
        if all(c is not None for c in chunks):
            return pd.array(_fast.concat(chunks, chunks[0].type), dtype=arrays[0].dtype)
    return pd.concat([pd.Series(a, copy=False) for a in arrays], ignore_index=True).array


def _codes_in(piece: pd.Categorical, categories: pd.Index) -> np.ndarray:
    """A chunk's codes as codes into ``categories``, in the dtype pandas gives that many categories."""
    dtype = next(t for t in (np.int8, np.int16, np.int32, np.int64) if len(categories) < np.iinfo(t).max)
    if piece.categories.equals(categories):
        same: np.ndarray = piece.codes.astype(dtype, copy=False)
        return same
    position = np.append(categories.get_indexer(piece.categories), -1)  # [-1]: missing stays missing
    moved: np.ndarray = position[piece.codes].astype(dtype)
    return moved


def narrow(column: Any) -> Any:
    """A Float64 column that turned out all integral becomes ``Int64`` (chunks keep Float64 so
    they all share one schema)."""
    if not isinstance(column, pd.arrays.FloatingArray):
        return column
    values = column.to_numpy(dtype="float64", na_value=0.0)  # missing as 0: integral, and dropped next
    if not all_integral(values):
        return column
    return integers(values, column.isna())


def _first_ids(parts: list[pd.DataFrame], by_id: bool) -> tuple[np.ndarray, np.ndarray]:
    """The final ids and the positions (into the stacked chunks) they come from: each id's first
    occurrence, ascending by numeric id (``by_id``) or in arrival order.

    HubSpot ids are integers in strings: they are handled as int64 here, never as 100,000 Python
    strings, which would cost more memory than the frame's own index.
    """
    try:
        ids = np.empty(sum(len(p) for p in parts), dtype=np.int64)  # filled in place: no list of copies
        at = 0
        for p in parts:
            ids[at : at + len(p)] = p.index.astype("int64").to_numpy()
            at += len(p)
    except (TypeError, ValueError, OverflowError):  # non-numeric ids: keep them as text
        ids = np.concatenate([p.index.to_numpy(dtype=object) for p in parts]).astype(str)
    # np.unique(return_index=True), with fewer id-sized temporaries alive at once.
    perm = np.argsort(ids, kind="stable")  # stable: of equal ids, the first copy comes first
    ids = ids[perm]
    keep = np.empty(len(ids), dtype=bool)
    keep[:1] = True
    np.not_equal(ids[1:], ids[:-1], out=keep[1:])
    order = perm[keep]
    del perm
    ids = ids[keep]
    if not by_id:  # arrival order
        arrival = np.argsort(order, kind="stable")
        order, ids = order[arrival], ids[arrival]
    return ids, order


def _id_index(ids: np.ndarray) -> pd.Index:
    if ids.dtype.kind != "i":
        return pd.Index(ids, name="id", dtype="string")
    # Straight to the large strings pandas stores (a plain cast would be converted once more).
    return pd.Index(pd.array(_fast.id_strings(ids), dtype="string"), name="id")
