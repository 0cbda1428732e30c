"""Sphinx configuration of the Flask-Novu documentation.

The build needs no network: intersphinx is not used and every page is local.
Build with ``sphinx-build -W -b html docs docs/_build/html``.
"""

from __future__ import annotations

import importlib.util
import os
import re
import sys

sys.path.insert(0, os.path.abspath(".."))

import flask_novu  # noqa: E402

# -- Project information -----------------------------------------------------

project = "Flask-Novu"
author = "Flask-Novu developers"
copyright = "Flask-Novu developers"
release = flask_novu.__version__
version = ".".join(release.split(".")[:2])

# -- General configuration ---------------------------------------------------

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.viewcode",
]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
root_doc = "index"
nitpicky = False
# Classes re-exported by the package (flask_novu.NovuBridgeView) are also
# registered under their defining module (flask_novu.views.NovuBridgeView);
# type hints then match both names. Both point at the same object.
suppress_warnings = ["ref.python"]
default_role = "obj"
pygments_style = "sphinx"

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {
    "members": True,
    "show-inheritance": True,
}
autoclass_content = "class"

# -- HTML output -------------------------------------------------------------

html_theme = "alabaster"
html_title = f"Flask-Novu {release}"
html_static_path: list[str] = []
html_theme_options = {
    "description": "A Novu Bridge endpoint for Flask",
    "fixed_sidebar": True,
}

# -- Pages that depend on files other developers write -----------------------
#
# ``security``, ``performance`` and ``CHANGES.rst`` are written elsewhere, and
# some modules (``flask_novu.api``, ``flask_novu.testing``) arrive later than
# the pages documenting them. Blocks marked in the sources are left out while
# what they depend on is missing, so a partial checkout still builds cleanly
# with ``-W``. Once everything exists this changes nothing.
#
#   .. optional-doc: security          -> toctree entry kept if security.rst exists
#   .. optional-module: flask_novu.api -> ... block kept if the module imports
#   .. end-optional

_HERE = os.path.dirname(os.path.abspath(__file__))
_BLOCK = re.compile(
    r"^([ \t]*)\.\. optional-(doc|module|file): *(\S+)[ \t]*\n(.*?)^[ \t]*\.\. end-optional[ \t]*\n",
    re.M | re.S,
)


def _available(kind: str, target: str) -> bool:
    if kind == "doc":
        return os.path.exists(os.path.join(_HERE, target + ".rst"))
    if kind == "file":
        return os.path.exists(os.path.join(_HERE, target))
    try:
        return importlib.util.find_spec(target) is not None
    except ImportError:
        return False


def _drop_missing(app, docname, source):  # type: ignore[no-untyped-def]
    def replace(match: re.Match[str]) -> str:
        indent, kind, target, body = match.groups()
        if _available(kind, target):
            return body
        return ""

    source[0] = _BLOCK.sub(replace, source[0])


def setup(app):  # type: ignore[no-untyped-def]
    app.connect("source-read", _drop_missing)
    return {"parallel_read_safe": True}
