#!/usr/bin/env python3
"""Record real request/response pairs of the official SDK as conformance fixtures.

The fixtures in ``tests/fixtures/conformance/*.json`` are replayed by
``tests/test_conformance.py`` against flask_novu; the normal test run needs
neither Node nor the network. This script regenerates them from
``@novu/framework`` 2.13.2 (the Express adapter of the reference bridge in
``shared/novu-reference``).

Requirements: Node.js (20+) and npm; the reference folder (read-only is fine).

Usage::

    python scripts/record_fixtures.py [--reference ../shared/novu-reference]
                                      [--installed DIR] [--out tests/fixtures/conformance]
                                      [--port 4210]

What it does:

1. copies the reference folder to a temporary directory and runs ``npm ci``
   there (skipped with ``--installed DIR``: a copy where ``npm ci`` was done);
2. starts three ``server.mjs`` processes on loopback: ``base`` (non-strict,
   the two basic workflows) on ``--port``, ``strict`` (strict HMAC, secret
   ``sk_test_reference_secret``) on ``--port + 1`` and ``extra`` (non-strict,
   ``NOVU_REF_EXTRA=1``: five workflows) on ``--port + 2``; ``NOVU_API_URL``
   points at a closed loopback port (``trigger`` is not recorded);
3. sends every request of :data:`CASES` and writes one JSON file per case::

       {"name", "title", "server": "base" | "strict" | "extra",
        "request": {"method", "query", "headers", "body"},   # body: exact bytes as text, or null
        "sign": null | {"secret", "timestamp", "offset_ms", "signed", "format"},
        "response": {"status", "headers", "body"}}            # protocol headers; body as text

   Signed cases are signed at request time. ``sign`` lets a replay re-sign with
   a fresh timestamp: ``t = now_ms + offset_ms``, ``v1 = hex(HMAC_SHA256(secret,
   f"{t}.{signed}"))``, header ``format.format(t=t, v1=v1)`` (in ``novu-signature``
   unless the case puts it in ``x-novu-signature``: see ``sign["header"]``);
4. stops the servers (and removes the temporary copy).

Local paths in the bodies (Express' HTML error pages) are replaced by ``<ref>``.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import typing as t
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_REFERENCE = ROOT.parent / "shared" / "novu-reference"
SECRET = "sk_test_reference_secret"
PROTOCOL_HEADERS = (
    "content-type",
    "access-control-allow-origin",
    "access-control-allow-private-network",
    "access-control-allow-methods",
    "access-control-allow-headers",
    "access-control-max-age",
    "novu-framework-version",
    "novu-framework-sdk",
    "novu-framework-server",
    "user-agent",
)

SUB = {
    "subscriberId": "sub_123",
    "firstName": "Ada",
    "lastName": "Lovelace",
    "email": "ada@example.com",
    "phone": "+15555550100",
}
IN_APP_RESULT = {"seen": False, "read": False, "lastSeenDate": None, "lastReadDate": None}
WELCOME = "workflowId=welcome-onboarding"
DELAYED = "workflowId=delayed-sms"
DIGEST_STATE = {
    "stepId": "collect",
    "outputs": {
        "events": [
            {"id": "evt_1", "time": "2024-10-01T10:00:00.000Z", "payload": {"item": "first"}},
            {"id": "evt_2", "time": "2024-10-01T10:05:00.000Z", "payload": {"item": "second"}},
        ]
    },
    "state": {"status": "completed"},
}
EMAIL_BODY = {
    "payload": {"userName": "Ada", "plan": "pro"},
    "controls": {"heading": "Hey <b>there</b>", "unknownControl": "dropped"},
    "state": [
        {"stepId": "trigger", "outputs": {}, "state": {"status": "completed"}},
        {"stepId": "in-app-welcome", "outputs": IN_APP_RESULT, "state": {"status": "completed"}},
    ],
    "subscriber": SUB,
    "context": {},
}
MISC_BODY = {
    "payload": {"flag": False, "note": "n", "dropped": "x"},
    "controls": {},
    "state": [],
    "subscriber": SUB,
    "context": {"tenant": {"id": "org-acme", "data": {"plan": "enterprise"}}},
    "env": {"name": "Development", "type": "dev", "MY_VAR": "abc"},
    "actor": {"subscriberId": "actor_1", "firstName": "Bob"},
}
ECHO_STATE = {"stepId": "echo", "outputs": {"controlsSeen": {"greeting": "Hi from state"}}, "state": {"status": "completed"}}
EMPTY_ECHO_STATE = {"stepId": "echo", "outputs": {}, "state": {"status": "completed"}}
SMS_BODY = {"payload": {"orderId": "ord_42"}, "controls": {}, "state": [], "subscriber": SUB, "context": {}}


def case(name: str, server: str, method: str, query: str, title: str, **kw: t.Any) -> dict[str, t.Any]:
    return {"name": name, "server": server, "method": method, "query": query, "title": title, **kw}


def exe(step: str, workflow: str = WELCOME, action: str = "execute") -> str:
    return f"action={action}&{workflow}&stepId={step}"


# sign: {"offset_ms": int, "secret": str, "signed": "compact" | "raw" | obj, "format": str, "header": str}
SIGNED = {"format": "t={t},v1={v1}"}

CASES: list[dict[str, t.Any]] = [
    # -- LIVE §1: GET actions -------------------------------------------------------
    case("s1-health-check", "base", "GET", "action=health-check", "GET action=health-check"),
    case("s1-no-action", "base", "GET", "", "GET without action (health-check)"),
    case("s1-discover", "base", "GET", "action=discover", "GET action=discover"),
    case("s1-code-workflow", "base", "GET", f"action=code&{DELAYED}", "workflow code"),
    case("s1-code-step", "base", "GET", f"action=code&{DELAYED}&stepId=sms-reminder", "step code"),
    # -- LIVE §2: execute -----------------------------------------------------------
    case("s2-execute-in-app", "base", "POST", exe("in-app-welcome"), "first step, default controls",
         body={"payload": {"userName": "Ada", "plan": "pro"}, "controls": {}, "state": [], "subscriber": SUB, "context": {}}),
    case("s2-execute-email", "base", "POST", exe("email-welcome"), "second step, sanitised, unknown control dropped",
         body=EMAIL_BODY),
    case("s2-execute-email-skip", "base", "POST", exe("email-welcome"), "skip() true",
         body=dict(EMAIL_BODY, controls={"sendEmail": False})),
    case("s2-execute-state-corrupt", "base", "POST", exe("email-welcome"), "missing state -> ExecutionStateCorruptError",
         body=dict(EMAIL_BODY, state=[])),
    case("s2-execute-result-invalid", "base", "POST", exe("email-welcome"), "invalid result -> ExecutionStateResultInvalidError",
         body=dict(EMAIL_BODY, state=[{"stepId": "in-app-welcome", "outputs": {"seen": "nope"}, "state": {"status": "completed"}}])),
    case("s2-execute-control-invalid", "base", "POST", exe("email-welcome"), "wrong control type -> ExecutionStateControlInvalidError",
         body=dict(EMAIL_BODY, controls={"heading": 123})),
    case("s2-execute-no-payload", "base", "POST", exe("in-app-welcome"), "no payload -> ExecutionEventPayloadInvalidError",
         body={"controls": {}, "state": [], "subscriber": SUB}),
    case("s2-execute-payload-invalid", "base", "POST", exe("in-app-welcome"), "payload missing required + bad enum",
         body={"payload": {"plan": "enterprise"}, "controls": {}, "state": [], "subscriber": SUB}),
    case("s2-execute-delay-default", "base", "POST", exe("wait-a-bit", DELAYED), "delay step default controls, extra payload stripped",
         body={"payload": {"orderId": "ord_42", "extra": "stripped by additionalProperties:false"}, "controls": {}, "state": [], "subscriber": SUB, "context": {}}),
    case("s2-execute-delay-controls", "base", "POST", exe("wait-a-bit", DELAYED), "delay step with controls",
         body={"payload": {"orderId": "ord_42"}, "controls": {"amount": 30, "unit": "seconds"}, "state": [], "subscriber": SUB, "context": {}}),
    case("s2-execute-sms", "base", "POST", exe("sms-reminder", DELAYED), "delay result replayed",
         body={"payload": {"orderId": "ord_42"}, "controls": {}, "state": [{"stepId": "wait-a-bit", "outputs": {"duration": 300000}, "state": {"status": "completed"}}], "subscriber": SUB, "context": {}}),
    # -- LIVE §3: preview -----------------------------------------------------------
    case("s3-preview-in-app", "base", "POST", exe("in-app-welcome", action="preview"), "payload mocked",
         body={"payload": {}, "controls": {}, "state": [], "subscriber": {}}),
    case("s3-preview-email", "base", "POST", exe("email-welcome", action="preview"), "previous step mocked, custom controls, skip ignored",
         body={"payload": {"userName": "Grace"}, "controls": {"subject": "Hi {{payload.userName}} ({{subscriber.firstName}})", "sendEmail": False}, "state": [], "subscriber": {"firstName": "G"}}),
    case("s3-preview-sms-no-payload", "base", "POST", exe("sms-reminder", DELAYED, "preview"), "no payload, no state",
         body={"controls": {}, "state": []}),
    # -- LIVE §4: errors --------------------------------------------------------------
    case("s4-unknown-workflow", "base", "POST", "action=execute&workflowId=does-not-exist&stepId=x", "unknown workflow",
         body={"payload": {}, "controls": {}, "state": []}),
    case("s4-unknown-step", "base", "POST", exe("nope", DELAYED), "unknown step",
         body={"payload": {"orderId": "1"}, "controls": {}, "state": []}),
    case("s4-code-unknown-workflow", "base", "GET", "action=code&workflowId=does-not-exist", "code of unknown workflow"),
    case("s4-code-no-workflow", "base", "GET", "action=code", "code without workflowId"),
    case("s4-unknown-get-action", "base", "GET", "action=bogus", "unknown GET action"),
    case("s4-discover-via-post", "base", "POST", "action=discover", "GET action via POST", body={}),
    case("s4-post-no-action", "base", "POST", "", "POST without action", body={}),
    case("s4-put", "base", "PUT", "action=discover", "PUT", body={}),
    case("s4-delete", "base", "DELETE", "action=health-check", "DELETE"),
    case("s4-options", "base", "OPTIONS", "action=discover", "CORS preflight",
         headers={"origin": "http://example.com", "access-control-request-method": "POST"}),
    case("s4-malformed-json", "base", "POST", exe("wait-a-bit", DELAYED), "malformed JSON (Express HTML 400)",
         raw_body='{"payload": '),
    # -- LIVE §6: authentication (strict) ---------------------------------------------
    case("s6-health-unsigned", "strict", "GET", "action=health-check", "health-check is never signed"),
    case("s6-discover-unsigned", "strict", "GET", "action=discover", "SignatureNotFoundError"),
    case("s6-discover-garbage", "strict", "GET", "action=discover", "garbage header", headers={"novu-signature": "garbage"}),
    case("s6-discover-only-t", "strict", "GET", "action=discover", "t= without v1",
         sign={"format": "t={t}"}),
    case("s6-discover-expired", "strict", "GET", "action=discover", "timestamp 6 minutes old",
         sign=dict(SIGNED, offset_ms=-6 * 60 * 1000)),
    case("s6-discover-future", "strict", "GET", "action=discover", "timestamp 6 minutes ahead",
         sign=dict(SIGNED, offset_ms=6 * 60 * 1000)),
    case("s6-discover-wrong-hmac", "strict", "GET", "action=discover", "wrong HMAC",
         sign={"format": "t={t},v1=" + "0" * 64}),
    case("s6-discover-other-secret", "strict", "GET", "action=discover", "signed with another secret",
         sign=dict(SIGNED, secret="some-other-secret")),
    case("s6-discover-legacy-header", "strict", "GET", "action=discover", "x-novu-signature only (ignored)",
         sign=dict(SIGNED, header="x-novu-signature")),
    case("s6-discover-signed", "strict", "GET", "action=discover", "correctly signed", sign=SIGNED),
    case("s6-discover-signed-reordered", "strict", "GET", "action=discover", "v1 first, spaces",
         sign={"format": "v1={v1}, t={t}"}),
    case("s6-execute-signed", "strict", "POST", exe("wait-a-bit", DELAYED), "execute signed", body=SMS_BODY, sign=SIGNED),
    case("s6-execute-pretty-compact-sig", "strict", "POST", exe("wait-a-bit", DELAYED), "pretty body, compact signature",
         raw_body=json.dumps(SMS_BODY, indent=2), sign=dict(SIGNED, signed="compact")),
    case("s6-execute-pretty-raw-sig", "strict", "POST", exe("wait-a-bit", DELAYED), "pretty body, raw signature",
         raw_body=json.dumps(SMS_BODY, indent=2), sign=dict(SIGNED, signed="raw")),
    case("s6-execute-tampered", "strict", "POST", exe("wait-a-bit", DELAYED), "body differs from the signed one",
         body=SMS_BODY, sign=dict(SIGNED, signed=dict(SMS_BODY, payload={"orderId": "tampered"}))),
    case("s6-bogus-unsigned", "strict", "GET", "action=bogus", "auth before action validation"),
    case("s6-put-unsigned", "strict", "PUT", "action=discover", "auth before method", body={}),
    case("s6-put-no-action", "strict", "PUT", "", "health-check default skips auth", body={}),
    case("s6-options-unsigned", "strict", "OPTIONS", "action=discover", "preflight not exempt"),
    case("s6-options-no-action", "strict", "OPTIONS", "", "preflight without action"),
    # -- LIVE §7: digest -> custom -> chat (extra) ---------------------------------------
    case("s7-discover-extra", "extra", "GET", "action=discover", "five workflows"),
    case("s7-execute-digest", "extra", "POST", exe("collect", "workflowId=digest-custom-demo"), "digest step",
         body={"payload": {}, "controls": {}, "state": [], "subscriber": SUB}),
    case("s7-execute-custom", "extra", "POST", exe("compute", "workflowId=digest-custom-demo"), "custom step, digest replayed",
         body={"payload": {}, "controls": {}, "state": [DIGEST_STATE], "subscriber": SUB}),
    case("s7-execute-chat", "extra", "POST", exe("chat-summary", "workflowId=digest-custom-demo"), "chat step",
         body={"payload": {}, "controls": {}, "state": [DIGEST_STATE, {"stepId": "compute", "outputs": {"count": 2, "first": "first"}, "state": {"status": "completed"}}], "subscriber": SUB}),
    case("s7-preview-chat", "extra", "POST", exe("chat-summary", "workflowId=digest-custom-demo", "preview"), "chat preview, all mocked",
         body={"payload": {}, "controls": {}, "state": []}),
    case("s7-execute-digest-no-payload", "extra", "POST", exe("collect", "workflowId=digest-custom-demo"), "no payload",
         body={"controls": {}, "state": []}),
    # -- LIVE §8: edge cases --------------------------------------------------------------
    case("s8-unknown-step-complete-state", "base", "POST", exe("nope", DELAYED), "unknown step reached never: empty result",
         body={"payload": {"orderId": "1"}, "controls": {}, "state": [
             {"stepId": "wait-a-bit", "outputs": {"duration": 1}, "state": {"status": "completed"}},
             {"stepId": "sms-reminder", "outputs": {}, "state": {"status": "completed"}}], "subscriber": SUB}),
    case("s8-code-unknown-step", "base", "GET", f"action=code&{DELAYED}&stepId=nope", "StepNotFoundError"),
    case("s8-misc-echo", "extra", "POST", exe("echo", "workflowId=misc-demo"), "what the resolver sees", body=MISC_BODY),
    case("s8-misc-email-provider", "extra", "POST", exe("email-with-provider", "workflowId=misc-demo"), "provider override",
         body=dict(MISC_BODY, state=[ECHO_STATE])),
    case("s8-misc-undiscovered-step", "extra", "POST", exe("email-with-provider", "workflowId=misc-demo"), "undiscovered step",
         body=dict(MISC_BODY, payload={"flag": True}, state=[ECHO_STATE])),
    case("s8-misc-preview-provider", "extra", "POST", exe("email-with-provider", "workflowId=misc-demo", "preview"), "provider preview",
         body={"payload": {}, "controls": {}, "state": [], "subscriber": {"firstName": "P"}}),
    case("s8-no-schema", "extra", "POST", exe("echo-payload", "workflowId=no-schema-demo"), "payload stripped",
         body={"payload": {"anything": 1, "nested": {"a": 2}}, "controls": {"x": 1}, "state": [], "subscriber": SUB}),
    # -- LIVE §9: failures inside steps ---------------------------------------------------
    case("s9-resolver-throws", "extra", "POST", exe("echo", "workflowId=misc-demo"), "StepExecutionFailedError",
         body={"payload": {}, "controls": {"greeting": "throw"}, "state": [], "subscriber": SUB}),
    case("s9-provider-throws", "extra", "POST", exe("email-with-provider", "workflowId=misc-demo"), "ProviderExecutionFailedError",
         body={"payload": {}, "controls": {"subject": "provider-throw"}, "state": [EMPTY_ECHO_STATE], "subscriber": SUB}),
    case("s9-provider-throws-preview", "extra", "POST", exe("email-with-provider", "workflowId=misc-demo", "preview"), "provider mocked",
         body={"payload": {}, "controls": {"subject": "provider-throw"}, "state": [], "subscriber": SUB}),
    case("s9-invalid-liquid", "base", "POST", exe("in-app-welcome"), "StepControlCompilationFailedError",
         body={"payload": {"userName": "Ada"}, "controls": {"subject": "{% if %}"}, "state": [], "subscriber": SUB}),
    case("s9-output-invalid", "base", "POST", exe("email-welcome", action="preview"), "ExecutionStateOutputInvalidError",
         body={"payload": {"userName": "Ada"}, "controls": {"subject": ""}, "state": [], "subscriber": SUB}),
    # -- extra cases ----------------------------------------------------------------------
    case("x-health-extra", "extra", "GET", "action=health-check", "health-check with five workflows"),
    case("x-head", "base", "HEAD", "action=health-check", "HEAD"),
    case("x-patch", "base", "PATCH", "action=discover", "PATCH", body={}),
    case("x-options-no-action", "base", "OPTIONS", "", "OPTIONS without action"),
    case("x-get-execute", "base", "GET", exe("wait-a-bit", DELAYED), "POST action via GET"),
    case("x-code-step-email", "base", "GET", f"action=code&{WELCOME}&stepId=email-welcome", "step code"),
    case("x-code-unknown-step-unknown-workflow", "base", "GET", "action=code&workflowId=nope&stepId=nope", "unknown workflow wins"),
    case("x-discover-extra-query", "base", "GET", "action=discover&workflowId=x&stepId=y", "extra query ignored"),
    case("x-preview-unknown-workflow", "base", "POST", "action=preview&workflowId=nope&stepId=x", "preview unknown workflow",
         body={"payload": {}, "controls": {}, "state": []}),
    case("x-preview-unknown-step", "base", "POST", exe("nope", DELAYED, "preview"), "preview unknown step",
         body={"payload": {}, "controls": {}, "state": []}),
    case("x-execute-no-step-id", "base", "POST", f"action=execute&{DELAYED}", "no stepId", body=SMS_BODY),
    case("x-execute-no-workflow-id", "base", "POST", "action=execute", "no workflowId", body=SMS_BODY),
    case("x-execute-empty-body", "base", "POST", exe("wait-a-bit", DELAYED), "no body at all"),
    case("x-execute-minimal-body", "base", "POST", exe("wait-a-bit", DELAYED), "only payload",
         body={"payload": {"orderId": "o"}}),
    case("x-execute-unknown-state-entries", "base", "POST", exe("sms-reminder", DELAYED), "state with extra entries",
         body={"payload": {"orderId": "o"}, "controls": {}, "state": [
             {"stepId": "ghost", "outputs": {"x": 1}, "state": {"status": "completed"}},
             {"stepId": "wait-a-bit", "outputs": {"duration": 7}, "state": {"status": "completed"}}], "subscriber": SUB}),
    case("x-execute-delay-bad-enum", "base", "POST", exe("wait-a-bit", DELAYED), "enum control violation",
         body={"payload": {"orderId": "o"}, "controls": {"unit": "years"}, "state": [], "subscriber": SUB}),
    case("x-execute-delay-liquid-amount", "base", "POST", exe("wait-a-bit", DELAYED), "number control given as string",
         body={"payload": {"orderId": "o"}, "controls": {"amount": "12"}, "state": [], "subscriber": SUB}),
    case("x-execute-in-app-custom-controls", "base", "POST", exe("in-app-welcome"), "controls with Liquid filters",
         body={"payload": {"userName": "ada lovelace"}, "controls": {"subject": "{{payload.userName | upcase}}", "body": "{{subscriber.lastName | default: 'x'}} {{payload.plan}}"}, "state": [], "subscriber": SUB}),
    case("x-preview-in-app-controls", "base", "POST", exe("in-app-welcome", action="preview"), "preview with given payload and controls",
         body={"payload": {"userName": "Zed", "plan": "pro"}, "controls": {"body": "B {{subscriber.firstName}}"}, "state": [], "subscriber": SUB}),
    case("x-preview-email-default", "base", "POST", exe("email-welcome", action="preview"), "preview with defaults and payload",
         body={"payload": {"userName": "Ada"}, "controls": {}, "state": [], "subscriber": SUB}),
    case("x-preview-delay", "base", "POST", exe("wait-a-bit", DELAYED, "preview"), "preview delay",
         body={"payload": {"orderId": "o"}, "controls": {}, "state": []}),
    case("x-preview-sms-with-state", "base", "POST", exe("sms-reminder", DELAYED, "preview"), "preview, state merged",
         body={"payload": {"orderId": "o"}, "controls": {}, "state": [{"stepId": "wait-a-bit", "outputs": {"duration": 42}, "state": {"status": "completed"}}]}),
    case("x-preview-payload-invalid", "base", "POST", exe("in-app-welcome", action="preview"), "preview with invalid payload",
         body={"payload": {"userName": 5}, "controls": {}, "state": []}),
    case("x-preview-misc-echo", "extra", "POST", exe("echo", "workflowId=misc-demo", "preview"), "preview custom step",
         body={"payload": {"note": "x"}, "controls": {}, "state": [], "subscriber": SUB, "context": {"tenant": {"id": "t1"}}, "env": {"name": "E"}}),
    case("x-preview-no-schema", "extra", "POST", exe("echo-payload", "workflowId=no-schema-demo", "preview"), "preview no-schema",
         body={"payload": {"a": 1}, "controls": {}, "state": []}),
    case("x-execute-no-schema-no-payload", "extra", "POST", exe("echo-payload", "workflowId=no-schema-demo"), "no-schema, payload omitted",
         body={"controls": {}, "state": []}),
    case("x-execute-custom-no-state", "extra", "POST", exe("compute", "workflowId=digest-custom-demo"), "digest state missing",
         body={"payload": {}, "controls": {}, "state": []}),
    case("x-execute-custom-bad-digest-state", "extra", "POST", exe("compute", "workflowId=digest-custom-demo"), "digest state invalid",
         body={"payload": {}, "controls": {}, "state": [{"stepId": "collect", "outputs": {"events": "no"}, "state": {"status": "completed"}}]}),
    case("x-execute-digest-with-controls", "extra", "POST", exe("collect", "workflowId=digest-custom-demo"), "digest ignores controls",
         body={"payload": {}, "controls": {"amount": 3}, "state": []}),
    case("x-execute-chat-bad-custom-state", "extra", "POST", exe("chat-summary", "workflowId=digest-custom-demo"), "custom result violates outputSchema",
         body={"payload": {}, "controls": {}, "state": [DIGEST_STATE, {"stepId": "compute", "outputs": {"first": 3}, "state": {"status": "completed"}}]}),
    case("x-misc-echo-liquid-env", "extra", "POST", exe("echo", "workflowId=misc-demo"), "custom greeting over payload/actor",
         body=dict(MISC_BODY, controls={"greeting": "{{payload.note}}/{{payload.flag}}/{{actor.firstName}}/{{env.MY_VAR}}"})),
    case("x-misc-echo-minimal", "extra", "POST", exe("echo", "workflowId=misc-demo"), "no subscriber/context/env",
         body={"payload": {}}),
    case("x-execute-controls-null", "base", "POST", exe("wait-a-bit", DELAYED), "controls null -> must be object",
         body={"payload": {"orderId": "o"}, "controls": None, "state": [], "subscriber": SUB}),
    case("x-execute-controls-list", "base", "POST", exe("wait-a-bit", DELAYED), "controls [] -> must be object",
         body={"payload": {"orderId": "o"}, "controls": [], "state": [], "subscriber": SUB}),
    case("x-execute-controls-string", "base", "POST", exe("sms-reminder", DELAYED), "controls string, step without schema",
         body={"payload": {"orderId": "o"}, "controls": "x", "state": [{"stepId": "wait-a-bit", "outputs": {"duration": 1}}], "subscriber": SUB}),
    case("x-preview-controls-missing", "base", "POST", exe("wait-a-bit", DELAYED, "preview"), "preview without controls",
         body={"payload": {"orderId": "o"}, "state": []}),
    case("x-execute-payload-list", "base", "POST", exe("wait-a-bit", DELAYED), "payload [] -> must be object",
         body={"payload": [], "controls": {}, "state": []}),
    case("x-execute-payload-string", "extra", "POST", exe("echo-payload", "workflowId=no-schema-demo"), "payload string, no schema",
         body={"payload": "s", "controls": {}, "state": []}),
    case("x-preview-payload-list", "base", "POST", exe("wait-a-bit", DELAYED, "preview"), "preview payload [] -> mocked",
         body={"payload": [], "controls": {}, "state": []}),
    case("x-execute-payload-null", "base", "POST", exe("wait-a-bit", DELAYED), "payload null -> required",
         body={"payload": None, "controls": {}, "state": []}),
    case("x-execute-no-state", "base", "POST", exe("wait-a-bit", DELAYED), "state absent (JS TypeError in Liquid)",
         body={"payload": {"orderId": "o"}, "controls": {}, "subscriber": SUB, "context": {}}),
    case("x-misc-echo-no-subscriber", "extra", "POST", exe("echo", "workflowId=misc-demo"), "subscriber/context/env absent",
         body={"payload": {}, "controls": {}, "state": []}),
    case("x-misc-echo-null-context", "extra", "POST", exe("echo", "workflowId=misc-demo"), "context/env null",
         body={"payload": {}, "controls": {}, "state": [], "subscriber": SUB, "context": None, "env": None}),
    case("x-execute-duplicate-state", "base", "POST", exe("sms-reminder", DELAYED), "first state entry wins",
         body={"payload": {"orderId": "o"}, "controls": {}, "state": [
             {"stepId": "wait-a-bit", "outputs": {"duration": 1}}, {"stepId": "wait-a-bit", "outputs": {"duration": 2}}], "subscriber": SUB}),
    case("x-execute-state-without-outputs", "base", "POST", exe("sms-reminder", DELAYED), "state entry without outputs",
         body={"payload": {"orderId": "o"}, "controls": {}, "state": [{"stepId": "wait-a-bit"}], "subscriber": SUB}),
    case("x-execute-liquid-objects", "base", "POST", exe("in-app-welcome"), "objects rendered, deep missing variable",
         body={"payload": {"userName": "A"}, "controls": {"subject": "{{ payload.missing.deep }}|{{ subscriber }}", "body": "{{payload}}"}, "state": [], "subscriber": {"a": 1}, "context": {}}),
    case("x-strict-execute-unknown-workflow", "strict", "POST", "action=execute&workflowId=nope&stepId=x", "signed, unknown workflow",
         body={"payload": {}, "controls": {}, "state": []}, sign=SIGNED),
    case("x-strict-preview-signed", "strict", "POST", exe("sms-reminder", DELAYED, "preview"), "signed preview",
         body={"payload": {"orderId": "p"}, "controls": {}, "state": [{"stepId": "wait-a-bit", "outputs": {"duration": 1}, "state": {"status": "completed"}}]}, sign=SIGNED),
    case("x-strict-health-bad-signature", "strict", "GET", "action=health-check", "health-check ignores a bad signature",
         headers={"novu-signature": "garbage"}),
    case("x-strict-code-signed", "strict", "GET", f"action=code&{DELAYED}&stepId=nope", "signed code, unknown step", sign=SIGNED),
    case("x-strict-post-empty-body-signed", "strict", "POST", exe("wait-a-bit", DELAYED), "signed, no body", sign=SIGNED),
]


def compact(value: t.Any) -> str:
    """JavaScript's JSON.stringify for plain data."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def hmac_hex(secret: str, message: str) -> str:
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def signed_text(spec: dict[str, t.Any], body_obj: t.Any, raw: str | None) -> str:
    what = spec.get("signed", "compact")
    if what == "raw":
        return raw or ""
    if what == "compact":
        if body_obj is None and raw:
            body_obj = json.loads(raw)
        return compact(body_obj if body_obj is not None else {})
    return compact(what)


def build_sign(spec: dict[str, t.Any] | None, body_obj: t.Any, raw: str | None) -> dict[str, t.Any] | None:
    if spec is None:
        return None
    return {
        "secret": spec.get("secret", SECRET),
        "timestamp": None,
        "offset_ms": spec.get("offset_ms", 0),
        "signed": signed_text(spec, body_obj, raw),
        "format": spec["format"],
        "header": spec.get("header", "novu-signature"),
    }


def signature_header(sign: dict[str, t.Any], now_ms: int) -> tuple[int, str]:
    ts = now_ms + sign["offset_ms"]
    v1 = hmac_hex(sign["secret"], f"{ts}.{sign['signed']}")
    return ts, sign["format"].format(t=ts, v1=v1)


def send(port: int, c: dict[str, t.Any], scrub: list[str]) -> dict[str, t.Any]:
    headers = dict(c.get("headers") or {})
    body_obj = c.get("body")
    raw = c.get("raw_body")
    if raw is None and body_obj is not None:
        raw = compact(body_obj)
    if raw is not None:
        headers.setdefault("content-type", "application/json")
    sign = build_sign(c.get("sign"), body_obj, raw)
    if sign is not None:
        sign["timestamp"], headers[sign["header"]] = signature_header(sign, int(time.time() * 1000))
    path = "/api/novu" + ("?" + c["query"] if c["query"] else "")
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request(c["method"], path, body=raw.encode() if raw is not None else None, headers=headers)
    resp = conn.getresponse()
    text = resp.read().decode()
    got = {k.lower(): v for k, v in resp.getheaders()}
    conn.close()
    for prefix in scrub:
        text = text.replace(prefix, "<ref>")
    return {
        "name": c["name"],
        "title": c["title"],
        "server": c["server"],
        "request": {"method": c["method"], "query": c["query"], "headers": headers, "body": raw},
        "sign": sign,
        "response": {
            "status": resp.status,
            "headers": {k: got[k] for k in PROTOCOL_HEADERS if k in got},
            "body": text,
        },
    }


def wait_up(port: int, proc: subprocess.Popen[bytes]) -> None:
    for _ in range(150):
        if proc.poll() is not None:
            raise SystemExit(f"server on :{port} exited with {proc.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/novu?action=health-check")
            conn.getresponse().read()
            conn.close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"server on :{port} did not start")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE)
    parser.add_argument("--installed", type=Path, help="a copy of the reference folder where npm ci was run")
    parser.add_argument("--out", type=Path, default=ROOT / "tests" / "fixtures" / "conformance")
    parser.add_argument("--port", type=int, default=4210)
    args = parser.parse_args(argv)

    tmp = None
    if args.installed:
        ref = args.installed.resolve()
    else:
        tmp = tempfile.mkdtemp(prefix="novu-ref-")
        ref = Path(tmp) / "novu-reference"
        shutil.copytree(args.reference, ref, ignore=shutil.ignore_patterns("node_modules", "*.log"))
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=ref, check=True)
    ports = {"base": args.port, "strict": args.port + 1, "extra": args.port + 2}
    envs = {
        "base": {},
        "strict": {"NOVU_REF_STRICT": "true"},
        "extra": {"NOVU_REF_EXTRA": "1"},
    }
    procs: list[subprocess.Popen[bytes]] = []
    try:
        for server, port in ports.items():
            env = {k: v for k, v in os.environ.items() if not k.startswith("NOVU_")}
            env.update(PORT=str(port), NOVU_SECRET_KEY=SECRET, NOVU_API_URL="http://127.0.0.1:9", **envs[server])
            proc = subprocess.Popen(["node", "server.mjs"], cwd=ref, env=env,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            procs.append(proc)
            wait_up(port, proc)
        args.out.mkdir(parents=True, exist_ok=True)
        for old in args.out.glob("*.json"):
            old.unlink()
        scrub = sorted({str(ref), os.path.realpath(ref)}, key=len, reverse=True)
        for c in CASES:
            record = send(ports[c["server"]], c, scrub)
            (args.out / f"{c['name']}.json").write_text(
                json.dumps(record, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
            )
            print(f"{record['response']['status']} {c['name']}")
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"wrote {len(CASES)} fixtures to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
