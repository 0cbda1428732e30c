"""JSON Schema validation with the SDK's Ajv semantics (flask_novu.validation)."""

from __future__ import annotations

import copy
import json
import typing as t
from pathlib import Path

import pytest

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
        ("date-time", "2024-01-01 10:00:00z", "2024-01-01T10:00:00"),
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
