"""Generates the sandbox's CRM records as compact columns (see ``_columns``), deterministic per seed.

numpy draws whole columns at once (200,000 contacts in well under a second); values are stored as
small codes or machine integers and the hundreds of custom properties are pure functions of
(seed, property, record), so nothing per record is held as a Python string.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Sequence

import numpy as np

from ..timestamps import iso_day, iso_ms
from ._catalogue import (
    COMPANY_TYPES,
    DEAL_PIPELINES,
    INDUSTRIES,
    LIFECYCLE,
    OWNER_IDS,
    TICKET_CATEGORY,
    TICKET_PIPELINES,
    TICKET_PRIORITY,
    TICKET_SOURCE,
    WON_STAGES,
    PropertySpec,
)
from ._columns import (
    NULL_INT,
    Column,
    DayColumn,
    LazyColumn,
    MsColumn,
    NumberColumn,
    PoolColumn,
    number_text,
)
from ._words import CO_A, CO_B, FIRST, FREE_MAIL, ISSUES, LAST, LOCATIONS, PRODUCTS, TITLES, WORDS

DAY_MS = 86_400_000
START_MS = 1_640_995_200_000  # 2022-01-01T00:00:00Z: the portal's first record
END_MS = 1_761_955_200_000  # 2025-11-01T00:00:00Z: the generated history ends here (touch moves on)


class Draw:
    """Column-wise random draws for one object type (numpy, seeded from the portal seed)."""

    def __init__(self, seed: int, salt: int, n: int) -> None:
        self.rng = np.random.default_rng([seed, salt])
        self.n = n
        self.seed = seed
        self.salt = salt

    def codes(self, weights: Sequence[float]) -> array[int]:
        p = np.asarray(weights, dtype=float)
        drawn = self.rng.choice(len(p), size=self.n, p=p / p.sum())
        return array("H", drawn.astype(np.uint16).tobytes())

    def pool(self, values: Sequence[str | None], null_share: float = 0.0, empty_share: float = 0.0,
             weights: Sequence[float] | None = None) -> PoolColumn:  # fmt: skip
        """Values from ``values`` (uniform or weighted), with a share of None and of ``""``."""
        w = list(weights) if weights is not None else [1.0] * len(values)
        total = sum(w)
        rest = 1.0 - null_share - empty_share
        probs = [x / total * rest for x in w] + [null_share, empty_share]
        return PoolColumn([*values, None, ""], self.codes(probs))

    def ints(self, low: int, high: int, null_share: float = 0.0) -> np.ndarray:
        values = self.rng.integers(low, high, size=self.n, dtype=np.int64)
        if null_share:
            values[self.rng.random(self.n) < null_share] = NULL_INT
        return values


def to_array(values: np.ndarray) -> array[int]:
    return array("q", values.astype(np.int64).tobytes())


def timeline(draw: Draw) -> tuple[array[int], array[int]]:
    """(createdate, lastmodifieddate) in ms: creation grows with the record index, like HubSpot ids."""
    n = draw.n
    span = END_MS - START_MS - 30 * DAY_MS
    step = span / max(n, 1)
    created = START_MS + (np.arange(n) * step + draw.rng.random(n) * step).astype(np.int64)
    age = END_MS - created
    modified = created + (age * draw.rng.random(n) ** 0.5).astype(np.int64)
    return to_array(created), to_array(modified)


def slug(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def _pool(values: Iterable[str]) -> list[str | None]:
    """A value pool: the values, then None (unset) and "" (set to an empty string)."""
    return [*values, None, ""]


class Pools:
    """Value pools shared by every custom property of a kind: a property stores one 16-bit code per
    record (``PoolColumn``), so 320 properties x 200,000 records cost 2 bytes a value. Each pool ends
    with ``None`` (unset) and ``""`` (set to an empty string)."""

    def __init__(self, seed: int) -> None:
        rng = np.random.default_rng([seed, 77])
        size = 16_384
        self.datetime = _pool(iso_ms(int(v)) for v in rng.integers(START_MS, END_MS, size))
        self.date = _pool(iso_day(START_MS // DAY_MS + d) for d in range(1400))
        self.integer = _pool(str(v) for v in range(1000))
        self.decimal = _pool(number_text(int(v) / 100) for v in rng.integers(0, 10_000_000, size))
        self.phone = _pool(f"+1 ({200 + v // 10_000 % 800}) 555-{v % 10_000:04d}"
                           for v in rng.integers(0, 1 << 40, size).tolist())  # fmt: skip
        self.text = _pool(w + ("" if j == 0 else f" ({j})") for j in range(40) for w in WORDS)
        self.zip = _pool(f"{v:05d}" for v in rng.integers(1000, 99_999, 4000).tolist())
        self.e164 = _pool(f"+1{200 + v // 10_000 % 800}555{v % 10_000:04d}"
                          for v in rng.integers(0, 1 << 40, size).tolist())  # fmt: skip
        self.coordinates = _pool(f"0-{4 + v % 2 * 43}-{30_000_000_000 + v}"
                                 for v in rng.integers(0, 1 << 30, 4000).tolist())  # fmt: skip
        self.revenue = _pool(str(v * 50_000) for v in range(1, 400))

    @staticmethod
    def column(pool: list[str | None], draw: Draw, null_share: float, empty_share: float = 0.0) -> PoolColumn:
        """A column drawing uniformly from ``pool`` (which ends with None, "")."""
        return Pools.columns([(pool, null_share, empty_share)], draw)[0]

    @staticmethod
    def columns(wanted: list[tuple[list[str | None], float, float]], draw: Draw) -> list[PoolColumn]:
        """Columns for (pool, null share, empty share) each, drawn 16 bits at a time in blocks of
        properties (one numpy call per block instead of several per property keeps 200,000 x 320
        values to about a second)."""
        out: list[PoolColumn] = []
        block = 32
        for start in range(0, len(wanted), block):
            part = wanted[start : start + block]
            raw = draw.rng.integers(0, 1 << 16, size=(len(part), draw.n), dtype=np.uint16)
            roll = draw.rng.integers(0, 1 << 16, size=(len(part), draw.n), dtype=np.uint16)
            sizes = np.array([len(pool) - 2 for pool, _, _ in part], dtype=np.uint32)[:, None]
            codes = ((raw.astype(np.uint32) * sizes) >> 16).astype(np.uint16)  # uniform in [0, size)
            null_cut = np.array([round(n * 65536) for _, n, _ in part], dtype=np.uint32)[:, None]
            empty_cut = np.array([round((n + e) * 65536) for _, n, e in part], dtype=np.uint32)[:, None]
            codes = np.where(roll < null_cut, sizes, codes)
            codes = np.where((roll >= null_cut) & (roll < empty_cut), sizes + 1, codes).astype(np.uint16)
            out += [
                PoolColumn(pool, array("H", row.tobytes()))
                for (pool, _, _), row in zip(part, codes, strict=True)
            ]
        return out


def custom_columns(specs: list[PropertySpec], draw: Draw, pools: Pools) -> list[PoolColumn]:
    """The custom properties' values, drawn per record from the pool of each one's kind."""
    wanted: list[tuple[list[str | None], float, float]] = []
    for k, spec in enumerate(specs):
        null_share = (100 + (k * 37) % 600) / 1024  # 10 %..68 % unset, varying per property
        values = [v for v, _ in spec.options]
        if spec.type == "enumeration" and spec.field_type == "checkbox":
            subsets = [
                ";".join(v for j, v in enumerate(values) if mask >> j & 1)
                for mask in range(1, 1 << len(values))
            ]
            wanted.append(([*subsets, None, ""], null_share, 0.02))
        elif spec.type in ("enumeration", "bool"):
            wanted.append(([*values, None, ""], null_share, 0.0))
        elif spec.type == "number":
            wanted.append((pools.integer if k % 3 else pools.decimal, null_share, 0.0))
        elif spec.type == "string":
            wanted.append((pools.text, null_share, 0.025))
        else:
            kind_pool = {"date": pools.date, "datetime": pools.datetime, "phone_number": pools.phone}[
                spec.type
            ]
            wanted.append((kind_pool, null_share, 0.0))
    return Pools.columns(wanted, draw)


def company_names(n: int) -> list[str]:
    combos = len(CO_A) * len(CO_B)
    names = []
    for i in range(n):
        c = (i * 7919) % combos
        suffix = "" if i < combos else f" {i // combos + 1}"
        names.append(f"{CO_A[c // len(CO_B)]} {CO_B[c % len(CO_B)]}{suffix}")
    return names


def company_domains(names: list[str]) -> list[str]:
    return [slug(name) + (".io" if i % 5 == 0 else ".com") for i, name in enumerate(names)]


def company_columns(draw: Draw, pools: Pools, names: list[str], domains: list[str]) -> dict[str, Column]:
    n = draw.n
    loc = draw.codes([1.0] * len(LOCATIONS))
    employees = draw.rng.lognormal(3.5, 1.4, n).astype(np.int64) + 1
    revenue = employees * draw.rng.integers(40_000, 250_000, n)
    revenue[draw.rng.random(n) < 0.3] = NULL_INT
    employees[draw.rng.random(n) < 0.15] = NULL_INT
    founded = draw.ints(1950, 2024, null_share=0.4)
    return {
        "name": LazyColumn(names.__getitem__),
        "domain": LazyColumn(domains.__getitem__),
        "website": LazyColumn(lambda i: "https://www." + domains[i]),
        "industry": draw.pool([v for v, _ in INDUSTRIES], null_share=0.15),
        "type": draw.pool([v for v, _ in COMPANY_TYPES], null_share=0.3, weights=[6, 1, 1, 1, 1]),
        "numberofemployees": NumberColumn(to_array(employees)),
        "annualrevenue": NumberColumn(to_array(revenue)),
        "phone": pools.column(pools.phone, draw, 0.3),
        "city": PoolColumn([c for c, _, _ in LOCATIONS], loc),
        "state": PoolColumn([s for _, s, _ in LOCATIONS], loc),
        "country": PoolColumn([c for _, _, c in LOCATIONS], loc),
        "lifecyclestage": draw.pool(
            [v for v, _ in LIFECYCLE], null_share=0.2, weights=[1, 3, 2, 2, 2, 4, 1, 1]
        ),
        "founded_year": NumberColumn(to_array(founded)),
        "is_public": draw.pool(["true", "false"], null_share=0.5, weights=[1, 6]),
    }


def contact_columns(draw: Draw, pools: Pools, names: list[str], domains: list[str],
                    primary_company: array[int]) -> dict[str, Column]:  # fmt: skip
    n = draw.n
    first = draw.pool(FIRST, null_share=0.02)
    last = draw.pool(LAST, null_share=0.03)
    first_slug = [slug(x) for x in FIRST] + ["contact", "contact"]
    last_slug = [slug(x) for x in LAST] + ["info", "info"]
    fc, lc = first.codes, last.codes
    # e-mail host: 0-4 a free-mail host, 5-7 the company's domain (when there is one), 8 no e-mail
    host = draw.codes([1, 1, 1, 1, 1, 5, 5, 4, 0.3])
    loc = draw.codes([1.0] * len(LOCATIONS) + [8.0])  # last code: no address
    dob = draw.ints(-7300, 12_000, null_share=0.7)  # 1950..2002
    views = (draw.rng.geometric(0.08, n) - 1).astype(np.int64)
    company_code = np.asarray(primary_company, dtype=np.int64)
    company_code = np.where(company_code < 0, len(names), company_code)
    site = array("b", (draw.rng.random(n) < 0.3).astype(np.int8).tobytes())

    def email(i: int) -> str | None:
        h = host[i]
        if h == 8:
            return None
        c = primary_company[i]
        domain = domains[c] if h >= 5 and c >= 0 else FREE_MAIL[h % 5]
        return f"{first_slug[fc[i]]}.{last_slug[lc[i]]}{i}@{domain}"

    def website(i: int) -> str | None:
        c = primary_company[i]
        return "https://www." + domains[c] if c >= 0 and site[i] else None

    return {
        "email": LazyColumn(email),
        "firstname": first,
        "lastname": last,
        "phone": pools.column(pools.phone, draw, 0.35),
        "mobilephone": pools.column(pools.phone, draw, 0.65),
        "company": PoolColumn([*names, None], to_array(company_code)),
        "jobtitle": draw.pool(TITLES, null_share=0.2, empty_share=0.02),
        "website": LazyColumn(website),
        "city": PoolColumn([c for c, _, _ in LOCATIONS] + [None], loc),
        "state": PoolColumn([s for _, s, _ in LOCATIONS] + [None], loc),
        "country": PoolColumn([c for _, _, c in LOCATIONS] + [None], loc),
        "zip": pools.column(pools.zip, draw, 0.45),
        "date_of_birth": DayColumn(to_array(dob)),
        "lifecyclestage": draw.pool(
            [v for v, _ in LIFECYCLE], null_share=0.05, weights=[2, 6, 3, 2, 2, 3, 1, 1]
        ),
        "annualrevenue": pools.column(pools.revenue, draw, 0.7),
        "hs_email_optout": draw.pool(["false", "true"], null_share=0.1, weights=[17, 1]),
        "hs_analytics_num_page_views": NumberColumn(to_array(views)),
    }


def deal_columns(draw: Draw, company_of: array[int], names: list[str], created: array[int],
                 modified: array[int]) -> dict[str, Column]:  # fmt: skip
    """Deals whose stage, amount, close date and closed/won flags agree with their pipeline: closed
    deals closed between their create and last-modified dates, open ones expect to close later."""
    n = draw.n
    pipes = DEAL_PIPELINES
    pipeline = draw.codes([8, 2, 1])
    stage_draw = draw.rng.integers(0, 1 << 16, n)
    lengths = np.array([len(p[2]) for p in pipes])
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    pipe = np.asarray(pipeline, dtype=np.int64)
    codes = starts[pipe] + stage_draw % lengths[pipe]
    stages = [st for _, _, sts in pipes for st in sts]
    stage = PoolColumn([sid for sid, _, _, _ in stages], to_array(codes))
    closed = np.array([c for _, _, _, c in stages])[codes]
    won = np.array([sid in WON_STAGES for sid, _, _, _ in stages])[codes]
    prob = [p for _, _, p, _ in stages]
    amount = (draw.rng.lognormal(8.5, 1.2, n) * 100).astype(np.int64)
    amount[draw.rng.random(n) < 0.08] = NULL_INT
    c, m = np.asarray(created, dtype=np.int64), np.asarray(modified, dtype=np.int64)
    close = np.where(closed, c + ((m - c) * (0.3 + 0.7 * draw.rng.random(n))).astype(np.int64),
                     m + (draw.rng.integers(5, 180, n) * DAY_MS))  # fmt: skip
    close = np.where(~closed & (draw.rng.random(n) < 0.15), NULL_INT, close)
    product = draw.codes([1.0] * len(PRODUCTS))
    amount_column = NumberColumn(to_array(amount), decimals=2)
    flags = {
        "hs_is_closed_won": won, "hs_is_closed": closed, "hs_is_closed_lost": closed & ~won,
    }  # fmt: skip

    def dealname(i: int) -> str:
        k = company_of[i]
        return f"{names[k] if k >= 0 else 'New prospect'} - {PRODUCTS[product[i]]}"

    def flag(values: np.ndarray) -> PoolColumn:
        return PoolColumn(["false", "true"], array("H", values.astype(np.uint16).tobytes()))

    def closed_amount(i: int) -> str | None:
        return amount_column.text(i) if won[i] else ("0" if amount[i] != NULL_INT else None)

    days = np.where(closed & (close != NULL_INT), (close - c) // DAY_MS, NULL_INT)
    return {
        "dealname": LazyColumn(dealname),
        "amount": amount_column,
        "amount_in_home_currency": amount_column,
        "dealstage": stage,
        "pipeline": PoolColumn([p for p, _, _ in pipes], pipeline),
        "closedate": MsColumn(to_array(close)),
        "hs_closed_won_date": MsColumn(to_array(np.where(won, close, NULL_INT))),
        "days_to_close": NumberColumn(to_array(days)),
        "hs_deal_stage_probability": PoolColumn(prob, to_array(codes)),
        "hs_closed_amount": LazyColumn(closed_amount),
        "hs_is_closed_count": NumberColumn(to_array(closed.astype(np.int64))),
        "hs_is_open_count": NumberColumn(to_array((~closed).astype(np.int64))),
        "hs_closed_won_count": NumberColumn(to_array(won.astype(np.int64))),
        **{name: flag(v) for name, v in flags.items()},
        "deal_currency_code": PoolColumn(["USD", "EUR", "GBP", None], draw.codes([20, 3, 2, 1])),
        "description": draw.pool([w.capitalize() + "." for w in WORDS], null_share=0.66, empty_share=0.02),
        "hs_priority": draw.pool(["low", "medium", "high"], null_share=0.5),
    }


def ticket_columns(draw: Draw, created: array[int]) -> dict[str, Column]:
    n = draw.n
    stages = [s for s, _, _, _ in TICKET_PIPELINES[0][2]]
    stage = draw.pool(stages, weights=[2, 1, 1, 6])
    issue = draw.codes([1.0] * len(ISSUES))
    product = draw.codes([1.0] * len(PRODUCTS))
    lag = draw.rng.integers(3_600_000, 20 * DAY_MS, n).tolist()
    cats = [v for v, _ in TICKET_CATEGORY]
    combos = [f"Customer reports: {a.lower()} with {b.lower()}." for a in ISSUES for b in PRODUCTS]
    content = np.asarray(issue, dtype=np.int64) * len(PRODUCTS) + np.asarray(product, dtype=np.int64)
    content[draw.rng.random(n) < 0.14] = len(combos)

    def closed_date(i: int) -> str | None:
        return iso_ms(created[i] + lag[i]) if stage.text(i) == "4" else None

    return {
        "subject": LazyColumn(lambda i: f"{ISSUES[issue[i]]} ({PRODUCTS[product[i]]})"),
        "content": PoolColumn([*combos, None], to_array(content)),
        "hs_pipeline": PoolColumn(["0"], array("H", bytes(2 * n))),
        "hs_pipeline_stage": stage,
        "hs_ticket_priority": draw.pool(
            [v for v, _ in TICKET_PRIORITY], null_share=0.1, weights=[3, 4, 2, 1]
        ),
        "hs_ticket_category": draw.pool(
            [*cats, f"{cats[1]};{cats[0]}", f"{cats[0]};{cats[2]}"],
            null_share=0.2,
            weights=[4, 3, 2, 3, 1, 1],
        ),
        "source_type": draw.pool([v for v, _ in TICKET_SOURCE], null_share=0.05),
        "closed_date": LazyColumn(closed_date),
    }


def owner_column(draw: Draw) -> PoolColumn:
    weights = [3.0] * (len(OWNER_IDS) - 1) + [1.0]  # the departed (archived) owner still owns some
    return draw.pool(OWNER_IDS, null_share=0.1, weights=weights)
