"""Long association lists over real HTTP, paged like HubSpot: a record's in-record block stops at 100
ids with ``paging.next``; the v4 batch read pages each from-record on its own (base64 cursors) and
takes at most 1,000 inputs. One search sort: extra keys refused (400) or ignored, as configured."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

import pytest
import requests
from helpers import configure, stats

from hubspot_nb.sandbox import Sandbox, start
from hubspot_nb.sandbox.crm._associations import BATCH_PAGE

from ..tools import bearer_session

BIG = {"companies:contacts": 2500, "deals:contacts": 300}


@pytest.fixture(scope="module")
def big() -> Iterator[Sandbox]:
    sb = start(profile="fast", seed=11, contacts=3000, companies=40, deals=60, tickets=10,
               custom_properties=5, association_fanout=BIG)  # fmt: skip
    yield sb
    sb.stop()


@pytest.fixture(scope="module")
def session(big: Sandbox) -> Iterator[requests.Session]:
    s = bearer_session(big.oauth_token()["access_token"])
    yield s
    s.close()


def expected(sb: Sandbox, from_type: str, to_type: str, record_id: str) -> list[str]:
    """The ids of the active records linked to ``record_id``, read off the portal itself."""
    store, other = sb.portal.store(from_type), sb.portal.store(to_type)
    link = sb.portal.link(from_type, to_type)
    i = store.index_of(record_id)
    return [other.id_of(j) for j, _ in link.of(i) if j not in other.archived]


def first_id(sb: Sandbox, object_type: str) -> str:
    return sb.portal.store(object_type).id_of(0)


def test_fanout_gives_the_first_records_their_links(big: Sandbox) -> None:
    assert len(expected(big, "companies", "contacts", first_id(big, "companies"))) >= 2400
    assert len(expected(big, "deals", "contacts", first_id(big, "deals"))) >= 290
    assert 0 not in big.portal.store("companies").archived and 0 not in big.portal.store("deals").archived
    for contact in expected(big, "deals", "contacts", first_id(big, "deals"))[:50]:  # both directions
        assert first_id(big, "deals") in expected(big, "contacts", "deals", contact)


def test_unknown_fanout_pair_is_refused() -> None:
    with pytest.raises(ValueError, match="companies:contacts"):
        start(contacts=5, companies=2, deals=2, tickets=1, association_fanout={"companies:tickets": 3})
    with pytest.raises(ValueError, match="from:to"):
        start(contacts=5, companies=2, deals=2, tickets=1, association_fanout={"companies": 3})


@pytest.mark.parametrize("from_type", ["companies", "deals"])
def test_in_record_block_stops_at_100_ids_and_pages(big: Sandbox, session: requests.Session,
                                                     from_type: str) -> None:  # fmt: skip
    url = f"{big.base_url}/crm/v3/objects/{from_type}"
    page = session.get(url, params={"associations": "contacts", "limit": 100}, timeout=60).json()
    cut = 0
    for r in page["results"]:
        block = r.get("associations", {}).get("contacts")
        if not block:
            continue
        ids = list(dict.fromkeys(a["id"] for a in block["results"]))
        assert len(ids) <= 100
        want = expected(big, from_type, "contacts", r["id"])
        assert ids == want[:100]
        if len(want) <= 100:
            assert "paging" not in block
            continue
        cut += 1
        nxt = block["paging"]["next"]
        assert set(nxt) == {"after", "link"} and len(ids) == 100
        rest = session.get(nxt["link"], timeout=60).json()  # the link goes on where the block stopped
        got = ids + [str(x["toObjectId"]) for x in rest["results"]]
        while "paging" in rest:
            after = rest["paging"]["next"]["after"]
            rest = session.get(nxt["link"].split("?")[0], params={"after": after}, timeout=60).json()
            got += [str(x["toObjectId"]) for x in rest["results"]]
        assert got == want
    assert cut >= 1
    one = session.get(f"{url}/{first_id(big, from_type)}", params={"associations": "contacts"}, timeout=60)
    block = one.json()["associations"]["contacts"]
    assert len({a["id"] for a in block["results"]}) == 100 and "next" in block["paging"]


def read_all(sb: Sandbox, session: requests.Session, from_type: str, ids: list[str]) -> dict[str, list[str]]:
    url = f"{sb.base_url}/crm/v4/associations/{from_type}/contacts/batch/read"
    out: dict[str, list[str]] = {i: [] for i in ids}
    pending: list[dict[str, Any]] = [{"id": i} for i in ids]
    rounds = 0
    while pending:
        rounds += 1
        assert rounds < 50
        reply = session.post(url, json={"inputs": pending}, timeout=60)
        assert reply.status_code in (200, 207), reply.text
        pending = []
        for result in reply.json()["results"]:
            assert len(result["to"]) <= BATCH_PAGE
            out[result["from"]["id"]] += [str(x["toObjectId"]) for x in result["to"]]
            if "paging" in result:
                after = result["paging"]["next"]["after"]
                text = base64.b64decode(unquote(after)).decode()
                type_id = sb.portal.store(from_type).type_id
                assert text == f"{type_id}-{result['to'][-1]['toObjectId']}"  # HubSpot's "0-2-<id>"
                pending.append({"id": result["from"]["id"], "after": after})
    return out


def test_batch_read_pages_each_from_record(big: Sandbox, session: requests.Session) -> None:
    companies = big.portal.store("companies").ids()[:30]
    deals = big.portal.store("deals").ids()[:30]
    got = read_all(big, session, "companies", companies)
    assert got[companies[0]] == expected(big, "companies", "contacts", companies[0])  # 2,500, in 5+ pages
    for i in companies:
        assert got[i] == expected(big, "companies", "contacts", i)
    got = read_all(big, session, "deals", deals)
    for i in deals:
        assert got[i] == expected(big, "deals", "contacts", i)


def test_batch_read_cursor_is_checked_and_1000_inputs_is_the_cap(
    big: Sandbox, session: requests.Session
) -> None:
    url = f"{big.base_url}/crm/v4/associations/companies/contacts/batch/read"
    bad = session.post(
        url, json={"inputs": [{"id": first_id(big, "companies"), "after": "nope"}]}, timeout=30
    )
    assert bad.status_code == 400 and "after" in bad.json()["message"]
    assert bad.json()["category"] == "VALIDATION_ERROR"
    ids = big.portal.store("contacts").ids()
    many = session.post(url.replace("companies/contacts", "contacts/companies"),
                        json={"inputs": [{"id": i} for i in ids[:1000]]}, timeout=60)  # fmt: skip
    assert many.status_code in (200, 207), many.text
    too_many = session.post(url, json={"inputs": [{"id": i} for i in ids[:1001]]}, timeout=60)
    assert too_many.status_code == 400
    assert too_many.json()["category"] == "VALIDATION_ERROR" and "1000" in too_many.json()["message"]


# -- search: one sort key ---------------------------------------------------------------------------
def search(sb: Sandbox, session: requests.Session, **body: Any) -> requests.Response:
    return session.post(f"{sb.base_url}/crm/v3/objects/deals/search", json=body, timeout=30)


def test_search_refuses_or_ignores_a_second_sort(big: Sandbox, session: requests.Session) -> None:
    two = [{"propertyName": "dealstage", "direction": "ASCENDING"},
           {"propertyName": "amount", "direction": "DESCENDING"}]  # fmt: skip
    one = search(big, session, sorts=two[:1], limit=100, properties=["dealstage"]).json()["results"]
    assert big.config.search_extra_sorts == "refuse"  # the default: the stricter of the two
    refused = search(big, session, sorts=two, limit=100)
    assert refused.status_code == 400
    assert refused.json()["category"] == "VALIDATION_ERROR" and "one sort" in refused.json()["message"]
    configure(big, search_extra_sorts="ignore")
    try:
        ignored = search(big, session, sorts=two, limit=100, properties=["dealstage"])
        assert ignored.status_code == 200
        assert [r["id"] for r in ignored.json()["results"]] == [r["id"] for r in one]  # the first key only
        bad = search(big, session, sorts=[two[0], {"propertyName": "nope"}], limit=5)
        assert bad.status_code == 400 and "nope" in bad.json()["message"]  # extra keys still checked
    finally:
        configure(big, search_extra_sorts="refuse")
    counted = stats(big)["search_sorts"]
    assert counted["2"] >= 3 and counted["1"] >= 1
    wrong = requests.post(
        f"{big.base_url}/_sandbox/config", json={"search_extra_sorts": "sometimes"}, timeout=10
    )
    assert wrong.status_code == 400 and "refuse" in wrong.text


def test_ties_keep_id_order_under_one_sort(big: Sandbox, session: requests.Session) -> None:
    found = search(big, session, sorts=["dealstage"], limit=200, properties=["dealstage"]).json()["results"]
    runs: dict[str, list[int]] = {}
    for r in found:
        runs.setdefault(r["properties"]["dealstage"] or "", []).append(int(r["id"]))
    assert all(ids == sorted(ids) for ids in runs.values())
