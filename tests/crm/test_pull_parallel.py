"""Full pulls with several list chains: every record exactly once, whatever the list cursor means.

The sandbox can spell its list cursors four ways (``list_cursor``): HubSpot's base64 id, plain
digits, HubSpot's spelling but only cursors it handed out ("issued": written ones get a 400), and
signed tokens. The pull must split where it can, fall back where it cannot, and never lose a row.
A simulation then drives ``Coverage`` with cursors that land anywhere at all.
"""

from __future__ import annotations

import base64
import bisect
import json
import random
from typing import Any

import pandas as pd
import pytest
from helpers import make_hub, stats
from hypothesis import given, settings
from hypothesis import strategies as st

from hubspot_nb.crm import pull
from hubspot_nb.crm._chains import Coverage, CursorFormat, ParallelPull, learn
from hubspot_nb.frames import _fast as fast
from hubspot_nb.frames.raw_columns import RawColumns, read_page
from hubspot_nb.http.client import parse_json

# Enough latency that one chain cannot feed the burst, so the pull splits (4 chains wanted).
SPLITTING = {
    "contacts": 3000, "custom_properties": 5, "latency_ms": 15, "burst": 400, "burst_window_ms": 1000,
}  # fmt: skip


def parallel_pull(sb: Any) -> tuple[Any, set[str]]:
    hub = make_hub(sb)
    hub.properties("contacts")  # the first request goes alone and teaches the client the burst
    run = ParallelPull(hub.client, "contacts", None, None)
    ids = {i for batch in run.batches() for i in pull.record_ids(batch)}
    return run, ids


@pytest.mark.parametrize("style", ["id", "plain"])
def test_id_like_cursors_split_the_pull_and_every_record_arrives(fresh_sandbox: Any, style: str) -> None:
    sb = fresh_sandbox(list_cursor=style, **SPLITTING)
    run, ids = parallel_pull(sb)
    assert ids == set(sb.portal.store("contacts").ids())
    started = [c for c in run.cover.chains if c.start is not None]
    assert len(started) >= 2  # chains really began in the middle
    assert "400" not in stats(sb)["responses"]  # no written cursor was refused (302s: the OAuth consent)
    assert stats(sb)["rate_limited"] == {}


def test_opaque_cursors_keep_one_chain(fresh_sandbox: Any) -> None:
    sb = fresh_sandbox(list_cursor="opaque", **SPLITTING)
    run, ids = parallel_pull(sb)
    assert ids == set(sb.portal.store("contacts").ids())
    assert run.cursor_format is None
    assert len(run.cover.chains) == 1


def test_refused_written_cursors_cost_nothing_but_a_request(fresh_sandbox: Any) -> None:
    sb = fresh_sandbox(list_cursor="issued", **SPLITTING)
    run, ids = parallel_pull(sb)
    assert ids == set(sb.portal.store("contacts").ids())
    assert stats(sb)["responses"].get("400", 0) >= 1  # a written cursor was tried and refused
    assert run.cursor_format is None  # and the pull stopped writing them
    assert all(c.start is None for c in run.cover.chains[1:])


@pytest.mark.slow
def test_split_frame_equals_the_single_chain_frame(fresh_sandbox: Any) -> None:
    frames = []
    for style in ("id", "opaque"):
        hub = make_hub(fresh_sandbox(list_cursor=style, **SPLITTING))
        frames.append(hub.contacts(properties="all"))
    pd.testing.assert_frame_equal(frames[0], frames[1])


# -- reading cursors ---------------------------------------------------------------------------------


def test_hubspots_documented_example_cursor_is_learned_and_rewritten() -> None:
    fmt = learn("NTI1Cg%3D%3D", list(range(425, 525)))  # base64("525\n"), URL-quoted as in the docs
    assert fmt == CursorFormat("base64", suffix="\n", quoted=True)
    assert fmt.cursor(525) == "NTI1Cg%3D%3D"
    assert base64.b64decode(fmt.cursor(90_210).replace("%3D", "=")) == b"90210\n"


def test_plain_and_unquoted_cursors() -> None:
    assert learn("102", list(range(2, 102))) == CursorFormat("plain")
    fmt = learn(base64.b64encode(b"5101").decode(), list(range(5001, 5101)))
    assert fmt is not None and fmt.cursor(5101) == base64.b64encode(b"5101").decode()


@pytest.mark.parametrize(
    "after",
    [
        base64.b64encode(b"100").decode(),  # an offset, not an id past the page
        "100",
        "eyJpZCI6IjEyMyJ9",  # base64 JSON
        "5101.3fa9",
        base64.b64encode(b"99999999\n").decode(),  # far beyond the page
    ],
)
def test_cursors_that_are_not_ids_past_the_page_are_not_learned(after: str) -> None:
    assert learn(after, list(range(5001, 5101))) is None


# -- the coverage rules, with cursors that land anywhere -----------------------------------------------
def test_a_chain_that_began_above_the_search_does_not_stop_it() -> None:
    """A chain whose first page came back after the search had passed its aim lies inside the
    search's run: the search keeps paging down to the chain below instead of leaving the gap to it."""
    cover = Coverage()
    low = cover.new_chain()
    assert not cover.list_page(low, list(range(1, 101)))
    assert not cover.search_page(list(range(9_800, 10_001)))
    late = cover.new_chain(aim=9_000)
    assert cover.list_page(late, list(range(9_900, 10_000)))  # began above the search: it stops
    assert not cover.search_page(list(range(9_600, 9_800)))  # the search goes on past it
    assert cover.list_page(low, list(range(101, 9_700)))  # the low chain reaches the search: it stops
    assert cover.search_page(list(range(9_400, 9_600)))  # and the search meets it


def test_the_search_moves_to_the_widest_gap_left_and_pages_it_from_its_top() -> None:
    """Once the search met the topmost chain it takes the widest gap still open between two chains,
    from the upper chain's start down; the chain below stops where that run has reached."""
    cover = Coverage()
    low, mid, top = cover.new_chain(), cover.new_chain(aim=3_000), cover.new_chain(aim=9_000)
    assert not cover.list_page(low, list(range(1, 101)))
    assert not cover.list_page(mid, list(range(3_000, 3_100)))  # gap 101..2999 below it
    assert not cover.list_page(top, list(range(9_000, 9_100)))  # gap 3100..8999 below it: widest
    assert cover.search_page(list(range(9_050, 10_001)))  # the search met the top chain
    assert cover.next_search_run(min_records=200) == 9_000  # ids below the top chain's start
    assert not cover.search_page(list(range(8_800, 9_000)))
    assert not cover.list_page(mid, list(range(3_100, 8_700)))  # not there yet
    assert cover.list_page(mid, list(range(8_700, 8_900)))  # reached the run: the middle chain stops
    assert cover.search_page(list(range(8_600, 8_800)))  # and the run meets it
    assert cover.next_search_run(min_records=200) == 3_000  # then the gap above the lowest chain
    assert cover.next_search_run(min_records=10_000) is None  # nothing that wide is left


def test_a_parallel_pull_moves_its_search_into_the_gap_below_a_chain(fresh_sandbox: Any) -> None:
    """A real pull whose search meets a chain high up, with a wide gap left below that chain: the
    search goes on below the chain's start (a second run, ``hs_object_id < start``) and meets the
    chain climbing from the bottom; nothing is missing.

    The chain high up is one that already read a stretch of 500 records (they count as delivered):
    with opaque cursors no chain of the pull's own starts in the middle, so where the search meets
    one does not depend on timing."""
    sb = fresh_sandbox(list_cursor="opaque", contacts=3000, latency_ms=5)
    every = sorted(int(i) for i in sb.portal.store("contacts").ids())
    held = every[2000:2500]  # read already by the chain high up
    hub = make_hub(sb)
    hub.properties("contacts")
    run = ParallelPull(hub.client, "contacts", None, None)
    high = run.cover.new_chain(aim=held[0])
    run.cover.list_page(high, held)
    run.cover.chain_ended(high)
    ids = {int(i) for batch in run.batches() for i in pull.record_ids(batch)}
    assert ids | set(held) == set(every)
    first, second = run.cover.runs[:2]
    assert held[0] <= first.low <= held[-1]  # the first run met the high chain
    assert second.below == held[0] and second.top is not None and second.top < held[0]
    assert len(run.cover.chains) == 2  # no chain but the pull's own first one and the high one


@settings(max_examples=300, deadline=None)
@given(
    n=st.integers(1, 400),
    list_page=st.integers(1, 7),
    search_page=st.integers(1, 9),
    seed=st.integers(0, 2**32 - 1),
)
def test_coverage_never_loses_a_record(n: int, list_page: int, search_page: int, seed: int) -> None:
    """Sources advance in a random order; new chains start at random points (a cursor meant
    something else), or fail before their first page; the search, each time it meets a chain,
    moves to the widest gap left; the union is still every id."""
    rng = random.Random(seed)
    ids = sorted(rng.sample(range(1, 10 * n + 1), n))
    cover = Coverage()
    delivered: set[int] = set()
    chains: list[tuple[Any, int]] = [(cover.new_chain(), 0)]  # (chain, next index into ids)
    search_at = len(ids)  # the search pages down from the top: ids[search_at - page : search_at]
    search_on = True
    while chains or search_on:
        if rng.random() < 0.15 and len(chains) < 5:
            chain = cover.new_chain(aim=rng.choice(ids))
            if rng.random() < 0.2:
                cover.chain_ended(chain)  # its written cursor was refused
            else:
                chains.append((chain, rng.randrange(len(ids) + 1)))  # lands anywhere
            continue
        pick = rng.randrange(len(chains) + (1 if search_on else 0))
        if pick == len(chains):
            page = ids[max(0, search_at - search_page) : search_at]
            search_at -= len(page)
            delivered.update(page)
            met = cover.search_page(page)
            below = cover.next_search_run(min_records=rng.randrange(1, 4)) if met else None
            if below is not None:  # the next run: the ids below the start of the chain above the gap
                search_at = bisect.bisect_left(ids, below)
            elif met or search_at <= 0:
                cover.search_ended()
                search_on = False
            continue
        chain, at = chains[pick]
        page = ids[at : at + list_page]
        delivered.update(page)
        if cover.list_page(chain, page) or at + list_page >= len(ids):
            cover.chain_ended(chain)
            chains.pop(pick)
        else:
            chains[pick] = (chain, at + list_page)
    assert delivered == set(ids)


def test_chunk_pages_read_into_columns_merge_by_id_when_their_records_differ() -> None:
    """A page's property groups are separate requests: a record created in between shows up in one
    group only. Columns of equal ids are joined as they are; otherwise the records merge by id."""

    def page(ids: list[str], name: str) -> dict[str, Any]:
        records = [{"id": i, "properties": {name: f"{name}{i}"}, "archived": False} for i in ids]
        body = json.dumps({"results": records}).encode()
        return read_page(body, [name]) or parse_json(body)  # as page_parser reads wide pages

    same = pull._merge([page(["1", "2"], "a"), page(["1", "2"], "b")])
    moved = pull._merge([page(["1", "2"], "a"), page(["2", "3"], "b")])
    assert pull.record_ids(same) == ["1", "2"] and pull.record_ids(moved) == ["1", "2", "3"]
    if isinstance(same, list):  # fast paths off: HubSpot's dicts throughout
        assert same[1]["properties"] == {"a": "a2", "b": "b2"}
    else:
        assert same.properties["b"].to_pylist() == ["b1", "b2"]
    assert isinstance(moved, list)
    assert [r["properties"] for r in moved] == [{"a": "a1"}, {"a": "a2", "b": "b2"}, {"b": "b3"}]


def test_only_wide_pages_of_columnar_pulls_are_read_into_columns() -> None:
    names = [f"p{i}" for i in range(60)]
    body = json.dumps({"results": [{"id": "1", "properties": dict.fromkeys(names, "x")}]}).encode()
    wide = pull.page_parser(names, columnar=True)(body)["results"]
    assert isinstance(wide, RawColumns) == fast.enabled()  # HUBSPOT_NB_FAST=0: dicts throughout
    assert isinstance(pull.page_parser(names[:5], columnar=True)(body)["results"], list)
    assert isinstance(pull.page_parser(names, columnar=False)(body)["results"], list)
