"""The two Werkzeug internals the bridge's fast paths read.

Neither is public API, so both live here, each with a safe answer when a
Werkzeug release changes it (the general path is then taken), and
``tests/test_dependency_internals.py`` fails loudly when that happens, so
that the fast paths are not lost unnoticed:

* the list behind :class:`werkzeug.datastructures.Headers` (``_list``): the
  framework's constant headers, checked once, are appended to it without
  Werkzeug's per-value validation;
* the request's cached ``stream`` (Werkzeug's ``cached_property`` keeps it in
  the instance ``__dict__``): while nothing has touched it, the body is read
  straight from the WSGI input.
"""

from __future__ import annotations

import inspect
import typing as t

from werkzeug.datastructures import Headers
from werkzeug.utils import cached_property
from werkzeug.wrappers import Request

#: Werkzeug computes ``Request.stream`` once and caches it in the instance.
_CACHES_STREAM = isinstance(inspect.getattr_static(Request, "stream", None), cached_property)


def raw_header_list(headers: Headers) -> list[tuple[str, str]] | None:
    """The list of ``(name, value)`` pairs behind ``headers``, or ``None``
    when this Werkzeug keeps them otherwise."""
    raw = getattr(headers, "_list", None)
    return raw if isinstance(raw, list) else None


def stream_untouched(request: t.Any) -> bool:
    """Whether nothing has read ``request.stream`` (nor the body) yet.

    ``False`` when this Werkzeug does not cache the stream in the instance
    ``__dict__`` (then the body is always read through Werkzeug).
    """
    state = getattr(request, "__dict__", None)
    return isinstance(state, dict) and "stream" not in state and _CACHES_STREAM
