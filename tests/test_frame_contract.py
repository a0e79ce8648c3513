"""The frames users get keep their columns and dtypes: every data helper's frame, pulled from the
session sandbox, against a contract written from the code before the package was restructured.

The contract is ``tests/frame_contract.json`` (written by ``scripts/frame_contract.py --contract``;
the calls themselves are that script's ``calls()``, so the two cannot drift apart). Per helper call
it holds the index as ``[name, dtype]`` per level and then one of three shapes:

- ``columns``: ``{column: dtype}``, the exact columns in order. Used wherever the columns are the
  helper's own (HubSpot's default properties, marketing e-mails, statistics, campaigns, traffic …).
- ``leading`` / ``named`` / ``by_kind`` / ``trailing``: frames whose columns are an object type's
  whole property catalogue (``properties="all"``, also chunked, with labels, and read back from
  Parquet). A new sandbox catalogue changes which properties exist, so the contract is not a column
  list but the conversion rule: the columns between ``leading`` and ``trailing`` are exactly the
  catalogue's properties (from ``hub.properties``) in its order, each with a dtype from
  ``by_kind[kind]`` (kind = the property's type, ``enumeration/checkbox`` for multi-selects;
  ``number`` allows ``Int64`` and ``Float64`` because that is decided by whether the values are
  integral), and ``named`` pins the first standard (HubSpot-defined) property of each kind exactly.
  A kind the contract has never seen fails: a new dtype users would get is a decision, not drift.
- ``leading`` / ``others``: a fixed set of leading columns, then columns the data decides (fields
  only some e-mail events carry, one column per submitted form field), whose dtypes must be among
  ``others``.

No content hashes here: they change whenever the sandbox's data generator does. The script compares
content (hashes per column) between two checkouts; the dtypes per helper are the contract.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from helpers import SANDBOX_OPTIONS, login

from hubspot_nb.sandbox import Sandbox

pytestmark = pytest.mark.slow  # long pulls, notebook kernels or installs: not in `make test-fast`

HERE = Path(__file__).parent
CONTRACT: dict[str, Any] = json.loads((HERE / "frame_contract.json").read_text())


def _script() -> Any:
    spec = importlib.util.spec_from_file_location(
        "frame_contract", HERE.parent / "scripts" / "frame_contract.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


script = _script()


@pytest.fixture(scope="module")
def pulled(sandbox: Sandbox, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Every contract call's frame from the session sandbox, and the catalogues they are typed from."""
    hub = login(sandbox)
    hub.progress = False
    frames = script.frames(hub, tmp_path_factory.mktemp("frame_contract"))
    catalogues = {t: script.catalogue(hub, t) for t in set(script.CATALOGUE.values())}
    return {"frames": frames, "catalogues": catalogues}


def pairs(columns: Any, dtypes: Any) -> list[tuple[str, str]]:
    return [(str(c), str(t)) for c, t in zip(columns, dtypes, strict=True)]


def mismatches(call: str, frame: pd.DataFrame, spec: dict[str, Any], catalogues: dict[str, Any]) -> list[str]:
    """How ``frame`` breaks its contract ``spec`` (empty: it keeps it)."""
    problems = []
    index = [[n, str(frame.index.get_level_values(i).dtype)] for i, n in enumerate(frame.index.names)]
    if index != spec["index"]:
        problems.append(f"index {index} != {spec['index']}")
    got = pairs(frame.columns, frame.dtypes)
    if "columns" in spec:
        if got != list(spec["columns"].items()):
            problems.append(f"columns/dtypes {got} != {list(spec['columns'].items())}")
        return problems
    leading = list(spec["leading"].items())
    if got[: len(leading)] != leading:
        problems.append(f"leading columns {got[: len(leading)]} != {leading}")
    rest = got[len(leading) :]
    if "others" in spec:
        odd = [(c, t) for c, t in rest if t not in spec["others"]]
        if odd:
            problems.append(f"columns after the leading ones with dtypes outside {spec['others']}: {odd}")
        return problems
    trailing = list(spec["trailing"].items())
    if rest[len(rest) - len(trailing) :] != trailing:
        problems.append(f"trailing columns {rest[len(rest) - len(trailing) :]} != {trailing}")
    middle = rest[: len(rest) - len(trailing)]
    cat = catalogues[script.CATALOGUE[call]]
    names = [cat["labels"].get(c, c) if "labels=True" in call else c for c, _ in middle]
    if names != list(cat["kinds"]):
        problems.append(f"property columns are not the catalogue in order: {names[:10]} …")
    for (column, dtype), name in zip(middle, names, strict=True):
        kind = cat["kinds"].get(name)
        allowed = spec["by_kind"].get(kind)
        if allowed is None:
            problems.append(f"{column}: no contract for properties of kind {kind!r} (dtype {dtype})")
        elif dtype not in allowed:
            problems.append(f"{column} ({kind}): dtype {dtype} not in {allowed}")
    dtypes = dict(got)
    for column, dtype in spec["named"].items():
        if dtypes.get(column) != dtype:
            problems.append(f"{column}: dtype {dtypes.get(column)} != {dtype}")
    return problems


def test_the_contract_was_written_for_the_test_sandbox() -> None:
    assert CONTRACT["sandbox"] == SANDBOX_OPTIONS


def test_the_contract_covers_every_call(pulled: dict[str, Any]) -> None:
    checked = {k for k in pulled["frames"] if not k.endswith("Arrow schema")}
    assert checked == set(CONTRACT["frames"])


@pytest.mark.parametrize("call", list(CONTRACT["frames"]))
def test_frame_keeps_its_columns_and_dtypes(pulled: dict[str, Any], call: str) -> None:
    frame = pulled["frames"][call]
    assert isinstance(frame, pd.DataFrame)
    assert len(frame) > 0, "an empty frame proves nothing about its dtypes"
    problems = mismatches(call, frame, CONTRACT["frames"][call], pulled["catalogues"])
    assert not problems, "\n".join(problems)
