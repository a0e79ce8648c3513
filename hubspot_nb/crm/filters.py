"""Readable search filters → HubSpot's ``filterGroups`` (and sorts).

    {"lifecyclestage": "lead",                 # EQ
     "createdate__gte": "2025-01-01",          # dates and datetimes become ms epochs
     "amount__between": (1, 5),                # BETWEEN value/highValue
     "hs_lead_status__in": ["NEW", "OPEN"],    # IN values
     "phone__exists": True}                    # HAS_PROPERTY (False: NOT_HAS_PROPERTY)

One dict is one group (its filters are AND'ed); a list of dicts is several groups (OR'ed).
HubSpot's own shapes pass through: a filter dict ``{"propertyName", "operator", "value"}``, a list
of them, a group ``{"filters": [...]}``, a list of groups, or ``{"filterGroups": [...]}``.
Names are checked against the property catalogue when one is given (close matches suggested).
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timezone
from typing import Any

from ..errors import InvalidInput

OPERATORS = {
    "eq": "EQ",
    "neq": "NEQ",
    "ne": "NEQ",
    "lt": "LT",
    "lte": "LTE",
    "gt": "GT",
    "gte": "GTE",
    "between": "BETWEEN",
    "in": "IN",
    "not_in": "NOT_IN",
    "exists": "HAS_PROPERTY",  # True → HAS_PROPERTY, False → NOT_HAS_PROPERTY
    "not_exists": "NOT_HAS_PROPERTY",
    "contains": "CONTAINS_TOKEN",
    "not_contains": "NOT_CONTAINS_TOKEN",
}
HUBSPOT_OPERATORS = frozenset(OPERATORS.values())
MAX_GROUPS = 5
MAX_FILTERS_PER_GROUP = 10
MAX_FILTERS = 25


def epoch_ms(value: Any, *, kind: str = "datetime") -> int:
    """A date/datetime/ISO string/epoch → milliseconds since the epoch (UTC; naive means UTC)."""
    if isinstance(value, bool):
        raise InvalidInput(f"{value!r} is not a date or a time.")
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidInput(f"{value!r} is not a date or a time: use a date, or milliseconds since 1970.")
    if isinstance(value, (int, float)):
        return int(value)
    if hasattr(value, "to_pydatetime"):  # pandas Timestamp
        value = value.to_pydatetime()
    if isinstance(value, str):
        text = value.strip()
        if text.lstrip("-").isdigit():
            return int(text)
        try:
            value = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise InvalidInput(
                f"{value!r} is not a date or a time. Use an ISO date like '2025-01-31' or "
                "'2025-01-31T12:00:00Z', a datetime, or milliseconds since 1970."
            ) from None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        if kind == "date":  # HubSpot date properties hold midnight UTC
            value = datetime(value.year, value.month, value.day, tzinfo=timezone.utc)
        return int(value.timestamp() * 1000)
    if isinstance(value, date):
        return int(datetime(value.year, value.month, value.day, tzinfo=timezone.utc).timestamp() * 1000)
    raise InvalidInput(f"{value!r} is not a date or a time.")


def _wire(value: Any, kind: str | None) -> str:
    """One filter value as HubSpot wants it: strings; dates as ms epochs; booleans lowercase."""
    if kind in ("date", "datetime") or isinstance(value, (date, datetime)):
        return str(epoch_ms(value, kind=kind or "datetime"))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _check_property(name: str, known: Mapping[str, str] | None) -> None:
    if known is None or name in known:
        return
    close = difflib.get_close_matches(name, list(known), n=5, cutoff=0.6)
    hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    raise InvalidInput(
        f"Unknown property {name!r}.{hint} See hub.properties(...) for the names this object type has."
    )


def _readable_filter(key: str, value: Any, known: Mapping[str, str] | None) -> dict[str, Any]:
    name, _, op = str(key).partition("__")
    op = op.lower() or "eq"
    if op not in OPERATORS:
        raise InvalidInput(
            f"Unknown filter operator {op!r} in {key!r}. Valid operators: "
            f"{', '.join('__' + o for o in OPERATORS)}."
        )
    _check_property(name, known)
    kind = known.get(name) if known else None
    operator = OPERATORS[op]
    if op in ("exists", "not_exists"):
        if not isinstance(value, bool):
            raise InvalidInput(f"{key!r} takes True or False, not {value!r}.")
        if op == "not_exists":
            value = not value
        return {"propertyName": name, "operator": "HAS_PROPERTY" if value else "NOT_HAS_PROPERTY"}
    if operator == "BETWEEN":
        if not isinstance(value, (tuple, list)) or len(value) != 2:
            raise InvalidInput(f"{key!r} takes a pair (low, high), not {value!r}.")
        return {
            "propertyName": name,
            "operator": operator,
            "value": _wire(value[0], kind),
            "highValue": _wire(value[1], kind),
        }
    if operator in ("IN", "NOT_IN"):
        if isinstance(value, (str, bytes)) or not isinstance(value, (Sequence, set, frozenset)):
            raise InvalidInput(f"{key!r} takes a list of values, not {value!r}.")
        return {"propertyName": name, "operator": operator, "values": [_wire(v, kind) for v in value]}
    if isinstance(value, (list, tuple, set)):
        raise InvalidInput(f"{key!r} takes one value; use {name}__in for a list.")
    return {"propertyName": name, "operator": operator, "value": _wire(value, kind)}


def _hubspot_filter(f: Mapping[str, Any], known: Mapping[str, str] | None) -> dict[str, Any]:
    if not isinstance(f, Mapping):
        raise InvalidInput(f"A HubSpot filter is a dict with propertyName, operator and value; got {f!r}.")
    operator = str(f.get("operator", "")).upper()
    if operator not in HUBSPOT_OPERATORS:
        raise InvalidInput(
            f"Unknown filter operator {f.get('operator')!r}. "
            f"Valid operators: {', '.join(sorted(HUBSPOT_OPERATORS))}."
        )
    name = str(f.get("propertyName", ""))
    _check_property(name, known)
    kind = known.get(name) if known else None
    out: dict[str, Any] = {"propertyName": name, "operator": operator}
    for key in ("value", "highValue"):
        if key in f:
            out[key] = _wire(f[key], kind)
    if "values" in f:
        out["values"] = [_wire(v, kind) for v in f["values"]]
    return out


def _group(spec: Mapping[str, Any], known: Mapping[str, str] | None) -> list[dict[str, Any]]:
    if not isinstance(spec, Mapping):
        raise InvalidInput(f"A filter group is a dict (its filters are AND'ed); got {spec!r}.")
    if "filters" in spec:
        if not _is_list(spec["filters"]):
            raise InvalidInput(f"A group's 'filters' is a list of filter dicts; got {spec['filters']!r}.")
        return [_hubspot_filter(f, known) for f in spec["filters"]]
    if "propertyName" in spec:
        return [_hubspot_filter(spec, known)]
    return [_readable_filter(k, v, known) for k, v in spec.items()]


def filter_groups(filters: Any, known: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """Any accepted filter shape → HubSpot's ``filterGroups`` list (``[]`` for no filters).

    ``known`` maps property name → HubSpot type (from the catalogue); unknown names raise
    ``InvalidInput`` listing close matches, and date/datetime values become ms epochs.
    """
    if filters is None:
        return []
    if isinstance(filters, Mapping) and "filterGroups" in filters:
        if not _is_list(filters["filterGroups"]):
            raise InvalidInput(f"'filterGroups' is a list of groups; got {filters['filterGroups']!r}.")
        groups = [_group(g, known) for g in filters["filterGroups"]]
    elif isinstance(filters, Mapping):
        groups = [_group(filters, known)]
    elif isinstance(filters, Sequence) and not isinstance(filters, (str, bytes)):
        items = list(filters)
        if items and all(isinstance(i, Mapping) and "propertyName" in i for i in items):
            groups = [[_hubspot_filter(i, known) for i in items]]  # a flat list of HubSpot filters
        else:
            for item in items:
                if not isinstance(item, Mapping):
                    raise InvalidInput(f"Filters must be dicts; got {item!r}.")
            groups = [_group(i, known) for i in items]
    else:
        raise InvalidInput(
            "filters must be a dict like {'lifecyclestage': 'lead', 'createdate__gte': '2025-01-01'}, "
            f"a list of such dicts (OR'ed), or HubSpot's filterGroups; got {type(filters).__name__}."
        )
    groups = [g for g in groups if g]
    check_limits(groups)
    return [{"filters": g} for g in groups]


def check_limits(groups: list[list[dict[str, Any]]], extra_per_group: int = 0) -> None:
    total = sum(len(g) + extra_per_group for g in groups)
    if len(groups) > MAX_GROUPS:
        raise InvalidInput(f"HubSpot search takes at most {MAX_GROUPS} filter groups; got {len(groups)}.")
    if any(len(g) + extra_per_group > MAX_FILTERS_PER_GROUP for g in groups):
        raise InvalidInput(
            f"HubSpot search takes at most {MAX_FILTERS_PER_GROUP} filters per group "
            f"(hubspot_nb uses {extra_per_group} of them to page past 10,000 results)."
            if extra_per_group
            else f"HubSpot search takes at most {MAX_FILTERS_PER_GROUP} filters per group."
        )
    if total > MAX_FILTERS:
        raise InvalidInput(f"HubSpot search takes at most {MAX_FILTERS} filters in all; got {total}.")


def _is_list(value: Any) -> bool:
    return isinstance(value, (Sequence, set, frozenset)) and not isinstance(value, (str, bytes, Mapping))


def with_filter(groups: list[dict[str, Any]], extra: dict[str, Any]) -> list[dict[str, Any]]:
    """Add ``extra`` to every group (AND), or make it the only group when there are none."""
    if not groups:
        return [{"filters": [extra]}]
    return [{"filters": [*g["filters"], extra]} for g in groups]


def sorts(sort: Any, known: Mapping[str, str] | None = None) -> list[dict[str, str]]:
    """``"createdate"``/``"-createdate"``/a list of them/HubSpot sort dicts → HubSpot ``sorts``."""
    if sort is None:
        return []
    if not isinstance(sort, (str, Mapping)) and not _is_list(sort):
        raise InvalidInput(
            f"sort takes a property name ('-createdate' for descending) or a list; got {sort!r}."
        )
    items = [sort] if isinstance(sort, (str, Mapping)) else list(sort)
    out = []
    for item in items:
        if isinstance(item, Mapping):
            name = str(item.get("propertyName", ""))
            direction = str(item.get("direction", "ASCENDING")).upper()
        else:
            text = str(item)
            name = text.lstrip("-+")
            direction = "DESCENDING" if text.startswith("-") else "ASCENDING"
        if direction not in ("ASCENDING", "DESCENDING"):
            raise InvalidInput(f"Sort direction must be ASCENDING or DESCENDING, not {direction!r}.")
        _check_property(name, known)
        out.append({"propertyName": name, "direction": direction})
    return out
