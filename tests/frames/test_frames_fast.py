"""The fenced speed machinery (``frames._fast``): the switch, equal frames both ways, and the
process-wide memory-pool switch under concurrent pulls."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from helpers import in_threads, make_hub
from test_frames import CATALOGUE, _synthetic, record

from hubspot_nb.frames import _fast
from hubspot_nb.frames.assembly import assemble, assemble_pages
from hubspot_nb.frames.convert import BOOL, CAT, DATE, FLOAT, INT, OBJ, STR, UTC, typed_frame
from hubspot_nb.frames.records import records_to_frame
from hubspot_nb.hub import Hub
from hubspot_nb.sandbox import Sandbox

COLUMNS = ["n_int", "n_float", "when", "day", "flag", "stage", "tags", "note"]
ODD = [  # values where the two paths could part: blanks, case, epochs, huge integers
    record("3", n_int="9007199254740993", n_float="", when="1700000000000", day="2024-02-29", flag="TRUE"),
    record("1", n_int=None, n_float="1e3", when="2024-01-02T03:04:05Z", day=None, flag="0", note=""),
    record("2", n_int="12", n_float="x", when="", day="2024-01-01T23:00:00Z", flag="False", note="é"),
]


def both_ways(monkeypatch: pytest.MonkeyPatch, make: Any) -> tuple[Any, Any]:
    monkeypatch.setenv("HUBSPOT_NB_FAST", "1")
    fast = make()
    monkeypatch.setenv("HUBSPOT_NB_FAST", "0")
    plain = make()
    return fast, plain


def test_the_switch_is_read_at_every_call(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUBSPOT_NB_FAST", "0")
    assert not _fast.enabled() and _fast.strings(np.array(["a"], dtype=object)) is None
    monkeypatch.setenv("HUBSPOT_NB_FAST", "1")
    assert _fast.enabled() and _fast.strings(np.array(["a"], dtype=object)) is not None


def test_crm_frames_are_equal_with_and_without_the_fast_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    catalogue, records = _synthetic(600, 40)
    names = [p["name"] for p in catalogue.raw]

    def make() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        whole = records_to_frame(records, catalogue, columns=names)
        chunks = [
            records_to_frame(records[i : i + 150], catalogue, columns=names, integral_to_int=False)
            for i in range(0, len(records), 150)
        ]
        odd = records_to_frame(ODD, CATALOGUE, columns=COLUMNS)
        return whole, assemble(chunks, catalogue), odd

    fast, plain = both_ways(monkeypatch, make)
    for f, p in zip(fast, plain, strict=True):
        pd.testing.assert_frame_equal(f, p)
    assert str(fast[2]["n_int"].dtype) == "Float64"  # beyond 2**53: no Int64 inventing digits
    assert fast[2]["flag"].tolist() == [True, False, False]  # "TRUE", "0", "False"


def test_marketing_frames_are_equal_with_and_without_the_fast_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    kinds = {"n": INT, "x": FLOAT, "b": BOOL, "t": UTC, "d": DATE, "c": CAT, "s": STR, "o": OBJ}
    pages = [
        [{"id": "2", "n": 3, "x": "1.5", "b": "TRUE", "t": 1_700_000_000_000, "d": "2024-01-02", "c": "B",
          "s": 7, "o": [1, 2]},
         {"id": "1", "n": None, "x": None, "b": True, "t": "2024-01-01T00:00:00Z", "d": None, "c": "A",
          "s": "", "o": None}],
        [{"id": "3", "n": 2**60, "b": "0", "t": "", "c": None, "s": "z", "extra": "only here"}],
    ]  # fmt: skip

    def make() -> pd.DataFrame:
        frames = [typed_frame(rows, kinds, columns=list(kinds)) for rows in pages]
        return assemble_pages(frames, leading=list(kinds), categories=["c"], sort_by="t")

    fast, plain = both_ways(monkeypatch, make)
    pd.testing.assert_frame_equal(fast, plain)


@pytest.mark.parametrize("switch", ["1", "0"])
def test_arrow_arrays_through_the_public_protocol_or_not_at_all(
    monkeypatch: pytest.MonkeyPatch, switch: str
) -> None:
    monkeypatch.setenv("HUBSPOT_NB_FAST", switch)
    column = pd.array(["a", None, "c"], dtype="string")
    arrow = _fast.arrow_strings(column)
    if switch == "1":
        assert isinstance(arrow, pa.Array) and arrow.to_pylist() == ["a", None, "c"]
    else:
        assert arrow is None  # the caller concatenates with pandas instead
    assert _fast.arrow_strings(np.array([1, 2])) is None  # not Arrow-backed


def test_pool_switch_is_counted_first_in_switches_last_out_restores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUBSPOT_NB_FAST", "1")
    before = pa.default_memory_pool()
    outer = _fast.system_pool()
    inner = _fast.system_pool()
    outer.__enter__()
    inner.__enter__()
    outer.__exit__(None, None, None)  # the first to enter leaves first: the other still needs malloc
    assert pa.default_memory_pool().backend_name == pa.system_memory_pool().backend_name
    inner.__exit__(None, None, None)
    assert pa.default_memory_pool().backend_name == before.backend_name
    monkeypatch.setenv("HUBSPOT_NB_FAST", "0")
    with _fast.system_pool():
        assert pa.default_memory_pool().backend_name == before.backend_name  # switched off: untouched


@pytest.mark.slow
def test_two_pulls_in_threads_restore_the_pool_and_equal_a_serial_pull(
    sandbox: Sandbox, sandbox_token: dict[str, Any]
) -> None:
    before = pa.default_memory_pool().backend_name
    serial = make_hub(sandbox, sandbox_token).contacts(properties="all")
    hubs: list[Hub] = [make_hub(sandbox, sandbox_token) for _ in range(2)]
    results: list[Any] = [None, None]
    start = threading.Barrier(2)

    def pull(k: int) -> None:
        start.wait()
        try:
            results[k] = hubs[k].contacts(properties="all")
        except BaseException as exc:  # reported below, not lost in the thread
            results[k] = exc

    in_threads(pull, [(0,), (1,)], join_timeout=300)
    assert pa.default_memory_pool().backend_name == before
    for frame in results:
        assert isinstance(frame, pd.DataFrame), frame
        pd.testing.assert_frame_equal(frame, serial)
