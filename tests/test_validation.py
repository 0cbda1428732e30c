"""JSON Schema validation with the SDK's Ajv semantics (flask_novu.validation)."""

from __future__ import annotations

import concurrent.futures
import copy
import decimal
import json
import random
import typing as t
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flask_novu import step_schemas
from flask_novu.mock import mock_from_schema
from flask_novu.validation import FORMAT_CHECKER, JsonSchemaValidator, SchemaValidationError

STEP_SCHEMAS = json.loads(
    (Path(__file__).parent.parent / "flask_novu" / "data" / "step_schemas.json").read_text()
)
IN_APP_OUTPUT = STEP_SCHEMAS["outputs"]["in_app"]
IN_APP_RESULT = STEP_SCHEMAS["results"]["in_app"]
EMAIL_OUTPUT = STEP_SCHEMAS["outputs"]["email"]
DELAY_OUTPUT = STEP_SCHEMAS["outputs"]["delay"]
DIGEST_OUTPUT = STEP_SCHEMAS["outputs"]["digest"]
CHAT_OUTPUT = STEP_SCHEMAS["outputs"]["chat"]

PAYLOAD = {
    "type": "object",
    "properties": {
        "userName": {"type": "string"},
        "plan": {"type": "string", "enum": ["free", "pro"], "default": "free"},
    },
    "required": ["userName"],
    "additionalProperties": False,
}
CONTROLS = {
    "type": "object",
    "properties": {
        "heading": {"type": "string", "default": "Welcome!"},
        "count": {"type": "integer", "minimum": 1, "maximum": 10},
    },
    "additionalProperties": False,
}


def errors_of(schema: dict[str, t.Any], data: t.Any) -> list[dict[str, str]]:
    with pytest.raises(SchemaValidationError) as info:
        JsonSchemaValidator(schema).validate(data)
    return info.value.errors


def first(schema: dict[str, t.Any], data: t.Any) -> dict[str, str]:
    errors = errors_of(schema, data)
    assert len(errors) == 1
    return errors[0]


# -- LIVE captures ------------------------------------------------------------


def test_payload_missing_required_property() -> None:
    assert errors_of(PAYLOAD, {}) == [
        {"path": "", "message": "must have required property 'userName'"}
    ]


def test_control_of_wrong_type() -> None:
    assert errors_of(CONTROLS, {"heading": 123}) == [
        {"path": "/heading", "message": "must be string"}
    ]


def test_email_output_empty_subject() -> None:
    assert errors_of(EMAIL_OUTPUT, {"subject": "", "body": "x"}) == [
        {"path": "/subject", "message": "must NOT have fewer than 1 characters"}
    ]


def test_in_app_result_missing_read() -> None:
    result = {"seen": True, "lastSeenDate": None, "lastReadDate": None}
    assert errors_of(IN_APP_RESULT, result) == [
        {"path": "", "message": "must have required property 'read'"}
    ]


def test_defaults_filled_and_unknown_removed() -> None:
    validator = JsonSchemaValidator(CONTROLS)
    assert validator.validate({"unknownControl": "x"}) == {"heading": "Welcome!"}
    assert JsonSchemaValidator(PAYLOAD).validate({"userName": "Ada", "x": 1}) == {
        "userName": "Ada",
        "plan": "free",
    }


def test_empty_schema_drops_everything() -> None:
    empty = {"type": "object", "properties": {}, "required": [], "additionalProperties": False}
    assert JsonSchemaValidator(empty).validate({"a": 1, "b": {"c": 2}}) == {}


def test_input_is_not_mutated_and_defaults_are_copies() -> None:
    schema = {
        "type": "object",
        "properties": {"tags": {"type": "array", "default": []}, "keep": {"type": "object"}},
        "additionalProperties": False,
    }
    data = {"keep": {"a": 1}, "drop": 1}
    snapshot = copy.deepcopy(data)
    validator = JsonSchemaValidator(schema)
    one = validator.validate(data)
    assert data == snapshot
    assert one["keep"] is not data["keep"]
    one["tags"].append("x")
    assert validator.validate({})["tags"] == []
    assert schema["properties"]["tags"]["default"] == []  # type: ignore[index]


def _nested(containers: int) -> t.Any:
    """JSON data of exactly ``containers`` dicts and lists, nested and side by side."""
    value: t.Any = {"leaf": 1}
    made = 1
    while made < containers:
        value = [value, "x", None] if made % 2 else {"k": value, "n": made, "s": "t"}
        made += 1
    return value


@pytest.mark.parametrize("containers", [1, 99, 100, 101, 400])
@pytest.mark.parametrize("wrap", [dict, list])
def test_validated_copy_is_a_deep_copy_below_and_above_the_paused_size(
    containers: int, wrap: t.Callable[[t.Any], t.Any]
) -> None:
    # Copies of up to 100 containers run with the collector on, larger ones
    # with it paused: both give the same independent copy.
    data = {"a": _nested(containers), "b": [_nested(containers)]} if wrap is dict else [_nested(containers)]
    snapshot = copy.deepcopy(data)
    copied = JsonSchemaValidator({}).validate(data)
    assert copied == snapshot
    assert json.dumps(copied) == json.dumps(snapshot)
    inner_copy, inner_data = (copied["a"], data["a"]) if wrap is dict else (copied[0], data[0])
    assert inner_copy is not inner_data
    (copied["b"] if wrap is dict else copied).append("changed")
    assert data == snapshot


# -- in_app redirect: if/then/else defaults -------------------------------------


@pytest.mark.parametrize(
    ("url", "target"),
    [("/dashboard", "_self"), ("https://x.io", "_blank"), ("http://x.io/a?b=c", "_blank")],
)
def test_redirect_target_default_depends_on_url(url: str, target: str) -> None:
    validator = JsonSchemaValidator(IN_APP_OUTPUT)
    value = validator.validate({"body": "Hi", "redirect": {"url": url}})
    assert value["redirect"] == {"url": url, "target": target}
    action = validator.validate(
        {"body": "Hi", "primaryAction": {"label": "Go", "redirect": {"url": url}}}
    )
    assert action["primaryAction"]["redirect"]["target"] == target


def test_redirect_explicit_target_kept_and_invalid_url_rejected() -> None:
    validator = JsonSchemaValidator(IN_APP_OUTPUT)
    value = validator.validate({"body": "Hi", "redirect": {"url": "/a", "target": "_top", "x": 1}})
    assert value["redirect"] == {"url": "/a", "target": "_top"}
    error = first(IN_APP_OUTPUT, {"body": "Hi", "redirect": {"url": "mailto:a@b.c"}})
    assert error["path"] == "/redirect/url"
    assert error["message"].startswith('must match pattern "^(?!mailto:)')


def test_in_app_needs_subject_or_body_like_ajv() -> None:
    assert errors_of(IN_APP_OUTPUT, {"data": {"a": 1}}) == [
        {"path": "", "message": "must have required property 'subject'"},
        {"path": "", "message": "must have required property 'body'"},
        {"path": "", "message": "must match a schema in anyOf"},
    ]


def test_open_object_keeps_its_properties() -> None:
    value = JsonSchemaValidator(IN_APP_OUTPUT).validate({"body": "Hi", "data": {"a": {"b": [1]}}})
    assert value == {"body": "Hi", "data": {"a": {"b": [1]}}}


# -- nullable -----------------------------------------------------------------


def test_nullable_allows_null_but_not_other_types() -> None:
    validator = JsonSchemaValidator(IN_APP_RESULT)
    ok = {"seen": True, "read": False, "lastSeenDate": None, "lastReadDate": "2024-05-01T10:00:00Z"}
    assert validator.validate(ok) == ok
    bad = dict(ok, lastSeenDate=5)
    assert errors_of(IN_APP_RESULT, bad) == [{"path": "/lastSeenDate", "message": "must be string"}]
    assert errors_of(IN_APP_RESULT, dict(ok, lastReadDate="yesterday")) == [
        {"path": "/lastReadDate", "message": 'must match format "date-time"'}
    ]


def test_nullable_without_type_is_a_schema_error() -> None:
    with pytest.raises(ValueError, match="nullable"):
        JsonSchemaValidator({"type": "object", "properties": {"a": {"nullable": True}}})


# -- oneOf / anyOf outputs ------------------------------------------------------


@pytest.mark.parametrize(
    "outputs",
    [
        {"type": "regular", "amount": 5, "unit": "minutes"},
        {"amount": 30, "unit": "seconds"},
        {"type": "timed", "cron": "0 9 * * *"},
        {"type": "dynamic", "dynamicKey": "payload.when", "extendToSchedule": True},
    ],
)
def test_delay_outputs_preserved(outputs: dict[str, t.Any]) -> None:
    assert JsonSchemaValidator(DELAY_OUTPUT).validate(outputs) == outputs


def test_digest_outputs_preserved_and_extras_stripped_by_matching_branch() -> None:
    validator = JsonSchemaValidator(DIGEST_OUTPUT)
    assert validator.validate({"amount": 1, "unit": "hours"}) == {"amount": 1, "unit": "hours"}
    regular = {
        "amount": 1,
        "unit": "hours",
        "digestKey": "k",
        "lookBackWindow": {"amount": 5, "unit": "minutes"},
    }
    assert validator.validate(dict(regular, junk=True)) == regular


def test_one_of_without_match_lists_branch_errors() -> None:
    assert errors_of(DELAY_OUTPUT, {"amount": 5}) == [
        {"path": "", "message": "must have required property 'unit'"},
        {"path": "", "message": "must have required property 'cron'"},
        {"path": "", "message": "must have required property 'dynamicKey'"},
        {"path": "", "message": "must match exactly one schema in oneOf"},
    ]


def test_one_of_matching_twice() -> None:
    schema = {
        "type": "object",
        "oneOf": [{"required": ["a"]}, {"required": ["b"]}, {"required": ["c"]}],
    }
    assert errors_of(schema, {"a": 1, "b": 2}) == [
        {"path": "", "message": "must match exactly one schema in oneOf"}
    ]


def test_defaults_are_not_applied_inside_any_of() -> None:
    schema = {
        "type": "object",
        "anyOf": [{"properties": {"a": {"default": 1}}}],
        "properties": {"b": {"default": 2}},
    }
    assert JsonSchemaValidator(schema).validate({}) == {"b": 2}


def test_defaults_applied_inside_all_of() -> None:
    schema = {"type": "object", "allOf": [{"properties": {"a": {"default": 1}}}]}
    assert JsonSchemaValidator(schema).validate({}) == {"a": 1}


# -- error selection and messages -------------------------------------------------


@pytest.mark.parametrize(
    ("schema", "value", "message"),
    [
        ({"type": "number"}, "x", "must be number"),
        ({"type": "integer"}, 1.5, "must be integer"),
        ({"type": "boolean"}, 1, "must be boolean"),
        ({"type": "array"}, {}, "must be array"),
        ({"type": "object"}, [], "must be object"),
        ({"type": "null"}, 0, "must be null"),
        ({"type": ["string", "null"]}, 1, "must be string,null"),
        ({"enum": ["a", "b"]}, "c", "must be equal to one of the allowed values"),
        ({"const": "a"}, "b", "must be equal to constant"),
        ({"type": "string", "maxLength": 2}, "abc", "must NOT have more than 2 characters"),
        ({"type": "number", "minimum": 1}, 0, "must be >= 1"),
        ({"type": "number", "maximum": 1.5}, 2, "must be <= 1.5"),
        ({"type": "number", "exclusiveMinimum": 1}, 1, "must be > 1"),
        ({"type": "number", "exclusiveMaximum": 1}, 1, "must be < 1"),
        ({"type": "number", "multipleOf": 2}, 3, "must be multiple of 2"),
        ({"type": "string", "pattern": "^a+$"}, "b", 'must match pattern "^a+$"'),
        ({"type": "string", "format": "email"}, "nope", 'must match format "email"'),
        ({"type": "array", "minItems": 2}, [1], "must NOT have fewer than 2 items"),
        ({"type": "array", "maxItems": 1}, [1, 2], "must NOT have more than 1 items"),
        ({"type": "object", "minProperties": 1}, {}, "must NOT have fewer than 1 properties"),
        (
            {"type": "array", "uniqueItems": True},
            [1, 2, 1, 2],
            "must NOT have duplicate items (items ## 1 and 3 are identical)",
        ),
        ({"anyOf": [{"type": "string"}, {"type": "number"}]}, None, "must match a schema in anyOf"),
        ({"not": {"type": "string"}}, "a", "must NOT be valid"),
        (
            {"type": "array", "contains": {"type": "string"}},
            [1],
            "must contain at least 1 valid item(s)",
        ),
        (
            {"type": "object", "dependencies": {"a": ["b", "c"]}},
            {"a": 1, "b": 2},
            "must have properties b, c when property a is present",
        ),
        (
            {"type": "array", "items": [{"type": "number"}], "additionalItems": False},
            [1, 2],
            "must NOT have more than 1 items",
        ),
    ],
)
def test_ajv_messages(schema: dict[str, t.Any], value: t.Any, message: str) -> None:
    wrapped = {"type": "object", "properties": {"v": schema}}
    assert errors_of(wrapped, {"v": value})[-1] == {"path": "/v", "message": message}


def test_first_error_follows_ajv_order() -> None:
    schema = {
        "type": "object",
        "properties": {
            "a": {"type": "string", "minLength": 3, "pattern": "^x"},
            "b": {"type": "string"},
        },
        "required": ["c", "d"],
    }
    # ``required`` runs before ``properties``; the first missing one is named
    assert errors_of(schema, {"a": 1, "b": 2}) == [
        {"path": "", "message": "must have required property 'c'"}
    ]
    full = {"c": 1, "d": 1}
    # properties in schema order, ``type`` before anything else
    assert first(schema, {**full, "b": 2, "a": 1}) == {"path": "/a", "message": "must be string"}
    assert first(schema, {**full, "a": "y"})["message"] == "must NOT have fewer than 3 characters"
    assert first(schema, {**full, "a": "yyy", "b": 1}) == {
        "path": "/a",
        "message": 'must match pattern "^x"',
    }


def test_enum_is_checked_before_a_grouped_type() -> None:
    # Ajv checks ``type: string`` inside the string group when minLength is present,
    # so the (untyped) enum fails first.
    schema = {
        "type": "object",
        "properties": {"v": {"type": "string", "minLength": 1, "enum": ["a"]}},
    }
    assert first(schema, {"v": 5})["message"] == "must be equal to one of the allowed values"
    plain = {"type": "object", "properties": {"v": {"type": "string", "enum": ["a"]}}}
    assert first(plain, {"v": 5})["message"] == "must be string"


def test_nested_paths_are_json_pointers() -> None:
    schema = {
        "type": "object",
        "properties": {
            "list": {
                "type": "array",
                "items": {"type": "object", "properties": {"n": {"type": "number"}}},
            },
            "a/b": {"type": "object", "properties": {"c~d": {"type": "string"}}},
        },
    }
    assert first(schema, {"list": [{"n": 1}, {"n": "x"}]}) == {
        "path": "/list/1/n",
        "message": "must be number",
    }
    assert first(schema, {"a/b": {"c~d": 1}}) == {"path": "/a~1b/c~0d", "message": "must be string"}


def test_ref_to_definitions() -> None:
    schema = {
        "type": "object",
        "definitions": {"name": {"type": "string", "default": "anon"}},
        "properties": {
            "who": {"type": "object", "properties": {"name": {"$ref": "#/definitions/name"}}}
        },
    }
    validator = JsonSchemaValidator(schema)
    assert validator.validate({"who": {"name": "Ada"}}) == {"who": {"name": "Ada"}}
    assert first(schema, {"who": {"name": 1}}) == {"path": "/who/name", "message": "must be string"}


def test_additional_properties_schema_removes_failing_values() -> None:
    schema = {"type": "object", "properties": {"a": {}}, "additionalProperties": {"type": "number"}}
    assert JsonSchemaValidator(schema).validate({"a": "x", "b": 1, "c": "no"}) == {"a": "x", "b": 1}


def test_pattern_properties_are_not_additional() -> None:
    schema = {
        "type": "object",
        "patternProperties": {"^x-": {"type": "string"}},
        "additionalProperties": False,
    }
    assert JsonSchemaValidator(schema).validate({"x-a": "1", "y": 1}) == {"x-a": "1"}


def test_then_error_reported_at_its_path() -> None:
    schema = {
        "type": "object",
        "if": {"properties": {"kind": {"const": "a"}}},
        "then": {"required": ["extra"]},
        "else": {"properties": {"extra": {"type": "number"}}},
    }
    assert errors_of(schema, {"kind": "a"}) == [
        {"path": "", "message": "must have required property 'extra'"}
    ]
    assert errors_of(schema, {"kind": "b", "extra": "x"}) == [
        {"path": "/extra", "message": "must be number"}
    ]


# -- formats --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "good", "bad"),
    [
        ("uri", "https://example.com/a?b=c#d", "not a uri"),
        ("uri", "mailto:a@b.co", "/relative/path"),
        ("email", "ada.lovelace@example.co.uk", "ada@"),
        ("date-time", "2024-02-29T23:59:59.123+02:00", "2023-02-29T10:00:00Z"),
        ("date-time", "2024-01-01 10:00:00z", "2024-01-01T10:00"),
        # ajv-formats 2.1.1, the SDK's, accepts a missing or out-of-range zone
        ("date-time", "2024-01-01T10:00:00", "2024-01-01T10:00:00 +01:00"),
        ("date-time", "2024-01-01T10:00:00+25:00", "0001-02-29T10:00:00Z"),
        ("date", "0000-01-01", "٢٠٢٤-01-01"),
        ("time", "10:20:30", "12:59:60+01:00"),
        ("time", "23:59:60Z", "10:20:30+0"),
        ("date", "2024-02-29", "2024-13-01"),
        ("time", "10:20:30Z", "25:00:00Z"),
        ("uuid", "123e4567-e89b-12d3-a456-426614174000", "123e4567"),
        ("ipv4", "192.168.0.1", "256.1.1.1"),
        ("ipv6", "::1", "1::2::3"),
        ("hostname", "api.novu.co", "-bad-.com"),
        ("uri-reference", "../a/b", "a b"),
        ("duration", "P1DT2H", "P"),
        ("json-pointer", "/a/b~1c", "a/b"),
    ],
)
def test_formats(fmt: str, good: str, bad: str) -> None:
    assert FORMAT_CHECKER.conforms(good, fmt)
    assert not FORMAT_CHECKER.conforms(bad, fmt)


def test_unknown_format_and_non_strings_pass() -> None:
    schema = {
        "type": "object",
        "properties": {"a": {"format": "made-up"}, "b": {"format": "email"}},
    }
    assert JsonSchemaValidator(schema).validate({"a": "x", "b": 5}) == {"a": "x", "b": 5}


# -- construction -----------------------------------------------------------------


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "strnig"},
        {"type": "object", "required": "name"},
        {"type": "object", "properties": {"a": {"pattern": "("}}},
        {"type": "object", "properties": {"a": {"$ref": "#/definitions/missing"}}},
        {"type": "object", "properties": {"a": {"$ref": "https://example.com/s.json"}}},
    ],
)
def test_invalid_schema_raises_value_error(schema: dict[str, t.Any]) -> None:
    with pytest.raises(ValueError, match="Invalid JSON Schema"):
        JsonSchemaValidator(schema)


@pytest.mark.parametrize(
    ("kind", "step_type"),
    [(kind, step) for kind in ("outputs", "results") for step in STEP_SCHEMAS[kind]],
)
def test_every_builtin_step_schema_compiles(kind: str, step_type: str) -> None:
    JsonSchemaValidator(STEP_SCHEMAS[kind][step_type])


def test_every_builtin_provider_schema_compiles() -> None:
    providers = STEP_SCHEMAS["providers"]
    count = 0
    for by_id in providers.values():
        for schema in by_id.values():
            JsonSchemaValidator(schema)
            count += 1
    assert count > 20


def test_chat_output_card_is_validated() -> None:
    validator = JsonSchemaValidator(CHAT_OUTPUT)
    assert validator.validate({"body": "hi", "junk": 1}) == {"body": "hi"}
    assert errors_of(CHAT_OUTPUT, {})[-1] == {"path": "", "message": "must match a schema in anyOf"}


def test_error_carries_errors_and_readable_text() -> None:
    error = SchemaValidationError([{"path": "/a", "message": "must be string"}])
    assert error.errors == [{"path": "/a", "message": "must be string"}]
    assert "/a: must be string" in str(error)


# -- compiled fast path == full path (differential) -----------------------------------

#: Every branch of the two mutators (compiled and general): if without else,
#: if whose clauses change nothing, additionalProperties as a schema with
#: defaults, dependencies as schemas, items that need nothing, additionalItems.
_BRANCHY: dict[str, t.Any] = {
    "type": "object",
    "properties": {
        "cond": {"type": "object", "if": {"required": ["a"]}, "then": {"properties": {"t": {"default": 1}}}},
        "inert_if": {"type": "object", "if": {"required": ["a"]}, "then": {"required": ["b"]}},
        "ap": {
            "type": "object",
            "properties": {"k": {"type": "string"}},
            "additionalProperties": {
                "type": "object",
                "properties": {"d": {"default": 1}},
                "additionalProperties": False,
            },
        },
        "dep": {"type": "object", "dependencies": {"a": {"properties": {"b": {"default": 2}}}}},
        "mixed_if": {
            "type": "object",
            "properties": {"d": {"default": 1}},
            "if": {"required": ["a"]},
            "then": {"required": ["b"]},
        },
        "pp": {"type": "object", "patternProperties": {"^a": {"type": "object", "properties": {"z": {"default": 0}}}}},
        "plain": {"type": "array", "items": {"type": "string"}},
        "either": {"properties": {"d": {"default": 1}}, "items": {"type": "string"}},
        "tup": {
            "type": "array",
            "items": [{"type": "object", "properties": {"y": {"default": 1}}}],
            "additionalItems": {"type": "object", "properties": {"z": {"default": 0}}},
        },
        "alt": {"anyOf": [{"type": "array", "items": [{"default": 1}]}, {"type": "string"}]},
    },
    "additionalProperties": False,
}

_EXTRA_SCHEMAS: list[dict[str, t.Any]] = [
    {
        "type": "object",
        "properties": {
            "n": {"type": ["integer", "string"], "nullable": True},
            "x": {"type": "number", "minimum": 0, "exclusiveMaximum": 10, "default": 1},
            "y": {"type": "integer", "maximum": 5, "exclusiveMinimum": -5},
            "s": {"type": "string", "minLength": 1, "maxLength": 3, "pattern": "^a"},
            "e": {"enum": ["a", 1, True, None, [1], {"k": "v"}]},
            "c": {"const": 1},
            "f": {"format": "date-time"},
            "u": {"type": "string", "format": "uuid"},
            "i": {"type": "string", "format": "int32"},
            "arr": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 3},
            "tup": {
                "type": "array",
                "items": [{"type": "string", "default": "a"}, {"type": "number", "default": 2}],
            },
            "tup2": {"type": "array", "items": [{"type": "string"}, {"default": 0}]},
            "none": {"type": "array", "items": False},
            "neg": {"not": {"type": "string"}},
            "obj": {
                "type": "object",
                "properties": {"k": {"type": "string", "default": "d"}},
                "additionalProperties": {"type": "number"},
                "minProperties": 1,
                "maxProperties": 3,
            },
        },
        "required": ["x"],
        "additionalProperties": False,
    },
    {
        "type": "object",
        "allOf": [
            {"properties": {"a": {"type": "string", "default": "z"}}},
            {"properties": {"b": {"type": "number"}}},
        ],
        "anyOf": [
            {"properties": {"a": {"const": "z"}}, "additionalProperties": False},
            {"required": ["b"]},
        ],
        "if": {"properties": {"a": {"const": "z"}}},
        "then": {"properties": {"t": {"default": "then"}}},
        "else": {"properties": {"t": {"default": "else"}}, "required": ["b"]},
    },
    {
        "oneOf": [
            {
                "type": "object",
                "properties": {"kind": {"enum": ["a"]}, "v": {"type": "string"}},
                "required": ["kind"],
                "additionalProperties": False,
            },
            {
                "type": "object",
                "properties": {"kind": {"enum": ["b"]}, "v": {"type": "number"}},
                "required": ["kind"],
                "additionalProperties": False,
            },
            {"type": "object", "properties": {"v": {"type": "boolean"}}},
        ]
    },
    {
        # keywords the compiler leaves to jsonschema, next to compiled ones
        "type": "object",
        "definitions": {"name": {"type": "string", "default": "anon"}},
        "properties": {
            "who": {"type": "object", "properties": {"name": {"$ref": "#/definitions/name"}}},
            "tags": {"type": "array", "uniqueItems": True, "items": {"type": "string"}},
            "m": {"type": "number", "multipleOf": 0.5},
            "dep": {"type": "object", "dependencies": {"a": ["b"], "c": {"required": ["d"]}}},
            "has": {"type": "array", "contains": {"const": 1}},
            "names": {"type": "object", "propertyNames": {"maxLength": 2}},
        },
        "patternProperties": {"^x-": {"type": "string"}},
        "additionalProperties": False,
    },
    _BRANCHY,
    # the same with a $ref: the general (uncompiled) mutator walks it
    {
        **_BRANCHY,
        "definitions": {
            "d": {"type": "object", "properties": {"q": {"default": "q"}}, "additionalProperties": False}
        },
        "properties": {**_BRANCHY["properties"], "r": {"$ref": "#/definitions/d"}},
    },
]


def _builtin_schemas() -> list[dict[str, t.Any]]:
    schemas = []
    for step_type in step_schemas.STEP_TYPES:
        schemas += [step_schemas.output_schema(step_type), step_schemas.result_schema(step_type)]
        for provider in step_schemas.provider_ids(step_type):
            schemas.append(step_schemas.provider_output_schema(step_type, provider))
    return schemas


DIFFERENTIAL_SCHEMAS: list[dict[str, t.Any]] = [
    *_builtin_schemas(),
    step_schemas.empty_schema(),
    PAYLOAD,
    CONTROLS,
    *_EXTRA_SCHEMAS,
]

_SAMPLES: list[t.Any] = [
    None, True, False, 0, 1, 1.0, 1.5, -7, 2**40, "", "a", "ab", "abcd", "https://x.io/a",
    "/local", "mailto:x", "2020-01-01T10:00:00Z", "8f14e45f-ceea-467f-a1d2-4f1b2a4a6b8c",
    "regular", "timed", "seconds", "hours", "_self", "z", "kind", [], [1], ["a", "a"],
    [1, "a", None], {}, {"k": 1}, {"label": "x", "redirect": {"url": "/x"}}, {"a": None},
]  # fmt: skip


def _reference(schema: dict[str, t.Any]) -> JsonSchemaValidator:
    """The validator with every compiled shortcut switched off (the full path)."""
    validator = JsonSchemaValidator(schema)
    v: t.Any = validator
    v._valid = lambda node: v._sub(node).is_valid
    v._root_valid = lambda value: False
    v._mutator = None
    v._empty_object = False
    return validator


def _outcome(validator: JsonSchemaValidator, data: t.Any) -> tuple[str, str]:
    before = json.dumps(data)
    try:
        result = ("ok", json.dumps(validator.validate(data)))  # key order matters
    except SchemaValidationError as exc:
        result = ("error", json.dumps(exc.errors))
    assert json.dumps(data) == before, "input was modified"
    return result


def _same(fast: JsonSchemaValidator, full: JsonSchemaValidator, data: t.Any) -> str:
    """Assert both paths agree on *data*; return the outcome ("ok"/"error")."""
    expected = _outcome(full, data)
    assert _outcome(fast, data) == expected, data
    # The compiled check agrees with jsonschema: a wrong "invalid" would only
    # send the root to the full path, but it also decides branches and removals.
    v: t.Any = fast
    assert v._root_valid(data) == v._validator.is_valid(data), data
    return expected[0]


def _mutate(value: t.Any, rng: random.Random, depth: int = 0) -> t.Any:
    """A random variation of *value*: dropped, added or replaced members."""
    if rng.random() < 0.15 or depth > 6:
        return copy.deepcopy(rng.choice(_SAMPLES))
    if isinstance(value, dict):
        result = dict(value)
        roll = rng.random()
        if result and roll < 0.3:
            del result[rng.choice(list(result))]
        elif roll < 0.5:
            result[rng.choice(["extra", "kind", "v", "a", "b", "x-y", "t"])] = copy.deepcopy(
                rng.choice(_SAMPLES)
            )
        if result:
            key = rng.choice(list(result))
            result[key] = _mutate(result[key], rng, depth + 1)
        return result
    if isinstance(value, list):
        result_list = list(value)
        if result_list and rng.random() < 0.3:
            result_list.pop(rng.randrange(len(result_list)))
        if rng.random() < 0.3:
            result_list.append(copy.deepcopy(rng.choice(_SAMPLES)))
        if result_list:
            index = rng.randrange(len(result_list))
            result_list[index] = _mutate(result_list[index], rng, depth + 1)
        return result_list
    return copy.deepcopy(rng.choice(_SAMPLES))


@pytest.mark.parametrize(
    "schema", DIFFERENTIAL_SCHEMAS, ids=[str(i) for i in range(len(DIFFERENTIAL_SCHEMAS))]
)
def test_fast_path_matches_full_path(schema: dict[str, t.Any]) -> None:
    fast, full = JsonSchemaValidator(schema), _reference(schema)
    rng = random.Random(1234)
    valid = 0
    for seed in range(25):
        base = mock_from_schema(schema, rng=random.Random(seed))
        for data in [base, *(_mutate(base, rng) for _ in range(10))]:
            valid += _same(fast, full, data) == "ok"
    # every top-level property set to every sample value
    base = mock_from_schema(schema, rng=random.Random(0))
    if isinstance(base, dict):
        names = sorted({*base, *schema.get("properties", {})})
        for name in rng.sample(names, min(len(names), 12)):
            for sample in _SAMPLES:
                _same(fast, full, {**base, name: copy.deepcopy(sample)})
    assert valid > 0  # the generated instances do reach the success path


_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 5)
    | st.floats(-5, 5)
    | st.sampled_from(_SAMPLES[14:29]),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(["a", "b", "v", "kind", "subject", "body", "x"]), children, max_size=4
        )
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(index=st.integers(0, len(DIFFERENTIAL_SCHEMAS) - 1), data=_JSON)
def test_fast_path_matches_full_path_on_arbitrary_json(index: int, data: t.Any) -> None:
    schema = DIFFERENTIAL_SCHEMAS[index]
    _same(JsonSchemaValidator(schema), _reference(schema), data)


def test_builtin_schemas_compile_mostly_without_jsonschema() -> None:
    # Only nodes using keywords outside the compiled subset go to jsonschema.
    from flask_novu.validation import _FAST_KEYWORDS, _Compiler

    for schema in _builtin_schemas():
        fallbacks: list[t.Any] = []
        _Compiler(lambda node: fallbacks.append(node) or (lambda value: True))(schema)
        for node in fallbacks:
            assert set(node) - _FAST_KEYWORDS & {"uniqueItems", "multipleOf", "$ref"}, node


def test_empty_object_schema_is_a_no_op_for_objects() -> None:
    validator = JsonSchemaValidator(step_schemas.empty_schema())
    assert validator.validate({"a": [1, {"b": 2}], "c": None}) == {}
    assert validator.validate({}) == {}
    with pytest.raises(SchemaValidationError):
        validator.validate([])


# -- shared validators ------------------------------------------------------------------


def test_equal_schemas_share_one_validator() -> None:
    one = JsonSchemaValidator.shared(step_schemas.output_schema("in_app"))
    assert JsonSchemaValidator.shared(step_schemas.output_schema("in_app")) is one
    assert JsonSchemaValidator.shared(copy.deepcopy(CONTROLS)) is JsonSchemaValidator.shared(
        CONTROLS
    )


def test_shared_validator_keeps_key_order_apart() -> None:
    a = {"type": "object", "properties": {"x": {"default": 1}, "y": {"default": 2}}}
    b = {"type": "object", "properties": {"y": {"default": 2}, "x": {"default": 1}}}
    assert JsonSchemaValidator.shared(a) is not JsonSchemaValidator.shared(b)
    assert list(JsonSchemaValidator.shared(b).validate({})) == ["y", "x"]


def test_shared_validator_is_not_affected_by_later_changes() -> None:
    schema = {"type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"]}
    validator = JsonSchemaValidator.shared(schema)
    schema["required"] = []
    assert errors_of_validator(validator, {}) == [
        {"path": "", "message": "must have required property 'q'"}
    ]
    assert JsonSchemaValidator.shared(schema) is not validator


def test_shared_validator_rejects_invalid_and_non_json_schemas() -> None:
    with pytest.raises(ValueError, match="Invalid JSON Schema"):
        JsonSchemaValidator.shared({"type": "strnig"})
    # a tuple is not a JSON array: not shared with the list version, same outcome as before
    with pytest.raises(ValueError, match="Invalid JSON Schema"):
        JsonSchemaValidator.shared({"type": "object", "required": ("a",)})
    odd = {"type": "object", "properties": {"d": {"default": decimal.Decimal("1.5")}}}
    assert JsonSchemaValidator.shared(odd).validate({}) == {"d": decimal.Decimal("1.5")}


def test_shared_validator_is_thread_safe() -> None:
    schema = {"type": "object", "properties": {"thread": {"type": "integer", "default": 7}}}
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        results = list(
            pool.map(
                lambda _: JsonSchemaValidator.shared(copy.deepcopy(schema)).validate({}), range(64)
            )
        )
    assert results == [{"thread": 7}] * 64


def errors_of_validator(validator: JsonSchemaValidator, data: t.Any) -> list[dict[str, str]]:
    with pytest.raises(SchemaValidationError) as info:
        validator.validate(data)
    return info.value.errors
