"""Differential harness: generated dashboard content, run by the SDK and by Flask-Novu.

:func:`generate` builds, from a seed, a set of workflows (every step kind) and
requests against them (execute and preview) carrying what users write in the
Novu dashboard and send in payloads: Liquid in controls (filter chains,
assigns, loops, conditionals), HTML email bodies (table layouts, conditional
comments), in-app bodies and data, and payloads of every JSON type.

The same workflow specs are served by the official SDK (``scripts/diff_oracle.mjs``)
and by a Flask app (:func:`make_app`); :func:`compare` says whether the two
answers agree: same status, same JSON (numbers compared as JSON text, so ``1``
and ``1.0`` differ), apart from the documented differences (``duration``, the
``detail`` key of errors, ``data.stack`` of 5xx errors).

``scripts/record_differential.py`` records the SDK's answers as fixtures
(``tests/fixtures/differential/``); ``tests/test_differential.py`` replays them.
"""

from __future__ import annotations

import json
import random
import re
import typing as t

from flask import Flask

from flask_novu import serve, workflow

# -- the workflows ------------------------------------------------------------------------

_MISSING = object()


def _lookup(scope: t.Any, path: str) -> t.Any:
    value = scope
    for part in path.split("."):
        if not isinstance(value, t.Mapping) or part not in value:
            return _MISSING
        value = value[part]
    return value


def build_outputs(template: t.Any, scope: t.Mapping[str, t.Any]) -> t.Any:
    """The outputs template of a step spec, filled from ``scope`` (as diff_oracle.mjs does)."""
    if isinstance(template, list):
        return [build_outputs(item, scope) for item in template]
    if isinstance(template, dict):
        if isinstance(template.get("$ref"), str):
            return _lookup(scope, template["$ref"])
        out = {}
        for key, item in template.items():
            value = build_outputs(item, scope)
            if value is not _MISSING:
                out[key] = value
        return out
    return template


def define_workflow(spec: dict[str, t.Any]) -> t.Any:
    """A flask_novu workflow equivalent to the SDK one diff_oracle.mjs defines."""

    def run(payload: t.Any, step: t.Any, subscriber: t.Any) -> None:
        results: dict[str, t.Any] = {}
        for s in spec["steps"]:
            options: dict[str, t.Any] = {}
            if s.get("outputSchema"):
                options["output_schema"] = s["outputSchema"]
            if s.get("skipIf"):
                key = s["skipIf"]
                options["skip"] = lambda controls, key=key: controls.get(key) is True
            if s.get("disableOutputSanitization"):
                options["disable_output_sanitization"] = True
            if s.get("providers"):
                options["providers"] = {
                    pid: (lambda controls, outputs, tpl=tpl: build_outputs(
                        tpl, {"controls": controls, "outputs": outputs, "payload": payload}))
                    for pid, tpl in s["providers"].items()}

            def resolve(controls: t.Any, s: t.Any = s) -> t.Any:
                scope = {"controls": controls, "payload": payload, "subscriber": subscriber, "steps": results}
                return build_outputs(s["outputs"], scope)

            method = getattr(step, s["type"])
            results[s["stepId"]] = method(s["stepId"], resolve, s.get("controlSchema"), **options)

    return workflow(spec["workflowId"], payload_schema=spec.get("payloadSchema"))(run)


def make_app(specs: list[dict[str, t.Any]]) -> Flask:
    app = Flask("differential")
    app.config["TESTING"] = True
    serve(app, "/api/novu", [define_workflow(s) for s in specs], strict_authentication=False)
    return app


# -- comparison ---------------------------------------------------------------------------


def _number(text: str) -> tuple[str, float]:
    return ("#number", float(text))


def parse(text: str) -> t.Any:
    """JSON with numbers read as JavaScript reads them: doubles (``1`` and ``1.0``
    are equal, as for Novu's servers), never equal to a string or a boolean."""
    return json.loads(text, parse_int=_number, parse_float=_number, parse_constant=_number)


def normalise(status: int, body: t.Any, ours: bool) -> t.Any:
    if not isinstance(body, dict):
        return body
    body = dict(body)
    if isinstance(body.get("metadata"), dict) and "outputs" in body:
        body["metadata"] = dict(body["metadata"], duration=0)
    if status >= 400:
        if ours and body.get("detail") == body.get("message"):
            body.pop("detail")
        if status >= 500:
            data = body.get("data")
            if not ours and isinstance(data, dict) and "stack" in data:
                body.pop("data")
    return body


#: The SDK's crash on a ``null`` inside an array of an email or in-app output
#: (its output sanitiser calls ``Object.keys(null)``); Flask-Novu answers 200.
SDK_NULL_CRASH = {"message": "Unknown BridgeError: Cannot convert undefined or null to object", "code": "BridgeError"}


def compare(theirs_status: int, theirs_text: str, ours_status: int, ours_text: str,
            deliberate: list[str] | None = None, sanitised: bool = False) -> str | None:
    """``None`` when the answers agree, else a one-line description of the first difference.

    Two documented deliberate differences (docs/protocol.rst) count as
    agreement, and are appended to ``deliberate`` when given: ``null-in-array``
    (the SDK crashes with a 500) and ``array-in-array`` (the SDK turns an array
    nested in an array of an email or in-app output into an object keyed
    ``"0"``, ``"1"``...; Flask-Novu keeps the array); with ``sanitised``
    (an email or in-app step), ``lone-surrogate`` too (an output string where
    the SDK's sanitiser leaves half of an astral character, Flask-Novu U+FFFD).
    """
    try:
        theirs = normalise(theirs_status, parse(theirs_text), ours=False)
    except ValueError:
        theirs = theirs_text
    try:
        ours = normalise(ours_status, parse(ours_text), ours=True)
    except ValueError:
        return f"ours is not JSON: {ours_text[:200]!r}"
    notes: list[str] = deliberate if deliberate is not None else []
    if theirs_status == 500 and theirs == SDK_NULL_CRASH and ours_status == 200 and _null_in_array(ours):
        notes.append("null-in-array")
        return None
    if theirs_status != ours_status:
        return f"status {theirs_status} != {ours_status}: sdk {_short(theirs)} ours {_short(ours)}"
    return _first_difference(theirs, ours, "$", notes, sanitised)


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _null_in_array(value: t.Any, in_array: bool = False) -> bool:
    if value is None:
        return in_array
    if isinstance(value, dict):
        return any(_null_in_array(v) for v in value.values())
    if isinstance(value, list):
        return any(_null_in_array(v, True) for v in value)
    return False


def _short(value: t.Any, limit: int = 300) -> str:
    # half of an astral character (a lone surrogate) is written as its escape
    text = json.dumps(_plain(value), ensure_ascii=False).encode("utf-8", "backslashreplace").decode("utf-8")
    return text if len(text) <= limit else text[:limit] + "..."


def _plain(value: t.Any) -> t.Any:
    if isinstance(value, tuple):
        number = value[1]
        return int(number) if number.is_integer() and abs(number) < 2**53 else number
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _first_difference(theirs: t.Any, ours: t.Any, path: str, notes: list[str], sanitised: bool = False) -> str | None:
    if (isinstance(theirs, dict) and isinstance(ours, list) and path.startswith("$.outputs.") and path.endswith("]")
            and list(theirs) == [str(i) for i in range(len(ours))]):
        notes.append("array-in-array")
        theirs = list(theirs.values())
    if isinstance(theirs, dict) and isinstance(ours, dict):
        for key in list(theirs) + [k for k in ours if k not in theirs]:
            if key not in ours:
                return f"{path}.{key}: sdk {_short(theirs[key])}, ours missing"
            if key not in theirs:
                return f"{path}.{key}: sdk missing, ours {_short(ours[key])}"
            found = _first_difference(theirs[key], ours[key], f"{path}.{key}", notes, sanitised)
            if found:
                return found
        return None
    if isinstance(theirs, list) and isinstance(ours, list) and len(theirs) == len(ours):
        for i, (a, b) in enumerate(zip(theirs, ours)):
            found = _first_difference(a, b, f"{path}[{i}]", notes, sanitised)
            if found:
                return found
        return None
    if theirs == ours and type(theirs) is type(ours):
        return None
    if (sanitised and isinstance(theirs, str) and isinstance(ours, str) and path.startswith("$.outputs.")
            and _LONE_SURROGATE.search(theirs) and _LONE_SURROGATE.sub("\ufffd", theirs) == ours):
        notes.append("lone-surrogate")
        return None
    return f"{path}: sdk {_short(theirs)} != ours {_short(ours)}"


# -- deliberate differences ----------------------------------------------------------------

_IFCHANGED = re.compile(r"\{% ifchanged %\}([^{}]*?)\{% endifchanged %\}")


def control_defaults(specs: t.Sequence[t.Mapping[str, t.Any]]) -> dict[str, dict[str, str]]:
    """The string defaults of each step's control schema, by request query
    (``action=...&workflowId=...&stepId=...``, execute and preview)."""
    defaults: dict[str, dict[str, str]] = {}
    for spec in specs:
        for step in spec["steps"]:
            props = (step.get("controlSchema") or {}).get("properties", {})
            strings = {k: p["default"] for k, p in props.items() if isinstance(p.get("default"), str)}
            for action in ("execute", "preview"):
                defaults[f"action={action}&workflowId={spec['workflowId']}&stepId={step['stepId']}"] = strings
    return defaults


def deliberate_variant(body: str, defaults: t.Mapping[str, str]) -> tuple[str, str] | None:
    """A documented deliberate difference (docs/protocol.rst) the request ``body`` hits:
    its name and a request the SDK answers as Flask-Novu answers ``body``.

    ``ifchanged`` (the SDK's LiquidJS has no such tag): its blocks written out as
    Ruby Liquid renders them (a block's text when it differs from the previous
    block's, else nothing; one render for all the controls of a step, the
    step's ``defaults`` following the given controls).  ``json-repair`` (the
    SDK's JSON repair of its rendered controls fails on plain text with an
    unbalanced brace): see :func:`_json_repair_variant`.  ``None`` when
    ``body`` hits none, or only in forms these rules do not cover.
    """
    data = json.loads(body)
    controls = data.get("controls")
    if not isinstance(controls, dict):
        return None
    effective = dict(controls)
    for key, value in defaults.items():
        effective.setdefault(key, value)
    last: list[str | None] = [None]

    def written_out(match: re.Match[str]) -> str:
        text = match.group(1)
        out = "" if text == last[0] else text
        last[0] = text
        return out

    if not any(isinstance(v, str) and "ifchanged" in v for v in effective.values()):
        return _json_repair_variant(data, effective)
    rewritten = {k: _IFCHANGED.sub(written_out, v) if isinstance(v, str) else v for k, v in effective.items()}
    if any(isinstance(v, str) and "ifchanged" in v for v in rewritten.values()):
        return None
    data["controls"] = rewritten
    return "ifchanged", dump(data)


#: Liquid markup in a control: outputs and tags (their braces are not text).
_MARKUP = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)
#: Stand-ins for the braces of plain text in the ``json-repair`` rewrite
#: (private-use characters, which neither the SDK nor the sanitiser touch).
_BRACE_STAND_INS = {"{": "\ue000", "}": "\ue001"}
_BRACES_BACK = {v: k for k, v in _BRACE_STAND_INS.items()}


def _text_braces_replaced(value: str) -> str:
    out, last = [], 0
    for match in _MARKUP.finditer(value):
        out.append(value[last:match.start()].translate(str.maketrans(_BRACE_STAND_INS)))
        out.append(match.group(0))
        last = match.end()
    out.append(value[last:].translate(str.maketrans(_BRACE_STAND_INS)))
    return "".join(out)


def _is_json_document(value: str) -> bool:
    text = value.strip()
    if not (text[:1] == "{" and text[-1:] == "}" or text[:1] == "[" and text[-1:] == "]"):
        return False
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _translated(value: t.Any, table: dict[int, str]) -> t.Any:
    """``value`` with every string in it translated by ``table``."""
    if isinstance(value, str):
        return value.translate(table)
    if isinstance(value, dict):
        return {k: _translated(v, table) for k, v in value.items()}
    if isinstance(value, list):
        return [_translated(v, table) for v in value]
    return value


def _data_braces_replaced(value: t.Any) -> t.Any:
    return _translated(value, str.maketrans(_BRACE_STAND_INS))


def _json_repair_variant(data: dict[str, t.Any], effective: dict[str, t.Any]) -> tuple[str, str] | None:
    """``json-repair``: the braces of plain text (outside Liquid markup) of every
    string control that is not a JSON document, and of every string in the
    data the templates render (payload, subscriber, context, env, step
    results), replaced by stand-ins; the SDK's answer to that, with the braces
    put back (:func:`restore_variant`), is the text as written."""
    if any(ch in json.dumps(data, ensure_ascii=False) for ch in _BRACES_BACK):
        return None
    rewritten = dict(data, controls={
        k: _text_braces_replaced(v) if isinstance(v, str) and not _is_json_document(v) else v
        for k, v in effective.items()})
    for key in ("payload", "subscriber", "context", "env"):
        if key in data:
            rewritten[key] = _data_braces_replaced(data[key])
    if isinstance(data.get("state"), list):
        rewritten["state"] = [dict(entry, outputs=_data_braces_replaced(entry.get("outputs")))
                              if isinstance(entry, dict) and "outputs" in entry else entry for entry in data["state"]]
    if rewritten == dict(data, controls=effective):
        return None
    return "json-repair", dump(rewritten)


def payload_kept_variant(body: str, spec: t.Mapping[str, t.Any]) -> tuple[str, str] | None:
    """``payload-kept``: the SDK validates the payload of a workflow without a
    payload schema against an empty schema that drops every key; Flask-Novu
    keeps it.  The request with an empty payload, which *Flask-Novu* must
    answer as the SDK answered ``body`` (the only difference is the payload
    the templates see).  ``None`` when ``body`` does not hit it."""
    data = json.loads(body)
    if "payloadSchema" in spec or not isinstance(data.get("payload"), dict) or not data["payload"]:
        return None
    data["payload"] = {}
    return "payload-kept", dump(data)


def restore_variant(name: str, response: str) -> str:
    """The SDK's answer to a :func:`deliberate_variant` request, read back as the
    answer to the original request (``json-repair``: the stand-ins become braces)."""
    if name != "json-repair":
        return response
    return json.dumps(_translated(json.loads(response), str.maketrans(_BRACES_BACK)), ensure_ascii=False,
                      separators=(",", ":"))


def documented_failure(name: str, status: int, response: str, expected: str) -> bool:
    """Whether the SDK's answer to the original request (``status``,
    ``response``) is the failure docs/protocol.rst describes for the deliberate
    difference ``name``; ``expected`` is its restored answer to the variant."""
    answer = json.loads(response)
    data = answer.get("data") if isinstance(answer, dict) else None
    if name == "ifchanged":
        return (status, answer.get("code"), isinstance(data, dict) and data.get("name")) == \
            (400, "StepControlCompilationFailedError", "ParseError")
    if name == "json-repair":
        if status == 400:
            return answer.get("code") == "StepControlCompilationFailedError" and isinstance(data, dict) \
                and "position" in data
        # inside an HTML attribute, the repaired text cuts an output short
        outputs, written = answer.get("outputs"), json.loads(expected).get("outputs")
        return status == 200 and isinstance(outputs, dict) and isinstance(written, dict) and any(
            isinstance(v, str) and isinstance(written.get(k), str) and len(v) < len(written[k])
            for k, v in outputs.items())
    return False


def difference_path(message: str) -> str:
    """The JSON path a :func:`compare` message starts with ("status" for status changes)."""
    return "status" if message.startswith("status") else message.split(":", 1)[0]


# -- the generator ------------------------------------------------------------------------

WORDS = [
    "Hello", "order", "shipped", "your", "team", "invoice", "Ada", "welcome", "price", "total",
    "café", "naïve", "Zoë", "東京", "Привет", "مرحبا", "🎉", "🚀", "👩‍💻", "❤️", "5%", "#1",
    "R&D", "Tom & Jerry", "a < b", "x > y", "\"quoted\"", "it's", "O'Brien", "<3", "C++",
    "line\nbreak", "tab\there", "  spaced  ", "€9.99", "$5", "100%", "50/50", "e-mail", "ALL CAPS",
]
NAMES = ["Ada", "grace", "ZOË", "", "Jean-Luc", "O'Neil", "李", "🦄", "  Bob  ", "m&m", "<b>Al</b>", "Dr. Who", "Ana 🎉"]
TIMESTAMPS = [
    "2024-03-05T14:30:00Z", "2024-03-05T14:30:00.000Z", "2024-03-05 14:30:00Z", "2024-03-05T14:30:00+02:00",
    "2024-12-31T23:59:59-05:00", "2024-03-05", "2024-02-29T00:00:00Z", "2023-02-29T00:00:00Z",
    "2024-03-05T14:30:00", "2024-03-05 14:30:00+01:00", "now", "yesterday", "1709649000", "Mar 5, 2024",
]
URLS = [
    "https://example.com/orders/42?ref=mail&x=1", "/dashboard", "http://localhost:3000/a b",
    "mailto:ada@example.com", "javascript:alert(1)", "https://ex.com/é?q=\"x\"", "", "ftp://files.example.com/x",
]
#: Control text that looks like JSON: the SDK renders all controls as one JSON
#: template (a control that parses as JSON is nested as JSON), then repairs it.
JSONISH = [
    '{"a": 1}', '" { "', '[1, 2]', '{', '}', '[', ']', '"', '\\', '\\n', '\\"', "{'a': 1}", '[]', '{}',
    '"}', '{"', '{"key": "value", "n": [1, {"b": null}]}', 'a\\b', '\\u00e9', '","', '":"', 'null', 'true',
    '1e3', '"quoted"', '{{"x"}}', '} {', '[{"k": "<b>v</b>"}]', "\\'", '/* */', '\t{ }',
]
#: Whole control values that are JSON documents (or nearly).
JSON_CONTROLS = [
    '{"a": 1}', '[1, 2, 3]', '{"title": "Hi {{ subscriber.firstName }}", "items": [1, 2]}', '"just a string"',
    '{"html": "<p>x</p><script>y</script>"}', '[{"k": "{{ payload.name }}"}]', '{"a": {"b": {"c": [true, null]}}}',
    '{ "broken": ', '[1, 2', '{"n": 1.0, "big": 9007199254740993}', '12', 'null', '{"e": "\\u00e9\\n"}',
    '{"k": "v"} trailing', '  {"padded": true}  ',
]
#: What email builders send: MJML's compiled output, Outlook conditional comments,
#: VML buttons, namespaced attributes, table layouts with mso- styles.
MJML_HEAD = (
    '<!doctype html><html lang="und" dir="auto" xmlns="http://www.w3.org/1999/xhtml" '
    'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office">'
    '<head><title></title><!--[if !mso]><!--><meta http-equiv="X-UA-Compatible" content="IE=edge"><!--<![endif]-->'
    '<meta http-equiv="Content-Type" content="text/html; charset=UTF-8"><meta name="viewport" content="width=device-width, initial-scale=1">'
    '<style type="text/css">#outlook a { padding:0; } body { margin:0;padding:0;-webkit-text-size-adjust:100%;'
    '-ms-text-size-adjust:100%; } table, td { border-collapse:collapse;mso-table-lspace:0pt;mso-table-rspace:0pt; }'
    ' img { border:0;height:auto;line-height:100%; outline:none;text-decoration:none;-ms-interpolation-mode:bicubic; }</style>'
    '<!--[if mso]><noscript><xml><o:OfficeDocumentSettings><o:AllowPNG/><o:PixelsPerInch>96</o:PixelsPerInch>'
    '</o:OfficeDocumentSettings></xml></noscript><![endif]--><!--[if lte mso 11]><style type="text/css">'
    '.mj-outlook-group-fix { width:100% !important; }</style><![endif]-->'
    '<style type="text/css">@media only screen and (min-width:480px) { .mj-column-per-100 { width:100% !important; '
    'max-width: 100%; } }</style><style media="screen and (min-width:480px)">.moz-text-html .mj-column-per-100 '
    '{ width:100% !important; max-width: 100%; }</style></head><body style="word-spacing:normal;background-color:#f4f4f4;">'
    '<div style="display:none;font-size:1px;color:#ffffff;line-height:1px;max-height:0px;max-width:0px;opacity:0;'
    'overflow:hidden;">{preheader}</div><div style="background-color:#f4f4f4;" lang="und" dir="auto">'
)
MJML_SECTION = (
    '<!--[if mso | IE]><table align="center" border="0" cellpadding="0" cellspacing="0" class="" role="presentation" '
    'style="width:600px;" width="600" ><tr><td style="line-height:0px;font-size:0px;mso-line-height-rule:exactly;">'
    '<![endif]--><div style="margin:0px auto;max-width:600px;"><table align="center" border="0" cellpadding="0" '
    'cellspacing="0" role="presentation" style="width:100%;"><tbody><tr><td style="direction:ltr;font-size:0px;'
    'padding:20px 0;text-align:center;"><!--[if mso | IE]><table role="presentation" border="0" cellpadding="0" '
    'cellspacing="0"><tr><td class="" style="vertical-align:top;width:600px;" ><![endif]--><div '
    'class="mj-column-per-100 mj-outlook-group-fix" style="font-size:0px;text-align:left;direction:ltr;'
    'display:inline-block;vertical-align:top;width:100%;"><table border="0" cellpadding="0" cellspacing="0" '
    'role="presentation" style="vertical-align:top;" width="100%"><tbody><tr><td align="left" '
    'style="font-size:0px;padding:10px 25px;word-break:break-word;"><div style="font-family:Ubuntu, Helvetica, '
    'Arial, sans-serif;font-size:13px;line-height:1;text-align:left;color:#000000;">{inner}</div></td></tr>'
    '</tbody></table></div><!--[if mso | IE]></td></tr></table><![endif]--></td></tr></tbody></table></div>'
    '<!--[if mso | IE]></td></tr></table><![endif]-->'
)
MJML_TAIL = "</div></body></html>"
VML_BUTTON = (
    '<div><!--[if mso]><v:roundrect xmlns:v="urn:schemas-microsoft-com:vml" xmlns:w="urn:schemas-microsoft-com:office:word" '
    'href="{url}" style="height:40px;v-text-anchor:middle;width:200px;" arcsize="10%" strokecolor="#1e3650" '
    'fill="t"><v:fill type="tile" src="https://i.imgur.com/0xPEf.gif" color="#556270" /><w:anchorlock/>'
    '<center style="color:#ffffff;font-family:sans-serif;font-size:13px;font-weight:bold;">{label}</center>'
    '</v:roundrect><![endif]--><a href="{url}" style="background-color:#556270;border:1px solid #1e3650;'
    'border-radius:4px;color:#ffffff;display:inline-block;mso-hide:all;">{label}</a></div>'
)
PROVIDERS = {"email": ["sendgrid", "nodemailer", "mailgun"], "sms": ["twilio", "nexmo"], "push": ["fcm", "apns"],
             "chat": ["slack", "discord", "msteams"], "in_app": ["novu"]}
EMAILS = ["ada@example.com", "not-an-email", "a.b+c@sub.example.co.uk", "UPPER@EXAMPLE.COM", "a@b"]
NUMBERS: list[t.Any] = [
    0, 1, 2, 3, 7, 10, 12, 42, 99, 100, 1000, -1, -5, 1.5, 2.5, -2.5, 0.1, 0.30000000000000004, 3.14159,
    1.0, 10.0, -0.0, 0.0, 1e21, 1e-7, 123456.789, 2**53, 2**53 + 1, 12345678901234567890, -(2**63),
    9.95, 19.99, 0.5, 1e300,
]


class Gen:
    """Seeded generator of dashboard content; every choice comes from ``self.r``."""

    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)
        self.seed = seed

    # -- plain values -----------------------------------------------------------------

    def pick(self, seq: t.Sequence[t.Any]) -> t.Any:
        return seq[self.r.randrange(len(seq))]

    def chance(self, p: float) -> bool:
        return self.r.random() < p

    def text(self, words: int = 0) -> str:
        n = words or self.r.randint(1, 5)
        return " ".join(self.pick(JSONISH) if self.chance(0.06) else self.pick(WORDS) for _ in range(n))

    def number(self) -> t.Any:
        if self.chance(0.6):
            return self.pick(NUMBERS)
        if self.chance(0.5):
            return self.r.randint(-1000, 100000)
        return round(self.r.uniform(-100, 1000), self.r.randint(0, 4))

    def integer(self) -> int:
        return int(self.pick([0, 1, 2, 3, 5, 10, 42, 100, -1, 2**53 + 1, 999999]))

    # -- payload schemas and payloads ------------------------------------------------------

    KINDS = ["text", "text", "name", "int", "number", "bool", "date", "url", "email", "list_text",
             "list_num", "list_obj", "object", "nullable", "any", "nested_list"]

    def payload_schema(self) -> tuple[dict[str, t.Any] | None, dict[str, str]]:
        """A payload schema and the kind of each of its properties."""
        kinds: dict[str, str] = {}
        names = ["name", "title", "count", "price", "items", "tags", "user", "order", "createdAt", "url",
                 "email", "flag", "note", "amount", "score", "meta", "rows", "comment", "big", "ratio"]
        self.r.shuffle(names)
        for key in names[: self.r.randint(2, 9)]:
            kinds[key] = self.pick(self.KINDS)
        if self.chance(0.1):
            return None, {}
        props = {key: self.schema_for(kind) for key, kind in kinds.items()}
        schema: dict[str, t.Any] = {"type": "object", "properties": props}
        required = [k for k in kinds if self.chance(0.3)]
        if required:
            schema["required"] = required
        if self.chance(0.5):
            schema["additionalProperties"] = self.chance(0.5)
        return schema, kinds

    def schema_for(self, kind: str) -> dict[str, t.Any]:
        s: dict[str, t.Any]
        if kind in ("text", "name"):
            s = {"type": "string"}
            if self.chance(0.2):
                s["default"] = self.text(2)
            if self.chance(0.05):
                s["maxLength"] = 20
        elif kind == "int":
            s = {"type": "integer"}
            if self.chance(0.2):
                s["minimum"] = 0
        elif kind == "number":
            s = {"type": "number"}
            if self.chance(0.2):
                s["default"] = self.number()
        elif kind == "bool":
            s = {"type": "boolean"}
            if self.chance(0.3):
                s["default"] = self.chance(0.5)
        elif kind == "date":
            s = {"type": "string", "format": self.pick(["date-time", "date-time", "date"])}
        elif kind == "url":
            s = {"type": "string", "format": "uri"} if self.chance(0.5) else {"type": "string"}
        elif kind == "email":
            s = {"type": "string", "format": "email"} if self.chance(0.6) else {"type": "string"}
        elif kind == "list_text":
            s = {"type": "array", "items": {"type": "string"}}
        elif kind == "list_num":
            s = {"type": "array", "items": {"type": "number"}}
        elif kind == "list_obj":
            s = {"type": "array", "items": {"type": "object", "properties": {
                "name": {"type": "string"}, "price": {"type": "number"}, "qty": {"type": "integer"}}}}
        elif kind == "nested_list":
            s = {"type": "array"}
        elif kind == "object":
            s = {"type": "object", "properties": {"first": {"type": "string"}, "last": {"type": "string"},
                                                  "age": {"type": "number"}}}
            if self.chance(0.3):
                s["additionalProperties"] = False
        elif kind == "nullable":
            s = {"type": ["string", "null"]}
        else:
            s = {}
        return s

    def value_for(self, kind: str, valid: bool = True) -> t.Any:
        if not valid:
            return self.pick([None, 1, "x", True, [], {}, 2.5, "2024-13-45"])
        if kind == "text":
            return self.text()
        if kind == "name":
            return self.pick(NAMES)
        if kind == "int":
            return self.integer()
        if kind == "number":
            return self.number()
        if kind == "bool":
            return self.chance(0.5)
        if kind == "date":
            return self.pick(TIMESTAMPS[:6] + TIMESTAMPS[8:10])
        if kind == "url":
            return self.pick(URLS[:4])
        if kind == "email":
            return self.pick(EMAILS[:4])
        if kind == "list_text":
            return [self.text(1) for _ in range(self.r.randint(0, 5))]
        if kind == "list_num":
            return [self.number() for _ in range(self.r.randint(0, 5))]
        if kind == "list_obj":
            return [{"name": self.text(1), "price": self.number(), "qty": self.integer()}
                    for _ in range(self.r.randint(0, 4))]
        if kind == "nested_list":
            return self.pick([[[1, "<b>x</b>"]], [None], [[1, 2], [3]], [{"a": [1, {"b": "<i>c</i>"}]}],
                              ["<p>one</p>", 2, None, True], [], [[]]])
        if kind == "object":
            return {"first": self.pick(NAMES), "last": self.text(1), "age": self.number()}
        if kind == "nullable":
            return None if self.chance(0.5) else self.text(1)
        return self.any_value()

    def any_value(self, depth: int = 0) -> t.Any:
        roll = self.r.random()
        if depth > 2 or roll < 0.5:
            return self.pick([None, True, False, self.text(1), self.number(), "", "<b>bold</b> & co", -0.0])
        if roll < 0.75:
            return [self.any_value(depth + 1) for _ in range(self.r.randint(0, 3))]
        return {self.pick(["a", "b", "c", "x y", "<k>"]): self.any_value(depth + 1) for _ in range(self.r.randint(0, 3))}

    def payload(self, kinds: dict[str, str]) -> tuple[dict[str, t.Any], list[str]]:
        out: dict[str, t.Any] = {}
        tags: list[str] = []
        for key, kind in kinds.items():
            if self.chance(0.08):
                tags.append("payload:missing")
                continue
            valid = not self.chance(0.03)
            if not valid:
                tags.append("payload:invalid")
            out[key] = self.value_for(kind, valid)
        if self.chance(0.1):
            out["extra"] = self.any_value()
        return out, tags

    def subscriber(self) -> dict[str, t.Any]:
        sub: dict[str, t.Any] = {"subscriberId": self.pick(["sub_1", "user-42", "ü-1"])}
        for key, make in (
            ("firstName", lambda: self.pick(NAMES)),
            ("lastName", lambda: self.pick(["Lovelace", "", "d'Arc", "van der Berg", "🙂"])),
            ("email", lambda: self.pick(EMAILS)),
            ("phone", lambda: "+15555550100"),
            ("locale", lambda: self.pick(["en_US", "fr", "de-DE"])),
            ("data", lambda: {"plan": self.pick(["pro", "free"]), "credits": self.number()}),
        ):
            if self.chance(0.8):
                sub[key] = make()
        return sub

    # -- Liquid --------------------------------------------------------------------------

    def variable(self, kinds: dict[str, str], want: str | None = None) -> tuple[str, str]:
        """A Liquid variable path and its kind."""
        options = [(f"payload.{k}", kind) for k, kind in kinds.items() if want is None or kind == want]
        if want in (None, "text", "name"):
            options += [("subscriber.firstName", "name"), ("subscriber.lastName", "text"),
                        ("subscriber.email", "email")]
        if want in (None, "number"):
            options += [("subscriber.data.credits", "number")]
        if want is None:
            options += [("context.tenant.id", "text"), ("context.tenant", "object"), ("env.REGION", "text"),
                        ("env.MISSING", "missing"), ("context", "object")]
            options += [("payload.missing", "missing"), ("subscriber.data", "object"),
                        ("payload.user.first", "text"), ("subscriber", "object"), ("payload", "object")]
        if not options:
            return f"payload.{want or 'x'}", "missing"
        return t.cast("tuple[str, str]", self.pick(options))

    def literal(self) -> str:
        return self.pick(["'text'", "\"Q&A\"", "3", "2.5", "-1", "0", "true", "false", "nil", "empty",
                          "'2024-03-05T14:30:00Z'", "'a,b,c'", "'  pad  '", "1.0", "'<b>'"])

    STRING_FILTERS = [
        "upcase", "downcase", "capitalize", "strip", "lstrip", "rstrip", "escape", "escape_once",
        "strip_html", "strip_newlines", "newline_to_br", "url_encode", "url_decode", "size", "first",
        "last", "reverse", "base64_encode", "slugify", "number_of_words", "xml_escape", "cgi_escape",
        "uri_escape", "to_integer", "jsonify", "inspect", "json", "normalize_whitespace",
    ]
    ARG_FILTERS: list[tuple[str, t.Callable[[Gen], str]]] = [
        ("append", lambda g: g.pick(["' pts'", "'!'", "3", "3.0", "2.5", "payload.name", "nil"])),
        ("prepend", lambda g: g.pick(["'$'", "'€ '", "'Hi '", "1"])),
        ("remove", lambda g: g.pick(["'a'", "' '", "'<b>'"])),
        ("remove_first", lambda g: g.pick(["'a'", "'l'"])),
        ("remove_last", lambda g: g.pick(["'a'", "'l'"])),
        ("replace", lambda g: g.pick(["'a', 'A'", "' ', '-'", "'&', 'and'"])),
        ("replace_first", lambda g: g.pick(["'a', 'A'", "'o', '0'"])),
        ("replace_last", lambda g: g.pick(["'a', 'A'"])),
        ("truncate", lambda g: g.pick(["5", "10", "3", "20, '…'", "0", "1", "6, ''"])),
        ("truncatewords", lambda g: g.pick(["2", "1", "3, '…'", "0"])),
        ("split", lambda g: g.pick(["' '", "','", "''"])),
        ("default", lambda g: g.pick(["'friend'", "'n/a'", "0", "'x', allow_false: true"])),
        ("plus", lambda g: g.pick(["1", "2.5", "-3", "'4'", "0.1"])),
        ("minus", lambda g: g.pick(["1", "2", "0.5", "'2'"])),
        ("times", lambda g: g.pick(["2", "1.2", "0.1", "100", "3.0", "-1"])),
        ("divided_by", lambda g: g.pick(["2", "3", "2.0", "0.5", "7", "0"])),
        ("modulo", lambda g: g.pick(["2", "3", "1.5", "-2"])),
        ("round", lambda g: g.pick(["", "1", "2", "0"])),
        ("ceil", lambda g: ""), ("floor", lambda g: ""), ("abs", lambda g: ""),
        ("at_least", lambda g: g.pick(["0", "5", "1.5"])),
        ("at_most", lambda g: g.pick(["0", "5", "100"])),
        ("date", lambda g: g.pick(["'%Y-%m-%d'", "'%b %d, %Y'", "'%H:%M'", "'%A %-d %B'", "'%s'",
                                   "'%d/%m/%Y %I:%M %p'", "'%j %U %Z'", "'%e %y'", "'%z'"])),
        ("slice", lambda g: g.pick(["0", "1", "0, 3", "-3, 2", "2, 10"])),
        ("join", lambda g: g.pick(["', '", "' and '", "'-'", ""])),
        ("sort", lambda g: g.pick(["", "'price'", "'name'"])),
        ("sort_natural", lambda g: ""), ("uniq", lambda g: ""), ("compact", lambda g: ""),
        ("map", lambda g: g.pick(["'name'", "'price'"])),
        ("where", lambda g: g.pick(["'name', 'x'", "'qty'", "'price', 2"])),
        ("concat", lambda g: g.pick(["payload.tags", "payload.items"])),
        ("sum", lambda g: g.pick(["", "'price'"])),
        ("array_to_sentence_string", lambda g: ""), ("push", lambda g: "'z'"), ("pop", lambda g: ""),
        ("shift", lambda g: ""), ("unshift", lambda g: "'a'"),
        ("date_to_long_string", lambda g: ""), ("date_to_string", lambda g: ""),
        ("date_to_xmlschema", lambda g: ""), ("date_to_rfc822", lambda g: ""),
        ("pluralize", lambda g: g.pick(["'item'", "'item', 'items'", "'person', 'people'"])),
        ("toSentence", lambda g: g.pick(["", "'name'", "'name', 2", "'name', 1, 'other'"])),
        ("digest", lambda g: g.pick(["", "2", "2, 'name'", "1, 'payload.name'"])),
    ]

    def filter_call(self) -> tuple[str, str]:
        if self.chance(0.35):
            name = self.pick(self.STRING_FILTERS)
            return name, name
        name, arg = self.pick(self.ARG_FILTERS)
        args = arg(self)
        return name, f"{name}: {args}" if args else name

    def expression(self, kinds: dict[str, str]) -> tuple[str, list[str]]:
        tags: list[str] = []
        if self.chance(0.2):
            head = self.literal()
            tags.append("literal")
        else:
            head, kind = self.variable(kinds)
            tags.append(f"var:{kind}")
        parts = [head]
        for _ in range(self.r.choice([0, 1, 1, 1, 2, 2, 3])):
            name, call = self.filter_call()
            parts.append(call)
            tags.append(f"filter:{name}")
        return " | ".join(parts), tags

    def condition(self, kinds: dict[str, str]) -> tuple[str, str]:
        """A condition and its tag (operator and operand kinds)."""
        left, kind = self.variable(kinds)
        op = self.pick(["==", "!=", ">", "<", ">=", "contains", "", "", "== empty", "== nil", "== blank"])
        if op == "":
            cond, tag = left, f"{kind}"
        elif op.startswith("== ") and op[3:] in ("empty", "nil", "blank"):
            cond, tag = f"{left} {op}", f"{kind} {op}"
        else:
            right = self.literal()
            cond, tag = f"{left} {op} {right}", f"{kind} {op} {right}"
        if self.chance(0.2):
            other, other_kind = self.variable(kinds)
            joiner = self.pick(["and", "or"])
            cond += f" {joiner} {other}"
            tag += f" {joiner} {other_kind}"
        return cond, tag

    def liquid_fragment(self, kinds: dict[str, str], assigned: list[str]) -> tuple[str, str]:
        """One piece of Liquid: (tag, text)."""
        roll = self.r.random()
        ws = self.pick(["", "", "", "-"])
        if roll < 0.40:
            expr, tags = self.expression(kinds)
            return " ".join(tags), f"{{{{{ws} {expr} {ws}}}}}"
        if roll < 0.50:
            name = self.pick(["name", "total", "greeting", "x", "items_count"])
            expr, tags = self.expression(kinds)
            assigned.append(name)
            return "assign " + " ".join(tags), f"{{%{ws} assign {name} = {expr} {ws}%}}"
        if roll < 0.56 and assigned:
            return "assigned-var", f"{{{{ {self.pick(assigned)} }}}}"
        if roll < 0.68:
            var, _kind = self.variable(kinds, self.pick(["list_text", "list_num", "list_obj", None]))
            mods = self.pick(["", "", " limit:2", " offset:1", " reversed", " limit:1 offset:1", " (1..3)"])
            target = var
            if mods == " (1..3)":
                target, mods, _kind = "(1..3)", "", "range"
            body = self.pick(["{{ item }}", "{{ forloop.index }}. {{ item }}", "{{ item.name | default: item }}",
                              "{% unless forloop.last %}{{ item }}, {% endunless %}{% if forloop.last %}{{ item }}{% endif %}",
                              "{% if forloop.first %}[{% endif %}{{ item | upcase }}", "{{ item }}{% break %}",
                              "{% cycle 'odd', 'even' %}"])
            els = self.pick(["", "", "{% else %}none"])
            return f"for {_kind}{mods}{' else' if els else ''} {body}", \
                f"{{% for item in {target}{mods} %}}{body}{els}{{% endfor %}}"
        if roll < 0.80:
            cond, tag = self.condition(kinds)
            kw = self.pick(["if", "if", "unless"])
            inner = self.text(2)
            extra = self.pick(["", "", f"{{% else %}}{self.text(1)}", "elsif"])
            if extra == "elsif":
                other, other_tag = self.condition(kinds)
                extra = "" if kw == "unless" else f"{{% elsif {other} %}}x{{% else %}}y"
                tag += f" elsif {other_tag}" if extra else ""
            return f"{kw} {tag}", f"{{%{ws} {kw} {cond} {ws}%}}{inner}{extra}{{% end{kw} %}}"
        if roll < 0.84:
            var, kind = self.variable(kinds)
            var += self.pick(["", "", " | downcase", " | size"])
            return f"case {kind}", f"{{% case {var} %}}{{% when 'pro' %}}Pro{{% when 1, 2 %}}num{{% else %}}other{{% endcase %}}"
        if roll < 0.88:
            expr, tags = self.expression(kinds)
            assigned.append("captured")
            return "capture " + " ".join(tags), f"{{% capture captured %}}<{expr}>{{{{ {expr} }}}}{{% endcapture %}}{{{{ captured }}}}"
        if roll < 0.92:
            counter = self.pick(["{% increment n %}", "{% decrement n %}{% decrement n %}", "{% increment n %}{{ n }}"])
            return f"misc {counter}", counter
        snippet = self.pick([
            "{% raw %}{{ not rendered }}{% endraw %}", "{% comment %}hidden{% endcomment %}", "{{ nil }}", "{{ empty }}",
            "{% liquid assign y = 2\necho y %}", "{% echo 'echoed' | upcase %}", "{{ 'now' | date: '%Y' }}",
            "{{ '' }}", "{{ true }}", "{{ -0 }}", "{{ 1.0 }}", "{{ 10 | divided_by: 4 }}", "{{ 10.0 | divided_by: 4 }}",
            "{{ payload }}", "{{ subscriber.data }}", "{{ 0.1 | plus: 0.2 }}", "{{ 3 | times: 1.1 }}",
            "{% tablerow i in (1..3) cols:2 %}{{ i }}{% endtablerow %}", "{{ 9007199254740993 }}",
            "{{ 'a' | append: 3.0 }}", "{{ 1e21 | plus: 0 }}", "{{ workflow.workflowId }}", "{% ifchanged %}x{% endifchanged %}",
            # what LiquidJS reads leniently: a path's trailing dot, an unclosed quote in a tag
            "{{ workflow.workflowId. }}", "{% assign q = 'abc %}{{ q }}", "{% if 'x %}q{% endif %}",
            "{% case subscriber.firstName | downcase %}{% when 'ada' %}A{% else %}B{% endcase %}",
            # half an astral character: URI filters, pairs rebuilt, next to an escaped tab
            "{{ subscriber.firstName | last | url_encode }}", "{{ subscriber.firstName | split: '' | join: '' | uri_escape }}",
            "{{ subscriber.firstName | split: '' }}\t", "{{ 't-1' | date: '%Y-%m-%d' }}",
            "{{ subscriber }}", "{{ context }}", "{% if context %}ctx{% endif %}",
            # operators in outputs; names python-liquid reserves
            "{{ workflow.workflowId == 'x' }}", "{% assign ok = subscriber.firstName != blank | upcase %}{{ ok }}",
            "{% assign limit = 2 %}{{ limit }}", "{{ subscriber.data.limit | default: subscriber.data.for }}",
            "{% for i in (1..3) %}{% cycle 'a', 'b %}{% endfor %}", "{% assign z = nil %}{{ z }}",
            "{% case subscriber.firstName %}{% when %}a{% else %}b{% when 'Ada' %}c{% else %}d{% endcase %}",
            "{{ subscriber.lastName | truncate: 4, tail: 1 }}", "{{ false | default: 'x', allow_false: true }}",
        ])
        return f"misc {snippet}", snippet

    def liquid_text(self, kinds: dict[str, str], assigned: list[str], size: int = 0) -> list[tuple[str, str]]:
        frags: list[tuple[str, str]] = []
        for _ in range(size or self.r.randint(1, 4)):
            if self.chance(0.4):
                frags.append(("text", self.text(self.r.randint(1, 3)) + " "))
            else:
                frags.append(self.liquid_fragment(kinds, assigned))
        return frags

    # -- HTML ----------------------------------------------------------------------------

    def html_block(self, kinds: dict[str, str], assigned: list[str]) -> tuple[str, str]:
        inner = "".join(text for _, text in self.liquid_text(kinds, assigned, self.r.randint(1, 2)))
        return self.pick([
            ("html:p", f"<p>{inner}</p>"),
            ("html:p-style", f'<p style="font-family:Arial,sans-serif;color:#333;mso-line-height-rule:exactly">{inner}</p>'),
            ("html:heading", f"<h1>{inner}</h1>"),
            ("html:table", f'<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0">'
                           f'<tr><td align="center" bgcolor="#ffffff" style="padding:20px">{inner}</td></tr></table>'),
            ("html:nested-table", f'<table width="600"><tbody><tr><td><table><tr><td class="inner">{inner}</td>'
                                  f'</tr></table></td></tr></tbody></table>'),
            ("html:mso-comment", f"<!--[if mso]><table><tr><td width=\"600\"><![endif]-->{inner}<!--[if mso]></td></tr></table><![endif]-->"),
            ("html:not-mso-comment", f"<!--[if !mso]><!--><div>{inner}</div><!--<![endif]-->"),
            ("html:link", f'<a href="{{{{ payload.url }}}}" target="_blank" style="color:#00f">{inner}</a>'),
            ("html:link-js", f'<a href="javascript:alert(1)" onclick="x()">{inner}</a>'),
            ("html:img", f'<img src="https://cdn.example.com/logo.png" alt="{inner[:20]}" width="120" onerror="bad()" data-x="1">'),
            ("html:button", f'<a href="https://example.com" class="btn" style="background:#000;border-radius:4px">{inner}</a>'),
            ("html:list", f"<ul><li>{inner}</li><li>two</li></ul>"),
            ("html:br-hr", f"{inner}<br>line<br/><hr>"),
            ("html:entities", f"&nbsp;&amp;&copy; &lt;tag&gt; &#169; &unknown; {inner}"),
            ("html:td-outside", f"<td>{inner}</td>"),
            ("html:tr-outside", f"<tr><td>{inner}</td></tr>"),
            ("html:text-in-table", f"<table>{inner}<tr><td>cell</td></tr></table>"),
            ("html:col", f"<table><colgroup><col width=\"50%\"></colgroup><tr><td>{inner}</td></tr></table>"),
            ("html:mc-edit", f'<div mc:edit="body" data-block="1">{inner}</div>'),
            ("html:misnest", f"<b><i>{inner}</b></i>"),
            ("html:unclosed", f"<div><p>{inner}"),
            ("html:script", f"<script>alert('{inner[:10]}')</script>{inner}"),
            ("html:style-block", f"<style>.btn{{color:red}} @media (max-width:600px){{td{{display:block}}}}</style>{inner}"),
            ("html:iframe", f'<iframe src="https://evil.example"></iframe>{inner}'),
            ("html:svg", f'<svg width="10" height="10"><circle r="4"/></svg>{inner}'),
            ("html:xmp", f"<xmp><b>{inner}</b></xmp>"),
            ("html:center-font", f'<center><font color="red" face="Arial">{inner}</font></center>'),
            ("html:span", f'<span style="display:none;max-height:0">{inner}</span>'),
            ("html:uppercase", f'<P ALIGN="CENTER"><B>{inner}</B></P>'),
            ("html:unquoted", f"<td width=100 class=x>{inner}</td>"),
            ("html:comment", f"<!-- {inner} -->visible"),
            ("html:form", f'<form action="/x"><input type="text" value="{inner[:10]}"><button>Go</button></form>'),
            ("html:self-closing-slash", f"<p>{inner}</p/>"),
            ("html:pre", f"<pre>  {inner}\n  indented</pre>"),
            ("html:blockquote", f"<blockquote>{inner}</blockquote>"),
            ("html:mjml-section", MJML_SECTION.replace("{inner}", inner)),
            ("html:vml-button", VML_BUTTON.replace("{url}", self.pick(["https://example.com/go", "{{ payload.url }}"]))
             .replace("{label}", inner)),
            ("html:o-p", f'<p class="MsoNormal" style="mso-margin-top-alt:auto">{inner}<o:p></o:p></p>'),
            ("html:mso-hide", f'<div style="mso-hide:all;display:none">{inner}</div><!--[if gte mso 9]><table width="600"><tr><td><![endif]-->'),
            ("html:mc-repeatable", f'<table mc:repeatable="product" mc:variant="row"><tr><td mc:edit="name">{inner}</td></tr></table>'),
            ("html:spacer", '<table role="presentation" border="0" cellpadding="0" cellspacing="0"><tr>'
                            f'<td height="20" style="height:20px;line-height:20px;font-size:1px;mso-line-height-rule:exactly">&#8202;</td></tr></table>{inner}'),
            ("html:img-link", f'<a href="https://example.com" target="_blank"><img alt="Logo" height="auto" src="https://cdn.example.com/l.png" '
                              f'style="border:0;display:block;outline:none;text-decoration:none;height:auto;width:100%;font-size:13px;" width="150"></a>{inner}'),
            ("html:unsubscribe", f'<p style="font-size:11px;color:#999">{inner} <a href="{{{{ payload.url }}}}" style="color:#999">Unsubscribe</a>'
                                 ' &middot; <a href="*|UPDATE_PROFILE|*">Preferences</a></p>'),
        ])

    def email_body(self, kinds: dict[str, str], assigned: list[str]) -> list[tuple[str, str]]:
        frags: list[tuple[str, str]] = []
        document = self.chance(0.35)
        if document:
            frags.append(("html:document", self.pick([
                '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">'
                '<title>Mail</title><style>body{margin:0}</style></head><body style="margin:0">',
                '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">'
                '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office">'
                '<head><!--[if gte mso 9]><xml><o:OfficeDocumentSettings><o:PixelsPerInch>96</o:PixelsPerInch></o:OfficeDocumentSettings></xml><![endif]-->'
                '</head><body>',
                "<html><body>",
            ])))
        if not document and self.chance(0.15):
            # an email builder's (MJML's) compiled document, sections filled with content
            frags.append(("html:mjml-document", MJML_HEAD.replace("{preheader}", self.text(3))))
            for _ in range(self.r.randint(1, 5)):
                section = self.liquid_text(kinds, assigned, self.r.randint(1, 3))
                frags.append(("html:mjml-section", MJML_SECTION.replace("{inner}", "".join(x for _, x in section))))
            frags.append(("html:mjml-document-end", MJML_TAIL))
            return frags
        # long realistic bodies now and then
        for _ in range(self.r.randint(6, 14) if self.chance(0.12) else self.r.randint(1, 4)):
            if self.chance(0.7):
                frags.append(self.html_block(kinds, assigned))
            else:
                frags.extend(self.liquid_text(kinds, assigned, 1))
        if document:
            frags.append(("html:document-end", "</body></html>"))
        return frags

    def in_app_body(self, kinds: dict[str, str], assigned: list[str]) -> list[tuple[str, str]]:
        frags = self.liquid_text(kinds, assigned)
        if self.chance(0.35):
            tag, text = self.html_block(kinds, assigned)
            frags.insert(self.r.randint(0, len(frags)), (tag, text))
        return frags

    # -- steps ---------------------------------------------------------------------------

    STEP_KINDS = ["email", "email", "in_app", "in_app", "sms", "push", "chat", "delay", "digest", "custom"]

    def step_spec(self, index: int, kinds: dict[str, str], earlier: list[dict[str, t.Any]]) -> dict[str, t.Any]:
        kind = self.pick(self.STEP_KINDS)
        step_id = f"{kind.replace('_', '-')}-{index}"
        props: dict[str, t.Any] = {}
        outputs: dict[str, t.Any] = {}
        spec: dict[str, t.Any] = {"stepId": step_id, "type": kind}

        default_frags: dict[str, list[tuple[str, str]]] = {}

        def text_control(name: str, default: bool = True) -> None:
            prop: dict[str, t.Any] = {"type": "string"}
            if default and self.chance(0.6):
                default_frags[name] = self.liquid_text(kinds, [])
                prop["default"] = "".join(x for _, x in default_frags[name])
            props[name] = prop
            outputs[name] = {"$ref": f"controls.{name}"}

        if kind == "email":
            text_control("subject")
            text_control("body")
            if self.chance(0.2):
                text_control("preheader", default=False)
        elif kind == "in_app":
            text_control("subject")
            text_control("body")
            if self.chance(0.3):
                props["avatar"] = {"type": "string"}
                outputs["avatar"] = {"$ref": "controls.avatar"}
            if self.chance(0.3):
                props["actionUrl"] = {"type": "string", "default": "/orders"}
                outputs["primaryAction"] = {"label": "Open", "redirect": {"url": {"$ref": "controls.actionUrl"}}}
            data_keys = [k for k in kinds if self.chance(0.4)]
            if data_keys or self.chance(0.3):
                outputs["data"] = {k: {"$ref": f"payload.{k}"} for k in data_keys}
                if self.chance(0.3):
                    outputs["data"]["label"] = {"$ref": "controls.subject"}
                if self.chance(0.3):
                    # arrays and objects holding HTML, as apps put into in-app data
                    outputs["data"]["blocks"] = self.pick([
                        [{"type": "text", "html": "<p>Hi <b>there</b></p><script>x()</script>"},
                         {"type": "image", "html": '<img src="https://cdn.example.com/a.png" onerror="x()">'}],
                        {"card": {"title": "<h2>Order</h2>", "rows": ["<td>1</td>", "<tr><td>2</td></tr>"]}},
                        ["<a href=\"javascript:alert(1)\">x</a>", "plain & simple", "<!--[if mso]>o<![endif]-->"],
                        {"html": {"$ref": "controls.body"}, "list": [{"title": {"$ref": "controls.subject"}}, "<i>i</i>"]},
                    ])
        elif kind in ("sms", "chat"):
            text_control("body")
        elif kind == "push":
            text_control("subject")
            text_control("body")
        elif kind in ("delay", "digest"):
            props["amount"] = {"type": "number", "default": self.pick([5, 1, 0.5, 30])}
            props["unit"] = {"type": "string", "enum": ["seconds", "minutes", "hours", "days", "weeks", "months"],
                             "default": "minutes"}
            outputs.update(type="regular", amount={"$ref": "controls.amount"}, unit={"$ref": "controls.unit"})
            if kind == "digest" and self.chance(0.5):
                text_control("digestKey", default=False)
        else:
            text_control("text")
            if self.chance(0.5):
                props["count"] = {"type": "number", "default": 1}
                outputs["count"] = {"$ref": "controls.count"}
            for key in [k for k in kinds if self.chance(0.3)]:
                outputs[f"echo_{key}"] = {"$ref": f"payload.{key}"}
            for prev in earlier:
                if self.chance(0.3):
                    outputs[f"from_{prev['stepId']}"] = {"$ref": f"steps.{prev['stepId']}"}
            spec["outputSchema"] = {"type": "object", "additionalProperties": True}
        if kind in PROVIDERS and self.chance(0.25):
            spec["providers"] = {self.pick(PROVIDERS[kind]): self.provider_template(kind)}
        if kind not in ("delay", "digest", "custom") and self.chance(0.15):
            props["skipIt"] = {"type": "boolean", "default": False}
            spec["skipIf"] = "skipIt"
        if kind in ("email", "in_app") and self.chance(0.05):
            spec["disableOutputSanitization"] = True
        if self.chance(0.9):
            schema: dict[str, t.Any] = {"type": "object", "properties": props}
            if self.chance(0.5):
                schema["additionalProperties"] = False
            spec["controlSchema"] = schema
        spec["outputs"] = outputs
        spec["_controls"] = props
        spec["_defaultFrags"] = default_frags if "controlSchema" in spec else {}
        return spec

    def provider_template(self, kind: str) -> dict[str, t.Any]:
        """The outputs template of a provider override (scope: its controls and the step's outputs)."""
        first = "outputs.body" if kind != "push" else "outputs.subject"
        return self.pick([
            {"text": {"$ref": first}},
            {"_passthrough": {"body": {"html": {"$ref": "outputs.body"}, "tags": ["a", "<b>"]},
                              "headers": {"X-Trace": "1"}, "query": {"q": {"$ref": "controls.body"}}}},
            {"blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": {"$ref": first}}}]},
            {"html": "<p>override</p><script>x</script>", "ipPoolName": {"$ref": "controls.subject"}},
            {"data": {"n": 1, "nested": [1, [2, 3]], "none": None}, "extra": {"$ref": "payload.missing"}},
            {},
        ])

    def step_result(self, spec: dict[str, t.Any]) -> dict[str, t.Any]:
        kind = spec["type"]
        if kind == "in_app":
            seen = self.chance(0.5)
            return {"seen": seen, "read": self.chance(0.5),
                    "lastSeenDate": self.pick(TIMESTAMPS[:5]) if seen else None, "lastReadDate": None}
        if kind == "delay":
            return {"duration": self.pick([300000, 0, 1.5, 60000.0])}
        if kind == "digest":
            events = [{"id": f"evt_{i}", "time": "2024-10-01T10:00:00.000Z", "payload": {"name": self.pick(NAMES)}}
                      for i in range(self.r.randint(0, 3))]
            return {"events": events, "eventCount": len(events)}
        if kind == "custom":
            return {"text": self.text(1), "n": self.number()}
        return {}

    def control_values(self, spec: dict[str, t.Any], kinds: dict[str, str],
                       assigned: list[str]) -> tuple[dict[str, t.Any], dict[str, list[tuple[str, str]]]]:
        values: dict[str, t.Any] = {}
        frags: dict[str, list[tuple[str, str]]] = {}
        for name, prop in spec["_controls"].items():
            if self.chance(0.15):
                continue  # the default applies
            if prop.get("type") == "string" and "enum" not in prop:
                if name == "body" and spec["type"] == "email":
                    parts = self.email_body(kinds, assigned)
                elif name == "body" and spec["type"] == "in_app":
                    parts = self.in_app_body(kinds, assigned)
                elif name == "avatar":
                    parts = [("url", self.pick(URLS))]
                elif name == "actionUrl":
                    parts = [("url", self.pick(["/orders/{{ payload.count }}", "https://example.com/o?id={{ payload.name | url_encode }}"] + URLS))]
                elif self.chance(0.05):
                    parts = [("jsonish", self.pick(JSON_CONTROLS))]
                else:
                    parts = self.liquid_text(kinds, assigned)
                frags[name] = parts
                values[name] = "".join(text for _, text in parts)
            elif prop.get("type") == "number":
                values[name] = self.pick([5, 10, 1.5, 0, -1, "{{ payload.count }}", 2**53 + 1]) if self.chance(0.4) else 5
            elif prop.get("type") == "boolean":
                values[name] = self.chance(0.3)
            elif "enum" in prop:
                values[name] = self.pick(prop["enum"] + ["fortnights"]) if self.chance(0.3) else "hours"
        if self.chance(0.05):
            values["unknownControl"] = "dropped?"
        return values, frags

    # -- suites --------------------------------------------------------------------------

    def suite(self, n_workflows: int, cases_per_step: int = 2) -> tuple[list[dict[str, t.Any]], list[dict[str, t.Any]]]:
        """Workflow specs and cases (requests with their generator metadata)."""
        specs: list[dict[str, t.Any]] = []
        cases: list[dict[str, t.Any]] = []
        for w in range(n_workflows):
            schema, kinds = self.payload_schema()
            wid = f"wf-{self.seed}-{w}"
            steps: list[dict[str, t.Any]] = []
            for i in range(self.r.randint(1, 4)):
                steps.append(self.step_spec(i, kinds, steps))
            spec: dict[str, t.Any] = {"workflowId": wid, "steps": steps}
            if schema is not None:
                spec["payloadSchema"] = schema
            specs.append(spec)
            for index, step in enumerate(steps):
                for _ in range(cases_per_step):
                    cases.append(self.case(spec, kinds, index, f"{wid}-{step['stepId']}-{len(cases)}"))
        for spec in specs:
            for step in spec["steps"]:
                step.pop("_controls")
                step.pop("_defaultFrags")
        return specs, cases

    def case(self, spec: dict[str, t.Any], kinds: dict[str, str], index: int, name: str) -> dict[str, t.Any]:
        step = spec["steps"][index]
        # Preview mocks what the payload lacks at random: previews get full payloads.
        preview = self.chance(0.12) and index == 0
        if preview:
            payload, tags = {key: self.value_for(kind) for key, kind in kinds.items()}, ["preview"]
        else:
            payload, tags = self.payload(kinds)
        assigned: list[str] = []
        controls, frags = self.control_values(step, kinds, assigned)
        for control, parts in step["_defaultFrags"].items():
            if control not in controls:
                frags[control] = parts
        state = []
        if not preview:
            for prev in spec["steps"][:index]:
                state.append({"stepId": prev["stepId"], "outputs": self.step_result(prev),
                              "state": {"status": "completed"}})
        body = {"payload": payload, "controls": controls, "state": state, "subscriber": self.subscriber(),
                "context": {}}
        if self.chance(0.3):
            body["context"] = self.pick([
                {"tenant": {"id": "acme", "data": {"name": "Acme & Co", "plan": "<b>pro</b>"}}},
                {"tenant": "acme"}, {"tenant": {"id": "t-1"}, "app": {"id": "web"}}, {"region": ["eu", "us"]},
            ])
        if self.chance(0.3):
            body["env"] = self.pick([{"REGION": "eu-west-1"}, {"REGION": "<i>us</i>", "DEBUG": True}, {}])
        if self.chance(0.03):
            del body["subscriber"]
            tags.append("no-subscriber")
        if self.chance(0.05):
            del body["context"]
            tags.append("no-context")
        action = "preview" if preview else "execute"
        return {
            "name": name,
            "query": f"action={action}&workflowId={spec['workflowId']}&stepId={step['stepId']}",
            "body": dump(body),
            "stepType": step["type"],
            "tags": tags,
            "frags": frags,
        }


def dump(value: t.Any) -> str:
    """The request body as sent: Python's JSON text (``1.0`` stays ``1.0``, big ints exact)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def generate(seed: int, n_workflows: int, cases_per_step: int = 2) -> tuple[list[dict[str, t.Any]], list[dict[str, t.Any]]]:
    return Gen(seed).suite(n_workflows, cases_per_step)


def send_flask(app: Flask, query: str, body: str) -> tuple[int, str]:
    resp = app.test_client().post(
        "/api/novu?" + query, data=body.encode("utf-8"), headers={"content-type": "application/json"}
    )
    return resp.status_code, resp.get_data(as_text=True)
