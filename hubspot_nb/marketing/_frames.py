"""Pure helpers that turn HubSpot's marketing JSON into typed pandas columns (no HTTP here).

Naming rule for every marketing frame:

* a field HubSpot sends keeps HubSpot's spelling (``createdAt``, ``submittedAt``, ``recipient``,
  ``emailCampaignId``, ``campaignName``);
* nested objects are flattened with ``_`` (``browser.name`` → ``browser_name``,
  ``location.city`` → ``location_city``, ``sentBy.id`` → ``sentBy_id``);
* columns hubspot_nb computes or renames are snake_case (``open_rate``, ``open_device_mobile``,
  ``contact_id``, ``archived``, ``new_contacts_first_touch``).

E-mail statistics (HubSpot's ``EmailStatisticsData``) become, in this order:

* counters, named as HubSpot names them, nullable integers: ``sent, delivered, open, click,
  bounce, hardbounced, softbounced, unsubscribed, spamreport, dropped, notsent, pending,
  selected, suppressed, contactslost, reply`` (plus any other counter HubSpot sends);
* ratios as **fractions 0–1** (HubSpot sends percentages; we divide by 100), nullable floats:
  ``open_rate`` (opens / delivered), ``click_rate`` (clicks / delivered), ``click_through_rate``
  (clicks / opens), ``delivered_rate``, ``bounce_rate``, ``hard_bounce_rate``,
  ``soft_bounce_rate``, ``unsubscribed_rate``, ``spam_report_rate``, ``not_sent_rate``,
  ``pending_rate``, ``contacts_lost_rate``, ``reply_rate`` (any other ``xratio`` → ``x_rate``);
* device breakdown, nullable integers: ``open_device_computer``, ``open_device_mobile``,
  ``open_device_unknown``, ``click_device_computer``, ``click_device_mobile``,
  ``click_device_unknown`` (from ``deviceBreakdown.open_device_type`` …).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals

from ..errors import InvalidInput
from ..frames import convert as frames

COUNTERS = (
    "sent",
    "delivered",
    "open",
    "click",
    "bounce",
    "hardbounced",
    "softbounced",
    "unsubscribed",
    "spamreport",
    "dropped",
    "notsent",
    "pending",
    "selected",
    "suppressed",
    "contactslost",
    "reply",
)
RATIOS = {
    "openratio": "open_rate",
    "clickratio": "click_rate",
    "clickthroughratio": "click_through_rate",
    "deliveredratio": "delivered_rate",
    "bounceratio": "bounce_rate",
    "hardbounceratio": "hard_bounce_rate",
    "softbounceratio": "soft_bounce_rate",
    "unsubscribedratio": "unsubscribed_rate",
    "spamreportratio": "spam_report_rate",
    "notsentratio": "not_sent_rate",
    "pendingratio": "pending_rate",
    "contactslostratio": "contacts_lost_rate",
    "replyratio": "reply_rate",
}
DEVICE_KINDS = ("open", "click")
DEVICES = ("computer", "mobile", "unknown")
STAT_COLUMNS: tuple[str, ...] = (
    *COUNTERS,
    *RATIOS.values(),
    *(f"{kind}_device_{device}" for kind in DEVICE_KINDS for device in DEVICES),
)

# Column kinds understood by ``typed_frame``.
STR, CAT, INT, FLOAT, BOOL, UTC, DATE, OBJ = "str", "cat", "int", "float", "bool", "utc", "date", "obj"


# -- inputs ------------------------------------------------------------------------------------------
def to_utc(value: Any, name: str = "time") -> pd.Timestamp:
    """A user-given instant as a UTC Timestamp: datetime, date, ISO string, pandas Timestamp or
    milliseconds since the epoch. Naive values are taken as UTC."""
    if isinstance(value, bool) or value is None:
        raise InvalidInput(f"{name} must be a date or time, not {value!r}.")
    try:
        if isinstance(value, (int, float)):
            ts = pd.Timestamp(int(value), unit="ms")
        elif isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            ts = pd.Timestamp(value.year, value.month, value.day)
        else:
            ts = pd.Timestamp(value)
    except (ValueError, TypeError) as exc:
        raise InvalidInput(
            f"{name}={value!r} is not a date or time I understand ({exc}). "
            "Use a datetime, a date, an ISO string like '2025-01-31' or '2025-01-31T12:00:00Z'."
        ) from None
    if pd.isna(ts):
        raise InvalidInput(f"{name} must be a date or time, not {value!r}.")
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def to_ms(ts: pd.Timestamp) -> int:
    """Milliseconds since the epoch (what HubSpot's legacy APIs take)."""
    return int(ts.value // 1_000_000)


def to_iso(ts: pd.Timestamp) -> str:
    """``2025-01-31T12:00:00.000Z`` (what HubSpot's v3 APIs take)."""
    return ts.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ts.microsecond // 1000:03d}Z"


def choose(value: str, valid: Iterable[str], name: str) -> str:
    """``value`` if it is one of ``valid`` (case-insensitively, returned as spelled in ``valid``)."""
    options = list(valid)
    for option in options:
        if str(value).lower() == option.lower():
            return option
    raise InvalidInput(f"Unknown {name} {value!r}. Valid values: {', '.join(options)}.")


# -- flattening ----------------------------------------------------------------------------------------
def flatten(record: Mapping[str, Any], prefix: str = "", skip: Iterable[str] = ()) -> dict[str, Any]:
    """Nested dicts flattened with ``_`` (``{"browser": {"name": x}}`` → ``{"browser_name": x}``).
    Lists are kept as they are; keys in ``skip`` (top level only) are left out."""
    out: dict[str, Any] = {}
    skipped = set(skip)
    for key, value in record.items():
        if not prefix and key in skipped:
            continue
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(flatten(value, f"{name}_"))
        else:
            out[name] = value
    return out


def stats_columns(stats: Mapping[str, Any] | None) -> dict[str, Any]:
    """HubSpot's ``EmailStatisticsData`` as flat columns (names in the module docstring).

    Missing statistics give missing values (not zeros): "HubSpot did not say" is not "nothing".
    """
    out: dict[str, Any] = dict.fromkeys(STAT_COLUMNS)
    if not stats:
        return out
    for name, value in (stats.get("counters") or {}).items():
        out[name] = value
    for name, value in (stats.get("ratios") or {}).items():
        column = RATIOS.get(name) or f"{name.removesuffix('ratio')}_rate"
        out[column] = None if value is None else float(value) / 100.0
    for group, counts in (stats.get("deviceBreakdown") or {}).items():
        kind = group.removesuffix("_type")  # open_device_type → open_device
        for device, value in (counts or {}).items():
            out[f"{kind}_{str(device).lower()}"] = value
    return out


def stat_kinds(columns: Iterable[str]) -> dict[str, str]:
    """Kinds for columns that came out of ``stats_columns``: ratios float, counters integer."""
    return {c: (FLOAT if c.endswith("_rate") else INT) for c in columns}


# -- typing ----------------------------------------------------------------------------------------------
# One column at a time, vectorised, with the CRM frames' converters (``frames``), so a marketing
# frame's numbers, instants, dates and text are typed exactly like a CRM frame's.
_BOOLS = {"true": True, "false": False, "1": True, "0": False}


def utc_series(values: Any) -> pd.Series:
    """Instants from ISO strings or millisecond epochs (numbers or numeric strings) as UTC; blanks → NaT."""
    return pd.Series(_instants(_objects(values)))


def _objects(values: Any) -> np.ndarray:
    raw = values.to_numpy(dtype=object) if isinstance(values, pd.Series) else values
    out = np.empty(len(raw), dtype=object)
    out[:] = list(raw)
    return out


def _instants(raw: np.ndarray) -> pd.DatetimeIndex:
    """UTC instants; JSON numbers (ms epochs) go in as digit strings, the form ``frames`` reads as
    epochs (pandas deprecates parsing numbers with a format)."""
    numbers = [i for i, v in enumerate(raw) if isinstance(v, (int, float)) and not isinstance(v, bool)]
    if numbers:
        raw = raw.copy()
        for i in numbers:
            raw[i] = str(int(raw[i])) if raw[i] == raw[i] else None  # NaN → missing
    return frames.to_datetime(raw)


def _integers(raw: np.ndarray) -> Any:
    """``Int64`` when every present value is a whole number (else ``Float64``). Built from data and
    mask directly: casting a masked NaN to int64 makes numpy warn in the user's notebook."""
    nums = pd.to_numeric(pd.Series(raw, dtype=object), errors="coerce").to_numpy(dtype="float64")
    missing = np.isnan(nums)
    present = nums[~missing]
    if not (np.all(present == np.round(present)) and np.all(np.abs(present) < 2**53)):
        return pd.array(nums, dtype="Float64")
    return pd.arrays.IntegerArray(np.where(missing, 0, nums).astype("int64"), missing)


def typed_column(values: Any, kind: str) -> pd.Series:
    """One column of the given kind (STR, CAT, INT, FLOAT, BOOL, UTC, DATE, OBJ), missing kept missing.

    DATE gives ``datetime64[ns]`` at midnight (a calendar day), as the CRM frames do.
    """
    raw = _objects(values)
    if kind == OBJ:
        return pd.Series(raw, dtype=object)
    if kind == UTC:
        return pd.Series(_instants(raw))
    if kind == DATE:
        return pd.Series(frames.to_date(raw))
    if kind == INT:
        return pd.Series(_integers(raw))
    if kind == FLOAT:
        return pd.Series(frames.to_number(raw, integral_to_int=False))
    if kind == BOOL:
        flags = [v if isinstance(v, bool) or v is None else _BOOLS.get(str(v).lower()) for v in raw]
        return pd.Series(flags, dtype="boolean")
    text = frames.to_string(
        np.array([v if v is None or isinstance(v, str) else str(v) for v in raw], dtype=object)
    )
    return pd.Series(text).astype("category") if kind == CAT else pd.Series(text)


def typed_frame(
    rows: list[dict[str, Any]] | dict[str, list[Any]],
    kinds: Mapping[str, str],
    *,
    index: str | None = "id",
    columns: Iterable[str] | None = None,
) -> pd.DataFrame:
    """A frame from rows (or column lists), each column typed by ``kinds`` (unknown → string).

    ``columns`` fixes the leading column order (missing ones are created empty, so every frame of a
    kind has the same columns even when HubSpot left fields out); other fields follow.
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


def assemble(
    frames: list[pd.DataFrame],
    *,
    leading: Sequence[str] = (),
    categories: Iterable[str] = (),
    sort_by: str | None = None,
) -> pd.DataFrame:
    """One frame from per-page frames, built a column at a time. **Consumes** ``frames``: each
    page's column is dropped once copied, so memory peaks near the final frame plus one column,
    not at twice the frame (``pd.concat`` + sort would hold two or three copies at once).

    Columns: ``leading`` first, then any others (present in some pages only) sorted by name.
    ``categories`` columns become categorical (columns that are categorical in every page are
    united with ``union_categoricals``: a plain concat would fall back to object). ``sort_by``:
    rows ordered by that column, then by index, so the same rows always give the same frame
    whatever order pages came in.
    """
    if not frames:
        return pd.DataFrame()
    extra = sorted({c for f in frames for c in f.columns} - set(leading))
    names = [c for c in dict.fromkeys([*leading, *extra]) if any(c in f.columns for f in frames)]
    index = frames[0].index.append([f.index for f in frames[1:]]) if len(frames) > 1 else frames[0].index
    order = None
    if sort_by is not None:
        keys = pd.concat([f[sort_by] for f in frames], ignore_index=True)
        both = pd.DataFrame({"key": keys, "id": index.to_numpy()}, copy=False)
        order = both.sort_values(["key", "id"], kind="stable").index.to_numpy()
        del keys, both
    wanted = set(categories)
    columns: dict[str, Any] = {}
    for name in names:
        template = next(f[name] for f in frames if name in f.columns)
        parts = [
            f[name].reset_index(drop=True) if name in f.columns else template.iloc[:0].reindex(range(len(f)))
            for f in frames
        ]
        if all(isinstance(p.dtype, pd.CategoricalDtype) for p in parts):
            # pages made their own categories: unite them (concat would fall back to object)
            column = pd.Series(
                union_categoricals([p.array for p in parts], sort_categories=True, ignore_order=True),
                copy=False,
            )
        else:
            column = pd.concat(parts, ignore_index=True)
        del parts, template
        for f in frames:
            if name in f.columns:
                del f[name]
        if name in wanted:
            column = column.astype("category")
        columns[name] = (column.take(order) if order is not None else column).array
    if order is not None:
        index = index.take(order)
    frames.clear()  # the emptied pages still hold their indexes
    return pd.DataFrame(columns, index=index, copy=False)
