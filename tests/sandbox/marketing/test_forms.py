"""The sandbox's forms as HubSpot serves them: every ``formType``, archived forms (listed only with
``archived=true``; their submissions readable, empty or gone by a setting, because HubSpot's
behaviour is unconfirmed), page sizes HubSpot accepts, and bodies in the spec's shape."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from spec_shapes import LEGACY, problems, response_shape

from hubspot_nb.sandbox import Sandbox
from hubspot_nb.sandbox.marketing._data import build_marketing

from ..tools import get_as, walk

FORMS = "/marketing/v3/forms"
TYPES = ("hubspot", "captured", "flow", "blog_comment")


def submissions_path(form_id: str) -> str:
    return f"/form-integrations/v1/submissions/forms/{form_id}"


def test_every_form_type_is_there_and_filters(sandbox: Sandbox, token: str) -> None:
    md = sandbox.marketing
    assert {f.form_type for f in md.forms if not f.archived} == set(TYPES)
    assert {f.form_type for f in md.forms if f.archived} and any(f.archived for f in md.forms)
    default = walk(sandbox, token, FORMS)
    assert {f["id"] for f in default} == {
        f.id for f in md.forms if f.form_type == "hubspot" and not f.archived
    }
    for kind in TYPES:
        listed = walk(sandbox, token, FORMS, formTypes=kind)
        assert {f["id"] for f in listed} == {f.id for f in md.forms if f.form_type == kind and not f.archived}
        assert all(f["formType"] == kind and f["archived"] is False for f in listed)
    two = walk(sandbox, token, FORMS, formTypes="flow,captured")
    assert {f["formType"] for f in two} == {"flow", "captured"}
    archived = walk(sandbox, token, FORMS, formTypes="all", archived="true")
    assert {f["id"] for f in archived} == {f.id for f in md.forms if f.archived}
    assert all(f["archived"] is True and f["archivedAt"] >= f["createdAt"] for f in archived)
    one = get_as(sandbox, token, f"{FORMS}/{archived[0]['id']}")
    assert one.status_code == 404  # an archived form is found only when asked for
    assert get_as(sandbox, token, f"{FORMS}/{archived[0]['id']}", archived="true").json() == archived[0]


@pytest.mark.parametrize("limit", ["50", "100", "1000"])
def test_forms_page_size_is_capped_never_refused(fresh_sandbox: Any, limit: str) -> None:
    sb = fresh_sandbox(forms=150)
    token = sb.oauth_token()["access_token"]
    reply = get_as(sb, token, FORMS, formTypes="all", limit=limit)
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert len(body["results"]) == min(int(limit), 100)
    assert body["paging"]["next"]["after"]  # 113 unarchived forms: more than a capped page
    assert len(walk(sb, token, FORMS, formTypes="all", limit=limit)) == sum(
        not f.archived for f in sb.marketing.forms
    )
    assert get_as(sb, token, FORMS, limit="0").status_code == 400  # what no API accepts stays a 400


def test_form_bodies_have_the_spec_shape(sandbox: Sandbox, token: str) -> None:
    listed = walk(sandbox, token, FORMS, formTypes="all") + walk(
        sandbox, token, FORMS, formTypes="all", archived="true"
    )
    page = get_as(sandbox, token, FORMS).json()  # the default listing: hubspot forms only
    assert problems(page, response_shape("legacy", "GET", "/marketing/v3/forms")) == []
    # The spec's union declares only hubspot forms; the other types share its shape (an assumption,
    # docs/sandbox-spec-gaps.md), so they are checked with formType free.
    any_type = {**LEGACY["HubSpotFormDefinition"], "formType": "str!"}
    for form in listed:
        one = get_as(sandbox, token, f"{FORMS}/{form['id']}", archived=str(form["archived"]).lower()).json()
        assert one == form
        if form["formType"] == "hubspot":
            assert problems(one, response_shape("legacy", "GET", "/marketing/v3/forms/{formId}")) == []
        assert problems(one, any_type) == [], form["formType"]
        fields = [f for group in one["fieldGroups"] for f in group["fields"]]
        assert all(f["dependentFields"] == [] for f in fields)
        assert len(one["displayOptions"]["style"]) == 12


@pytest.mark.parametrize("setting", ["readable", "empty", "gone"])
def test_archived_form_submissions_setting(fresh_sandbox: Any, setting: str) -> None:
    sb = fresh_sandbox(archived_form_submissions=setting)
    token = sb.oauth_token()["access_token"]
    md = sb.marketing
    for form in md.forms:
        reply = get_as(sb, token, submissions_path(form.id), limit=50)
        if form.archived and setting == "gone":
            assert reply.status_code == 404 and reply.json()["category"] == "OBJECT_NOT_FOUND"
            continue
        assert reply.status_code == 200, reply.text
        subs = walk(sb, token, submissions_path(form.id), limit=50)
        expected = 0 if form.archived and setting == "empty" else len(md.submissions[form.id])
        assert len(subs) == expected and (expected > 0 or form.archived)
        if form.archived_ms is not None:  # archiving stopped new submissions
            assert all(s["submittedAt"] < form.archived_ms for s in subs)


def test_archived_form_submissions_is_a_runtime_setting(fresh_sandbox: Any) -> None:
    sb = fresh_sandbox()
    token = sb.oauth_token()["access_token"]
    form = next(f for f in sb.marketing.forms if f.archived)
    url = f"{sb.base_url}/_sandbox/config"
    assert get_as(sb, token, submissions_path(form.id)).status_code == 200
    assert requests.post(url, json={"archived_form_submissions": "gone"}, timeout=10).status_code == 200
    assert get_as(sb, token, submissions_path(form.id)).status_code == 404
    bad = requests.post(url, json={"archived_form_submissions": "lost"}, timeout=10)
    assert bad.status_code == 400 and "readable, empty, gone" in bad.json()["message"]
    assert sb.config.archived_form_submissions == "gone"


def test_archived_forms_and_their_submissions_are_deterministic(sandbox: Sandbox) -> None:
    md = sandbox.marketing
    again = build_marketing(sandbox.config, sandbox.portal, sandbox.hub_id)
    assert [(f.id, f.form_type, f.archived, f.archived_ms) for f in again.forms] == [
        (f.id, f.form_type, f.archived, f.archived_ms) for f in md.forms
    ]
    for form in md.forms:
        assert [s.conversion_id for s in again.submissions[form.id]] == [
            s.conversion_id for s in md.submissions[form.id]
        ]
        if form.archived:
            assert form.archived_ms is not None
            assert md.anchor_ms - 90 * 86_400_000 < form.archived_ms < md.anchor_ms  # deleted after 3 months
