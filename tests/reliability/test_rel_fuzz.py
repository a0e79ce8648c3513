"""Fuzzing with hypothesis: the paste parser, the filter builder and the value converters answer any
input with a value or one of our own errors (``HubSpotNBError`` subclasses), nothing else.

Derandomized, so CI runs the same examples every time; the counts go into the figures.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timezone
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reltools import Figures

from hubspot_nb.auth.flow import OAuthFlow, parse_pasted
from hubspot_nb.crm.filters import OPERATORS, epoch_ms, filter_groups, sorts
from hubspot_nb.errors import HubSpotNBError
from hubspot_nb.frames import convert as kinds
from hubspot_nb.frames.catalogue import PropertyInfo
from hubspot_nb.frames.convert import convert
from hubspot_nb.marketing import _rows as mf

pytestmark = pytest.mark.slow  # long pulls, notebook kernels or installs: not in `make test-fast`

FUZZ = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

# -- strategies ------------------------------------------------------------------------------------
KEYS = st.sampled_from(["code", "state", "error", "error_description", "x", "", "code[]", "cöde"])
URLISH = st.builds(
    lambda scheme, host, path, pairs, sep, frag, wrap: wrap.format(
        f"{scheme}{host}{path}{sep}{'&'.join(f'{k}={v}' for k, v in pairs)}{frag}"
    ),
    st.sampled_from(["https://", "http://", "", "/", "ftp://", "javascript:"]),
    st.sampled_from(["app.hubspot.com", "localhost:8888", "127.0.0.1", "", "[::1]", "ünï.example"]),
    st.sampled_from(["/oauth/callback", "/", "", "/a b", "/%zz"]),
    st.lists(st.tuples(KEYS, st.text(max_size=40)), max_size=5),
    st.sampled_from(["?", "#", "?#", "", "??", "&"]),
    st.sampled_from(["", "#code=abc", "#state=zz&code=q"]),
    st.sampled_from(["{}", '"{}"', "<{}>", " {} \n", "“{}”", "{}\x00", "'{}"]),
)

PASTES = st.one_of(st.text(max_size=600), URLISH, st.binary(max_size=200).map(lambda b: b.decode("latin-1")))

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.dates(),
    st.datetimes(),
    st.datetimes(timezones=st.just(timezone.utc)),
    st.sampled_from(["2025-01-31", "2025-13-45", "1700000000000", "-5", "Z", "", "9" * 30, "nan", "inf"]),
)
JSONISH = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.tuples(inner, inner),
        st.dictionaries(st.text(max_size=12), inner, max_size=4),
    ),
    max_leaves=12,
)
KNOWN = {"email": "string", "createdate": "datetime", "amount": "number", "closedate": "date", "flag": "bool"}
FILTER_KEYS = st.one_of(
    st.builds(
        lambda name, op: f"{name}__{op}" if op else name,
        st.sampled_from([*KNOWN, "nope", ""]),
        st.sampled_from([*OPERATORS, "", "like", "EQ", "__"]),
    ),
    st.text(max_size=20),
)
HUBSPOT_FILTER = st.fixed_dictionaries(
    {
        "propertyName": st.one_of(st.sampled_from(list(KNOWN)), st.text(max_size=10), SCALARS),
        "operator": st.one_of(
            st.sampled_from(["EQ", "IN", "BETWEEN", "HAS_PROPERTY", "LIKE", "eq"]), SCALARS
        ),
    },
    optional={"value": JSONISH, "highValue": JSONISH, "values": JSONISH},
)
FILTERS = st.one_of(
    JSONISH,
    st.dictionaries(FILTER_KEYS, JSONISH, max_size=4),
    st.lists(st.dictionaries(FILTER_KEYS, JSONISH, max_size=3), max_size=7),
    st.lists(HUBSPOT_FILTER, max_size=12),
    st.builds(lambda fs: {"filters": fs}, st.lists(HUBSPOT_FILTER, max_size=4)),
    st.builds(lambda gs: {"filterGroups": gs}, st.lists(st.one_of(JSONISH, st.builds(dict)), max_size=6)),
)
RAW_VALUES = st.one_of(
    st.none(),
    st.just(""),
    st.text(max_size=25),
    st.integers(min_value=-(10**25), max_value=10**25).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)).map(
        lambda d: d.isoformat() + "Z"
    ),
    st.sampled_from(["true", "false", "True", "0", "1", "yes", "a;b;;c", ";", "2025-02-30", "1e400", "-0"]),
)
TYPES = st.sampled_from(
    ["number", "datetime", "date", "bool", "enumeration", "string", "phone_number", "json", ""]
)


def _ours_or_value(call: Any, *args: Any, **kwargs: Any) -> Any:
    """Call; an error must be one of ours. Anything else fails the example with its input."""
    try:
        return call(*args, **kwargs)
    except HubSpotNBError as exc:
        assert str(exc), "our errors always say something"
        return exc


@pytest.fixture(scope="module")
def flow() -> OAuthFlow:
    return OAuthFlow("fuzz-client", "fuzz-secret", "http://localhost:8888/callback", cache=False)


# -- the paste parser ---------------------------------------------------------------------------------
@FUZZ
@given(text=PASTES)
def test_paste_parser_gives_a_code_or_login_failed(text: str, flow: OAuthFlow, figures: Figures) -> None:
    figures.add("fuzz", "paste parser")
    _ours_or_value(parse_pasted, text)
    code = _ours_or_value(flow.check, text)
    if isinstance(code, str):
        assert code and code == code.strip()


# -- the filter builder -------------------------------------------------------------------------------
@FUZZ
@given(filters=FILTERS, with_catalogue=st.booleans())
def test_filter_builder_gives_filter_groups_or_invalid_input(
    filters: Any, with_catalogue: bool, figures: Figures
) -> None:
    figures.add("fuzz", "filter builder")
    groups = _ours_or_value(filter_groups, filters, KNOWN if with_catalogue else None)
    if isinstance(groups, list):
        assert all(isinstance(g, dict) and g["filters"] for g in groups)
        assert len(groups) <= 5


@FUZZ
@given(sort=JSONISH, value=SCALARS)
def test_sorts_and_dates_give_a_value_or_invalid_input(sort: Any, value: Any, figures: Figures) -> None:
    figures.add("fuzz", "sorts and dates")
    _ours_or_value(sorts, sort, KNOWN)
    ms = _ours_or_value(epoch_ms, value)
    if not isinstance(ms, HubSpotNBError):
        assert isinstance(ms, int)


# -- the value converters --------------------------------------------------------------------------------
@FUZZ
@given(values=st.lists(RAW_VALUES, max_size=12), kind=TYPES, checkbox=st.booleans(), labels=st.booleans())
def test_value_converters_type_any_column(
    values: list[Any], kind: str, checkbox: bool, labels: bool, figures: Figures
) -> None:
    figures.add("fuzz", "frame converters")
    options = (("a", "A"), ("b", "B"), ("true", "Yes"))
    info = PropertyInfo("p", "P", kind, "checkbox" if checkbox else "select", options)
    column = _ours_or_value(convert, np.array(values, dtype=object), info, labels=labels)
    if not isinstance(column, HubSpotNBError):
        assert len(column) == len(values)
        for raw, cell in zip(values, list(column), strict=True):
            if raw is None or raw == "":
                assert cell is None or pd.isna(cell), (raw, cell)  # unset stays missing


MARKETING_KINDS = st.sampled_from(
    sorted({kinds.STR, kinds.CAT, kinds.BOOL, kinds.INT, kinds.FLOAT, kinds.UTC, kinds.DATE, kinds.OBJ})
)


@FUZZ
@given(values=st.lists(st.one_of(RAW_VALUES, SCALARS), max_size=10), kind=MARKETING_KINDS, when=SCALARS)
def test_marketing_converters_type_any_column(
    values: list[Any], kind: str, when: Any, figures: Figures
) -> None:
    figures.add("fuzz", "marketing converters")
    column = _ours_or_value(kinds.typed_column, values, kind)
    if not isinstance(column, HubSpotNBError):
        assert len(column) == len(values)
    _ours_or_value(mf.to_utc, when, "start")


def test_fuzz_saw_real_variety() -> None:
    """The strategies reach the interesting corners (so the fuzzing is not vacuous)."""
    assert isinstance(epoch_ms(date(2025, 1, 31)), int)
    assert math.isclose(epoch_ms("2025-01-31T00:00:00Z"), 1738281600000)
    assert parse_pasted("https://x.example/cb?code=abc&state=s").code == "abc"
