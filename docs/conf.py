"""Sphinx configuration of the Flask-Novu documentation.

The build needs no network: intersphinx is not used and every page is local.
Build with ``sphinx-build -W -b html docs docs/_build/html``; run the
examples with ``sphinx-build -W -b doctest docs docs/_build/doctest`` (both
are what ``tox -e docs`` does). Every Python example is a ``testcode`` block:
the blocks of a page run in order, in one namespace, as a reader would run
them.
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
    "sphinx.ext.doctest",
    "sphinx.ext.viewcode",
]

# Examples run without a Novu account and without the developer's settings.
# ``__name__`` names a module that does not exist, as in a reader's own
# ``app.py``: ``Flask(__name__)`` then uses the working directory as root.
doctest_global_setup = """
__name__ = "example_app"
import logging as _logging
import os as _os
# Start-up warnings (an open bridge...) are the point of some examples but
# would only clutter the build's output.
_logging.getLogger("flask_novu").addHandler(_logging.NullHandler())
for _name in ("NOVU_SECRET_KEY", "NOVU_API_KEY", "NOVU_API_URL", "NOVU_BRIDGE_URL"):
    _os.environ.pop(_name, None)
"""
# ``:options: +ELLIPSIS`` and other doctest flags are not shown in the HTML.
trim_doctest_flags = True
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
