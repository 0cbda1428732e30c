"""One schema interface over JSON Schema, marshmallow and pydantic (flask_novu.schemas)."""

from __future__ import annotations

import datetime
import decimal
import typing as t
import uuid

import pytest
from marshmallow import Schema as MaSchema
from marshmallow import ValidationError as MaValidationError
from marshmallow import fields, validate, validates_schema

from flask_novu.schemas import (
    EMPTY_SCHEMA,
    JsonSchemaAdapter,
    SchemaValidationError,
    is_schema_like,
    to_schema,
)
from flask_novu.validation import JsonSchemaValidator

pydantic = pytest.importorskip("pydantic")


def errors_of(schema: t.Any, data: t.Any) -> list[dict[str, str]]:
    with pytest.raises(SchemaValidationError) as info:
        schema.validate(data)
    return info.value.errors


# -- JSON Schema ------------------------------------------------------------------


def test_none_is_the_empty_schema() -> None:
    schema = to_schema(None)
    assert (
        schema.json_schema
        == EMPTY_SCHEMA
        == {
            "type": "object",
            "properties": {},
            "required": [],
            "additionalProperties": False,
        }
    )
    assert schema.validate({"a": 1}) == ({}, {})


def test_dict_schema_validates_with_ajv_semantics() -> None:
    raw = {
        "type": "object",
        "properties": {"plan": {"type": "string", "default": "free"}, "n": {"type": "number"}},
        "additionalProperties": False,
    }
    schema = to_schema(raw)
    assert isinstance(schema, JsonSchemaAdapter)
    assert schema.json_schema is raw
    json_value, user_value = schema.validate({"x": 1})
    assert json_value == user_value == {"plan": "free"}
    assert schema.to_user({"plan": "pro"}) == {"plan": "pro"}
    assert errors_of(schema, {"n": "1"}) == [{"path": "/n", "message": "must be number"}]


@pytest.mark.parametrize(
    "raw",
    [
        {"type": "object"},
        {"anyOf": [{"type": "object"}]},
        {"allOf": [{"type": "object"}]},
        {"oneOf": [{"type": "object"}]},
    ],
)
def test_object_json_schemas_are_accepted(raw: dict[str, t.Any]) -> None:
    assert is_schema_like(raw)
    assert to_schema(raw).json_schema is raw


@pytest.mark.parametrize("raw", [{"type": "string"}, {}, {"properties": {}}])
def test_non_object_json_schema_is_rejected(raw: dict[str, t.Any]) -> None:
    assert not is_schema_like(raw)
    with pytest.raises(ValueError, match="Invalid controlSchema"):
        to_schema(raw, what="controlSchema")


def test_broken_json_schema_is_rejected_at_construction() -> None:
    with pytest.raises(ValueError, match="Invalid payloadSchema"):
        to_schema({"type": "object", "properties": {"a": {"type": "nope"}}}, what="payloadSchema")


@pytest.mark.parametrize("value", [42, "schema", [], object(), int])
def test_other_objects_are_not_schemas(value: t.Any) -> None:
    assert not is_schema_like(value)
    with pytest.raises(ValueError, match="Invalid schema"):
        to_schema(value)


# -- marshmallow --------------------------------------------------------------------


class Address(MaSchema):
    city = fields.String(required=True)
    zip = fields.String(load_default="00000")


class Signup(MaSchema):
    email = fields.Email(required=True)
    born = fields.DateTime()
    plan = fields.String(load_default="free", validate=validate.OneOf(["free", "pro"]))
    address = fields.Nested(Address)
    friends = fields.List(fields.Nested(Address))
    nick = fields.String(allow_none=True, data_key="nickName")
    price = fields.Decimal()
    token = fields.UUID()


class Range(MaSchema):
    low = fields.Integer(required=True)
    high = fields.Integer(required=True)

    @validates_schema
    def check(self, data: dict[str, t.Any], **_: t.Any) -> None:
        if data["low"] > data["high"]:
            raise MaValidationError("low must not exceed high")


class Tree(MaSchema):
    name = fields.String()
    children = fields.List(fields.Nested(lambda: Tree()))


def test_marshmallow_json_schema_is_self_contained() -> None:
    schema = to_schema(Signup)
    js = schema.json_schema
    assert js["type"] == "object"
    assert js["required"] == ["email"]
    assert js["additionalProperties"] is False
    props = js["properties"]
    assert props["email"] == {"type": "string", "format": "email"}
    assert props["born"] == {"type": "string", "format": "date-time"}
    assert props["plan"]["default"] == "free"
    assert props["plan"]["enum"] == ["free", "pro"]
    assert props["address"] == {
        "type": "object",
        "properties": {"city": {"type": "string"}, "zip": {"type": "string", "default": "00000"}},
        "required": ["city"],
        "additionalProperties": False,
    }
    assert props["friends"]["items"] == props["address"]
    assert props["nickName"]["type"] == ["string", "null"]
    assert "$ref" not in repr(js)
    JsonSchemaValidator(js)  # usable by discovery and the mock generator


def test_marshmallow_recursive_schema_keeps_local_defs() -> None:
    js = to_schema(Tree).json_schema
    assert js["properties"]["children"]["items"]["type"] == "object"
    (name,) = js["$defs"]
    assert js["$defs"][name]["properties"]["children"]["items"] == {"$ref": f"#/$defs/{name}"}
    value = {"name": "a", "children": [{"name": "b", "children": [{"name": "c", "x": 1}]}]}
    assert JsonSchemaValidator(js).validate(value)["children"][0]["children"][0] == {"name": "c"}


def test_marshmallow_load_and_dump() -> None:
    schema = to_schema(Signup())
    data = {
        "email": "ada@example.com",
        "born": "1815-12-10T08:00:00+00:00",
        "address": {"city": "London", "junk": 1},
        "friends": [{"city": "Paris", "junk": 2}],
        "nickName": None,
        "price": "12.50",
        "token": "123e4567-e89b-12d3-a456-426614174000",
        "unknown": True,
    }
    json_value, user_value = schema.validate(data)
    assert user_value["born"] == datetime.datetime(1815, 12, 10, 8, tzinfo=datetime.timezone.utc)
    assert user_value["price"] == decimal.Decimal("12.50")
    assert user_value["token"] == uuid.UUID("123e4567-e89b-12d3-a456-426614174000")
    assert user_value["nick"] is None
    assert user_value["plan"] == "free"
    assert "unknown" not in user_value
    assert json_value == {
        "email": "ada@example.com",
        "born": "1815-12-10T08:00:00+00:00",
        "plan": "free",
        "address": {"city": "London", "zip": "00000"},
        "friends": [{"city": "Paris", "zip": "00000"}],
        "nickName": None,
        "price": 12.5,
        "token": "123e4567-e89b-12d3-a456-426614174000",
    }
    assert data["address"] == {"city": "London", "junk": 1}
    assert schema.to_user(json_value)["born"] == user_value["born"]


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({}, {"path": "/email", "message": "Missing data for required field."}),
        ({"email": "nope"}, {"path": "/email", "message": "Not a valid email address."}),
        (
            {"email": "a@b.co", "address": {"zip": "1"}},
            {"path": "/address/city", "message": "Missing data for required field."},
        ),
        (
            {"email": "a@b.co", "friends": [{"city": 5}]},
            {"path": "/friends/0/city", "message": "Not a valid string."},
        ),
        (
            {"email": "a@b.co", "plan": "gold"},
            {"path": "/plan", "message": "Must be one of: free, pro."},
        ),
        ([1], {"path": "", "message": "must be object"}),
        ("x", {"path": "", "message": "must be object"}),
    ],
)
def test_marshmallow_errors(data: t.Any, error: dict[str, str]) -> None:
    assert errors_of(to_schema(Signup), data) == [error]


def test_marshmallow_schema_level_error_has_root_path() -> None:
    schema = to_schema(Range)
    assert schema.validate({"low": 1, "high": 2})[1] == {"low": 1, "high": 2}
    assert errors_of(schema, {"low": 3, "high": 2}) == [
        {"path": "", "message": "low must not exceed high"}
    ]


def test_marshmallow_many_is_rejected() -> None:
    with pytest.raises(ValueError, match="many=True"):
        to_schema(Address(many=True))


def test_marshmallow_is_schema_like() -> None:
    assert is_schema_like(Signup)
    assert is_schema_like(Signup())
    assert not is_schema_like(fields.String())


# -- pydantic -----------------------------------------------------------------------


class City(pydantic.BaseModel):  # type: ignore[misc,name-defined]
    name: str
    population: int = 0


class Order(pydantic.BaseModel):  # type: ignore[misc,name-defined]
    order_id: str = pydantic.Field(alias="orderId")
    quantity: int = pydantic.Field(default=1, ge=1)
    placed: t.Optional[datetime.datetime] = None  # noqa: UP045 (pydantic on Python 3.9)
    city: City
    stops: list[City] = []


class Node(pydantic.BaseModel):  # type: ignore[misc,name-defined]
    label: str
    children: list[Node] = []


def test_pydantic_json_schema_inlines_defs_and_keeps_titles() -> None:
    js = to_schema(Order).json_schema
    assert "$defs" not in js
    assert js["title"] == "Order"
    assert js["required"] == ["orderId", "city"]
    assert js["properties"]["quantity"] == {
        "default": 1,
        "minimum": 1,
        "title": "Quantity",
        "type": "integer",
    }
    assert js["properties"]["city"]["title"] == "City"
    assert js["properties"]["city"]["properties"]["name"] == {"title": "Name", "type": "string"}
    assert js["properties"]["stops"]["items"] == js["properties"]["city"]
    JsonSchemaValidator(js)


def test_pydantic_recursive_model_keeps_local_defs() -> None:
    js = to_schema(Node).json_schema
    assert js["properties"]["children"]["items"] == {"$ref": "#/$defs/Node"}
    assert js["$defs"]["Node"]["title"] == "Node"
    JsonSchemaValidator(js)


def test_pydantic_validate() -> None:
    schema = to_schema(Order)
    json_value, user_value = schema.validate(
        {
            "orderId": "A1",
            "city": {"name": "Oslo", "x": 1},
            "placed": "2024-05-01T10:00:00Z",
            "extra": 1,
        }
    )
    assert isinstance(user_value, Order)
    assert user_value.city == City(name="Oslo")
    assert user_value.placed == datetime.datetime(2024, 5, 1, 10, tzinfo=datetime.timezone.utc)
    assert json_value == {
        "orderId": "A1",
        "quantity": 1,
        "placed": "2024-05-01T10:00:00Z",
        "city": {"name": "Oslo", "population": 0},
        "stops": [],
    }
    assert schema.to_user(json_value) == user_value


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({"city": {"name": "x"}}, "/orderId"),
        ({"orderId": "A", "city": {}}, "/city/name"),
        ({"orderId": "A", "city": {"name": "x"}, "quantity": 0}, "/quantity"),
        ({"orderId": "A", "city": {"name": "x"}, "stops": [{"name": 1}]}, "/stops/0/name"),
    ],
)
def test_pydantic_errors(data: dict[str, t.Any], path: str) -> None:
    (error,) = errors_of(to_schema(Order), data)
    assert error["path"] == path
    assert error["message"]


def test_pydantic_error_message_is_pydantics() -> None:
    (error,) = errors_of(to_schema(Order), {"orderId": "A", "city": {"name": "x"}, "quantity": 0})
    assert error["message"] == "Input should be greater than or equal to 1"


def test_pydantic_is_schema_like() -> None:
    assert is_schema_like(Order)
    assert not is_schema_like(Order(orderId="a", city=City(name="b")))


# -- shared, immutable adapters ---------------------------------------------------------


def test_empty_schema_adapter_is_shared() -> None:
    assert to_schema(None) is to_schema(None)
    assert to_schema(None).validate({"a": 1}) == ({}, {})


def test_equal_json_schemas_share_one_validator() -> None:
    def make() -> dict[str, t.Any]:
        return {"type": "object", "properties": {"s": {"type": "string", "default": "x"}}}

    first, second = make(), make()
    a, b = to_schema(first), to_schema(second)
    assert isinstance(a, JsonSchemaAdapter) and isinstance(b, JsonSchemaAdapter)
    assert a._validator is b._validator
    # each adapter still shows its own dict in discovery
    assert a.json_schema is first and b.json_schema is second
    first["properties"]["s"]["default"] = "changed later"
    assert b.validate({}) == ({"s": "x"}, {"s": "x"})


def test_adapter_keeps_no_state_between_calls() -> None:
    schema = to_schema({"type": "object", "properties": {"l": {"type": "array", "default": []}}})
    value, _ = schema.validate({})
    value["l"].append(1)
    assert schema.validate({}) == ({"l": []}, {"l": []})


def test_validate_defaults_gives_fresh_defaults_each_time() -> None:
    schema = to_schema(
        {
            "type": "object",
            "properties": {"tags": {"type": "array", "default": ["a"]}, "n": {"type": "number", "default": 1}},
        }
    )
    first, user = schema.validate_defaults()
    assert first == user == {"tags": ["a"], "n": 1}
    first["tags"].append("changed by user code")
    assert schema.validate_defaults()[0] == {"tags": ["a"], "n": 1}
    assert schema.validate_defaults() == schema.validate({})


def test_validate_defaults_raises_every_time_when_nothing_validates() -> None:
    schema = to_schema({"type": "object", "properties": {"x": {"type": "string"}}, "required": ["x"]})
    for _ in range(2):
        with pytest.raises(SchemaValidationError) as info:
            schema.validate_defaults()
        assert info.value.errors == [{"path": "", "message": "must have required property 'x'"}]


def test_validate_defaults_reevaluates_marshmallow_callables() -> None:
    calls = iter(range(100))

    class Stamped(MaSchema):
        seq = fields.Integer(load_default=lambda: next(calls))

    schema = to_schema(Stamped)
    assert schema.validate_defaults()[1]["seq"] == 0
    assert schema.validate_defaults()[1]["seq"] == 1
