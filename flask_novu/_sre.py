"""The standard library's regular-expression parser, which is not public API.

:mod:`flask_novu.mock` writes example strings for ``pattern`` keywords from
the parse tree of the pattern. Python has no public parser: it is
``re._parser`` since Python 3.11 and ``sre_parse`` before (deprecated since
3.11). This module is the only one that touches it;
``tests/test_dependency_internals.py`` checks the tree has the shape the
writer expects, so a Python release that changes it fails the tests instead
of quietly making previews poorer.
"""

from __future__ import annotations

import importlib
import typing as t

try:  # Python >= 3.11
    _parser: t.Any = importlib.import_module("re._parser")
except ImportError:  # pragma: no cover - Python < 3.11
    _parser = importlib.import_module("sre_parse")


def parse(pattern: str) -> t.Any:
    """The parse tree of ``pattern``: a sequence of ``(opcode, argument)``.

    :raises re.error: the pattern does not compile.
    """
    return _parser.parse(pattern)


def opname(constant: t.Any) -> str:
    """The symbolic name of an opcode or category constant of the tree
    (``"LITERAL"``, ``"MAX_REPEAT"``, ``"CATEGORY_DIGIT"``...)."""
    return str(getattr(constant, "name", constant))
