"""Compact property columns for the sandbox's CRM records, and HubSpot's wire formats.

A portal of 200,000 contacts with ~360 properties each would be 70 million Python strings if stored
as dicts. Instead each property is a *column* that renders record ``i``'s value on demand:

- ``PoolColumn``: a small pool of strings plus one byte/short code per record (names, stages …).
- ``MsColumn`` / ``DayColumn`` / ``NumberColumn``: one machine integer per record in an ``array``,
  formatted the way HubSpot sends it only when asked.
- ``LazyColumn``: no storage at all; the value is a pure function of (seed, record index), used for
  unique strings (e-mails, phones) and for the hundreds of custom properties.

Every column answers ``text(i) -> str | None`` with the exact string HubSpot would send,
``texts(indices)`` for a page at once, and ``fragments(indices)`` with those values already as JSON
text, so list pages are assembled without building a dict per record (see ``crm_json``).
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Sequence
from datetime import date
from json.encoder import encode_basestring_ascii  # the C encoder json.dumps itself uses

MASK64 = (1 << 64) - 1
NULL_INT = -(1 << 63)  # marks "no value" in integer arrays
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def mix(x: int) -> int:
    """A 64-bit integer hash (splitmix64's finaliser): cheap, well spread, deterministic."""
    x &= MASK64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK64
    return x ^ (x >> 31)


# Lookup tables make datetime formatting ~5x faster than time.strftime: the day part is cached per
# day, the time part is "HH:MM" (1,440 entries) + ":SS.mmm" (60,000 entries).
_DAY_TEXT: dict[int, str] = {}
_HOUR_MINUTE = [f"T{m // 60:02d}:{m % 60:02d}" for m in range(1440)]
_SECOND_MS = [f":{s // 1000:02d}.{s % 1000:03d}Z" for s in range(60_000)]


def iso_ms(ms: int) -> str:
    """Milliseconds since the epoch as HubSpot's datetime string: ``2025-03-01T12:34:56.789Z``."""
    day, rest = divmod(ms, 86_400_000)
    minute, second_ms = divmod(rest, 60_000)
    text = _DAY_TEXT.get(day)
    if text is None:
        text = _DAY_TEXT[day] = iso_day(day)
    return text + _HOUR_MINUTE[minute] + _SECOND_MS[second_ms]


def iso_day(days: int) -> str:
    """Days since the epoch as a HubSpot date string: ``YYYY-MM-DD``."""
    return date.fromordinal(_EPOCH_ORDINAL + days).isoformat()


def number_text(value: float | int) -> str:
    """A number the way HubSpot renders it: ``"17"``, ``"1234.5"``."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def json_value(value: str | None) -> str:
    """A value as JSON text (``"abc"`` or ``null``)."""
    return "null" if value is None else encode_basestring_ascii(value)


# Pools are JSON-encoded once (with the ``"name":`` prefix of the property asking, for small pools),
# keyed by the pool list's identity: pools are shared by many columns and never change.
_ENCODED_POOLS: dict[tuple[int, str], tuple[list[str | None], list[str]]] = {}
_PREFIXED_POOL_MAX = 4096  # bigger pools (16k datetimes, phones) are prefixed per request instead


def _encoded(pool: list[str | None], prefix: str) -> list[str]:
    key = (id(pool), prefix)
    found = _ENCODED_POOLS.get(key)
    if found is None or found[0] is not pool:
        found = _ENCODED_POOLS[key] = (pool, [prefix + json_value(v) for v in pool])
    return found[1]


class _Fragments:
    """``fragments(indices)``: the values as JSON text, for responses assembled without json.dumps."""

    def texts(self, indices: Sequence[int]) -> list[str | None]:
        raise NotImplementedError

    def fragments(self, indices: Sequence[int], prefix: str = "") -> list[str]:
        """``prefix`` + each value as JSON text (the prefix is a member name: ``"email":``)."""
        return [prefix + json_value(v) for v in self.texts(indices)]


class PoolColumn(_Fragments):
    """Values drawn from a small pool: ``pool[codes[i]]`` (``None`` in the pool means unset)."""

    def __init__(self, pool: Sequence[str | None], codes: array) -> None:
        self.pool = pool if isinstance(pool, list) else list(pool)  # shared pools are not copied
        self.codes = codes

    def text(self, i: int) -> str | None:
        return self.pool[self.codes[i]]

    def texts(self, indices: Sequence[int]) -> list[str | None]:
        pool, codes = self.pool, self.codes
        return [pool[codes[i]] for i in indices]

    def fragments(self, indices: Sequence[int], prefix: str = "") -> list[str]:
        codes = self.codes
        if len(self.pool) <= _PREFIXED_POOL_MAX:
            encoded = _encoded(self.pool, prefix)
            return [encoded[codes[i]] for i in indices]
        encoded = _encoded(self.pool, "")
        return [prefix + encoded[codes[i]] for i in indices]


class MsColumn(_Fragments):
    """Datetimes stored as epoch milliseconds."""

    def __init__(self, ms: array) -> None:
        self.ms = ms

    def text(self, i: int) -> str | None:
        v = self.ms[i]
        return None if v == NULL_INT else iso_ms(v)

    def texts(self, indices: Sequence[int]) -> list[str | None]:
        ms = self.ms
        return [None if (v := ms[i]) == NULL_INT else iso_ms(v) for i in indices]


class DayColumn(_Fragments):
    """Dates stored as days since the epoch."""

    def __init__(self, days: array) -> None:
        self.days = days

    def text(self, i: int) -> str | None:
        v = self.days[i]
        return None if v == NULL_INT else iso_day(v)

    def texts(self, indices: Sequence[int]) -> list[str | None]:
        return [self.text(i) for i in indices]


class NumberColumn(_Fragments):
    """Numbers stored as integers scaled by ``10**decimals`` (``amount`` keeps cents)."""

    def __init__(self, values: array, decimals: int = 0) -> None:
        self.values = values
        self.scale = 10**decimals

    def text(self, i: int) -> str | None:
        v = self.values[i]
        if v == NULL_INT:
            return None
        if self.scale == 1 or v % self.scale == 0:
            return str(v // self.scale)
        return str(v / self.scale)

    def texts(self, indices: Sequence[int]) -> list[str | None]:
        return [self.text(i) for i in indices]


class LazyColumn(_Fragments):
    """Nothing stored: ``fn(i)`` computes the value (it must be a pure function of ``i``)."""

    def __init__(self, fn: Callable[[int], str | None]) -> None:
        self.text = fn  # type: ignore[method-assign]

    def text(self, i: int) -> str | None:  # pragma: no cover - replaced per instance
        raise NotImplementedError

    def texts(self, indices: Sequence[int]) -> list[str | None]:
        fn = self.text
        return [fn(i) for i in indices]


Column = PoolColumn | MsColumn | DayColumn | NumberColumn | LazyColumn
