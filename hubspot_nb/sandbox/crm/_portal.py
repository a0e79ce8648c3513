"""The sandbox portal's CRM data: contacts, companies, deals and tickets, their associations, owners
and pipelines. ``build_portal(config)`` makes it, deterministic for ``config.seed``.

Interface used by other sandbox parts::

    portal = build_portal(config)
    store = portal.store("contacts")        # also "0-1", "contact"
    store.ids()                             # active record ids, as strings, ascending
    store.value("1234", "email")            # the value exactly as HubSpot sends it, or None
    store.touch(store.sample(0.01))         # modify records now (incremental-pull tests)

Records are held column-wise (``_columns``): ``ObjectStore.text(i, name)`` renders record *index*
``i``'s value; ids map to indices by binary search over the sorted id array.
"""

from __future__ import annotations

import bisect
import threading
import time
import zlib
from array import array
from collections.abc import Callable
from typing import Any

import numpy as np

from ..config import Config
from ..timestamps import iso_ms
from ._catalogue import (
    OBJECT_TYPE_IDS,
    PIPELINES,
    PropertySpec,
    custom_properties,
    hubspot_properties,
    owner_records,
    pipeline_records,
)
from ._columns import NULL_INT, Column, LazyColumn, MsColumn, NumberColumn, PoolColumn, mix
from ._engagement import ROLLUPS, EngagementLink, EngagementSource
from ._generate import (
    Draw,
    Pools,
    company_columns,
    company_domains,
    company_names,
    contact_columns,
    custom_columns,
    deal_columns,
    owner_column,
    ticket_columns,
    timeline,
    to_array,
)
from ._standard_types import ALL_SINGULAR, ALL_TYPE_IDS, build_standard_types
from ._standard_types import ASSOCIATION_TYPES as STANDARD_ASSOCIATIONS
from ._values import generic_columns, lead_status, lifecycle_columns, owner_extras, source_columns

OBJECT_TYPES = tuple(OBJECT_TYPE_IDS)
ID_BASE = {"contacts": 1_001, "companies": 9_000_000_001, "deals": 13_000_000_001, "tickets": 2_100_000_001}
SALT = {"contacts": 1, "companies": 2, "deals": 3, "tickets": 5, "links": 9}
# The property that POST /_sandbox/touch changes, per type (besides the last-modified date).
TOUCH_PROPERTY = {"contacts": "hs_lead_status", "companies": "type", "deals": "hs_priority",
                  "tickets": "hs_ticket_priority"}  # fmt: skip
# Association definitions: (from, to) -> (unlabeled type id, primary type id or None, v3 type name).
ASSOCIATION_TYPES = {
    ("contacts", "companies"): (279, 1, "contact_to_company"),
    ("companies", "contacts"): (280, 2, "company_to_contact"),
    ("deals", "companies"): (341, 5, "deal_to_company"),
    ("companies", "deals"): (342, 6, "company_to_deal"),
    ("deals", "contacts"): (3, None, "deal_to_contact"),
    ("contacts", "deals"): (4, None, "contact_to_deal"),
    ("tickets", "contacts"): (16, None, "ticket_to_contact"),
    ("contacts", "tickets"): (15, None, "contact_to_ticket"),
    **STANDARD_ASSOCIATIONS,  # engagements and line items (_standard_types)
}
USER_IDS = [7_100_000 + n for n in range(11)]


class Link:
    """One direction of an association, stored CSR-style: record i's targets are
    ``targets[offsets[i]:offsets[i+1]]`` (indices into the other store), with a primary flag each."""

    def __init__(self, from_type: str, to_type: str, src: np.ndarray, dst: np.ndarray, primary: np.ndarray,
                 n_from: int) -> None:  # fmt: skip
        self.from_type, self.to_type = from_type, to_type
        self.plain_id, self.primary_id, self.name = ASSOCIATION_TYPES[from_type, to_type]
        order = np.lexsort((dst, src))
        counts = np.bincount(src, minlength=n_from) if len(src) else np.zeros(n_from, np.int64)
        self.offsets = array("q", np.concatenate(([0], np.cumsum(counts))).astype(np.int64).tobytes())
        self.targets = array("q", dst[order].astype(np.int64).tobytes())
        self.primary = array("b", primary[order].astype(np.int8).tobytes())

    def of(self, i: int) -> list[tuple[int, bool]]:
        lo, hi = self.offsets[i], self.offsets[i + 1]
        return [(self.targets[k], bool(self.primary[k])) for k in range(lo, hi)]

    def count(self, i: int) -> int:
        return self.offsets[i + 1] - self.offsets[i]


class ObjectStore:
    """All records of one object type."""

    def __init__(self, object_type: str, ids: array[int], columns: dict[str, Column],
                 specs: list[PropertySpec], created: array[int], modified: array[int], archived: list[int],
                 seed: int) -> None:  # fmt: skip
        self.object_type = object_type
        self.type_id = ALL_TYPE_IDS[object_type]
        self.id_array = ids
        self.columns = columns
        self.specs = {s.name: s for s in specs if not s.archived}
        self.archived_specs = [s for s in specs if s.archived]
        self.created = created
        self.modified = modified
        self.archived = set(archived)
        self.archived_sorted = sorted(archived)
        self.modified_property = "lastmodifieddate" if object_type == "contacts" else "hs_lastmodifieddate"
        self.overrides: dict[int, dict[str, str | None]] = {}  # values changed by touch()
        self.version = 0  # bumped on every change, so caches (search) know to start over
        self.seed = seed
        self._lock = threading.Lock()
        self._unique: dict[str, dict[str, int]] = {}
        self._active_ids: list[str] | None = None
        self.encoded: Any = None  # _encoded.EncodedStore: JSON pieces for list pages, built on use
        self.issued_cursors: set[str] = set()  # list cursors handed out (list_cursor="issued")

    def __len__(self) -> int:
        return len(self.id_array)

    # -- ids -------------------------------------------------------------------------------------
    def ids(self) -> list[str]:
        """The ids of all active (not archived) records, ascending."""
        if self._active_ids is None:
            self._active_ids = [str(v) for i, v in enumerate(self.id_array) if i not in self.archived]
        return list(self._active_ids)

    def id_of(self, i: int) -> str:
        return str(self.id_array[i])

    def index_of(self, record_id: str | int) -> int | None:
        """The index of the record with this id (archived ones included), or None."""
        try:
            value = int(record_id)
        except (TypeError, ValueError):
            return None
        i = bisect.bisect_left(self.id_array, value)
        return i if i < len(self.id_array) and self.id_array[i] == value else None

    def find(self, value: str, id_property: str | None = None) -> int | None:
        """The record whose ``id_property`` (a unique property; default: the record id) equals value."""
        if id_property in (None, "", "hs_object_id"):
            return self.index_of(value)
        with self._lock:
            lookup = self._unique.get(id_property)
            if lookup is None:
                column = self.columns[id_property]
                lookup = {}
                for i in range(len(self)):
                    text = column.text(i)
                    if text:
                        lookup.setdefault(text.lower(), i)
                self._unique[id_property] = lookup
        found = lookup.get(value.lower())
        if found is not None and (self.text(found, id_property) or "").lower() == value.lower():
            return found
        return None

    # -- values ----------------------------------------------------------------------------------
    def value(self, record_id: str, name: str) -> str | None:
        """Property ``name`` of record ``record_id`` exactly as HubSpot sends it (None: unset/unknown)."""
        i = self.index_of(record_id)
        return None if i is None or name not in self.columns else self.text(i, name)

    def text(self, i: int, name: str) -> str | None:
        changed = self.overrides.get(i)
        if changed and name in changed:
            return changed[name]
        return self.columns[name].text(i)

    def properties(self, i: int, names: list[str]) -> dict[str, str | None]:
        changed = self.overrides.get(i)
        columns = self.columns
        out = {name: columns[name].text(i) for name in names}
        if changed:
            out.update((k, v) for k, v in changed.items() if k in out)
        return out

    def created_at(self, i: int) -> str:
        return iso_ms(self.created[i])

    def updated_at(self, i: int) -> str:
        return iso_ms(self.modified[i])

    def archived_at(self, i: int) -> str:
        return iso_ms(self.modified[i] + 3_600_000 * (1 + i % 48))

    def history(self, i: int, names: list[str]) -> dict[str, list[dict[str, Any]]]:
        """``propertiesWithHistory``: newest first; an older value for some properties."""
        out: dict[str, list[dict[str, Any]]] = {}
        for name in names:
            current = self.text(i, name)
            if current is None:
                out[name] = []
                continue
            # crc32, not hash(): str hashes change per process, and the data must not.
            h = mix(self.seed * 31 + i * 1_000_003 + zlib.crc32(name.encode()) % 1_000_000)
            created, modified = self.created[i], self.modified[i]
            when = modified if name in (self.modified_property, "hs_object_id") else created
            if h & 1 and modified > created and name != "createdate":
                when = created + (modified - created) * ((h >> 8) % 1000) // 1000
            entries = [self._version(current, when, h)]
            older = self.columns[name].text((i * 7 + 3) % len(self))
            if h & 6 == 0 and older not in (None, current) and when > created:
                entries.append(self._version(older, created, h >> 16))
            out[name] = entries
        return out

    @staticmethod
    def _version(value: str, when_ms: int, h: int) -> dict[str, Any]:
        user = USER_IDS[h % len(USER_IDS)]
        kind = ("CRM_UI", "IMPORT", "API", "FORM")[(h >> 4) % 4]
        entry: dict[str, Any] = {"value": value, "timestamp": iso_ms(when_ms), "sourceType": kind}
        if kind == "CRM_UI":
            entry.update(sourceId=f"userId:{user}", updatedByUserId=user)
        elif kind == "IMPORT":
            entry["sourceId"] = str(40_000 + h % 1000)
        return entry

    # -- changes -----------------------------------------------------------------------------------
    def changed(self) -> None:
        """Values changed outside ``touch``: caches (JSON pieces, search) start over."""
        with self._lock:
            self.version += 1

    def sample(self, fraction: float) -> list[int]:
        """About ``fraction`` of the active records (at least one), chosen at random."""
        active = [i for i in range(len(self)) if i not in self.archived]
        if not active or fraction <= 0:
            return []
        k = max(1, min(len(active), round(len(active) * fraction)))
        rng = np.random.default_rng()
        return sorted(int(active[j]) for j in rng.choice(len(active), size=k, replace=False))

    def touch(self, indices: list[int], now_ms: int | None = None) -> list[str]:
        """Modify these records now: a property value changes, and the last-modified date and
        ``updatedAt`` move to now (each record gets a distinct millisecond, like real edits)."""
        now = int(time.time() * 1000) if now_ms is None else now_ms
        prop = TOUCH_PROPERTY[self.object_type]
        options = [v for v, _ in self.specs[prop].options]
        with self._lock:
            for n, i in enumerate(indices):
                current = self.text(i, prop)
                nxt = (
                    options[(options.index(current) + 1) % len(options)] if current in options else options[0]
                )
                self.overrides.setdefault(i, {})[prop] = nxt
                self.modified[i] = now + n
            self.version += 1
        return [self.id_of(i) for i in indices]


class Portal:
    """The whole CRM of one sandbox portal."""

    def __init__(self, seed: int, stores: dict[str, ObjectStore], links: dict[tuple[str, str], Link],
                 engagement: EngagementLink | None = None) -> None:  # fmt: skip
        self.seed = seed
        self.stores = stores
        self.links = links
        self.engagement = engagement or EngagementLink()
        self.owners = owner_records()
        self.pipelines = {t: pipeline_records(t) for t in PIPELINES}

    def attach_engagement(self, source: EngagementSource) -> None:
        """Roll contacts' ``hs_email_*`` and conversion properties up from ``source`` (``_engagement``)."""
        self.engagement.attach(source)
        self.stores["contacts"].changed()  # cached JSON pieces of the roll-ups are stale

    def object_type(self, name: str) -> str | None:
        """The canonical object type for a name, singular name or type id (``0-1``); None if unknown."""
        key = name.lower()
        for t, type_id in ALL_TYPE_IDS.items():
            if key in (t, ALL_SINGULAR[t], type_id):
                return t
        return None

    def store(self, name: str) -> ObjectStore:
        t = self.object_type(name)
        if t is None:
            raise KeyError(f"unknown object type {name!r}; valid: {', '.join(ALL_TYPE_IDS)}")
        return self.stores[t]

    def link(self, from_type: str, to_type: str) -> Link | None:
        return self.links.get((from_type, to_type))


def _ids(draw: Draw, object_type: str) -> array[int]:
    gaps = draw.rng.integers(1, 4, size=draw.n)  # ascending with gaps, like ids in a real portal
    return array("q", (ID_BASE[object_type] + np.cumsum(gaps) - gaps[0]).astype(np.int64).tobytes())


def _archived(draw: Draw) -> list[int]:
    n = draw.n
    k = 0 if n < 4 else max(2, n // 400)
    return sorted(int(i) for i in draw.rng.choice(n, size=k, replace=False)) if k else []


Edges = dict[tuple[str, str], tuple[np.ndarray, np.ndarray, np.ndarray]]


def _links(
    draw: Draw, n: dict[str, int], fanout: dict[tuple[str, str], int] | None = None
) -> tuple[dict[tuple[str, str], Link], dict[str, array[int]]]:
    """Associations, and each contact's primary company / each deal's company (index, -1: none).
    ``fanout[(a, b)] = k`` also links the first ``a`` record to the first ``k`` ``b`` records."""
    rng = draw.rng
    nc, nco, nd, nt = n["contacts"], n["companies"], n["deals"], n["tickets"]
    edges: Edges = {}

    def pick(count: int, size: int, share: float) -> tuple[np.ndarray, np.ndarray]:
        has = np.flatnonzero(rng.random(count) < share) if size else np.zeros(0, np.int64)
        return has, (size * rng.random(len(has)) ** 1.6).astype(np.int64)  # skewed: some big accounts

    src, dst = pick(nc, nco, 0.85)
    primary_of = np.full(nc, -1, np.int64)
    primary_of[src] = dst
    src2, dst2 = pick(nc, nco, 0.05)  # a second, non-primary company for some contacts
    keep = (primary_of[src2] >= 0) & (primary_of[src2] != dst2)
    edges["contacts", "companies"] = (
        np.concatenate((src, src2[keep])),
        np.concatenate((dst, dst2[keep])),
        np.concatenate((np.ones(len(src), bool), np.zeros(int(keep.sum()), bool))),
    )
    src, dst = pick(nd, nco, 0.9)
    company_of = np.full(nd, -1, np.int64)
    company_of[src] = dst
    edges["deals", "companies"] = (src, dst, np.ones(len(src), bool))
    d1, c1 = pick(nd, nc, 0.95)
    two = d1[rng.random(len(d1)) < 0.3]
    c2 = (nc * rng.random(len(two))).astype(np.int64) if nc else np.zeros(0, np.int64)
    pairs = np.unique(np.stack((np.concatenate((d1, two)), np.concatenate((c1, c2)))), axis=1)
    edges["deals", "contacts"] = (pairs[0], pairs[1], np.zeros(pairs.shape[1], bool))
    src, dst = pick(nt, nc, 0.95)
    edges["tickets", "contacts"] = (src, dst, np.zeros(len(src), bool))

    for (a, b), k in (fanout or {}).items():
        _fan_out(edges, a, b, min(k, n[b]))

    links = {}
    for (a, b), (s, d, p) in edges.items():
        links[a, b] = Link(a, b, s, d, p, n[a])
        links[b, a] = Link(b, a, d, s, p, n[b])
    return links, {"contacts": array("q", primary_of.tobytes()), "deals": array("q", company_of.tobytes())}


def _fan_out(edges: Edges, a: str, b: str, k: int) -> None:
    """Link the first ``a`` record to the first ``k`` ``b`` records it is not linked to yet (not
    primary), in ``edges`` (which holds each pair in the one direction it was drawn in)."""
    key, flip = ((a, b), False) if (a, b) in edges else ((b, a), True)
    s, d, p = edges[key]
    mine, theirs = (d, s) if flip else (s, d)  # indices into a's store, and into b's
    have = set(theirs[mine == 0].tolist())
    new = np.array([j for j in range(k) if j not in have], np.int64)
    first = np.zeros(len(new), np.int64)
    add_s, add_d = (new, first) if flip else (first, new)
    edges[key] = (np.concatenate((s, add_s)), np.concatenate((d, add_d)),
                  np.concatenate((p, np.zeros(len(new), bool))))  # fmt: skip


def fanout_pairs(config: Config) -> dict[tuple[str, str], int]:
    """``config.association_fanout`` as (from, to) pairs of known types (ValueError otherwise)."""
    out: dict[tuple[str, str], int] = {}
    for key, count in config.association_fanout.items():
        a, _, b = key.partition(":")
        if (a, b) not in ASSOCIATION_TYPES:
            valid = ", ".join(f"{x}:{y}" for x, y in ASSOCIATION_TYPES)
            raise ValueError(f"association_fanout: no association {key!r}; valid: {valid}")
        out[a, b] = count
    return out


def build_portal(config: Config) -> Portal:
    """Generate the portal's CRM for ``config`` (sizes, seed, number of custom properties)."""
    seed = config.seed
    sizes = {t: int(getattr(config, t)) for t in OBJECT_TYPES}
    fanout = fanout_pairs(config)
    links, company_index = _links(Draw(seed, SALT["links"], 0), sizes, fanout)
    fanned = {a for (a, _), k in fanout.items() if k}  # their first record must stay active
    pools = Pools(seed)
    names = company_names(sizes["companies"])
    domains = company_domains(names)
    stores: dict[str, ObjectStore] = {}
    engagement = EngagementLink()
    for object_type in ("companies", "contacts", "deals", "tickets"):
        draw = Draw(seed, SALT[object_type], sizes[object_type])
        ids = _ids(draw, object_type)
        created, modified = timeline(draw)
        if object_type == "companies":
            columns = company_columns(draw, pools, names, domains)
        elif object_type == "contacts":
            columns = contact_columns(draw, pools, names, domains, company_index["contacts"])
        elif object_type == "deals":
            columns = deal_columns(draw, company_index["deals"], names, created, modified)
        else:
            columns = ticket_columns(draw, created)
        specs = hubspot_properties(object_type) + custom_properties(object_type, config.custom_properties)
        wanted = {s.name for s in specs}
        columns.update(_common_columns(object_type, draw, ids, created, modified, links))
        columns.update(_related_columns(object_type, draw, columns, created, modified, wanted, company_index,
                                        stores))  # fmt: skip
        if object_type == "contacts":
            contact_id = _id_function(ids)
            columns.update((name, engagement.column(name, contact_id)) for name in ROLLUPS if name in wanted)
        columns = {k: v for k, v in columns.items() if k in wanted}
        generic = [s for s in specs if s.hubspot_defined and s.name not in columns]
        columns.update(generic_columns(generic, draw, pools))
        custom = [s for s in specs if not s.hubspot_defined]
        columns.update(zip((s.name for s in custom), custom_columns(custom, draw, pools), strict=True))
        missing = [s.name for s in specs if s.name not in columns]
        assert not missing, f"no generator for {object_type} properties {missing}"
        archived = [i for i in _archived(draw) if not (i == 0 and object_type in fanned)]
        stores[object_type] = ObjectStore(object_type, ids, columns, specs, created, modified, archived, seed)
    _add_standard_types(seed, stores, links)
    return Portal(seed, stores, links, engagement)


def _id_function(ids: array[int]) -> Callable[[int], str]:
    return lambda i: str(ids[i])


def _related_columns(object_type: str, draw: Draw, columns: dict[str, Column], created: array[int],
                     modified: array[int], names: set[str], company_index: dict[str, array[int]],
                     stores: dict[str, ObjectStore]) -> dict[str, Column]:  # fmt: skip
    """Values that follow other values of the record (see ``_values``): stage dates, lead status,
    sources, the owner's team, notes counters, the primary company."""
    out: dict[str, Column] = {}
    stage = columns.get("lifecyclestage")
    if isinstance(stage, PoolColumn):
        out.update(lifecycle_columns(draw, stage, created, modified, names))
        if "hs_lead_status" in names:
            options = ["NEW", "OPEN", "IN_PROGRESS", "OPEN_DEAL", "UNQUALIFIED", "ATTEMPTED_TO_CONTACT",
                       "CONNECTED", "BAD_TIMING"]  # fmt: skip
            out["hs_lead_status"] = lead_status(draw, stage, options)
    latest = "hs_latest_source" if object_type == "contacts" else "hs_analytics_latest_source"
    out.update(source_columns(draw, created, modified, names, latest))
    owner = columns["hubspot_owner_id"]
    assert isinstance(owner, PoolColumn)
    out.update(owner_extras(owner, created, modified, names, draw))
    out.update(_notes_columns(draw, created, modified, names))
    if object_type == "contacts":
        out["hs_createdate"] = columns["createdate"]
        primary = company_index["contacts"]
        company_ids = stores["companies"].id_array
        out["associatedcompanyid"] = LazyColumn(
            lambda i: str(company_ids[c]) if (c := primary[i]) >= 0 else None
        )
    elif object_type == "deals":
        company_of = company_index["deals"]
        company_ids = stores["companies"].id_array
        out["hs_primary_associated_company"] = LazyColumn(
            lambda i: str(company_ids[c]) if (c := company_of[i]) >= 0 else None
        )
    out.setdefault("hs_createdate", columns["createdate"])
    return out


def _notes_columns(
    draw: Draw, created: array[int], modified: array[int], names: set[str]
) -> dict[str, Column]:
    """Notes counters and dates that agree: ``num_contacted_notes`` ≤ ``num_notes``; the last-activity
    date is set exactly when there are notes, the last-contacted date exactly when some were contacts
    (sales e-mails, calls, meetings), never after the last activity nor the last-modified date."""
    n = draw.n
    notes = (draw.rng.geometric(0.35, n) - 1).astype(np.int64)
    notes[draw.rng.random(n) < 0.4] = 0
    contacted = np.minimum(notes, (notes * draw.rng.random(n)).round().astype(np.int64))
    c, m = np.asarray(created, dtype=np.int64), np.asarray(modified, dtype=np.int64)
    last = c + ((m - c) * (0.5 + 0.5 * draw.rng.random(n))).astype(np.int64)
    last_contacted = c + ((last - c) * draw.rng.random(n)).astype(np.int64)
    values: dict[str, Column] = {
        "num_notes": NumberColumn(to_array(notes)),
        "num_contacted_notes": NumberColumn(to_array(contacted)),
        "notes_last_updated": MsColumn(to_array(np.where(notes > 0, last, NULL_INT))),
        "notes_last_contacted": MsColumn(to_array(np.where(contacted > 0, last_contacted, NULL_INT))),
    }
    return {k: v for k, v in values.items() if k in names}


def _add_standard_types(
    seed: int, stores: dict[str, ObjectStore], links: dict[tuple[str, str], Link]
) -> None:
    """HubSpot's other standard object types (``_standard_types``) with their associations."""
    extra = build_standard_types(seed, len(stores["contacts"]), len(stores["deals"]))
    for t, (ids, columns, specs, created, modified) in extra.stores.items():
        stores[t] = ObjectStore(t, ids, columns, specs, created, modified, [], seed)
    for (a, b), (src, dst) in extra.edges.items():
        primary = np.zeros(len(src), bool)
        links[a, b] = Link(a, b, src, dst, primary, len(stores[a]))
        links[b, a] = Link(b, a, dst, src, primary, len(stores[b]))


def _common_columns(object_type: str, draw: Draw, ids: array[int], created: array[int], modified: array[int],
                    links: dict[tuple[str, str], Link]) -> dict[str, Column]:  # fmt: skip
    columns: dict[str, Column] = {
        "hs_object_id": LazyColumn(lambda i: str(ids[i])),
        "createdate": MsColumn(created),
        "hs_lastmodifieddate": MsColumn(modified),
        "hubspot_owner_id": owner_column(draw),
    }
    if object_type == "contacts":
        columns["lastmodifieddate"] = MsColumn(modified)
    counted = {"contacts": [("num_associated_deals", "deals")],
               "companies": [("num_associated_contacts", "contacts"), ("num_associated_deals", "deals")],
               "deals": [("num_associated_contacts", "contacts")]}  # fmt: skip
    for name, other in counted.get(object_type, []):
        link = links[object_type, other]
        columns[name] = _count_column(link)
    return columns


def _count_column(link: Link) -> LazyColumn:
    """How many associations each record has through ``link`` (unset when none, as HubSpot does)."""

    def count(i: int) -> str | None:
        n = link.count(i)
        return str(n) if n else None

    return LazyColumn(count)
