"""Preview mock data generated from JSON Schemas."""

from __future__ import annotations

import random
import re
from typing import Any

import jsonschema
import pytest

from flask_novu import step_schemas
from flask_novu.mock import MAX_ITEMS, PLACEHOLDER, mock_from_schema

REDIRECT_PATTERN = step_schemas.output_schema("in_app")["properties"]["redirect"]["properties"]["url"]["pattern"]


def _assert_valid(schema: dict[str, Any], value: Any) -> None:
    # Draft 7 ignores the OpenAPI ``nullable`` keyword, which is what we want.
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    errors = [f"{list(e.absolute_path)}: {e.message[:200]}" for e in validator.iter_errors(value)]
    assert not errors, errors


def _all_builtin_schemas() -> list[tuple[str, dict[str, Any]]]:
    schemas = []
    for step_type in step_schemas.STEP_TYPES:
        schemas.append((f"output:{step_type}", step_schemas.output_schema(step_type)))
        schemas.append((f"result:{step_type}", step_schemas.result_schema(step_type)))
    for step_type in step_schemas.CHANNEL_STEP_TYPES:
        for provider_id in step_schemas.provider_ids(step_type):
            schemas.append((f"{step_type}:{provider_id}", step_schemas.provider_output_schema(step_type, provider_id)))
    return schemas


@pytest.mark.parametrize("name,schema", _all_builtin_schemas(), ids=lambda x: x if isinstance(x, str) else "")
@pytest.mark.parametrize("seed", [0, 1, 7])
def test_mock_validates_against_every_builtin_schema(name: str, schema: dict[str, Any], seed: int) -> None:
    _assert_valid(schema, mock_from_schema(schema, rng=random.Random(seed)))


def test_live_preview_payload() -> None:
    # LIVE §3 "preview in-app-welcome with empty payload".
    payload_schema = {
        "type": "object",
        "properties": {"userName": {"type": "string"}, "plan": {"type": "string", "enum": ["free", "pro"], "default": "free"}},
        "required": ["userName"],
        "additionalProperties": False,
    }
    assert mock_from_schema(payload_schema) == {"userName": PLACEHOLDER, "plan": "free"}


def test_optional_properties_generated_and_no_extras() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "boolean"}}, "additionalProperties": True}
    assert set(mock_from_schema(schema)) == {"a", "b"}
    assert mock_from_schema(step_schemas.EMPTY_SCHEMA) == {}


def test_enum_const_default_and_formats() -> None:
    assert mock_from_schema({"type": "string", "enum": ["b", "a"]}) == "b"
    assert mock_from_schema({"const": 3}) == 3
    assert mock_from_schema({"type": "number", "default": 5}) == 5
    assert re.fullmatch(r"[^@\s]+@[^@\s]+\.[a-z]+", mock_from_schema({"type": "string", "format": "email"}))
    assert mock_from_schema({"type": "string", "format": "uri"}).startswith("https://")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", mock_from_schema({"type": "string", "format": "date"}))
    assert re.fullmatch(r"[0-9a-f-]{36}", mock_from_schema({"type": "string", "format": "uuid"}))


def test_default_is_a_copy() -> None:
    schema = {"type": "object", "default": {"x": [1]}}
    mock_from_schema(schema)["x"].append(2)
    assert schema["default"] == {"x": [1]}


def test_string_lengths() -> None:
    assert mock_from_schema({"type": "string", "minLength": 20}).startswith(PLACEHOLDER)
    assert len(mock_from_schema({"type": "string", "minLength": 20})) == 20
    assert mock_from_schema({"type": "string", "maxLength": 3}) == PLACEHOLDER[:3]


def test_in_app_redirect_satisfies_the_pattern_and_target() -> None:
    outputs = mock_from_schema(step_schemas.output_schema("in_app"))
    for redirect in (outputs["redirect"], outputs["primaryAction"]["redirect"]):
        assert re.search(REDIRECT_PATTERN, redirect["url"])
        assert redirect["target"] == ("_self" if redirect["url"].startswith("/") else "_blank")


def test_patterns_are_synthesised() -> None:
    for pattern in (r"^\+[1-9]\d{1,14}$", r"^AP[0-9a-fA-F]{32}$", r"^(abc|de)-\w{3}$", r"^[^x]z$"):
        assert re.search(pattern, mock_from_schema({"type": "string", "pattern": pattern}))


def test_numbers_respect_bounds() -> None:
    rng = random.Random(3)
    for _ in range(50):
        assert 2 <= mock_from_schema({"type": "integer", "minimum": 2, "maximum": 4}, rng=rng) <= 4
        value = mock_from_schema({"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1}, rng=rng)
        assert 0 < value < 1
    assert isinstance(mock_from_schema({"type": "integer"}), int)
    assert mock_from_schema({"type": "integer", "multipleOf": 5, "minimum": 1, "maximum": 9}) == 5


def test_seeded_rng_is_reproducible() -> None:
    schema = step_schemas.provider_output_schema("sms", "twilio")
    assert mock_from_schema(schema, rng=random.Random(42)) == mock_from_schema(schema, rng=random.Random(42))
    numbers = {mock_from_schema({"type": "number"}, rng=random.Random(seed)) for seed in range(5)}
    assert len(numbers) > 1
    assert mock_from_schema({"type": "number"}) == mock_from_schema({"type": "number"})


def test_arrays_are_small() -> None:
    assert mock_from_schema({"type": "array", "items": {"type": "string"}}) == [PLACEHOLDER]
    assert len(mock_from_schema({"type": "array", "items": {"type": "integer"}, "minItems": 3})) == 3
    assert len(mock_from_schema({"type": "array", "items": {}, "minItems": 1000})) == MAX_ITEMS
    assert mock_from_schema({"type": "array", "maxItems": 0}) == []


def test_combinators() -> None:
    assert mock_from_schema({"oneOf": [{"type": "boolean", "default": True}, {"type": "string"}]}) is True
    chat = mock_from_schema(step_schemas.output_schema("chat"))
    assert chat["body"] == PLACEHOLDER and chat["card"]["type"] == "card"
    merged = mock_from_schema({"allOf": [{"properties": {"a": {"const": 1}}}, {"properties": {"b": {"const": 2}}}]})
    assert merged == {"a": 1, "b": 2}
    assert mock_from_schema({"type": ["null", "string"], "nullable": True}) == PLACEHOLDER


def test_previous_step_results() -> None:
    assert set(mock_from_schema(step_schemas.result_schema("in_app"))) == {"seen", "read", "lastSeenDate", "lastReadDate"}
    assert isinstance(mock_from_schema(step_schemas.result_schema("delay"))["duration"], float)
    digest = mock_from_schema(step_schemas.result_schema("digest"))
    assert len(digest["events"]) == 1 and digest["events"][0]["payload"] == {}
    assert isinstance(digest["eventCount"], float)


def test_recursion_is_capped() -> None:
    node: dict[str, Any] = {"type": "object", "properties": {}, "required": ["child"]}
    node["properties"]["child"] = node  # self-referential schema
    value = mock_from_schema(node)
    depth = 0
    while value:
        value, depth = value["child"], depth + 1
    assert 5 <= depth <= 12


def test_failure_gives_empty_object() -> None:
    class Exploding(dict):  # type: ignore[type-arg]
        def get(self, *args: Any) -> Any:
            raise RuntimeError("boom")

    assert mock_from_schema(Exploding(type="object")) == {}
