"""The cached JSON pieces behind list pages (crm/_encoded): whatever the indices, the cache's state or
its budget, a page equals the reference record shape (crm/_records.record)."""

from __future__ import annotations

import json
import random

import pytest

from hubspot_nb.sandbox.config import make_config
from hubspot_nb.sandbox.crm import _encoded as crm_encoded
from hubspot_nb.sandbox.crm._encoded import BLOCK, encoded, runs_of
from hubspot_nb.sandbox.crm._json import records_json
from hubspot_nb.sandbox.crm._portal import build_portal
from hubspot_nb.sandbox.crm._records import record, select_properties

# More contacts than two blocks, so pages cross block boundaries.
SIZES = {"contacts": 2 * BLOCK + 700, "companies": 60, "deals": 100, "tickets": 40}
NAMES = ["email", "firstname", "company", "phone", "date_of_birth", "num_associated_deals",
         "account_tier_tags__synced_from_billing_system_", "hs_analytics_num_page_views", "lastmodifieddate",
         "hs_v2_date_entered_lead", "hs_notes_last_activity", "hs_searchable_calculated_phone_number",
         "hs_time_to_move_from_lead_to_customer"]  # fmt: skip


@pytest.fixture(scope="module")
def store():
    return build_portal(make_config(seed=9, **SIZES)).store("contacts")


def page(store, indices: list[int], names: list[str]) -> list[dict]:
    return json.loads(records_json(store, indices, names))


def reference(store, indices: list[int], names: list[str]) -> list[dict]:
    return [record(store, i, names) for i in indices]


def index_sets(store) -> dict[str, list[int]]:
    archived = sorted(store.archived)
    rng = random.Random(5)
    return {
        "first page": list(range(100)),
        "across a block boundary": list(range(BLOCK - 30, BLOCK + 70)),
        "last records": list(range(len(store) - 37, len(store))),
        "around archived records": [i for i in range(archived[0] - 50, archived[0] + 50) if i >= 0],
        "archived only": archived[:20],
        "scattered": rng.sample(range(len(store)), 100),
        "runs out of order": [*range(5000, 5010), *range(10, 20), *range(4090, 4100)],
        "repeated": [7, 7, 8, 3],
        "empty": [],
    }


def test_pages_equal_the_reference_shape_for_any_indices(store) -> None:
    names = select_properties(store, NAMES)
    for label, indices in index_sets(store).items():
        assert page(store, indices, names) == reference(store, indices, names), label


def test_runs_of_consecutive_and_scattered_indices() -> None:
    assert runs_of(list(range(10, 110))) == [(10, 110)]
    assert runs_of([1, 2, 4, 5, 3]) == [(1, 3), (4, 6), (3, 4)]
    assert runs_of([]) == []
    assert runs_of(list(range(0, 40, 2))) is None  # too scattered to slice: one value at a time


def test_a_page_builds_only_the_blocks_it_needs(store) -> None:
    store.encoded = None  # a cold cache
    names = select_properties(store, ["email"])
    records_json(store, list(range(BLOCK - 10, BLOCK + 10)), names)
    cache = encoded(store)
    members = cache.members("email", '"email":')
    assert members is not None
    assert [b is not None for b in members.blocks] == [True, True, False]
    store.encoded = None
    records_json(store, random.Random(3).sample(range(len(store)), 50), names)
    assert store.encoded is None  # scattered records (search results) are rendered directly


def test_columns_past_the_budget_are_rendered_per_page(store, monkeypatch: pytest.MonkeyPatch) -> None:
    store.encoded = None
    # room for the heads/tails/dates and a couple of columns: the rest are rendered for each page
    one_string_per_record = len(store) * (crm_encoded.SLOT + crm_encoded.STRING)
    monkeypatch.setattr(crm_encoded, "BUDGET_BYTES", 6 * one_string_per_record)
    names = select_properties(store, NAMES)
    indices = list(range(BLOCK - 50, BLOCK + 50))
    assert page(store, indices, names) == reference(store, indices, names)
    cache = encoded(store)
    cached = [n for n in names if cache.members(n, ("," if names.index(n) else "") + f'"{n}":')]
    assert 0 < len(cached) < len(names)
    store.encoded = None


def test_touched_records_show_their_new_values_and_dates() -> None:
    store = build_portal(make_config(seed=4, **SIZES)).store("contacts")
    names = select_properties(store, ["hs_lead_status", "email"])
    indices = list(range(200))
    before = page(store, indices, names)
    touched = [i for i in range(0, 200, 7) if i not in store.archived]
    store.touch(touched, now_ms=1_893_456_000_000)  # 2030-01-01
    after = page(store, indices, names)
    assert after == reference(store, indices, names)
    for i in touched:
        assert after[i]["updatedAt"].startswith("2030-01-01")
        assert after[i]["properties"]["lastmodifieddate"] == after[i]["updatedAt"]
        assert after[i]["properties"]["hs_lead_status"] != before[i]["properties"]["hs_lead_status"]
    untouched = [i for i in indices if i not in touched]
    assert [after[i] for i in untouched] == [before[i] for i in untouched]
