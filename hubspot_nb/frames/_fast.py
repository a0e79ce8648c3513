"""The speed machinery, fenced: Arrow fast paths, the memory-pool switch and ``malloc_trim``.

A wide pull is millions of values; read one by one in Python that is seconds of CPU under the GIL,
while the fetch threads need it too. Here pages are parsed by Arrow's JSON reader without the GIL
(``page_columns``) or each column is turned into one Arrow string array, and read with vectorised
casts and lookups, and the memory a pull frees is handed back to the OS
(measured figures: ``benchmarks/README.md``, "Why the fast paths are there").

Everything here can be switched off: ``HUBSPOT_NB_FAST=0`` in the environment (read at every call,
see ``enabled``) makes every fast path answer "not here" and the pool switch and trims do nothing,
so the plain numpy/pandas code in ``frames`` does all the work and gives equal frames.

Every function returns ``None`` when the column holds anything it cannot read *exactly* as the
pandas path in ``frames`` does (a non-string value, a number with spaces, a naive timestamp mixed
with zoned ones, …); ``frames`` then falls back to that path, so the typing rules keep one
definition and the fast path only ever agrees with it. Returns numpy/Arrow values; ``frames``
builds the pandas objects (only it imports pandas).
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import os
import sys
import threading
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

try:  # optional (the parquet extra): without it ``frames`` uses its pandas path throughout
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.json as pajson
except ImportError:  # pragma: no cover
    pa = None
    pc = None
    pajson = None

_NS = 1_000_000  # nanoseconds per millisecond
# A run of digits is a millisecond epoch (HubSpot's older format) only where pandas' ISO 8601 parser
# would not read it as a date first ("2024", "20240102"), and only up to 13 digits: datetime64[ns]
# ends in 2262 (longer runs go to pandas, which makes them NaT).
_EPOCH_MS = r"^-?\d{9,13}$"
_MAX_MS = np.iinfo(np.int64).max // _NS


def enabled() -> bool:
    """Whether the fast paths run: pyarrow is installed and ``HUBSPOT_NB_FAST`` is not ``0``
    (or ``false``/``no``/``off``). Read at every call, so a test or a notebook can flip it."""
    if pa is None:
        return False
    return os.environ.get("HUBSPOT_NB_FAST", "1").strip().lower() not in ("0", "false", "no", "off")


def property_strings(records: Sequence[Any], names: Sequence[str]) -> list[Any] | None:
    """Each of ``names`` as an Arrow string array (None where a record lacks it), read straight off
    the records' ``properties`` dicts in one C++ pass, about twice as fast as picking the values
    into numpy object columns and converting those.
    None when switched off or a value is not a string (the caller takes the numpy path)."""
    if not names or not enabled():
        return None
    row_type = pa.struct([pa.field(name, pa.string()) for name in names])
    try:
        rows = pa.array([r.get("properties") or {} for r in records], type=row_type)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError):
        return None
    return [rows.field(i) for i in range(len(names))]


RECORD_STRINGS = ("id", "createdAt", "updatedAt", "archivedAt")


def page_columns(body: bytes, names: Sequence[str]) -> dict[str, Any] | None:
    """A list or search page's JSON body read straight into Arrow columns, with the GIL released.

    orjson's dicts and then ``property_strings`` cost the GIL ~25 ms for a page of 200 records of
    500 properties, while the fetch threads and the typing all wait for it; Arrow's JSON reader
    parses in C++ without it. Returns ``{"records": {"id", "createdAt", "updatedAt", "archivedAt",
    "archived": Arrow arrays}, "properties": [one Arrow string array per name], "after": str | None,
    "total": int | None}``, or None when switched off or the body is not plainly that shape (a
    property value that is not a string, a repeated key, a record without properties, a cut-off
    body): the caller then parses it as JSON, which also tells whether it is whole."""
    if not names or not enabled():
        return None
    options = pajson.ParseOptions(
        explicit_schema=_page_schema(tuple(names)), unexpected_field_behavior="ignore"
    )
    try:
        table = pajson.read_json(
            pa.BufferReader(body),
            read_options=pajson.ReadOptions(block_size=len(body) + 1, use_threads=False),
            parse_options=options,
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    results = table.column("results")
    if table.num_rows != 1 or results.null_count:
        return None  # more than one JSON value, or no "results"
    records = results.chunk(0).flatten()
    properties = records.field("properties")
    if records.null_count or records.field("id").null_count or properties.null_count:
        return None  # a null record, or one without an id or properties: the ordinary path says so
    paging = table.column("paging")[0].as_py() or {}
    return {
        "records": {key: records.field(key) for key in (*RECORD_STRINGS, "archived")},
        "properties": [properties.field(i) for i in range(len(names))],
        "after": (paging.get("next") or {}).get("after"),
        "total": table.column("total")[0].as_py(),
    }


@functools.lru_cache(maxsize=16)
def _page_schema(names: tuple[str, ...]) -> Any:
    """The Arrow schema of a list or search page naming ``names`` (every value read as a string)."""
    record = pa.struct(
        [
            *(pa.field(key, pa.string()) for key in RECORD_STRINGS),
            pa.field("archived", pa.bool_()),
            pa.field("properties", pa.struct([pa.field(name, pa.string()) for name in names])),
        ]
    )
    paging = pa.struct([pa.field("next", pa.struct([pa.field("after", pa.string())]))])
    return pa.schema(
        [pa.field("results", pa.list_(record)), pa.field("paging", paging), pa.field("total", pa.int64())]
    )


def strings(values: Sequence[Any] | np.ndarray) -> Any:
    """The column as an Arrow string array, "" and None both null; None if a value is not a str.
    ``values`` may already be an Arrow string array (``property_strings``). None when switched off."""
    if not enabled():
        return None
    if isinstance(values, pa.Array):
        arr = values
    else:
        try:
            arr = pa.array(values, type=pa.string())
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError):
            return None
    empty = pc.equal(arr, "")
    if pc.any(empty).as_py():
        arr = pc.if_else(empty, pa.scalar(None, pa.string()), arr)
    return arr


def numbers(arr: Any) -> np.ndarray | None:
    """float64 with NaN for missing, or None if a value is not a plain number literal."""
    try:
        floats: np.ndarray = pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False)
        return floats
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None


def _iso(arr: Any) -> np.ndarray | None:
    """ISO 8601 strings, all zoned (→ UTC) or all naive (read as UTC), as datetime64[ns]."""
    for target in (pa.timestamp("ns", "UTC"), pa.timestamp("ns")):
        try:
            parsed = pc.cast(arr, target)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            continue
        # Nulls filled before leaving Arrow: a null would turn the whole column into float64.
        instants: np.ndarray = pc.fill_null(parsed.cast(pa.int64()), 0).to_numpy().astype("datetime64[ns]")
        return instants
    return None


def instants(arr: Any) -> np.ndarray | None:
    """datetime64[ns] (UTC, naive) with NaT for missing: ISO strings and millisecond epochs."""
    if arr.null_count == len(arr):
        return np.full(len(arr), np.datetime64("NaT"), dtype="datetime64[ns]")
    epoch = pc.fill_null(pc.match_substring_regex(arr, _EPOCH_MS), False)
    if not pc.any(epoch).as_py():
        return _with_nat(_iso(arr), arr)
    rest = pc.if_else(epoch, pa.scalar(None, pa.string()), arr)
    out = _iso(rest) if rest.null_count < len(rest) else np.zeros(len(arr), dtype="datetime64[ns]")
    if out is None:
        return None
    out = _with_nat(out, rest)
    assert out is not None
    take = epoch.to_numpy(zero_copy_only=False)
    ms = pc.fill_null(pc.cast(pc.if_else(epoch, arr, pa.scalar(None, pa.string())), pa.int64()), 0)
    ms_values = ms.to_numpy()[take]
    if len(ms_values) and np.abs(ms_values).max() >= _MAX_MS:
        return None
    out[take] = (ms_values * _NS).astype("datetime64[ns]")
    return out


def _with_nat(out: np.ndarray | None, arr: Any) -> np.ndarray | None:
    if out is None:
        return None
    if arr.null_count:
        out[pc.is_null(arr).to_numpy(zero_copy_only=False)] = np.datetime64("NaT")
    return out


def flags(arr: Any) -> tuple[np.ndarray, np.ndarray]:
    """(values, missing) for "true"/"false" in any case and "1"/"0"; anything else missing."""
    lower = pc.utf8_lower(arr)
    is_true = pc.is_in(lower, value_set=pa.array(["true", "1"]))
    is_false = pc.is_in(lower, value_set=pa.array(["false", "0"]))
    values = is_true.to_numpy(zero_copy_only=False)
    missing = ~(values | is_false.to_numpy(zero_copy_only=False))
    return values, missing


def encoded(arr: Any) -> tuple[np.ndarray, list[str]]:
    """(codes, distinct values): codes index the distinct values in first-seen order, -1 = missing."""
    enc = pc.dictionary_encode(arr)
    codes = pc.fill_null(enc.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    return codes, enc.dictionary.to_pylist()


_pool_lock = threading.Lock()
_pool_users = 0
_pool_before: Any = None


@contextlib.contextmanager
def system_pool() -> Iterator[None]:
    """Arrow allocations inside go to the system allocator (malloc); the default pool is restored after.

    A pull types many small chunks and concatenates them: Arrow's default mimalloc pool keeps the
    freed pages of those short-lived buffers cached, where malloc reuses them. Buffers remember their
    pool, so arrays made inside stay valid after the default is restored.

    The default pool belongs to the whole process, so concurrent pulls share one switch, counted
    under a lock: the first to enter switches, the last to leave restores. Nothing when switched off.
    """
    global _pool_users, _pool_before
    if not enabled():
        yield
        return
    with _pool_lock:
        if _pool_users == 0:
            _pool_before = pa.default_memory_pool()
            pa.set_memory_pool(pa.system_memory_pool())
        _pool_users += 1
    try:
        yield
    finally:
        with _pool_lock:
            _pool_users -= 1
            if _pool_users == 0:
                pa.set_memory_pool(_pool_before)
                _pool_before = None


def is_arrow(column: Any) -> bool:
    return pa is not None and isinstance(column, pa.Array)


def arrow_strings(column: Any) -> Any:
    """A pandas Arrow-backed column as one Arrow array, through the public ``__arrow_array__``
    protocol (no pandas internals); None when switched off or the column is not Arrow-backed."""
    if not enabled() or not hasattr(column, "__arrow_array__"):
        return None
    chunked = column.__arrow_array__()
    if isinstance(chunked, pa.ChunkedArray):
        return chunked.chunk(0) if chunked.num_chunks == 1 else chunked.combine_chunks()
    return chunked


def id_strings(ids: np.ndarray) -> Any:
    """int64 ids as text: straight to the large strings pandas stores when on (a plain cast would be
    converted once more), numpy strings otherwise."""
    if not enabled():
        return ids.astype(str)
    return pa.array(ids).cast(pa.large_string())


def concat(chunks: Sequence[Any], type: Any) -> Any:
    """Arrow arrays → one array, in one allocation (a chunked array would keep every chunk)."""
    return pa.concat_arrays(chunks) if chunks else pa.array([], type=type)


def release_free_memory() -> None:
    """Hand memory that C ``malloc`` holds freed back to the OS (glibc's ``malloc_trim``; elsewhere
    nothing; nothing either when switched off).

    Assembling a frame frees a column's many chunk pieces, a few KB each, scattered through the
    heap between the other columns' pieces: glibc keeps such holes for reuse, but the next, larger
    column does not fit in them, so without this the chunks and the frame would both stay resident.
    """
    if not enabled():
        return
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim() -> Any:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None).malloc_trim  # the C library this interpreter runs on
    except (OSError, AttributeError):  # musl and others have no malloc_trim
        return None


def gather_strings(pieces: list[Any], runs: Sequence[tuple[int, int, int]]) -> Any:
    """Rows of string arrays, run by run (``(piece, start, stop)`` in output order) → one large_string
    array, written piece by piece into buffers allocated once: each piece is dropped (its slot in
    ``pieces`` set to None) as soon as its runs are copied, so memory holds the pieces not yet
    copied plus the output so far, never all pieces and a whole second copy (``concat_arrays``)."""
    lengths = np.array([b - a for _, a, b in runs], dtype=np.int64)
    first_row = np.concatenate([[0], np.cumsum(lengths)])
    offsets: list[Any] = [_offsets(p) for p in pieces]  # Any: slots are set to None once copied
    sizes = np.array([offsets[k][b] - offsets[k][a] for k, a, b in runs], dtype=np.int64)
    first_byte = np.concatenate([[0], np.cumsum(sizes)])
    rows = int(first_row[-1])
    out_offsets = np.empty(rows + 1, dtype=np.int64)
    out_data = np.empty(int(first_byte[-1]), dtype=np.uint8)
    valid = np.ones(rows, dtype=bool) if any(p.null_count for p in pieces) else None
    by_piece: dict[int, list[int]] = {}
    for r, (k, _, _) in enumerate(runs):
        by_piece.setdefault(k, []).append(r)
    freed = 0
    for k, run_ids in sorted(by_piece.items()):
        piece, offs = pieces[k], offsets[k]
        buffer = piece.buffers()[2]  # None when every value of the piece is empty or null
        data: Any = np.frombuffer(buffer, dtype=np.uint8) if buffer is not None else None
        flags: Any = _validity(piece) if valid is not None and piece.null_count else None
        for r in run_ids:
            _, a, b = runs[r]
            row, byte = int(first_row[r]), int(first_byte[r])
            out_offsets[row : row + b - a] = offs[a:b] - offs[a] + byte
            if sizes[r]:  # bytes to copy: so the piece has a data buffer
                out_data[byte : byte + sizes[r]] = data[offs[a] : offs[b]]
            if flags is not None and valid is not None:
                valid[row : row + b - a] = flags[a:b]
        freed += int(offs[-1] - offs[0]) + offs.nbytes  # (piece.nbytes: measured to leave RSS behind)
        pieces[k] = offsets[k] = piece = data = flags = None  # this piece is copied: let it go
        if freed > 1 << 20:  # every MB or so: small pieces leave holes malloc would keep
            release_free_memory()
            freed = 0
    out_offsets[rows] = first_byte[-1]
    bitmap = None if valid is None else pa.py_buffer(np.packbits(valid, bitorder="little"))
    nulls = 0 if valid is None else rows - int(np.count_nonzero(valid))
    buffers = [bitmap, pa.py_buffer(out_offsets), pa.py_buffer(out_data)]
    return pa.Array.from_buffers(pa.large_string(), rows, buffers, null_count=nulls)


def _validity(arr: Any) -> np.ndarray:
    """An array's validity as bools, unpacked with numpy (``is_valid().to_numpy()`` measured to leave
    RSS behind that no trim returns: outside the system pool, it seems)."""
    bits = np.frombuffer(arr.buffers()[0], dtype=np.uint8)
    return np.unpackbits(bits, count=arr.offset + len(arr), bitorder="little")[arr.offset :].view(bool)


def _offsets(arr: Any) -> np.ndarray:
    """A large_string array's row offsets into its data buffer (n + 1 of them, slicing applied)."""
    return np.frombuffer(arr.buffers()[1], dtype=np.int64)[arr.offset : arr.offset + len(arr) + 1]
