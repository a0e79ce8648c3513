"""Typed chunks → one DataFrame, with peak memory near one frame (``frames.assemble``).

A pull types its records in chunks (``crm``), so the raw JSON never piles up; at the end
those chunks become one frame, each id once, in id order. Done naively (concatenate, then sort)
that holds the chunks, the concatenation and the sorted copy at once: three frames. Here each
column is copied once, straight into its final order, its chunk pieces dropped right after and the
freed memory handed back to the OS (``arrow_columns.release_free_memory``), so at any moment memory
holds about one frame plus one column.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals

from . import _fast as arrow_columns

try:  # optional (the parquet extra)
    import pyarrow as pa
except ImportError:  # pragma: no cover
    pa = None

if TYPE_CHECKING:
    from .convert import Catalogue


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
    # The pull's freed network buffers and the sorting temporaries above: released before the
    # columns' allocations, which would not fit in their holes.
    arrow_columns.release_free_memory()
    columns = list(parts[0].columns)
    # Column arrays out of the chunk frames first: deleting columns from a DataFrame one by one
    # costs O(columns) each, which a 1,500-property pull would feel.
    pieces_by_part = [{name: p[name].array for name in columns} for p in parts]
    parts.clear()
    data: dict[str, Any] = {}
    # A trim walks the whole heap (a few ms): after every column of a narrow frame, where columns
    # are big, but only every ~3 % of the columns of a wide one (347 trims cost a 347-property
    # pull 0.7 s; its columns are small, so a few of them freed before a trim change little).
    trim_every = max(1, len(columns) // TRIMS_PER_FRAME)
    for k, name in enumerate(columns, start=1):
        data[name] = narrow(_gather([d.pop(name) for d in pieces_by_part], rows))
        if k % trim_every == 0:
            arrow_columns.release_free_memory()  # the pieces: back to the OS, not kept by malloc
    index = _id_index(ids)  # last: made earlier, it would sit next to every chunk still to copy
    return pd.DataFrame(data, index=index, copy=False)  # copy=False: the default copies every column


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


def _gather(pieces: list[Any], rows: list[tuple[int, int, int]] | np.ndarray) -> Any:
    """One column's chunk pieces → the final column, in one allocation: rows by runs, or by
    position when ``rows`` is an array (a concat, then a take)."""
    first = pieces[0]
    if isinstance(first, pd.Categorical):  # chunks may add different extras: codes into the union
        categories = union_categoricals([p[:0] for p in pieces]).categories
        codes = _gather([_codes_in(p, categories) for p in pieces], rows)
        return pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(categories))
    if isinstance(rows, np.ndarray):
        return _concat(pieces).take(rows)
    if rows and isinstance(first, pd.arrays.ArrowStringArray):  # the big columns: copied piece by piece
        arrays = [_one_chunk(p._pa_array) for p in pieces]
        pieces.clear()  # the arrays alone hold the pieces now: each goes once copied
        return pd.array(arrow_columns.gather_strings(arrays, rows), dtype=first.dtype)
    return _concat([pieces[k][a:b] for k, a, b in rows] or [first[:0]])


def _one_chunk(chunked: Any) -> Any:
    return chunked.chunk(0) if chunked.num_chunks == 1 else chunked.combine_chunks()


def _concat(arrays: list[Any]) -> Any:
    """Arrays of one type → one array in one allocation (Arrow's own concat leaves them chunked)."""
    if isinstance(arrays[0], np.ndarray):
        return np.concatenate(arrays)
    if isinstance(arrays[0], pd.arrays.ArrowExtensionArray):
        chunks = [c for a in arrays for c in a._pa_array.chunks]
        return pd.array(arrow_columns.concat(chunks, arrays[0]._pa_array.type), dtype=arrays[0].dtype)
    return type(arrays[0])._concat_same_type(arrays)


def _codes_in(piece: pd.Categorical, categories: pd.Index) -> np.ndarray:
    """A chunk's codes as codes into ``categories``, in the dtype pandas gives that many categories."""
    dtype = next(t for t in (np.int8, np.int16, np.int32, np.int64) if len(categories) < np.iinfo(t).max)
    if piece.categories.equals(categories):
        return piece.codes.astype(dtype, copy=False)
    position = np.append(categories.get_indexer(piece.categories), -1)  # [-1]: missing stays missing
    return position[piece.codes].astype(dtype)


def narrow(column: Any) -> Any:
    """A Float64 column that turned out all integral becomes ``Int64`` (chunks keep Float64 so
    they all share one schema): one new int64 array, not the three of ``astype``."""
    if not isinstance(column, pd.arrays.FloatingArray):
        return column
    data, mask = column._data, column._mask
    if not all_integral(data[~mask]):
        return column
    with np.errstate(invalid="ignore"):  # masked slots may hold NaN: they are zeroed next
        ints = data.astype(np.int64)
    ints[mask] = 0
    return pd.arrays.IntegerArray(ints, mask.copy())  # (a shared mask would dodge copy-on-write)


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
    strings = pa.array(ids).cast(pa.large_string()) if pa is not None else ids.astype(str)
    return pd.Index(pd.array(strings, dtype="string"), name="id")


def all_integral(finite: np.ndarray) -> bool:
    # 2**53: beyond it floats cannot hold every integer, so Int64 would invent digits.
    if not np.all(np.isfinite(finite)):
        return False
    return bool(np.all(finite == np.round(finite)) and np.all(np.abs(finite) < 2**53))
