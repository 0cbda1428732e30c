"""What Novu's own servers send and read: job ids and retries, error codes,
development mode, the fields the sync reads.

Requests come from :class:`_novu_server_client.NovuServer`, built as Novu's
API and worker build theirs.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import subprocess
import typing as t
from pathlib import Path

import pytest
from flask import Flask

from _novu_server_client import (
    RETRY_STATUSES,
    SDK_CODES,
    NovuServer,
    json_stringify,
    novu_reading,
    search_params,
)
from flask_novu import serve, workflow
from flask_novu.errors import OWN_CODES, SDK_ERROR_CODES, ConfigurationError
from flask_novu.execution import Execution, current_execution
from flask_novu.testing import run_step

SECRET = "sk_test_novu_server"
SDK_DIST = Path(os.environ.get("NOVU_REFERENCE_INSTALLED", "/tmp/novu-ref")) / "node_modules" / "@novu" / "framework" / "dist"


def make_app(workflows: t.Sequence[t.Any], **config: t.Any) -> Flask:
    app = Flask("novu_server_tests")
    app.config.update(TESTING=True, NOVU_SECRET_KEY=SECRET, **config)
    serve(app, "/api/novu", workflows)
    return app


# -- the client itself -------------------------------------------------------------------


@pytest.mark.skipif(not (SDK_DIST / "cjs" / "index.cjs").is_file(), reason="needs the installed SDK")
def test_sdk_codes_are_the_sdks_error_code_enum() -> None:
    text = (SDK_DIST / "cjs" / "index.cjs").read_text(encoding="utf-8")
    found = set(re.findall(r'Te\.[A-Z_]+="([A-Za-z]+)"', text))
    assert found == SDK_CODES
    assert SDK_ERROR_CODES == SDK_CODES


@pytest.mark.skipif(not shutil.which("node"), reason="needs node")
def test_json_stringify_and_search_params_match_javascript() -> None:
    value = {"a": [1, 1.5, 2.0, 1e21, 1e-7, -0.0, True, None], "é": "line\nbreak \u2028 \x01 </script>", "n": {"x": {}}}
    pairs = [("action", "execute"), ("layoutId", None), ("q", "a b*c~d/é&=+"), ("action", "preview")]
    script = (
        "const v = JSON.parse(process.argv[1]);"
        "const u = new URL('http://h/p');"
        "for (const [k, x] of JSON.parse(process.argv[2])) u.searchParams.set(k, x === null ? undefined : x);"
        "process.stdout.write(JSON.stringify([JSON.stringify(v), u.search.slice(1)]));"
    )
    out = subprocess.run(
        ["node", "-e", script, json.dumps(value), json.dumps(pairs)], check=True, capture_output=True, text=True
    ).stdout
    stringified, query = json.loads(out)
    assert json_stringify(value) == stringified
    assert search_params(pairs) == query


def test_retries_resend_the_same_request_with_novus_backoff() -> None:
    @workflow("flaky")
    def flaky(payload: t.Any, step: t.Any, execution: Execution | None) -> None:
        if isinstance(execution, Execution):  # not during discovery
            raise RuntimeError("database is down")  # the workflow itself fails: 500
        step.sms("s", {"body": "b"})

    server = NovuServer.for_client(make_app([flaky]).test_client(), secret_key=SECRET)
    status, body = server.execute("flaky", "s", job_id="job-1", payload={"n": 1})
    assert status == 500 and body["code"] == "BridgeError"
    assert len(server.attempts) == 4  # 3 retries
    assert [a.delay_ms for a in server.attempts] == [1000, 2000, 4000, None]
    first = server.attempts[0]
    assert all(a.url == first.url and a.body == first.body and a.headers == first.headers for a in server.attempts)
    assert "jobId=job-1" in first.url
    assert {408, 429, 500, 503, 504, 521, 522, 524} == RETRY_STATUSES


# -- the execution's identity ---------------------------------------------------------------


def _ledger_workflow(ledger: dict[str, t.Any], seen: list[t.Any]) -> t.Any:
    @workflow("invoice-paid")
    def invoice_paid(payload: t.Any, step: t.Any, execution: Execution | None) -> None:
        def send() -> dict[str, t.Any]:
            seen.append((execution, current_execution()))
            if execution is not None and execution.job_id:
                # The side effect, once per job: its number in the ledger.
                ledger.setdefault(execution.job_id, len(ledger) + 1)
            return {"subject": "Paid", "body": "Thanks"}

        step.email("receipt", send)

    return invoice_paid


def test_workflow_code_reads_the_job_id_and_what_else_novu_sends() -> None:
    ledger: dict[str, t.Any] = {}
    seen: list[t.Any] = []
    server = NovuServer.for_client(make_app([_ledger_workflow(ledger, seen)]).test_client(), secret_key=SECRET)
    status, _ = server.execute("invoice-paid", "receipt", job_id="66f0c1", payload={"amount": 5})
    assert status == 200
    injected, current = seen[-1]
    assert injected == current == Execution(
        action="execute", workflow_id="invoice-paid", step_id="receipt", job_id="66f0c1", environment_type="DEV"
    )
    assert not injected.is_preview
    # Older servers send no environmentType; an absent key is None.
    server.environment_type = None
    server.execute("invoice-paid", "receipt", job_id="66f0c2", payload={"amount": 5})
    assert seen[-1][0].environment_type is None and seen[-1][0].job_id == "66f0c2"


def test_retries_of_one_job_keep_their_key_and_two_triggers_do_not_share_one() -> None:
    ledger: dict[str, t.Any] = {}
    seen: list[t.Any] = []
    app = make_app([_ledger_workflow(ledger, seen)])
    lost = {"count": 0}

    @app.after_request
    def gateway_times_out_once(response: t.Any) -> t.Any:
        # The step ran, but the answer never reached Novu (a proxy's 504).
        if lost["count"] == 0:
            lost["count"] += 1
            response.status_code = 504
        return response

    server = NovuServer.for_client(app.test_client(), secret_key=SECRET)
    status, _ = server.execute("invoice-paid", "receipt", job_id="job-a", payload={"amount": 5})
    assert status == 200 and len(server.attempts) == 2
    assert [e.job_id for e, _ in seen] == ["job-a", "job-a"]
    # Same payload, same subscriber, same step: a second trigger is a new job.
    server.execute("invoice-paid", "receipt", job_id="job-b", payload={"amount": 5})
    assert len(seen) == 3  # the step ran three times: twice for job-a
    assert ledger == {"job-a": 1, "job-b": 2}  # two jobs, each recorded once


def test_preview_sees_no_job_and_the_layout_keys() -> None:
    seen: list[t.Any] = []
    server = NovuServer.for_client(make_app([_ledger_workflow({}, seen)]).test_client(), secret_key=SECRET)
    status, _ = server.preview("invoice-paid", "receipt", layout_id="brand-2", skip_layout_rendering=True)
    assert status == 200
    execution = seen[-1][0]
    assert execution.is_preview and execution.job_id is None
    assert (execution.layout_id, execution.skip_layout_rendering) == ("brand-2", True)
    # Novu writes an unset layout as the string "undefined".
    server.preview("invoice-paid", "receipt")
    assert "layoutId=undefined" in server.attempts[-1].url
    assert (seen[-1][0].layout_id, seen[-1][0].skip_layout_rendering) == (None, False)


def test_in_process_runs_have_no_execution() -> None:
    ledger: dict[str, t.Any] = {}
    seen: list[t.Any] = []
    wf = _ledger_workflow(ledger, seen)
    wf.trigger("sub-1", {"amount": 1})
    assert seen[-1] == (None, None)
    app = make_app([wf], NOVU_STRICT_AUTHENTICATION=False)
    compat = app.test_client().post("/api/novu/workflows/invoice-paid/execute", json={"to": "s", "payload": {}})
    assert compat.status_code == 200 and seen[-1] == (None, None)
    assert current_execution() is None and not ledger


def test_run_step_takes_a_job_id_for_tests_of_idempotent_code() -> None:
    ledger: dict[str, t.Any] = {}
    seen: list[t.Any] = []
    wf = _ledger_workflow(ledger, seen)
    run_step(wf, "receipt", {"amount": 3}, job_id="job-t")
    assert seen[-1][0].job_id == "job-t" and ledger == {"job-t": 1}
    run_step(wf, "receipt", {"amount": 3})
    assert seen[-1][0].job_id is None


def test_async_workflows_see_the_execution_too() -> None:
    seen: list[t.Any] = []

    @workflow("async-job")
    async def async_job(payload: t.Any, step: t.Any, execution: Execution | None) -> None:
        async def send() -> dict[str, t.Any]:
            seen.append((execution, current_execution()))
            return {"body": "hi"}

        await step.sms("text", send)

    server = NovuServer.for_client(make_app([async_job]).test_client(), secret_key=SECRET)
    assert server.execute("async-job", "text", job_id="j-9")[0] == 200
    assert seen[-1][0] == seen[-1][1] and seen[-1][0].job_id == "j-9"
    assert current_execution() is None  # not left behind in the caller's context


# -- error codes Novu recognises ------------------------------------------------------------------


@workflow("plain")
def plain(payload: t.Any, step: t.Any) -> None:
    step.sms("text", {"body": "hi"})


EXECUTE = "/api/novu?action=execute&workflowId=plain&stepId=text"
ERROR_CASES: dict[str, tuple[t.Callable[[t.Any], t.Any], int]] = {
    "invalid JSON": (lambda c: c.post(EXECUTE, data=b"{", content_type="application/json"), 400),
    "body too large": (lambda c: c.post(EXECUTE, data=b"x" * 300), 413),
    "path below the route": (lambda c: c.get("/api/novu/below"), 404),
    "unknown workflow": (lambda c: c.post("/api/novu?action=execute&workflowId=nope&stepId=s", json={"payload": {}}), 404),
    "unknown action": (lambda c: c.get("/api/novu?action=sync"), 400),
}


@pytest.mark.parametrize("case", list(ERROR_CASES))
def test_novu_shows_the_message_of_every_error(case: str) -> None:
    app = make_app([plain], NOVU_STRICT_AUTHENTICATION=False, NOVU_MAX_CONTENT_LENGTH=256)

    call, status = ERROR_CASES[case]
    response = call(app.test_client())
    body = response.get_json()
    assert response.status_code == status
    reading = novu_reading(status, body)
    assert reading.passed_through, body
    assert reading.status == status and reading.message == body["message"]


def test_own_codes_reach_the_wire_as_bridge_error_and_keep_their_class_code() -> None:
    from flask_novu.errors import InvalidRequestError, NovuAPIError, PayloadTooLargeError, RouteNotFoundError

    for error in (InvalidRequestError(), PayloadTooLargeError(), RouteNotFoundError(), NovuAPIError("x", code="Bad Request")):
        assert error.to_dict()["code"] == "BridgeError"
    assert InvalidRequestError.code == "InvalidRequestError"
    assert OWN_CODES.isdisjoint(SDK_ERROR_CODES)


def test_an_applications_own_code_is_sent_as_it_is() -> None:
    from flask_novu.errors import SignatureError

    class Forbidden(SignatureError):
        status_code = 403
        code = "ForbiddenError"

    assert Forbidden("no").to_dict()["code"] == "ForbiddenError"


def test_novu_reading_of_codes_it_does_not_know_is_generic() -> None:
    # Today's body of a malformed request, before the remapping: Novu drops it.
    assert novu_reading(400, {"message": "bad JSON", "code": "InvalidRequestError"}).code == "UNKNOWN_BRIDGE_REQUEST_ERROR"
    assert novu_reading(400, {"message": "bad JSON", "code": "InvalidRequestError"}).status == 500
    assert novu_reading(400, {"message": "bad JSON", "code": "BridgeError"}).passed_through


# -- the fields Novu's sync reads --------------------------------------------------------------------


def test_sync_fields_reach_discover_where_novu_reads_them() -> None:
    @workflow("billing", active=False, data={"team": "billing"}, notification_group_id="grp_1")
    def billing(payload: t.Any, step: t.Any) -> None:
        step.email("receipt", {"subject": "s", "body": "b"}, fail_on_error=True)
        step.sms("text", {"body": "b"}, failOnErrorEnabled=False)
        step.in_app("inbox", {"body": "b"})

    server = NovuServer.for_client(make_app([billing]).test_client(), secret_key=SECRET)
    status, body = server.discover()
    assert status == 200
    (item,) = body["workflows"]
    expected = {"active": False, "data": {"team": "billing"}, "notificationGroupId": "grp_1"}
    assert {key: item[key] for key in expected} == expected  # Novu's sync reads them here
    assert item["options"] == expected  # older Novu servers read them here
    assert [s["options"].get("failOnErrorEnabled") for s in item["steps"]] == [True, False, None]


def test_the_camel_case_alias_and_unset_fields() -> None:
    @workflow("alias", notificationGroupId="grp_2")
    def alias(payload: t.Any, step: t.Any) -> None:
        step.sms("text", {"body": "b"})

    item = alias.to_discover()
    assert item["notificationGroupId"] == "grp_2" and "active" not in item and "data" not in item
    bare = plain.to_discover()
    assert not {"active", "data", "notificationGroupId", "options"} & set(bare)
    assert "failOnErrorEnabled" not in bare["steps"][0]["options"]


@pytest.mark.parametrize(
    "options",
    [{"active": "yes"}, {"data": ["a"]}, {"data": {"x": object()}}, {"notification_group_id": ""}],
)
def test_bad_sync_fields_fail_at_definition(options: dict[str, t.Any]) -> None:
    with pytest.raises(ConfigurationError):
        workflow("bad", **options)(lambda payload, step: None)


def test_bad_fail_on_error_fails_at_discovery() -> None:
    @workflow("bad-step")
    def bad(payload: t.Any, step: t.Any) -> None:
        step.sms("text", {"body": "b"}, fail_on_error="yes")

    with pytest.raises(ConfigurationError):
        make_app([bad])


# -- development mode ------------------------------------------------------------------------


def _debug_app(**config: t.Any) -> Flask:
    app = Flask("novu_debug")
    app.config.update(NOVU_SECRET_KEY=SECRET, **config)
    app.debug = True
    serve(app, "/api/novu", [plain])
    return app


def test_debug_mode_accepts_novu_studios_unsigned_calls_and_warns_once(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="flask_novu")
    app = Flask("novu_debug")
    app.config.update(NOVU_SECRET_KEY=SECRET)
    serve(app, "/api/novu", [plain])
    app.debug = True  # app.run(debug=True) turns it on after registration
    studio = NovuServer.for_client(app.test_client(), secret_key=None)
    assert studio.discover()[0] == 200
    assert studio.execute("plain", "text", job_id="j")[0] == 200
    relaxed = [r for r in caplog.records if "debug mode" in r.getMessage()]
    assert len(relaxed) == 1 and relaxed[0].levelno == logging.WARNING
    assert "NOVU_STRICT_AUTHENTICATION" in relaxed[0].getMessage()


def test_debug_mode_checks_nothing_like_the_sdk_in_development() -> None:
    # The SDK skips the whole check: a wrong signature passes as well.
    wrong = NovuServer.for_client(_debug_app().test_client(), secret_key="sk_wrong")
    assert wrong.discover()[0] == 200


def test_debug_mode_at_registration_warns_there(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="flask_novu")
    _debug_app()
    assert any("debug mode" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("setting", [True, "true", "1"])
def test_strict_authentication_setting_wins_over_debug_mode(setting: t.Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="flask_novu")
    app = _debug_app(NOVU_STRICT_AUTHENTICATION=setting)
    status, body = NovuServer.for_client(app.test_client(), secret_key=None).discover()
    assert (status, body["code"]) == (401, "SignatureNotFoundError")
    assert NovuServer.for_client(app.test_client(), secret_key=SECRET).discover()[0] == 200
    assert not any("debug mode" in r.getMessage() for r in caplog.records)


def test_outside_debug_mode_a_key_means_strict() -> None:
    app = make_app([plain])
    assert not app.debug
    status, body = NovuServer.for_client(app.test_client(), secret_key=None).discover()
    assert (status, body["code"]) == (401, "SignatureNotFoundError")


def test_debug_mode_without_a_key_changes_nothing() -> None:
    app = Flask("novu_debug_open")
    app.debug = True
    serve(app, "/api/novu", [plain])
    assert NovuServer.for_client(app.test_client(), secret_key=None).discover()[0] == 200


@pytest.mark.skipif(not (SDK_DIST / "cjs" / "index.cjs").is_file() or not shutil.which("node"), reason="needs node and the SDK")
@pytest.mark.parametrize(
    ("env", "strict"),
    [
        ({}, False),
        ({"NODE_ENV": "development"}, False),
        ({"NODE_ENV": "dev"}, False),
        ({"NODE_ENV": "production"}, True),
        ({"NODE_ENV": "test"}, True),
        ({"NODE_ENV": "development", "NOVU_STRICT_AUTHENTICATION_ENABLED": "true"}, True),
        ({"NODE_ENV": "production", "NOVU_STRICT_AUTHENTICATION_ENABLED": "false"}, False),
    ],
)
def test_the_sdks_development_mode_is_what_debug_mode_mirrors(env: dict[str, str], strict: bool) -> None:
    """The SDK decides by NODE_ENV (development, dev or unset: no checks),
    overridden by NOVU_STRICT_AUTHENTICATION_ENABLED."""
    script = (
        f"const {{ Client }} = require({json.dumps(str(SDK_DIST / 'cjs' / 'index.cjs'))});"
        "process.stdout.write(String(new Client({ secretKey: 'k' }).strictAuthentication));"
    )
    environ = {k: v for k, v in os.environ.items() if k not in ("NODE_ENV", "NOVU_STRICT_AUTHENTICATION_ENABLED")}
    out = subprocess.run(["node", "-e", script], env={**environ, **env}, check=True, capture_output=True, text=True, timeout=60)
    assert out.stdout == str(strict).lower()


@pytest.mark.skipif(not (SDK_DIST / "cjs" / "index.cjs").is_file() or not shutil.which("node"), reason="needs node and the SDK")
def test_step_options_match_the_sdks_discover_and_workflow_options_are_ours() -> None:
    script = (
        f"const {{ Client, workflow }} = require({json.dumps(str(SDK_DIST / 'cjs' / 'index.cjs'))});"
        "(async () => {"
        "const wf = workflow('billing', async ({ step }) => {"
        "  await step.email('receipt', async () => ({ subject: 's', body: 'b' }), { failOnErrorEnabled: true });"
        "  await step.inApp('inbox', async () => ({ body: 'b' }));"
        "}, { active: false, data: { team: 'billing' }, notificationGroupId: 'grp_1' });"
        "const client = new Client({ secretKey: 'k', strictAuthentication: false });"
        "await client.addWorkflows([wf]);"
        "const [w] = client.discover().workflows;"
        "process.stdout.write(JSON.stringify({ keys: Object.keys(w), steps: w.steps.map(s => s.options) }));"
        "})();"
    )
    environ = {**os.environ, "NODE_ENV": "production"}
    out = json.loads(subprocess.run(["node", "-e", script], env=environ, check=True, capture_output=True, text=True, timeout=60).stdout)

    @workflow("billing", active=False, data={"team": "billing"}, notification_group_id="grp_1")
    def billing(payload: t.Any, step: t.Any) -> None:
        step.email("receipt", {"subject": "s", "body": "b"}, failOnErrorEnabled=True)
        step.in_app("inbox", {"body": "b"})

    ours = billing.to_discover()
    assert [s["options"] for s in ours["steps"]] == out["steps"] == [{"failOnErrorEnabled": True}, {}]
    # The SDK drops the workflow options Novu's sync reads (a deliberate difference).
    assert not {"active", "data", "notificationGroupId", "options"} & set(out["keys"])
    assert set(ours) - set(out["keys"]) == {"active", "data", "notificationGroupId", "options"}


def test_an_http_exception_raised_in_the_view_keeps_its_status_and_message() -> None:
    from flask import abort

    from flask_novu import NovuBridgeView

    class Blocking(NovuBridgeView):
        def authenticate(self, action: str) -> None:
            abort(403, "this bridge is closed for maintenance")

    app = Flask("novu_blocking")
    serve(app, "/api/novu", [plain], view_class=Blocking, strict_authentication=False)
    status, body = NovuServer.for_client(app.test_client(), secret_key=None).discover()
    reading = novu_reading(status, body)
    assert (status, body["code"]) == (403, "BridgeError")
    assert reading.passed_through and reading.message == "this bridge is closed for maintenance"
