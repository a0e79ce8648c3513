"""Forms complete: ``hub.forms()`` lists every form type, ``archived=True`` adds the archived ones,
and ``hub.form_submissions()`` holds every submission the sandbox holds (archived forms included),
under each of the sandbox's answers for an archived form's submissions (readable, empty, 404).

Ground truth is the sandbox's own data (``sandbox.marketing``), not what the endpoints serve."""

from __future__ import annotations

import warnings
from typing import Any

import pandas as pd
import pytest
from helpers import make_hub

import hubspot_nb as hnb
from hubspot_nb.hub import Hub
from hubspot_nb.marketing.forms import FORM_TYPES, NO_SUBMISSIONS_ATTR
from hubspot_nb.sandbox import Sandbox


def pull(hub: Hub, **kwargs: Any) -> tuple[pd.DataFrame, list[str]]:
    """``hub.form_submissions(**kwargs)`` and the warnings it gave."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = hub.form_submissions(**kwargs)
    return frame, [str(w.message) for w in caught]


@pytest.fixture(scope="module")
def hub(sandbox: Sandbox) -> Hub:
    return make_hub(sandbox)


def test_forms_lists_every_type_and_archived_adds_the_archived(hub: Hub, sandbox: Sandbox) -> None:
    md = sandbox.marketing
    forms = hub.forms()
    live = [f for f in md.forms if not f.archived]
    assert set(forms.index) == {f.id for f in live}
    assert set(forms["formType"]) == set(FORM_TYPES) == {f.form_type for f in md.forms}
    assert not forms["archived"].any()
    everything = hub.forms(archived=True)
    assert set(everything.index) == {f.id for f in md.forms} > set(forms.index)
    truth = {f.id: (f.archived, f.form_type, f.name) for f in md.forms}
    for form_id, row in everything.iterrows():
        assert (row["archived"], row["formType"], row["name"]) == truth[str(form_id)]
    pd.testing.assert_frame_equal(everything[~everything["archived"]].sort_index(), forms.sort_index())


def test_form_submissions_hold_every_submission_of_every_form(hub: Hub, sandbox: Sandbox) -> None:
    md = sandbox.marketing
    subs, said = pull(hub)
    assert not [w for w in said if "archived" in w], said
    assert subs.attrs[NO_SUBMISSIONS_ATTR] == []
    assert len(subs) == sum(len(md.submissions[f.id]) for f in md.forms)
    counts = subs["form_id"].value_counts()
    for form in md.forms:
        assert counts.get(form.id, 0) == len(md.submissions[form.id]) > 0, form.name
        mine = subs[subs["form_id"] == form.id]
        assert set(mine.index) == {s.conversion_id for s in md.submissions[form.id]}
        assert (mine["form_archived"] == form.archived).all()
    assert str(subs["form_archived"].dtype) == "boolean"
    archived = subs[subs["form_archived"]]
    assert 0 < len(archived) < len(subs)
    # an archived form takes no submissions after it was archived
    for form in (f for f in md.forms if f.archived):
        assert form.archived_ms is not None
        last = subs.loc[subs["form_id"] == form.id, "submittedAt"].max()
        assert last < pd.Timestamp(form.archived_ms, unit="ms", tz="UTC")


def test_one_archived_form_and_since(hub: Hub, sandbox: Sandbox) -> None:
    form = next(f for f in sandbox.marketing.forms if f.archived)
    subs, _ = pull(hub, form_id=form.id)
    assert len(subs) == len(sandbox.marketing.submissions[form.id])
    assert subs["form_archived"].all() and (subs["form_name"] == form.name).all()
    cutoff = subs["submittedAt"].iloc[len(subs) // 2]
    recent, said = pull(hub, form_id=form.id, since=cutoff)
    assert set(recent.index) == set(subs.index[subs["submittedAt"] >= cutoff])
    assert recent.attrs[NO_SUBMISSIONS_ATTR] == [] and not said


@pytest.mark.parametrize("setting", ["gone", "empty"])
def test_unreadable_archived_submissions_are_named_not_an_error(fresh_sandbox: Any, setting: str) -> None:
    sb = fresh_sandbox(archived_form_submissions=setting)
    md = sb.marketing
    hub = make_hub(sb)
    subs, said = pull(hub)
    archived = [f for f in md.forms if f.archived]
    assert archived
    assert len(subs) == sum(len(md.submissions[f.id]) for f in md.forms if not f.archived)
    assert not subs["form_archived"].any()
    assert sorted(subs.attrs[NO_SUBMISSIONS_ATTR]) == sorted(f.id for f in archived)
    message = next(w for w in said if "archived form" in w)
    assert f"{len(archived)} archived form(s)" in message and NO_SUBMISSIONS_ATTR in message
    assert all(repr(f.name) in message for f in archived)
    one, _ = pull(hub, form_id=archived[0].id)
    assert len(one) == 0 and one.attrs[NO_SUBMISSIONS_ATTR] == [archived[0].id]
    assert "form_archived" in one.columns


def test_unknown_form_is_still_an_error(hub: Hub) -> None:
    with pytest.raises(hnb.NotFound):
        hub.form_submissions(form_id="no-such-form")


def test_forms_are_listed_100_a_page(fresh_sandbox: Any) -> None:
    sb = fresh_sandbox(forms=130)
    hub = make_hub(sb)
    sb.stats.reset()
    forms = hub.forms(archived=True)
    assert len(forms) == 130 and forms.index.is_unique
    assert set(forms["formType"]) == set(FORM_TYPES)
    live = sum(not f.archived for f in sb.marketing.forms)
    assert 50 < live <= 100 and 0 < 130 - live <= 50  # one page of 100 per pass (of 50: three pages)
    assert sb.stats.get("requests", key="GET /marketing/v3/forms") == 2
