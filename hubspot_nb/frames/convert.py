"""One column of raw values → its typed pandas array: the typing rules of every frame, CRM and marketing.

A column is typed by its *kind*. CRM frames take the kind from the property catalogue
(``records.raw_to_frame``); marketing frames from a table of kinds per column (``typed_frame``):

==========  ============================================================================================
kind        pandas dtype
==========  ============================================================================================
``INT``     ``Int64`` when every present value is a whole number below 2**53, else ``Float64``
            (beyond 2**53 a float cannot hold every integer: Int64 would invent digits)
``FLOAT``   ``Float64``
``UTC``     ``datetime64[ns, UTC]``: ISO strings (zoned or naive, naive read as UTC) and millisecond
            epochs (digit strings or JSON numbers)
``DATE``    ``datetime64[ns]`` at midnight: a calendar day, no time zone
``BOOL``    ``boolean``: ``true``/``false`` in any case, ``1``/``0`` and JSON booleans; else missing
``STR``     ``string`` (non-text values as their ``str``)
``CAT``     ``category`` of the text, categories sorted
``OBJ``     the values as they are (``object``: lists, dicts)
==========  ============================================================================================

CRM enumerations take their categories from the catalogue (``to_category``); checkbox enumerations
become a list of values per cell (``to_multi``). Unset and empty values are missing (``<NA>``/``NaT``),
never the string "None" or "". Conversion is one whole column at a time, vectorised: the Arrow fast
paths (``_fast``) when they are on and can read the column exactly, the numpy/pandas code here
otherwise; both give equal arrays.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from . import _fast
from .catalogue import PropertyInfo
from .raw_columns import objects

# Column kinds (``typed_column``, ``typed_frame``).
STR, CAT, INT, FLOAT, BOOL, UTC, DATE, OBJ = "str", "cat", "int", "float", "bool", "utc", "date", "obj"
_BOOL_VALUES = {"true": True, "false": False, "1": True, "0": False}  # keys lower case


def _objects(values: Any) -> np.ndarray:
    """A column as a 1-D numpy object array (from a list, a Series, an array or an Arrow array)."""
    if isinstance(values, pd.Series):
        values = values.to_numpy(dtype=object)
    return objects(values)


def present_cells(values: np.ndarray) -> np.ndarray:
    """Mask of cells that hold a real value (not None, not ""). JSON gives only str or None,
    so plain comparisons do (much cheaper than ``pd.notna`` on object arrays)."""
    present: np.ndarray = (values != None) & (values != "")  # noqa: E711 - elementwise on an object array
    return present


def all_integral(finite: np.ndarray) -> bool:
    """Every value a whole number that float64 holds exactly (below 2**53)."""
    if not np.all(np.isfinite(finite)):
        return False
    return bool(np.all(finite == np.round(finite)) and np.all(np.abs(finite) < 2**53))


def integers(nums: np.ndarray, missing: np.ndarray) -> pd.arrays.IntegerArray:
    """float64 values known to be integral → ``Int64``, built from data and mask: casting a masked
    NaN to int64 would make numpy warn in the user's notebook."""
    with np.errstate(invalid="ignore"):
        ints = np.where(missing, 0, nums).astype(np.int64)
    return pd.arrays.IntegerArray(ints, missing)


def to_number(values: Any, *, integral_to_int: bool = True) -> pd.api.extensions.ExtensionArray:
    """``Float64``; ``Int64`` with ``integral_to_int`` when every present value is integral (``INT``)."""
    arr = _fast.strings(values)
    nums = _fast.numbers(arr) if arr is not None else None
    if nums is None:
        nums = pd.to_numeric(pd.Series(_objects(values)), errors="coerce").to_numpy(dtype="float64")
    missing = np.isnan(nums)
    if integral_to_int and all_integral(nums[~missing]):
        return integers(nums, missing)
    return pd.array(nums, dtype="Float64")


def _epoch_strings(values: np.ndarray) -> np.ndarray:
    """JSON numbers (millisecond epochs) as digit strings, the form read as epochs (pandas deprecates
    parsing numbers with a format); NaN → missing. Columns of strings come back as they are."""
    numbers = [i for i, v in enumerate(values) if isinstance(v, (int, float)) and not isinstance(v, bool)]
    if not numbers:
        return values
    out = values.copy()
    for i in numbers:
        out[i] = str(int(out[i])) if out[i] == out[i] else None
    return out


def _parse_instants(values: Any) -> np.ndarray:
    """datetime64[ns] (UTC, naive) for ISO strings and ms epochs; NaT where unset/invalid.

    One vectorised ISO pass over everything; what it could not read and looks like an integer is
    read as milliseconds since the epoch (HubSpot's older format) in a second pass. Arrow reads
    the usual columns (all zoned ISO, all dates, epochs) in C; anything else takes the pandas path.
    """
    arr = _fast.strings(values)  # (None when a value is not a string, e.g. a JSON number)
    fast = _fast.instants(arr) if arr is not None else None
    if fast is not None:
        return fast
    values = _epoch_strings(_objects(values))
    out = np.full(len(values), np.datetime64("NaT"), dtype="datetime64[ns]")
    present = present_cells(values)
    if not present.any():
        return out
    idx = np.flatnonzero(present)
    # Strings only: pandas reads numbers given with a format as epochs in future versions.
    strings = pd.Series([v if isinstance(v, str) else str(v) for v in values[idx]], dtype=object)
    parsed = pd.to_datetime(strings, utc=True, format="ISO8601", errors="coerce")
    out[idx] = parsed.dt.tz_convert(None).to_numpy(dtype="datetime64[ns]")
    missed = np.flatnonzero(parsed.isna().to_numpy())
    if len(missed):
        ms = pd.to_numeric(strings.iloc[missed], errors="coerce")
        epoch = pd.to_datetime(ms, unit="ms", utc=True, errors="coerce")
        out[idx[missed]] = epoch.dt.tz_convert(None).to_numpy(dtype="datetime64[ns]")
    return out


def to_datetime(values: Any) -> pd.DatetimeIndex:
    """``UTC``: ``datetime64[ns, UTC]``."""
    return pd.DatetimeIndex(_parse_instants(values)).tz_localize("UTC")


def to_date(values: Any) -> pd.DatetimeIndex:
    """``DATE``: ``datetime64[ns]`` at midnight."""
    # Casting to whole days floors (toward the past), as ``DatetimeIndex.floor("D")`` does, in C.
    return pd.DatetimeIndex(_parse_instants(values).astype("datetime64[D]").astype("datetime64[ns]"))


def _flag(value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    return _BOOL_VALUES.get(str(value).lower())


def to_bool(values: Any) -> pd.api.extensions.ExtensionArray:
    """``BOOL``: ``boolean``."""
    arr = _fast.strings(values)
    if arr is not None:
        flags, missing = _fast.flags(arr)
        return pd.arrays.BooleanArray(flags, missing)
    return pd.array([_flag(v) for v in _objects(values)], dtype="boolean")


def _blank_to_none(values: np.ndarray, present: np.ndarray) -> np.ndarray:
    out = values.copy()
    out[~present] = None
    return out


def _categories(info: PropertyInfo | None, labels: bool) -> tuple[list[str], dict[str, str] | None]:
    """The catalogue's categories in order (labels may repeat: kept once), and the value → label
    mapping when ``labels``."""
    options = list(info.options) if info else []
    if labels and options:
        return list(dict.fromkeys(label for _, label in options)), dict(options)
    return list(dict.fromkeys(value for value, _ in options)), None


@functools.lru_cache(maxsize=1024)
def _category_dtype(categories: tuple[str, ...]) -> pd.CategoricalDtype:
    """One dtype per category list: building it checks the categories, which every chunk of every
    enumeration column would otherwise pay again."""
    return pd.CategoricalDtype(list(categories))


def to_category(values: Any, info: PropertyInfo | None, labels: bool) -> pd.Categorical:
    """A CRM enumeration: the catalogue's options in order, then values outside them, sorted."""
    categories, mapping = _categories(info, labels)
    arr = _fast.strings(values)
    if arr is not None:  # codes from Arrow's dictionary encoding: Python only sees distinct values
        codes, distinct = _fast.encoded(arr)
        shown = [mapping.get(v, v) for v in distinct] if mapping else distinct
        known = set(categories)
        categories = categories + sorted({v for v in shown if v not in known})
        position = {c: i for i, c in enumerate(categories)}
        lookup = np.array([position[v] for v in shown] + [-1], dtype=np.int64)  # [-1]: missing
        return pd.Categorical.from_codes(lookup[codes], dtype=_category_dtype(tuple(categories)))
    values = _objects(values)
    present = present_cells(values)
    clean = _blank_to_none(values, present)
    if mapping:
        label_of = mapping
        clean = pd.Series(clean, dtype=object).map(lambda v: label_of.get(v, v) if v is not None else None)
        clean = clean.to_numpy()
    seen = pd.unique(clean[present]) if present.any() else []
    known = set(categories)
    extra = sorted(str(v) for v in seen if v not in known)  # values HubSpot sent outside the options
    return pd.Categorical(clean, categories=categories + extra)


def to_multi(values: Any, info: PropertyInfo | None, labels: bool) -> np.ndarray:
    """A CRM checkbox enumeration: a list of values per cell (HubSpot joins them with ``;``)."""
    out = np.full(len(values), None, dtype=object)
    mapping = dict(info.options) if (labels and info) else None

    def split(v: Any) -> list[str]:
        if mapping:
            return [mapping.get(x, x) for x in str(v).split(";") if x]
        return str(v).split(";")

    arr = _fast.strings(values)
    if arr is not None:  # split each distinct value once; every cell gets its own list
        codes, distinct = _fast.encoded(arr)
        lists = [split(v) for v in distinct]
        present = np.flatnonzero(codes >= 0)
        out[present] = [lists[c].copy() for c in codes[present].tolist()]
        return out
    values = _objects(values)
    present = np.flatnonzero(present_cells(values))
    out[present] = [split(v) for v in values[present]]
    return out


def to_string(values: Any) -> pd.api.extensions.ExtensionArray:
    """``STR``: ``string``; a value that is not text becomes its ``str``."""
    arr = _fast.strings(values)
    if arr is not None:
        return pd.array(arr, dtype="string")
    values = _objects(values)
    present = present_cells(values)
    text = [v if isinstance(v, str) else str(v) for v in values[present]]
    cleaned = np.full(len(values), None, dtype=object)
    cleaned[present] = text
    return pd.array(cleaned, dtype="string")


_CONVERTERS: dict[str, Callable[[Any], Any]] = {
    INT: functools.partial(to_number, integral_to_int=True),
    FLOAT: functools.partial(to_number, integral_to_int=False),
    UTC: to_datetime,
    DATE: to_date,
    BOOL: to_bool,
    STR: to_string,
}
# HubSpot property ``type`` → kind (enumerations: ``to_category``/``to_multi``; others: STR).
PROPERTY_KINDS = {"number": INT, "datetime": UTC, "date": DATE, "bool": BOOL}


def typed_array(values: Any, kind: str) -> Any:
    """One column of ``kind`` as a pandas array (``DatetimeIndex`` for instants and days)."""
    if kind == OBJ:
        return _objects(values)
    if kind == CAT:
        return pd.Series(to_string(values)).astype("category").array
    return _CONVERTERS.get(kind, to_string)(values)


def convert(
    values: Any, info: PropertyInfo | None, *, labels: bool = False, integral_to_int: bool = True
) -> Any:
    """One column of raw HubSpot strings → its typed pandas array, by the catalogue's ``type``.
    ``integral_to_int=False``: numbers stay ``Float64`` (chunks of one pull share one schema)."""
    if info is not None and info.type == "enumeration":
        return to_multi(values, info, labels) if info.multi else to_category(values, info, labels)
    kind = PROPERTY_KINDS.get(info.type, STR) if info is not None else STR
    if kind == INT and not integral_to_int:
        kind = FLOAT
    return typed_array(values, kind)


def typed_column(values: Any, kind: str) -> pd.Series:
    """One column of the given kind (STR, CAT, INT, FLOAT, BOOL, UTC, DATE, OBJ), missing kept missing."""
    if kind == OBJ:
        return pd.Series(_objects(values), dtype=object)
    return pd.Series(typed_array(values, kind))


def typed_frame(
    rows: list[dict[str, Any]] | dict[str, list[Any]],
    kinds: Mapping[str, str],
    *,
    index: str | None = "id",
    columns: Iterable[str] | None = None,
) -> pd.DataFrame:
    """A frame from rows (or column lists), each column typed by ``kinds`` (unknown → string).

    ``columns`` fixes the leading column order (missing ones are created empty, so every frame of a
    kind has the same columns even when a source left fields out); other fields follow.
    """
    if isinstance(rows, dict):
        data = rows
        n = len(next(iter(data.values()))) if data else 0
    else:
        keys = list(dict.fromkeys(key for row in rows for key in row))  # first-seen order
        data = {key: [row.get(key) for row in rows] for key in keys}
        n = len(rows)
    order = list(dict.fromkeys([*(columns or ()), *data]))
    out = {}
    for name in order:
        values = data.get(name, [None] * n)
        out[name] = typed_column(values, kinds.get(name, STR)).reset_index(drop=True)
    frame = pd.DataFrame(out, index=pd.RangeIndex(n))
    if index and index in frame.columns:
        frame = frame.set_index(index)
        frame.index = frame.index.astype("string")
        frame.index.name = index
    return frame
