"""The README's example runs as written; the docs' examples are all executed.

The pages under ``docs/`` are run by Sphinx's doctest builder (``tox -e
docs``): every Python example there is a ``testcode`` block. The README is
not part of the Sphinx build, so its Python blocks are run here, in order,
in one namespace, as a reader pasting them into ``app.py`` would. So are the
short examples in the docstrings the API reference shows (the API client's
against a local stand-in for the Novu API).
"""

from __future__ import annotations

import re
import typing as t
from pathlib import Path

import pytest

from flask_novu.testing import NovuTestClient

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.rst"
DOCS = ROOT / "docs"

_BLOCK = re.compile(r"^\.\. code-block:: python\n((?:\n|[ ]{4}.*\n)+)", re.MULTILINE)


def python_blocks(path: Path) -> list[str]:
    """The ``.. code-block:: python`` blocks of an reST file, dedented."""
    text = path.read_text(encoding="utf-8")
    blocks = []
    for match in _BLOCK.finditer(text):
        lines = [line[4:] if line.startswith("    ") else line for line in match.group(1).splitlines()]
        blocks.append("\n".join(lines).strip() + "\n")
    return blocks


@pytest.fixture
def readme_app(monkeypatch: pytest.MonkeyPatch) -> t.Any:
    for name in ("NOVU_SECRET_KEY", "NOVU_API_KEY", "NOVU_API_URL", "NOVU_BRIDGE_URL"):
        monkeypatch.delenv(name, raising=False)
    blocks = python_blocks(README)
    assert blocks, "the README has a Python example"
    namespace: dict[str, t.Any] = {"__name__": "readme_example"}
    for block in blocks:
        exec(compile(block, str(README), "exec"), namespace)
    return namespace["app"]


def test_readme_example_serves_with_hmac_on(readme_app: t.Any) -> None:
    client = readme_app.test_client()
    health = client.get("/api/novu")
    assert health.status_code == 200
    assert health.get_json()["discovered"] == {"workflows": 1, "steps": 2}
    # "turns on HMAC authentication": unsigned requests are refused
    assert client.get("/api/novu?action=discover").status_code == 401


def test_readme_example_executes_its_email_step_as_novu_would(readme_app: t.Any) -> None:
    readme_app.test_client_class = NovuTestClient
    client = readme_app.test_client()
    discover = client.get("/api/novu?action=discover")
    assert [w["workflowId"] for w in discover.get_json()["workflows"]] == ["comment-notification"]
    response = client.post(
        "/api/novu?action=execute&workflowId=comment-notification&stepId=email",
        json={
            "payload": {"author": "Ada", "comment": "Nice post"},
            "controls": {},
            "state": [
                {"stepId": "inbox", "outputs": {"seen": False, "read": False, "lastSeenDate": None, "lastReadDate": None}}
            ],
        },
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["outputs"] == {"subject": "New comment from Ada", "body": "Nice post"}


def test_readme_example_triggers_in_process(readme_app: t.Any) -> None:
    comment = readme_app.extensions["novu"].workflows[0]
    result = comment.trigger("subscriber-1", {"author": "Ada", "comment": "Nice post"})
    assert result["step_results"]["inbox"] == {"body": "Ada: Nice post"}


def test_every_python_example_in_the_docs_is_a_doctest() -> None:
    """A ``code-block:: python`` would be shown but never run: use ``testcode``."""
    offenders = [
        f"{page.name}: {len(python_blocks(page))} block(s)" for page in sorted(DOCS.glob("*.rst")) if python_blocks(page)
    ]
    assert offenders == []
    assert all("testcode::" in page.read_text(encoding="utf-8") for page in (DOCS / "workflows.rst", DOCS / "testing.rst"))


# -- the examples in the docstrings the API reference shows ------------------------

import inspect  # noqa: E402
import textwrap  # noqa: E402

import flask_novu  # noqa: E402
from flask_novu import api, execution, testing  # noqa: E402

#: Docstrings with a ``::`` example, run by :func:`test_docstring_examples_run`
#: (the API client's by :func:`test_the_api_client_example_triggers`).
DOCSTRING_EXAMPLES: list[tuple[str, t.Any]] = [
    ("flask_novu.workflow", flask_novu.workflow),
    ("flask_novu.NovuBridgeView", flask_novu.NovuBridgeView),
    ("flask_novu.NovuBridgeView.authenticate", flask_novu.NovuBridgeView.authenticate),
    ("flask_novu.Novu", flask_novu.Novu),
    ("flask_novu.Novu.record_triggers", flask_novu.Novu.record_triggers),
    ("flask_novu.testing", testing),
    ("flask_novu.execution", execution),
]


def literal_blocks(doc: str) -> list[str]:
    """The literal blocks (after a line ending in ``::``) of a docstring."""
    lines = inspect.cleandoc(doc).splitlines()
    blocks, i = [], 0
    while i < len(lines):
        if lines[i].rstrip().endswith("::"):
            indent = len(lines[i]) - len(lines[i].lstrip())
            j, body = i + 1, []
            while j < len(lines) and (not lines[j].strip() or len(lines[j]) - len(lines[j].lstrip()) > indent):
                body.append(lines[j])
                j += 1
            blocks.append(textwrap.dedent("\n".join(body)).strip() + "\n")
            i = j
        else:
            i += 1
    return blocks


def docstring_namespace() -> dict[str, t.Any]:
    """The names the docstring examples take as given (a workflow ``welcome``,
    an ``app`` with the extension, a ``ledger``...), defined as the narrative
    pages define them."""
    from flask import Flask, request
    from marshmallow import Schema, fields

    from flask_novu import Novu, NovuBridgeView, workflow
    from flask_novu.views import ALL_METHODS
    from flask_novu.errors import SignatureError
    from flask_novu.execution import current_execution
    from flask_novu.testing import NovuTestClient

    class CommentSchema(Schema):
        author = fields.String(required=True)

    class Ledger:
        def __init__(self) -> None:
            self.entries: dict[str, t.Any] = {}

        def record_once(self, key: str, amount: t.Any) -> None:
            self.entries.setdefault(key, amount)

    @workflow("welcome")
    def welcome(payload: t.Any, step: t.Any) -> None:
        step.email("welcome-email", {"subject": "Welcome!", "body": "Thanks for signing up."})

    app = Flask("docstring_example")
    app.config.update(TESTING=True, NOVU_SUPPRESS_SEND=True)
    novu = Novu(workflows=[welcome])
    novu.init_app(app)
    return {
        "__name__": "docstring_example",
        "Flask": Flask, "request": request, "NovuBridgeView": NovuBridgeView, "ALL_METHODS": ALL_METHODS,
        "SignatureError": SignatureError, "NovuTestClient": NovuTestClient, "workflow": workflow, "Novu": Novu,
        "current_execution": current_execution, "CommentSchema": CommentSchema, "ledger": Ledger(),
        "ALLOWED": {"127.0.0.1"}, "welcome": welcome, "app": app, "novu": novu,
    }


@pytest.mark.parametrize(("name", "obj"), DOCSTRING_EXAMPLES, ids=[n for n, _ in DOCSTRING_EXAMPLES])
def test_docstring_examples_run(name: str, obj: t.Any, monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("NOVU_SECRET_KEY", "NOVU_API_KEY"):
        monkeypatch.delenv(key, raising=False)
    blocks = literal_blocks(obj.__doc__ or "")
    assert blocks, f"{name} has an example"
    namespace = docstring_namespace()
    with namespace["app"].app_context():
        for block in blocks:
            exec(compile(block, name, "exec"), namespace)
    # What the examples define is used as the pages say.
    if "create_app" in namespace:
        created = namespace["create_app"]()
        assert created.test_client().get("/api/novu").status_code == 200
    if "invoice_paid" in namespace:
        assert [s.step_id for s in namespace["invoice_paid"].steps] == ["receipt"]
    if "GuardedView" in namespace:
        guarded = namespace["Flask"]("guarded")
        flask_novu.serve(guarded, "/api/novu", [namespace["welcome"]], view_class=namespace["GuardedView"])
        assert guarded.test_client().get("/api/novu").status_code == 200  # from 127.0.0.1


def test_every_docstring_example_is_listed() -> None:
    """A new ``::`` example in a public docstring joins the list above."""
    listed = {n for n, _ in DOCSTRING_EXAMPLES} | {"flask_novu.api"}
    found = set()
    for module_name in ("api", "execution", "extension", "testing", "views", "workflows", "registration", "errors"):
        module = getattr(flask_novu, module_name, None) or __import__(f"flask_novu.{module_name}", fromlist=["_"])
        objects = [(module.__name__, module)]
        for attr, value in vars(module).items():
            if getattr(value, "__module__", None) == module.__name__ and not attr.startswith("_"):
                objects.append((f"{module.__name__}.{attr}", value))
                if inspect.isclass(value):
                    objects += [(f"{module.__name__}.{attr}.{m}", v) for m, v in vars(value).items() if not m.startswith("_")]
        for qualname, value in objects:
            doc = value.__doc__ if isinstance(value.__doc__, str) else ""
            if (inspect.ismodule(value) or inspect.isclass(value) or inspect.isfunction(value)) and literal_blocks(doc):
                found.add(qualname)
    aliases = {
        "flask_novu.workflows.workflow": "flask_novu.workflow",
        "flask_novu.views.NovuBridgeView": "flask_novu.NovuBridgeView",
        "flask_novu.views.NovuBridgeView.authenticate": "flask_novu.NovuBridgeView.authenticate",
        "flask_novu.extension.Novu": "flask_novu.Novu",
        "flask_novu.extension.Novu.record_triggers": "flask_novu.Novu.record_triggers",
    }
    assert {aliases.get(q, q) for q in found} <= listed, sorted({aliases.get(q, q) for q in found} - listed)


def test_the_api_client_example_triggers() -> None:
    """The module example of :mod:`flask_novu.api`, with the client pointed at
    a local stand-in for the Novu API: it sends the trigger it shows."""
    import functools
    import json

    from _fake_novu_api import FakeNovuAPI

    (block,) = literal_blocks(api.__doc__ or "")
    with FakeNovuAPI() as novu_api:
        namespace = {"NovuAPI": functools.partial(api.NovuAPI, api_url=novu_api.url)}
        exec(compile(block, "flask_novu.api", "exec"), namespace)
        (sent,) = novu_api.requests
    assert (sent.method, sent.path) == ("POST", "/v1/events/trigger")
    assert sent.headers["authorization"] == "ApiKey nv-secret"
    body = json.loads(sent.body)
    assert (body["name"], body["to"], body["payload"]) == ("welcome", "user-1", {"name": "Ada"})
