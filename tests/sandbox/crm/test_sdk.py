"""HubSpot's official Python client (hubspot-api-client) against the sandbox: its generated models
must parse every answer, which proves the sandbox speaks HubSpot's wire format."""

from __future__ import annotations

import pytest

from hubspot_nb.sandbox import Sandbox

hubspot = pytest.importorskip("hubspot")
from hubspot.crm.contacts import (  # noqa: E402
    BatchReadInputSimplePublicObjectId,
    Filter,
    FilterGroup,
    PublicObjectSearchRequest,
    SimplePublicObjectId,
)
from hubspot.crm.contacts.exceptions import ApiException  # noqa: E402


@pytest.fixture(scope="module")
def client(sandbox: Sandbox, sandbox_token: dict):
    # ``host`` is set on every generated API's Configuration by the SDK's discovery layer.
    return hubspot.HubSpot(access_token=sandbox_token["access_token"], host=sandbox.base_url)


def test_get_page_walks_all_contacts(client, sandbox) -> None:
    ids, after = [], None
    while True:
        page = client.crm.contacts.basic_api.get_page(
            limit=100,
            after=after,
            properties=["email", "lifecyclestage", "date_of_birth"],
            associations=["companies"],
        )
        ids += [r.id for r in page.results]
        first = page.results[0]
        assert first.created_at.tzinfo is not None and isinstance(first.properties, dict)
        if page.paging is None:
            break
        after = page.paging.next.after
    assert ids == sandbox.portal.store("contacts").ids()


def test_do_search_parses(client, sandbox) -> None:
    request = PublicObjectSearchRequest(
        filter_groups=[
            FilterGroup(filters=[Filter(property_name="lifecyclestage", operator="EQ", value="customer")])
        ],
        sorts=["-createdate"],
        properties=["email", "lifecyclestage"],
        limit=50,
    )
    result = client.crm.contacts.search_api.do_search(public_object_search_request=request)
    assert result.total > 0 and len(result.results) == min(50, result.total)
    assert all(r.properties["lifecyclestage"] == "customer" for r in result.results)
    created = [r.created_at for r in result.results]
    assert created == sorted(created, reverse=True)


def test_batch_read_parses_including_errors(client, sandbox) -> None:
    ids = sandbox.portal.store("contacts").ids()[:3]
    batch = BatchReadInputSimplePublicObjectId(
        inputs=[SimplePublicObjectId(id=i) for i in [*ids, "1"]],
        properties=["email"],
        properties_with_history=["lifecyclestage"],
    )
    result = client.crm.contacts.batch_api.read(batch_read_input_simple_public_object_id=batch)
    assert sorted(r.id for r in result.results) == sorted(ids)
    assert result.status == "COMPLETE" and result.num_errors == 1
    assert result.errors[0].context["ids"] == ["1"]
    history = result.results[0].properties_with_history["lifecyclestage"]
    assert all(v.timestamp.tzinfo is not None for v in history)


def test_properties_get_all_parses(client) -> None:
    for object_type in ("contacts", "companies", "deals", "tickets"):
        result = client.crm.properties.core_api.get_all(object_type=object_type)
        types = {p.type for p in result.results}
        assert {"string", "number", "date", "datetime", "enumeration", "bool", "phone_number"} <= types
        assert all(p.modification_metadata is not None for p in result.results)
    groups = client.crm.properties.groups_api.get_all(object_type="contacts")
    assert groups.results


def test_owners_pipelines_and_errors_parse(client) -> None:
    owners = client.crm.owners.owners_api.get_page(limit=5)
    assert len(owners.results) == 5 and owners.paging.next.after
    pipelines = client.crm.pipelines.pipelines_api.get_all(object_type="deals")
    assert pipelines.results[0].stages
    with pytest.raises(ApiException) as missing:
        client.crm.contacts.basic_api.get_by_id(contact_id="424242424242")
    assert missing.value.status == 404
