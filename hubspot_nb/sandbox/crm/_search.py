"""``POST /crm/v3/objects/{type}/search``: HubSpot's filter groups, operators, sorts, text query,
limits and its 10,000-result paging cap.

One sort key, as HubSpot may allow: a request with more is refused (400) or sorted by the first key
only, as ``config.search_extra_sorts`` says (which HubSpot does is unconfirmed); ties keep id order.

Filters compare values by the property's type: numbers numerically; datetimes and dates as their
fixed-width ISO strings (which sort like the instants they name), accepting ms-epoch or ISO input;
strings and enumerations case-insensitively; multi-select checkboxes per selected option. The sorted
list of matching records is cached per store and query (ignoring ``after``/``limit``), so paging through
200,000 matches scans them once.
"""

from __future__ import annotations

import json
import re
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime, timezone
from fnmatch import fnmatchcase
from typing import Any

from ..routing import ApiError, Request, Response, Router
from ..timestamps import iso_day, iso_ms
from ._catalogue import PropertySpec
from ._json import page_response, records_json
from ._portal import ObjectStore
from ._records import OBJECT_READ_SCOPES, CrmHost, readable_store, select_properties
from ._standard_types import QUERY_PROPERTIES as STANDARD_QUERY_PROPERTIES

router = Router()
MAX_GROUPS, MAX_FILTERS_PER_GROUP, MAX_FILTERS = 5, 10, 25
MAX_LIMIT = 200
RESULT_CAP = 10_000
OPERATORS = ("EQ", "NEQ", "LT", "LTE", "GT", "GTE", "BETWEEN", "IN", "NOT_IN", "HAS_PROPERTY",
             "NOT_HAS_PROPERTY", "CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN")  # fmt: skip
# Properties the free-text ``query`` looks at, per type (HubSpot's default searchable properties).
QUERY_PROPERTIES = {
    "contacts": ["firstname", "lastname", "email", "phone", "mobilephone", "company"],
    "companies": ["name", "domain", "website", "phone"],
    "deals": ["dealname", "pipeline", "dealstage", "description", "dealtype"],
    "tickets": ["subject", "content", "hs_pipeline_stage", "hs_ticket_category"],
    **STANDARD_QUERY_PROPERTIES,
}
_TOKEN = re.compile(r"[\w@+\-.']+")
Test = Callable[[str | None], bool]


def _bad(message: str) -> ApiError:
    return ApiError(400, message, "VALIDATION_ERROR")


# -- typed keys ----------------------------------------------------------------------------------
def _as_ms(raw: str) -> int | None:
    """An instant given as ms since the epoch, an ISO date-time or an ISO date."""
    if re.fullmatch(r"-?\d+", raw):
        return int(raw)
    try:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return int(parsed.timestamp() * 1000)


def key_maker(spec: PropertySpec) -> Callable[[str], Any]:
    """Turns a stored value (or a filter value) into something comparable for this property."""
    if spec.type == "number":
        return float
    if spec.type == "datetime":
        return lambda raw: raw
    if spec.type == "date":
        return lambda raw: raw[:10]
    return str.lower


def filter_key(spec: PropertySpec, raw: Any, where: str) -> Any:
    """A filter's value as the key the stored values are compared with; 400 if it cannot be one."""
    if isinstance(raw, bool):
        raw = "true" if raw else "false"
    if raw is None or isinstance(raw, (dict, list)):
        raise _bad(f"{where}: a value is required for property '{spec.name}'.")
    text = str(raw)
    if spec.type == "number":
        try:
            return float(text)
        except ValueError:
            raise _bad(
                f"{where}: '{text[:40]}' is not a number, and '{spec.name}' is a number property."
            ) from None
    if spec.type in ("datetime", "date"):
        ms = _as_ms(text)
        if ms is None:
            raise _bad(
                f"{where}: '{text[:40]}' is not a date for '{spec.name}'. Use milliseconds since the "
                'epoch ("1735689600000") or ISO 8601 ("2025-01-01T00:00:00Z").'
            )
        return iso_ms(ms) if spec.type == "datetime" else iso_day(ms // 86_400_000)
    if spec.type == "bool" and text.lower() not in ("true", "false"):
        raise _bad(f"{where}: '{text[:40]}' is not true or false, and '{spec.name}' is a bool property.")
    return text.lower()


def _tokens(text: str) -> set[str]:
    return {t.strip(".'-") for t in _TOKEN.findall(text.lower())} | {text.lower()}


def _wildcard_match(text: str, pattern: str) -> bool:
    """A lower-case ``*`` pattern matches the whole value or any one of its tokens."""
    return fnmatchcase(text.lower(), pattern) or any(fnmatchcase(t, pattern) for t in _tokens(text))


# -- filters -------------------------------------------------------------------------------------
def compile_filter(store: ObjectStore, item: Any, where: str) -> tuple[str, Test]:
    """(property name, test on the stored value) for one filter dict."""
    if not isinstance(item, dict):
        raise _bad(f"{where}: each filter must be an object with propertyName and operator.")
    name, op = item.get("propertyName"), item.get("operator")
    if not isinstance(name, str) or (spec := store.specs.get(name)) is None:
        raise _bad(
            f"{where}: there is no {store.object_type} property '{name}'. List valid names with "
            f"GET /crm/v3/properties/{store.object_type}."
        )
    if op not in OPERATORS:
        raise _bad(f"{where}: unknown operator '{op}'; valid operators: {', '.join(OPERATORS)}.")
    if op == "HAS_PROPERTY":
        return name, lambda v: v is not None and v != ""
    if op == "NOT_HAS_PROPERTY":
        return name, lambda v: v is None or v == ""
    multi = spec.type == "enumeration" and spec.field_type == "checkbox"
    key = key_maker(spec)
    if op in ("IN", "NOT_IN"):
        values = item.get("values")
        if not isinstance(values, list) or not values:
            raise _bad(f"{where}: operator {op} needs a non-empty 'values' list.")
        wanted = {filter_key(spec, v, where) for v in values}
        if multi:
            hit: Test = lambda v: v is not None and any(t in wanted for t in v.lower().split(";"))  # noqa: E731
        else:
            hit = lambda v: v is not None and v != "" and key(v) in wanted  # noqa: E731
        return name, hit if op == "IN" else (lambda v: not hit(v))
    value = filter_key(spec, item.get("value"), where)
    if op in ("CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"):
        pattern = str(item.get("value")).lower()
        if "*" in pattern:
            hit = lambda v: v is not None and v != "" and _wildcard_match(v, pattern)  # noqa: E731
        else:
            hit = lambda v: v is not None and v != "" and pattern in _tokens(v)  # noqa: E731
        return name, hit if op == "CONTAINS_TOKEN" else (lambda v: not hit(v))
    if op in ("EQ", "NEQ"):
        if multi:
            hit = lambda v: v is not None and value in v.lower().split(";")  # noqa: E731
        else:
            hit = lambda v: v is not None and v != "" and key(v) == value  # noqa: E731
        return name, hit if op == "EQ" else (lambda v: not hit(v))
    if op == "BETWEEN":
        high = filter_key(spec, item.get("highValue"), where + " (highValue)")
        return name, lambda v: v is not None and v != "" and value <= key(v) <= high
    compare: Callable[[Any], bool] = {"LT": lambda a: a < value, "LTE": lambda a: a <= value,
               "GT": lambda a: a > value, "GTE": lambda a: a >= value}[op]  # fmt: skip
    return name, lambda v: v is not None and v != "" and compare(key(v))


def compile_groups(store: ObjectStore, groups: Any) -> list[list[tuple[str, Test]]]:
    if groups is None:
        return []
    if not isinstance(groups, list) or not all(isinstance(g, dict) for g in groups):
        raise _bad("'filterGroups' must be a list of {\"filters\": [...]} objects.")
    if len(groups) > MAX_GROUPS:
        raise _bad(f"Too many filterGroups: {len(groups)}; the limit is {MAX_GROUPS}.")
    compiled, total = [], 0
    for g, group in enumerate(groups):
        filters = group.get("filters") or []
        if not isinstance(filters, list):
            raise _bad(f"filterGroups[{g}].filters must be a list.")
        if len(filters) > MAX_FILTERS_PER_GROUP:
            raise _bad(
                f"filterGroups[{g}] has {len(filters)} filters; "
                f"the limit is {MAX_FILTERS_PER_GROUP} per group."
            )
        total += len(filters)
        compiled.append(
            [compile_filter(store, f, f"filterGroups[{g}].filters[{k}]") for k, f in enumerate(filters)]
        )
    if total > MAX_FILTERS:
        raise _bad(f"The search has {total} filters; the limit is {MAX_FILTERS} across all groups.")
    return compiled


def compile_sorts(store: ObjectStore, sorts: Any) -> list[tuple[str, bool]]:
    """(property, descending) per sort; accepts ``{"propertyName", "direction"}`` or ``"-name"``."""
    if sorts is None:
        return []
    if not isinstance(sorts, list):
        raise _bad("'sorts' must be a list.")
    out: list[tuple[str, bool]] = []
    name: object  # whatever the request sent: a str once checked below
    for item in sorts:
        if isinstance(item, str):
            name, descending = item.lstrip("-+"), item.startswith("-")
        elif isinstance(item, dict):
            name = item.get("propertyName")
            direction = str(item.get("direction", "ASCENDING")).upper()
            if direction not in ("ASCENDING", "DESCENDING"):
                raise _bad(f"Sort direction must be ASCENDING or DESCENDING, not '{direction}'.")
            descending = direction == "DESCENDING"
        else:
            raise _bad('Each sort must be a property name or {"propertyName", "direction"}.')
        if not isinstance(name, str) or name not in store.specs:  # a list or dict name: 400, not a crash
            raise _bad(f"Cannot sort by '{name}': there is no {store.object_type} property with that name.")
        out.append((name, descending))
    return out


# -- matching ------------------------------------------------------------------------------------
class SearchCache:
    """One store's last few queries' sorted matches. Any change to the store (``touch`` bumps its
    version) empties the cache, so a search never sees matches from before the change."""

    def __init__(self, size: int = 16) -> None:
        self.size = size
        self.version = 0
        self.entries: OrderedDict[str, list[int]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, version: int, key: str) -> list[int] | None:
        with self.lock:
            if version != self.version:
                return None
            found = self.entries.get(key)
            if found is not None:
                self.entries.move_to_end(key)
            return found

    def put(self, version: int, key: str, value: list[int]) -> None:
        with self.lock:
            if version < self.version:  # computed before a change that another search has seen
                return
            if version > self.version:  # the store changed: older matches are all stale
                self.entries.clear()
                self.version = version
            self.entries[key] = value
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)


# One cache per store object, so sandboxes sharing a process (tests, demos) never see each other's
# matches; weak keys let a stopped sandbox's stores and their cached matches be freed.
_CACHES: weakref.WeakKeyDictionary[ObjectStore, SearchCache] = weakref.WeakKeyDictionary()
_CACHES_LOCK = threading.Lock()


def cache_for(store: ObjectStore) -> SearchCache:
    """The search cache of this store (created on first use)."""
    with _CACHES_LOCK:
        cache = _CACHES.get(store)
        if cache is None:
            cache = _CACHES[store] = SearchCache()
        return cache


def matches(store: ObjectStore, body: dict[str, Any]) -> list[int]:
    """Indices of the active records matching ``body``, in the requested order (default: by id)."""
    query_key = json.dumps({k: body.get(k) for k in ("filterGroups", "sorts", "query")}, sort_keys=True)
    cache, version = cache_for(store), store.version
    cached = cache.get(version, query_key)
    if cached is not None:
        return cached
    groups = compile_groups(store, body.get("filterGroups"))
    sorts = compile_sorts(store, body.get("sorts"))
    query = body.get("query")
    if query is not None and not isinstance(query, str):
        raise _bad("'query' must be a string.")
    everyone = [i for i in range(len(store)) if i not in store.archived]
    if groups:
        found: set[int] = set()
        for group in groups:
            candidates = everyone
            for name, test in group:
                candidates = [i for i in candidates if test(store.text(i, name))]
            found.update(candidates)
        chosen = sorted(found)
    else:
        chosen = everyone
    if query:
        terms = query.lower().split()
        names = QUERY_PROPERTIES[store.object_type]

        def searchable(i: int) -> str:
            return " ".join(v for n in names if (v := store.text(i, n))).lower()

        chosen = [i for i in chosen if all(t in text for text in (searchable(i),) for t in terms)]
    for name, descending in sorts[:1]:  # HubSpot sorts by one key (``search`` checks there is one)
        key_of = key_maker(store.specs[name])
        values = [store.text(i, name) for i in chosen]
        present = [(key_of(v), i) for i, v in zip(chosen, values, strict=True) if v not in (None, "")]
        absent = [i for i, v in zip(chosen, values, strict=True) if v in (None, "")]
        present.sort(key=lambda pair: pair[0], reverse=descending)
        chosen = [i for _, i in present] + absent  # unset values last, both directions
    cache.put(version, query_key, chosen)
    return chosen


def _int_field(body: dict[str, Any], name: str, default: int, maximum: int | None = None) -> int:
    raw = body.get(name, default)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise _bad(f"'{name}' must be a whole number, not '{str(raw)[:40]}'.") from None
    if value < 0 or (maximum is not None and value > maximum):
        limit = f"between 0 and {maximum}" if maximum is not None else "0 or more"
        raise _bad(f"'{name}' is {value}; it must be {limit}.")
    return value


@router.api("POST", "/crm/v3/objects/{object_type}/search", scopes=OBJECT_READ_SCOPES, limit="search")
def search(sb: CrmHost, req: Request) -> Response:
    store = readable_store(sb, req, req.path_params["object_type"])
    body = req.json()
    if not isinstance(body, dict):
        raise _bad("The search body must be a JSON object.")
    limit = _int_field(body, "limit", 10, MAX_LIMIT)
    after = _int_field(body, "after", 0)
    if after + limit > RESULT_CAP:
        raise _bad(
            f"Search results are capped at {RESULT_CAP:,}: after ({after}) + limit ({limit}) goes past "
            "the cap. Narrow the search instead, e.g. a window on hs_object_id or the last-modified "
            "date, and page within each window."
        )
    properties = body.get("properties")
    if properties is not None and (
        not isinstance(properties, list) or not all(isinstance(p, str) for p in properties)
    ):
        raise _bad("'properties' must be a list of property names.")
    names = select_properties(store, properties)
    sorts = body.get("sorts")
    if isinstance(sorts, list):
        sb.stats.incr("search_sorts", key=str(len(sorts)))  # how many keys clients send (tests)
        if len(sorts) > 1:
            if sb.config.search_extra_sorts == "refuse":
                raise _bad(
                    f"Search supports one sort; got {len(sorts)}. Sort by one property, and order the "
                    "results by the others yourself."
                )
            compile_sorts(store, sorts)  # "ignore": the extra keys are dropped, but still checked
            body = dict(body, sorts=sorts[:1])
    found = matches(store, body)
    page = found[after : after + limit]
    paging = {"next": {"after": str(after + limit)}} if after + limit < len(found) else None
    return page_response(records_json(store, page, names), len(page), total=len(found), paging=paging)
