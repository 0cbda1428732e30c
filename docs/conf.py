"""Sphinx configuration of the Flask-Novu documentation.

The build needs no network: intersphinx is not used and every page is local.
Build with ``sphinx-build -W -b html docs docs/_build/html``.
"""

from __future__ import annotations

import os
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
