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
text, so list pages are assembled without building a dict per record (see ``_json``).
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Sequence
from json.encoder import encode_basestring_ascii  # the C encoder json.dumps itself uses

from ..timestamps import Memo, iso_day, iso_ms, iso_ms_texts

MASK64 = (1 << 64) - 1
NULL_INT = -(1 << 63)  # marks "no value" in integer arrays


def mix(x: int) -> int:
    """A 64-bit integer hash (splitmix64's finaliser): cheap, well spread, deterministic."""
    x &= MASK64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK64
    return x ^ (x >> 31)


def number_text(value: float | int) -> str:
    """A number the way HubSpot renders it: ``"17"``, ``"1234.5"``."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def json_value(value: str | None) -> str:
    """A value as JSON text (``"abc"`` or ``null``)."""
    return "null" if value is None else encode_basestring_ascii(value)


# Pools are JSON-encoded once, keyed by the pool list's identity: pools are shared by many columns
# and never change. (The member names are added by the page assembly, so one encoding serves all.)
_ENCODED_POOLS: dict[int, tuple[list[str | None], list[str]]] = {}


def _encoded(pool: list[str | None]) -> list[str]:
    found = _ENCODED_POOLS.get(id(pool))
    if found is None or found[0] is not pool:
        found = _ENCODED_POOLS[id(pool)] = (pool, [json_value(v) for v in pool])
    return found[1]


class _Fragments:
    """``fragments(indices)``: the values as JSON text, for responses assembled without json.dumps."""

    def texts(self, indices: Sequence[int]) -> list[str | None]:
        raise NotImplementedError

    def fragments(self, indices: Sequence[int]) -> list[str]:
        """Each value as JSON text: ``"abc"`` or ``null``."""
        return list(map(json_value, self.texts(indices)))


class PoolColumn(_Fragments):
    """Values drawn from a small pool: ``pool[codes[i]]`` (``None`` in the pool means unset)."""

    def __init__(self, pool: Sequence[str | None], codes: array[int]) -> None:
        self.pool = pool if isinstance(pool, list) else list(pool)  # shared pools are not copied
        self.codes = codes

    def text(self, i: int) -> str | None:
        return self.pool[self.codes[i]]

    def texts(self, indices: Sequence[int]) -> list[str | None]:
        pool, codes = self.pool, self.codes
        return [pool[codes[i]] for i in indices]

    def fragments(self, indices: Sequence[int]) -> list[str]:
        encoded, codes = _encoded(self.pool), self.codes
        return [encoded[codes[i]] for i in indices]


class MsColumn(_Fragments):
    """Datetimes stored as epoch milliseconds."""

    def __init__(self, ms: array[int]) -> None:
        self.ms = ms

    def text(self, i: int) -> str | None:
        v = self.ms[i]
        return None if v == NULL_INT else iso_ms(v)

    def texts(self, indices: Sequence[int]) -> list[str | None]:
        ms = self.ms
        return [None if (v := ms[i]) == NULL_INT else iso_ms(v) for i in indices]

    def fragments(self, indices: Sequence[int]) -> list[str]:
        ms = self.ms
        values = [ms[i] for i in indices]
        if NULL_INT in values:
            return list(map(json_value, self.texts(indices)))
        return [f'"{text}"' for text in iso_ms_texts(values)]


class DayColumn(_Fragments):
    """Dates stored as days since the epoch."""

    def __init__(self, days: array[int]) -> None:
        self.days = days

    def text(self, i: int) -> str | None:
        v = self.days[i]
        return None if v == NULL_INT else iso_day(v)

    def texts(self, indices: Sequence[int]) -> list[str | None]:
        return [self.text(i) for i in indices]

    def fragments(self, indices: Sequence[int]) -> list[str]:
        days, encoded = self.days, _DAY_JSON
        return [encoded[days[i]] for i in indices]


# Dates as JSON text per day (dates span a few decades: at most ~20k entries); NULL_INT is unset.
_DAY_JSON = Memo(lambda day: f'"{iso_day(day)}"')
_DAY_JSON[NULL_INT] = "null"


class NumberColumn(_Fragments):
    """Numbers stored as integers scaled by ``10**decimals`` (``amount`` keeps cents)."""

    def __init__(self, values: array[int], decimals: int = 0) -> None:
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

    # ``text`` is the function itself, not a method wrapping it: one call per value, not two.
    text: Callable[[int], str | None]

    def __init__(self, fn: Callable[[int], str | None]) -> None:
        self.text = fn

    def texts(self, indices: Sequence[int]) -> list[str | None]:
        fn = self.text
        return [fn(i) for i in indices]


Column = PoolColumn | MsColumn | DayColumn | NumberColumn | LazyColumn
