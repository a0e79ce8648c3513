"""``raw_columns.RawColumns``: pages read into columns, combined, sliced, ordered by id and typed
later give exactly the frame that typing all the records at once gives."""

from __future__ import annotations

import json
import random
from typing import Any

import pandas as pd
import pytest
from test_frames import CATALOGUE, record

from hubspot_nb.frames import _fast as arrow_columns
from hubspot_nb.frames.raw_columns import RawColumns, read_page
from hubspot_nb.frames.records import raw_to_frame, records_to_frame

pytestmark = pytest.mark.usefixtures("fast_paths")  # every test with the fast paths on and off

COLUMNS = ["n_int", "n_float", "when", "day", "flag", "stage", "tags", "note"]


def _records(count: int, seed: int = 3) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out = []
    for i in rng.sample(range(1, 10 * count), count):
        out.append(
            record(
                str(i), n_int=rng.choice([str(i), None, ""]), n_float=f"{i}.25", when="2024-05-06T07:08:09Z",
                day=rng.choice(["2024-05-06", None]), flag=rng.choice(["true", "false", None]),
                stage=rng.choice(["lead", "customer", "zzz", None]), tags=rng.choice(["a;b", "b", "", None]),
                note=rng.choice(["x", "", None]),
            )
        )  # fmt: skip
    return out


def test_pages_combined_sliced_and_sorted_type_like_one_batch(fast_paths: str) -> None:
    records = _records(700)
    pages = [RawColumns.read(records[i : i + 100], COLUMNS) for i in range(0, len(records), 100)]
    if fast_paths == "fast":
        assert all(arrow_columns.is_arrow(c) for c in pages[0].properties.values())
    raw = RawColumns.combine(pages)
    head, tail = raw.take(slice(0, 333)), raw.take(slice(333, None))
    assert len(head) + len(tail) == len(records)
    for part, expected in ((head, records[:333]), (tail, records[333:])):
        ordered = sorted(expected, key=lambda r: int(r["id"]))
        pd.testing.assert_frame_equal(
            raw_to_frame(part.by_id(), CATALOGUE), records_to_frame(ordered, CATALOGUE, columns=COLUMNS)
        )


def test_a_page_arrow_cannot_read_mixes_with_ones_it_can() -> None:
    records = _records(300)
    odd = [dict(r, properties=dict(r["properties"], n_float=12.5)) for r in records[100:200]]  # a number
    pages = [RawColumns.read(part, COLUMNS) for part in (records[:100], odd, records[200:])]
    assert not arrow_columns.is_arrow(pages[1].properties["n_float"])  # the numpy object path
    combined = raw_to_frame(RawColumns.combine(pages), CATALOGUE)
    expected = records_to_frame(records[:100] + odd + records[200:], CATALOGUE, columns=COLUMNS)
    pd.testing.assert_frame_equal(combined, expected)
    assert combined["n_float"].iloc[150] == 12.5


def _values(column: Any) -> list[Any]:
    return column.to_pylist() if arrow_columns.is_arrow(column) else list(column)


def test_by_id_is_stable_for_repeated_ids_and_leaves_text_ids_alone() -> None:
    first = record("5", note="first")
    repeat = record("5", note="second")
    raw = RawColumns.read([record("9"), first, record("1"), repeat], ["note"]).by_id()
    assert list(raw.ids) == ["1", "5", "5", "9"]
    assert _values(raw.properties["note"])[1:3] == ["first", "second"]
    text = RawColumns.read([record("b"), record("a")], ["note"])
    assert list(text.by_id().ids) == ["b", "a"]


# -- pages read straight into columns (``read_page``) ----------------------------------------------------
def _page(records: list[dict[str, Any]], **extra: Any) -> bytes:
    return json.dumps({"results": records, **extra}).encode()


def test_a_page_read_into_columns_types_like_its_records(fast_paths: str) -> None:
    records = _records(250)
    records[7]["archivedAt"], records[7]["archived"] = "2024-06-01T00:00:00Z", True
    body = _page(records, paging={"next": {"after": "MjUx", "link": "…"}}, total=900)
    page = read_page(body, COLUMNS)
    if fast_paths == "plain":
        assert page is None  # switched off: the caller parses the JSON
        return
    assert page is not None and page["paging"] == {"next": {"after": "MjUx"}} and page["total"] == 900
    raw = page["results"]
    assert list(raw.ids) == [r["id"] for r in records]
    expected = records_to_frame(records, CATALOGUE, columns=COLUMNS)
    pd.testing.assert_frame_equal(raw_to_frame(raw, CATALOGUE), expected)
    named = [dict(r, properties={n: r["properties"].get(n) for n in COLUMNS}) for r in records]
    assert raw.records() == named  # and back to records, for the rare page merged by id


@pytest.mark.parametrize(
    "body",
    [
        _page([record("1", note=12.5)]),  # a value that is not a string
        _page([record("1", note="x")])[:-9],  # cut off
        b'{"results": [{"id": "1", "properties": {"note": "a", "note": "b"}}]}',  # a repeated key
        _page([{"id": "1", "properties": None}]),  # no properties
        _page([{"properties": {"note": "x"}}]),  # no id
        _page([]) + b"\n" + _page([]),  # two JSON values
        b"[]",  # not a page
    ],
)
def test_pages_columns_cannot_hold_exactly_are_left_to_the_json_parser(body: bytes) -> None:
    assert read_page(body, COLUMNS) is None


def test_a_page_without_paging_or_total_and_an_empty_one() -> None:
    page = read_page(_page([record("3", note="x")]), ["note"])
    empty = read_page(_page([]), ["note"])
    if not arrow_columns.enabled():
        assert page is None and empty is None
        return
    assert page is not None and set(page) == {"results"} and list(page["results"].ids) == ["3"]
    assert empty is not None and len(empty["results"]) == 0
