"""Typing HubSpot's string values from the property catalogue (pure functions), and its speed."""

from __future__ import annotations

import random
from typing import Any

import pandas as pd
import pytest

from hubspot_nb.frames.catalogue import Catalogue
from hubspot_nb.frames.records import catalogue_frame, finish, records_to_frame

pytestmark = pytest.mark.usefixtures("fast_paths")  # every test with the fast paths on and off

CATALOGUE = Catalogue.from_json(
    "contacts",
    [
        {"name": "n_int", "label": "Count", "type": "number", "fieldType": "number"},
        {"name": "n_float", "label": "Amount", "type": "number", "fieldType": "number"},
        {"name": "when", "label": "When", "type": "datetime", "fieldType": "date"},
        {"name": "day", "label": "Day", "type": "date", "fieldType": "date"},
        {"name": "flag", "label": "Flag", "type": "bool", "fieldType": "booleancheckbox"},
        {
            "name": "stage",
            "label": "Stage",
            "type": "enumeration",
            "fieldType": "select",
            "options": [{"value": "lead", "label": "Lead"}, {"value": "customer", "label": "Customer"}],
        },
        {
            "name": "tags",
            "label": "Tags",
            "type": "enumeration",
            "fieldType": "checkbox",
            "options": [{"value": "a", "label": "Alpha"}, {"value": "b", "label": "Beta"}],
        },
        {"name": "note", "label": "Note", "type": "string", "fieldType": "text"},
    ],
)
STAMP = "2019-10-30T03:30:17.883Z"


def record(record_id: str, **props: Any) -> dict[str, Any]:
    return {"id": record_id, "properties": props, "createdAt": STAMP, "updatedAt": STAMP, "archived": False}


RECORDS = [
    record("1", n_int="17", n_float="1.5", when=STAMP, day="2024-01-02", flag="true", stage="lead",
           tags="a;b", note="x"),
    record("2", n_int="", n_float=None, when="1572480000000", day="1572480000000", flag="false", stage="",
           tags="", note=""),
    record("3", n_int=None, n_float="2", when="", day=None, flag=None, stage="unlisted", tags=None,
           note=None),
]  # fmt: skip


def test_each_type_and_missing_values() -> None:
    df = records_to_frame(RECORDS, CATALOGUE)
    assert df.index.name == "id" and list(df.index) == ["1", "2", "3"]
    assert str(df["n_int"].dtype) == "Int64" and df["n_int"].iloc[0] == 17 and df["n_int"].isna().sum() == 2
    assert str(df["n_float"].dtype) == "Float64" and df["n_float"].tolist()[2] == 2.0
    assert str(df["when"].dtype) == "datetime64[ns, UTC]"
    assert df["when"].iloc[0] == pd.Timestamp(STAMP)
    assert df["when"].iloc[1] == pd.Timestamp(1572480000000, unit="ms", tz="UTC")
    assert pd.isna(df["when"].iloc[2])
    assert str(df["day"].dtype) == "datetime64[ns]"
    assert df["day"].tolist()[:2] == [pd.Timestamp("2024-01-02"), pd.Timestamp("2019-10-31")]
    assert str(df["flag"].dtype) == "boolean" and df["flag"].tolist()[:2] == [True, False]
    assert pd.isna(df["flag"].iloc[2])
    assert str(df["stage"].dtype) == "category"
    assert list(df["stage"].cat.categories) == ["lead", "customer", "unlisted"]  # options first, in order
    assert pd.isna(df["stage"].iloc[1])
    assert df["tags"].tolist() == [["a", "b"], None, None]
    assert str(df["note"].dtype) == "string" and df["note"].isna().tolist() == [False, True, True]
    for column in ("createdAt", "updatedAt"):
        assert str(df[column].dtype) == "datetime64[ns, UTC]"
    assert str(df["archived"].dtype) == "boolean"
    text = df.astype(str).to_numpy().ravel().tolist()
    assert "None" not in text and "" not in text


def test_labels_rename_columns_and_values() -> None:
    df = records_to_frame(RECORDS, CATALOGUE, labels=True)
    assert {"Count", "Stage", "Tags", "When"} <= set(df.columns)
    assert df["Stage"].iloc[0] == "Lead" and list(df["Stage"].cat.categories)[:2] == ["Lead", "Customer"]
    assert df["Tags"].iloc[0] == ["Alpha", "Beta"]


def test_chunks_use_float_and_finish_narrows_integral_columns() -> None:
    df = records_to_frame(RECORDS, CATALOGUE, integral_to_int=False)
    assert str(df["n_int"].dtype) == "Float64"
    assert str(finish(df, CATALOGUE)["n_int"].dtype) == "Int64"
    assert str(finish(df, CATALOGUE)["n_float"].dtype) == "Float64"


def test_bad_numbers_and_dates_become_missing() -> None:
    df = records_to_frame([record("9", n_int="N/A", when="not a date", day="2024-13-45")], CATALOGUE)
    assert pd.isna(df["n_int"].iloc[0]) and pd.isna(df["when"].iloc[0]) and pd.isna(df["day"].iloc[0])


def test_empty_records_keep_typed_columns() -> None:
    df = records_to_frame([], CATALOGUE, columns=["n_int", "when", "stage"])
    assert (
        df.empty and str(df["when"].dtype) == "datetime64[ns, UTC]" and str(df["stage"].dtype) == "category"
    )


def test_catalogue_frame() -> None:
    frame = catalogue_frame(CATALOGUE)
    assert list(frame["name"]) == [p["name"] for p in CATALOGUE.raw]
    assert frame.loc["stage", "options"] == ["lead", "customer"]


def _synthetic(rows: int, props: int) -> tuple[Catalogue, list[dict[str, Any]]]:
    rng = random.Random(3)
    kinds = [("number", "number"), ("datetime", "date"), ("date", "date"), ("bool", "booleancheckbox"),
             ("enumeration", "select"), ("enumeration", "checkbox"), ("string", "text")]  # fmt: skip
    spec = []
    for i in range(props):
        kind, field = kinds[i % len(kinds)]
        options = [{"value": v, "label": v.upper()} for v in "abcde"] if kind == "enumeration" else []
        spec.append({"name": f"p{i}", "type": kind, "fieldType": field, "options": options})
    samples = {
        "number": lambda: str(rng.randint(0, 10_000)),
        "datetime": lambda: (
            f"2024-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}T07:08:09.{rng.randint(100, 999)}Z"
        ),
        "date": lambda: f"2024-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
        "bool": lambda: rng.choice(["true", "false"]),
        "enumeration": lambda: rng.choice("abcde"),
        "string": lambda: f"value {rng.randint(0, 10**6)}",
    }
    records = []
    for n in range(rows):
        values = {p["name"]: (samples[p["type"]]() if rng.random() > 0.3 else None) for p in spec}
        records.append(record(str(1000 + n), **values))
    return Catalogue.from_json("contacts", spec), records
