"""``raw_columns.RawColumns``: pages read into columns, combined, sliced, ordered by id and typed
later give exactly the frame that typing all the records at once gives."""

from __future__ import annotations

import random
from typing import Any

import pandas as pd
import pytest
from test_frames import CATALOGUE, record

from hubspot_nb.frames import _fast as arrow_columns
from hubspot_nb.frames.raw_columns import RawColumns
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
