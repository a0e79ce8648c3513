"""Values for HubSpot's own properties, generated so that they hang together like a real portal's.

Three kinds, built by ``_portal.build_portal`` after the per-type columns of ``_generate``:

- **life cycle** (``lifecycle_columns``): each record with a ``lifecyclestage`` walked the funnel
  (subscriber → lead → MQL → SQL → opportunity → customer → evangelist; ``other`` off the funnel) up
  to its stage, starting at its create date; every stage reached has its ``hs_v2_date_entered_*``
  (and the older ``hs_lifecyclestage_*_date``, companies' ``hs_date_entered_*``), every stage left its
  ``hs_v2_date_exited_*`` and time-in-stage numbers, all in order and never after the last-modified
  date; ``hs_time_to_move_from_*_to_customer`` is the gap between two of those dates;
- **sources** (``source_columns``): ``hs_analytics_source`` with the shares of a typical portal and
  drill-downs (``_data_1``/``_data_2``) that fit the source; ``hs_latest_source`` the same or a later
  one;
- **everything else** (``generic_columns``): typed values from shared pools by (type, fieldType) and
  a few name patterns (URLs, cities, phones …), mostly unset as in real portals (HubSpot fills most
  of its properties only when the feature behind them is in use).
"""

from __future__ import annotations

import itertools
import zlib
from array import array

import numpy as np

from ._catalogue import OWNER_IDS, TEAMS, USER_IDS, PropertySpec
from ._columns import NULL_INT, Column, LazyColumn, MsColumn, NumberColumn, PoolColumn
from ._generate import Draw, Pools, to_array
from ._words import LOCATIONS

FUNNEL = ["subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer",
          "evangelist"]  # fmt: skip
STAGES = [*FUNNEL, "other"]

# hs_analytics_source: (value, share, data_1 choices, data_2 choices). Shares like a B2B portal's.
SOURCES: list[tuple[str, float, list[str], list[str]]] = [
    ("ORGANIC_SEARCH", 30, ["google", "bing", "duckduckgo"], ["unknown keywords (SSL)"]),
    ("DIRECT_TRAFFIC", 20, ["https://www.example.com/", "https://www.example.com/pricing"], []),
    ("REFERRALS", 9, ["g2.com", "capterra.com", "partner.example.org"], ["https://g2.com/products/example"]),
    ("PAID_SEARCH", 10, ["google", "bing"], ["crm software", "pipeline tool", "brand"]),
    ("SOCIAL_MEDIA", 7, ["LinkedIn", "Facebook", "Twitter"], []),
    ("EMAIL_MARKETING", 7, ["Newsletter", "Product update"], []),
    ("OFFLINE", 12, ["IMPORT", "CRM_UI", "INTEGRATION", "API"], ["contacts-2024.csv", "sample-contact"]),
    ("OTHER_CAMPAIGNS", 3, ["spring-launch", "partner-webinar"], ["email", "display"]),
    ("PAID_SOCIAL", 2, ["LinkedIn", "Facebook"], ["lead-gen-form"]),
]  # fmt: skip


def _name_hash(name: str) -> int:
    return zlib.crc32(name.encode())


def lifecycle_columns(draw: Draw, stage: PoolColumn, created: array[int], modified: array[int],
                      names: set[str]) -> dict[str, Column]:  # fmt: skip
    """The stage-date family for the names the catalogue has (see the module docstring)."""
    n = draw.n
    codes = np.frombuffer(stage.codes, dtype=np.uint16).astype(np.int64) if n else np.zeros(0, np.int64)
    values = list(stage.pool)
    index = {v: STAGES.index(v) for v in values if v in STAGES}
    target = np.array([index.get(values[c], -1) if values[c] is not None else -1 for c in range(len(values))],
                      dtype=np.int64)[codes] if n else np.zeros(0, np.int64)  # fmt: skip
    # first stage: subscriber (40 %), lead (50 %), MQL (10 %), never past the target
    first = np.minimum(draw.rng.choice(3, size=n, p=[0.4, 0.5, 0.1]), np.where(target == 7, 1, target))
    created_np = np.asarray(created, dtype=np.int64)
    span = np.asarray(modified, dtype=np.int64) - created_np
    # entry moments: sorted fractions of the record's life, the first stage at 0 (its create date)
    fractions = np.sort(draw.rng.random((n, len(STAGES))), axis=1) * 0.98
    entered = np.full((len(STAGES), n), NULL_INT, dtype=np.int64)
    other = target == 7
    # "other" is off the funnel: its records walked the funnel up to some stage, then were moved there
    # (mostly former customers and evangelists: half of them got as far as evangelist)
    top = np.where(other, np.maximum(first, len(FUNNEL) - draw.rng.geometric(0.5, n)), target)
    rows = np.arange(n)
    for k in range(len(FUNNEL)):
        reached = (target >= 0) & (first <= k) & (k <= top)
        step = np.clip(k - first, 0, len(STAGES) - 1)
        frac = np.where(step == 0, 0.0, fractions[rows, step])
        entered[k] = np.where(reached, created_np + (span * frac).astype(np.int64), NULL_INT)
    after = fractions[rows, np.clip(top - first + 1, 0, len(STAGES) - 1)]
    entered[7] = np.where(other, created_np + (span * after).astype(np.int64), NULL_INT)
    # a tenth of the others took a detour through "other" between their first two stages
    detour = (target >= 0) & ~other & (target > first) & (draw.rng.random(n) < 0.1)
    start = entered[np.clip(first, 0, 6), rows]
    following = entered[np.clip(first + 1, 0, 6), rows]
    entered[7] = np.where(detour, start + (following - start) // 2, entered[7])
    # each stage is left when the next one (in time) is entered
    exited = np.full_like(entered, NULL_INT)
    for k in range(len(STAGES)):
        nxt = np.full(n, NULL_INT, dtype=np.int64)
        for j in range(len(STAGES)):
            later = (j != k) & (entered[j] != NULL_INT) & (entered[k] != NULL_INT) & (entered[j] > entered[k])
            nxt = np.where(later & ((nxt == NULL_INT) | (entered[j] < nxt)), entered[j], nxt)
        exited[k] = nxt
    out: dict[str, Column] = {}
    for k, s in enumerate(STAGES):
        e, x = entered[k], exited[k]
        spent = np.where((e != NULL_INT) & (x != NULL_INT), x - e, NULL_INT)
        for name in (f"hs_v2_date_entered_{s}", f"hs_lifecyclestage_{s}_date", f"hs_date_entered_{s}"):
            if name in names:
                out[name] = MsColumn(to_array(e))
        for name in (f"hs_v2_date_exited_{s}", f"hs_date_exited_{s}"):
            if name in names:
                out[name] = MsColumn(to_array(x))
        for name in (f"hs_v2_latest_time_in_{s}", f"hs_v2_cumulative_time_in_{s}", f"hs_time_in_{s}"):
            if name in names:
                out[name] = NumberColumn(to_array(spent))
        move = f"hs_time_to_move_from_{s}_to_customer"
        if move in names:
            cust = entered[FUNNEL.index("customer")]
            ok = (e != NULL_INT) & (cust != NULL_INT) & (cust >= e)
            out[move] = NumberColumn(to_array(np.where(ok, cust - e, NULL_INT)))
    return out


def lead_status(draw: Draw, stage: PoolColumn, options: list[str]) -> PoolColumn:
    """``hs_lead_status`` as sales teams set it: open statuses for leads/MQLs/SQLs, OPEN_DEAL for
    opportunities, mostly unset for subscribers and customers."""
    n = draw.n
    pool: list[str | None] = [*options, None]
    none = len(options)
    open_codes = [options.index(v) for v in ("NEW", "OPEN", "IN_PROGRESS", "ATTEMPTED_TO_CONTACT",
                                             "CONNECTED",
                                             "BAD_TIMING", "UNQUALIFIED") if v in options]  # fmt: skip
    drawn = np.asarray(open_codes, dtype=np.int64)[draw.rng.integers(0, len(open_codes), n)]
    roll = draw.rng.random(n)
    stage_of = np.array([STAGES.index(v) if v in STAGES else -1 for v in stage.pool], dtype=np.int64)
    s = stage_of[np.frombuffer(stage.codes, dtype=np.uint16)] if n else np.zeros(0, np.int64)
    codes = np.where((s >= 1) & (s <= 3), np.where(roll < 0.9, drawn, none), none)
    if "OPEN_DEAL" in options:
        codes = np.where(s == 4, np.where(roll < 0.8, options.index("OPEN_DEAL"), drawn), codes)
    codes = np.where((s == 5) & (roll < 0.15), options.index("CONNECTED") if "CONNECTED" in options else none,
                     codes)  # fmt: skip
    codes = np.where((s == 0) & (roll < 0.1), drawn, codes)
    codes = np.where(s < 0, np.where(roll < 0.3, drawn, none), codes)
    return PoolColumn(pool, array("H", codes.astype(np.uint16).tobytes()))


def source_columns(draw: Draw, created: array[int], modified: array[int], names: set[str],
                   latest_prefix: str = "hs_latest_source") -> dict[str, Column]:  # fmt: skip
    """Original and latest source with their drill-downs and the latest source's timestamp."""
    n = draw.n
    values = [v for v, _, _, _ in SOURCES]
    weights = np.array([w for _, w, _, _ in SOURCES], dtype=float)
    original = draw.rng.choice(len(SOURCES), size=n, p=weights / weights.sum())
    original = np.where(draw.rng.random(n) < 0.03, len(SOURCES), original)  # a few unset
    again = draw.rng.choice(len(SOURCES), size=n, p=weights / weights.sum())
    latest = np.where((draw.rng.random(n) < 0.6) | (original == len(SOURCES)), original, again)
    pool: list[str | None] = [*values, None]
    out: dict[str, Column] = {}

    def detail(codes: np.ndarray, which: int) -> PoolColumn:
        choices: list[list[str]] = [source[3] if which else source[2] for source in SOURCES]
        flat: list[str | None] = [v for c in choices for v in c] + [None]
        starts = np.cumsum(np.array([0] + [len(c) for c in choices], dtype=np.int64))
        pick = draw.rng.integers(0, 1 << 16, n)
        sizes = np.array([len(c) for c in choices] + [0], dtype=np.int64)[codes]
        idx = np.where(sizes > 0, starts[np.minimum(codes, len(SOURCES) - 1)] + pick % np.maximum(sizes, 1),
                       len(flat) - 1)  # fmt: skip
        return PoolColumn(flat, array("H", idx.astype(np.uint16).tobytes()))

    for name, codes in (("hs_analytics_source", original), (latest_prefix, latest)):
        if name in names:
            out[name] = PoolColumn(pool, array("H", codes.astype(np.uint16).tobytes()))
        for which in (0, 1):
            sub = f"{name}_data_{which + 1}"
            if sub in names:
                out[sub] = detail(codes, which)
    stamp = f"{latest_prefix}_timestamp"
    if stamp in names:
        c, m = np.asarray(created, dtype=np.int64), np.asarray(modified, dtype=np.int64)
        when = c + ((m - c) * draw.rng.random(n)).astype(np.int64)
        out[stamp] = MsColumn(to_array(np.where(latest == len(SOURCES), NULL_INT, when)))
    return out


def owner_extras(owner: PoolColumn, created: array[int], modified: array[int], names: set[str],
                 draw: Draw) -> dict[str, Column]:  # fmt: skip
    """Properties that follow ``hubspot_owner_id``: all-owner ids, the owner's team, name, e-mail and
    the assignment date (between the create and last-modified dates)."""
    out: dict[str, Column] = {}
    team_of = {oid: TEAMS[n % len(TEAMS)][0] for n, oid in enumerate(OWNER_IDS)}
    user_of = dict(zip(OWNER_IDS, USER_IDS, strict=True))
    for name in ("hs_all_owner_ids", "hs_user_ids_of_all_owners", "hubspot_team_id", "hs_all_team_ids",
                 "hs_all_accessible_team_ids"):  # fmt: skip
        if name in names:
            mapping = user_of if name == "hs_user_ids_of_all_owners" else None if "owner" in name else team_of
            pool = (
                owner.pool if mapping is None else [None if v is None else mapping.get(v) for v in owner.pool]
            )
            out[name] = PoolColumn(pool, owner.codes)
    if "hubspot_owner_assigneddate" in names:
        c, m = np.asarray(created, dtype=np.int64), np.asarray(modified, dtype=np.int64)
        has = np.array([v is not None for v in owner.pool])[np.frombuffer(owner.codes, dtype=np.uint16)]
        when = c + ((m - c) * draw.rng.random(draw.n) * 0.2).astype(np.int64)
        out["hubspot_owner_assigneddate"] = MsColumn(to_array(np.where(has, when, NULL_INT)))
    return out


_URLS = ["https://www.example.com/", "https://www.example.com/pricing", "https://www.example.com/blog/crm-tips",
         "https://www.example.com/demo", "https://www.example.com/contact"]  # fmt: skip


def _pool_for(spec: PropertySpec, pools: Pools, k: int) -> tuple[list[str | None], float]:
    """(value pool, share of empty strings) for one generic property."""
    name, t, ft = spec.name, spec.type, spec.field_type
    values = [v for v, _ in spec.options]
    if t == "enumeration" or (t == "bool" and values):
        if not values:
            return [None, ""], 0.0
        if ft == "checkbox":
            if len(values) <= 6:
                subsets = [
                    ";".join(v for j, v in enumerate(values) if m >> j & 1)
                    for m in range(1, 1 << len(values))
                ]
            else:
                subsets = values + [f"{a};{b}" for a, b in itertools.pairwise(values)]
            return [*subsets, None, ""], 0.0
        return [*values, None, ""], 0.0
    if t == "bool":
        return ["true", "false", None, ""], 0.0
    if t == "number":
        return (pools.decimal if k % 3 == 0 else pools.integer), 0.0
    if t == "datetime":
        return pools.datetime, 0.0
    if t == "date":
        return pools.date, 0.0
    if t == "phone_number":
        return pools.e164, 0.0
    if t == "object_coordinates":  # "<objectTypeId>-<objectId>" of an engagement (shape unconfirmed)
        return pools.coordinates, 0.0
    if ft == "phonenumber" or "phone" in name:
        return pools.phone, 0.0
    if "url" in name or "website" in name:
        return [*_URLS, None, ""], 0.0
    if "city" in name:
        return [*(c for c, _, _ in LOCATIONS), None, ""], 0.0
    if "country" in name:
        return [*dict.fromkeys(c for _, _, c in LOCATIONS), None, ""], 0.0
    if name.endswith("_date") or "timestamp" in name:
        return pools.date, 0.0
    return pools.text, 0.02


def generic_columns(specs: list[PropertySpec], draw: Draw, pools: Pools) -> dict[str, Column]:
    """Typed values for HubSpot-defined properties no specific generator covers: 50 %–85 % unset,
    varying per property (a stable hash of its name, not its position)."""
    wanted: list[tuple[list[str | None], float, float]] = []
    for k, spec in enumerate(specs):
        pool, empty = _pool_for(spec, pools, k)
        null_share = 0.5 + (_name_hash(spec.name) % 36) / 100
        if pool == [None, ""]:
            null_share = 1.0
        wanted.append((pool, null_share, empty))
    return dict(zip((s.name for s in specs), Pools.columns(wanted, draw), strict=True))


def id_column(ids: array[int]) -> LazyColumn:
    return LazyColumn(lambda i: str(ids[i]))
