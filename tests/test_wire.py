"""The bridge's request-body schemas: the direct path for well-formed events
loads exactly what the marshmallow schema loads."""

from __future__ import annotations

import typing as t

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError

from flask_novu.errors import InvalidRequestError
from flask_novu.wire import COMPAT_EXECUTE, EXECUTE_EVENT, load_compat, load_event

json_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=5))
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=4), inner, max_size=3)),
    max_leaves=8,
)
state_entries = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {"stepId": st.one_of(st.text(max_size=5), json_scalars)},
        optional={"outputs": json_values, "state": json_values, "extra": json_values},
    ),
)
events = st.fixed_dictionaries(
    {},
    optional={
        "payload": json_values,
        "controls": json_values,
        "state": st.one_of(st.none(), st.lists(state_entries, max_size=4), json_values),
        "subscriber": json_values,
        "context": json_values,
        "env": json_values,
        "actor": json_values,
        "workflowId": json_values,
        "data": json_values,
    },
)


@settings(max_examples=200, deadline=None, database=None)
@given(events)
def test_direct_path_loads_what_the_schema_loads(body: dict[str, t.Any]) -> None:
    try:
        expected: t.Any = EXECUTE_EVENT.load(body)
    except ValidationError:
        expected = "invalid"
    try:
        loaded: t.Any = load_event(body)
    except InvalidRequestError:
        loaded = "invalid"
    assert loaded == expected


def test_a_typical_novu_event() -> None:
    body = {
        "payload": {"a": 1},
        "controls": {},
        "state": [{"stepId": "s1", "outputs": {"duration": 5}, "state": {"status": "completed", "error": None}}],
        "subscriber": {"subscriberId": "x"},
        "context": {},
    }
    loaded = load_event(body)
    assert loaded == {
        "payload": {"a": 1},
        "controls": {},
        "state": [{"stepId": "s1", "outputs": {"duration": 5}, "state": {"status": "completed", "error": None}}],
        "subscriber": {"subscriberId": "x"},
        "context": {},
        "env": {},
        "actor": None,
    }
    loaded["subscriber"]["subscriberId"] = "changed"
    assert body["subscriber"]["subscriberId"] == "x"


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"state": "x"}, "/state"),
        ({"state": [{"outputs": {}}]}, "/state/0/stepId"),
        ({"state": [{"stepId": "a", "outputs": []}]}, "/state/0/outputs"),
        ({"subscriber": []}, "/subscriber"),
        ({"actor": 5}, "/actor"),
    ],
)
def test_malformed_events_are_worded_by_the_schema(body: dict[str, t.Any], path: str) -> None:
    with pytest.raises(InvalidRequestError) as info:
        load_event(body)
    assert info.value.data[0]["path"] == path


compat_bodies = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {},
        optional={"to": json_values, "payload": json_values, "metadata": json_values, "extra": json_values},
    ),
)


@settings(max_examples=200, deadline=None, database=None)
@given(compat_bodies)
def test_direct_compat_path_loads_what_the_schema_loads(body: t.Any) -> None:
    try:
        expected: t.Any = COMPAT_EXECUTE.load(body) if isinstance(body, dict) else "invalid"
    except ValidationError:
        expected = "invalid"
    try:
        loaded: t.Any = load_compat(body)
    except InvalidRequestError:
        loaded = "invalid"
    assert loaded == expected
