"""Built-in step schemas against the SDK's live discovery captures."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Iterator

import jsonschema
import pytest

from flask_novu import step_schemas
from flask_novu.step_schemas import (
    EMPTY_SCHEMA,
    STEP_TYPES,
    output_schema,
    provider_ids,
    provider_output_schema,
    result_schema,
)

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "novu-reference" / "reference_responses.md"
CHANNELS = ("email", "sms", "push", "chat", "in_app", "tool")


def _live_discover_steps() -> Iterator[dict[str, Any]]:
    """Yield every step of every LIVE ``discover`` capture whose type is built in."""
    text = REFERENCE.read_text(encoding="utf-8")
    for heading in re.finditer(r"^### (GET action=discover|discover \(.*)$", text, re.M):
        start = text.index("```json\n", heading.end()) + len("```json\n")
        document = json.loads(text[start : text.index("\n```", start)])
        for workflow in document["workflows"]:
            yield from workflow["steps"]


@pytest.fixture(scope="module")
def live_steps() -> list[dict[str, Any]]:
    if not REFERENCE.exists():
        pytest.skip("shared/novu-reference/reference_responses.md not available")
    return list(_live_discover_steps())


def test_live_captures_cover_the_expected_types(live_steps: list[dict[str, Any]]) -> None:
    assert {s["type"] for s in live_steps} >= {"email", "in_app", "sms", "delay", "digest", "chat", "custom"}


def test_builtin_schemas_equal_live_discovery(live_steps: list[dict[str, Any]]) -> None:
    compared = 0
    for step in live_steps:
        if step["type"] == "custom":  # carries the author's outputSchema
            continue
        assert step["outputs"]["schema"] == output_schema(step["type"]), step["stepId"]
        assert step["results"]["schema"] == result_schema(step["type"]), step["stepId"]
        compared += 1
    assert compared >= 8


def test_live_sendgrid_override_matches_top_level(live_steps: list[dict[str, Any]]) -> None:
    # postprocess.py elided the property bodies; compare what is left.
    live = next(p for s in live_steps for p in s.get("providers", []) if p["type"] == "sendgrid")
    ours = provider_output_schema("email", "sendgrid")
    schema = live["outputs"]["schema"]
    assert list(schema["properties"]) == list(ours["properties"])
    assert schema["required"] == ours["required"]
    assert schema["additionalProperties"] == ours["additionalProperties"]


def test_custom_defaults_to_the_empty_schema() -> None:
    assert output_schema("custom") == EMPTY_SCHEMA
    assert result_schema("custom") == EMPTY_SCHEMA
    assert EMPTY_SCHEMA == {"type": "object", "properties": {}, "required": [], "additionalProperties": False}


def test_step_types_and_catalogue_version() -> None:
    assert set(STEP_TYPES) == {"email", "sms", "push", "chat", "in_app", "tool",
                               "digest", "delay", "throttle", "custom"}
    assert "http_request" not in STEP_TYPES
    assert step_schemas.SDK_VERSION == "2.13.2"
    assert step_schemas.CHANNEL_STEP_TYPES == CHANNELS


def test_spec_facts() -> None:
    assert output_schema("sms") == {"type": "object", "properties": {"body": {"type": "string"}},
                                    "required": ["body"], "additionalProperties": False}
    assert output_schema("tool") == output_schema("sms")
    assert result_schema("delay")["required"] == ["duration"]
    assert output_schema("throttle")["required"] == ["type"]
    assert result_schema("throttle")["required"] == ["throttled"]
    assert [b["required"] for b in output_schema("delay")["oneOf"]] == [["amount", "unit"], ["cron"], ["dynamicKey"]]


def test_accessors_return_independent_copies() -> None:
    first = output_schema("email")
    first["properties"].clear()
    assert output_schema("email")["properties"]
    provider = provider_output_schema("email", "sendgrid")
    provider["properties"].clear()
    assert provider_output_schema("email", "sendgrid")["properties"]


def test_provider_ids() -> None:
    assert len(provider_ids("email")) == 22
    assert {"sendgrid", "mailgun", "mailjet", "nodemailer", "ses", "resend", "postmark"} <= set(provider_ids("email"))
    assert {"twilio", "sns"} <= set(provider_ids("sms"))
    assert {"fcm", "apns", "expo"} <= set(provider_ids("push"))
    assert {"slack", "discord", "msteams"} <= set(provider_ids("chat"))
    assert provider_ids("in_app") == ("novu",)
    assert provider_ids("tool") == ("pagerduty", "opsgenie", "grafana", "tool-webhook")
    assert provider_ids("delay") == ()


def test_provider_schema_kinds() -> None:
    generic = {"type": "object", "properties": {}, "required": [], "additionalProperties": True}
    assert provider_output_schema("email", "ses") == generic
    assert provider_output_schema("in_app", "novu") == EMPTY_SCHEMA
    assert "ipPoolName" in provider_output_schema("email", "sendgrid")["properties"]


@pytest.mark.parametrize("step_type", CHANNELS)
def test_every_provider_schema_is_valid_json_schema(step_type: str) -> None:
    for provider_id in provider_ids(step_type):
        jsonschema.Draft7Validator.check_schema(provider_output_schema(step_type, provider_id))


@pytest.mark.parametrize("step_type", STEP_TYPES)
def test_every_builtin_schema_is_valid_json_schema(step_type: str) -> None:
    jsonschema.Draft7Validator.check_schema(output_schema(step_type))
    jsonschema.Draft7Validator.check_schema(result_schema(step_type))


def test_unknown_names_are_rejected() -> None:
    with pytest.raises(ValueError):
        output_schema("http_request")
    with pytest.raises(ValueError):
        result_schema("inApp")
    with pytest.raises(ValueError):
        provider_ids("fax")
    with pytest.raises(KeyError):
        provider_output_schema("email", "twilio")
    with pytest.raises(ValueError):
        provider_output_schema("delay", "novu")
