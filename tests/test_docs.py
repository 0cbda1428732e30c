"""The README's example runs as written; the docs' examples are all executed.

The pages under ``docs/`` are run by Sphinx's doctest builder (``tox -e
docs``): every Python example there is a ``testcode`` block. The README is
not part of the Sphinx build, so its Python blocks are run here, in order,
in one namespace, as a reader pasting them into ``app.py`` would.
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
