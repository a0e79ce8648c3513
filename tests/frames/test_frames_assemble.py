"""``assembly.assemble``: typed chunks → one frame, checked against typing the same records in one go."""

from __future__ import annotations

import random
from typing import Any

import pandas as pd
import pytest
from test_frames import CATALOGUE, _synthetic, record

from hubspot_nb.frames.assembly import assemble
from hubspot_nb.frames.records import records_to_frame

pytestmark = pytest.mark.usefixtures("fast_paths")  # every test with the fast paths on and off

COLUMNS = ["n_int", "n_float", "when", "day", "flag", "stage", "tags", "note"]


def _chunks(records: list[dict[str, Any]], rows: int, *, sort_ids: bool) -> list[pd.DataFrame]:
    """Chunks as ``crm`` makes them: Float64 numbers, optionally each chunk's rows sorted by id."""
    parts = []
    for start in range(0, len(records), rows):
        part = records[start : start + rows]
        if sort_ids:
            part = sorted(part, key=lambda r: int(r["id"]))
        parts.append(records_to_frame(part, CATALOGUE, columns=COLUMNS, integral_to_int=False))
    return parts


def _two_ended(count: int) -> list[dict[str, Any]]:
    """Records as a two-ended pull delivers them: list pages of 100 climbing from the lowest id,
    search pages of 200 descending from the highest, interleaved; the ends overlap by 50 ids, and
    the search end's copies of those carry other values (the first copy seen must win)."""
    rng = random.Random(5)

    def make(i: int, tag: str) -> dict[str, Any]:
        return record(
            str(i), n_int=str(i % 7) if i % 5 else None, n_float=f"{i}.5", when="2024-05-06T07:08:09Z",
            day="2024-05-06", flag=rng.choice(["true", "false", None]),
            stage=rng.choice(["lead", "customer", None]), tags=rng.choice(["a;b", "b", None]),
            note=f"{tag} {i}" if i % 3 else "",
        )  # fmt: skip

    meet = count // 2
    low = [make(i, "list") for i in range(1, meet + 26)]
    high = [make(i, "search") for i in range(count, meet - 25, -1)]
    pages_low = [low[i : i + 100] for i in range(0, len(low), 100)]
    pages_high = [high[i : i + 200] for i in range(0, len(high), 200)]
    arrived: list[dict[str, Any]] = []
    while pages_low or pages_high:
        for pages in (pages_low, pages_high):
            if pages:
                arrived.extend(pages.pop(0))
    return arrived


def _expected(records: list[dict[str, Any]], *, by_id: bool = True) -> pd.DataFrame:
    first: dict[str, dict[str, Any]] = {}
    for r in records:
        first.setdefault(r["id"], r)
    ordered = sorted(first.values(), key=lambda r: int(r["id"])) if by_id else list(first.values())
    return records_to_frame(ordered, CATALOGUE, columns=COLUMNS)


@pytest.mark.parametrize("sort_ids", [True, False], ids=["sorted chunks (runs)", "unsorted chunks (take)"])
def test_two_ended_chunks_become_the_frame_of_the_first_copy_of_each_id(sort_ids: bool) -> None:
    records = _two_ended(3000)
    frame = assemble(_chunks(records, 250, sort_ids=sort_ids), CATALOGUE)
    expected = _expected(records)
    pd.testing.assert_frame_equal(frame, expected)
    assert len(frame) == 3000 and [int(i) for i in frame.index] == list(range(1, 3001))
    overlap = [r for r in records if 1475 < int(r["id"]) < 1526]
    assert len(overlap) == 100  # both ends sent these 50 ids: the first copy of each won
    assert str(frame["n_int"].dtype) == "Int64" and frame["n_int"].isna().sum() == 600


def test_arrival_order_when_not_by_id() -> None:
    records = _two_ended(700)
    parts = _chunks(records, 300, sort_ids=False)
    pd.testing.assert_frame_equal(assemble(parts, CATALOGUE, by_id=False), _expected(records, by_id=False))
    assert parts == []  # consumed


def test_chunks_with_different_extra_categories_share_one_union() -> None:
    a = records_to_frame([record("2", stage="zzz"), record("1", stage="lead")], CATALOGUE, columns=["stage"])
    b = records_to_frame([record("4", stage="yyy"), record("3", stage="zzz")], CATALOGUE, columns=["stage"])
    frame = assemble([a, b], CATALOGUE)
    assert list(frame["stage"].cat.categories) == ["lead", "customer", "zzz", "yyy"]
    assert frame["stage"].tolist() == ["lead", "zzz", "zzz", "yyy"] and list(frame.index) == [
        "1",
        "2",
        "3",
        "4",
    ]


def test_text_ids_sort_as_text_and_keep_their_first_copy() -> None:
    a = records_to_frame([record("b", note="first"), record("a", note="x")], CATALOGUE, columns=["note"])
    b = records_to_frame([record("b", note="second")], CATALOGUE, columns=["note"])
    frame = assemble([a, b], CATALOGUE)
    assert list(frame.index) == ["a", "b"] and frame["note"].tolist() == ["x", "first"]


def test_an_empty_pull_keeps_its_typed_columns() -> None:
    frame = assemble([records_to_frame([], CATALOGUE, columns=COLUMNS, integral_to_int=False)], CATALOGUE)
    pd.testing.assert_frame_equal(frame, records_to_frame([], CATALOGUE, columns=COLUMNS))


def test_wide_synthetic_pull_matches_typing_in_one_go() -> None:
    catalogue, records = _synthetic(2500, 21)
    names = [p["name"] for p in catalogue.raw]
    random.Random(9).shuffle(records)
    parts = [
        records_to_frame(
            sorted(records[i : i + 400], key=lambda r: int(r["id"])),
            catalogue,
            columns=names,
            integral_to_int=False,
        )
        for i in range(0, len(records), 400)
    ]
    expected = records_to_frame(sorted(records, key=lambda r: int(r["id"])), catalogue, columns=names)
    pd.testing.assert_frame_equal(assemble(parts, catalogue), expected)


def test_gather_strings_copies_runs_of_sliced_pieces_with_nulls_and_empty_strings() -> None:
    pa = pytest.importorskip("pyarrow")
    from hubspot_nb.frames._fast import gather_strings

    rng = random.Random(11)
    values = [[rng.choice(["", None, "x", "héllo", "a longer value"]) for _ in range(50)] for _ in range(6)]
    pieces = [pa.array(v, type=pa.large_string()).slice(3, 40) for v in values]
    pieces[2] = pa.array([None] * 40, type=pa.large_string())  # all missing
    pieces[4] = pa.array([""] * 40, type=pa.large_string())  # no data bytes at all
    runs = [(5, 0, 7), (0, 2, 30), (2, 0, 40), (1, 10, 11), (4, 3, 9), (0, 30, 40), (3, 0, 40), (5, 7, 40)]
    expected = pa.concat_arrays([pieces[k].slice(a, b - a) for k, a, b in runs])
    out = gather_strings(list(pieces), runs)
    out.validate(full=True)
    assert out.equals(expected) and out.null_count == expected.null_count
    assert gather_strings([pa.array(["a", "b"], type=pa.large_string())], [(0, 1, 2)]).to_pylist() == ["b"]
