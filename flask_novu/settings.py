"""Settings of a bridge: the view's option, else the app config, else the
environment.

.. versionadded:: 0.1
"""

from __future__ import annotations

import os
import typing as t


def parse_bool(value: t.Any) -> bool:
    """A boolean setting: strings ``1``, ``true``, ``yes`` and ``on`` (any
    case) are true, other strings false; other values by their truth."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def _as_keys(value: t.Any) -> tuple[str, ...]:
    if not value:
        return ()
    if isinstance(value, (bytes, bytearray)):
        value = bytes(value).decode("utf-8")
    if isinstance(value, str):
        return (value,)
    return tuple(v.decode("utf-8") if isinstance(v, (bytes, bytearray)) else str(v) for v in value if v)


def resolve_secret_keys(config: t.Mapping[str, t.Any], option: t.Any = None) -> tuple[str, ...]:
    """The accepted secret keys: the view option, else ``NOVU_SECRET_KEY`` in
    the app config, else the environment's ``NOVU_SECRET_KEY``, else
    ``NOVU_API_KEY``. A list means several keys (rotation)."""
    keys = _as_keys(option) or _as_keys(config.get("NOVU_SECRET_KEY"))
    if keys:
        return keys
    environ = os.environ
    return _as_keys(environ.get("NOVU_SECRET_KEY")) or _as_keys(environ.get("NOVU_API_KEY"))


def resolve_strict(config: t.Mapping[str, t.Any], option: t.Any, keys: tuple[str, ...]) -> bool:
    """Strict HMAC authentication: the option, else ``NOVU_STRICT_AUTHENTICATION``,
    else on exactly when a secret key is configured and the app is not in
    debug mode (``DEBUG``, Flask's development mode: as Novu's SDK, which
    checks no signature in development, so that Novu's local Studio, which
    sends none, can call the bridge)."""
    value = option if option is not None else config.get("NOVU_STRICT_AUTHENTICATION")
    if value is None:
        return bool(keys) and not config.get("DEBUG")
    return parse_bool(value)


def debug_relaxes(config: t.Mapping[str, t.Any], option: t.Any, keys: tuple[str, ...]) -> bool:
    """Whether debug mode alone turns signature checks off: a key is
    configured, strict authentication is not set either way, ``DEBUG`` is on."""
    value = option if option is not None else config.get("NOVU_STRICT_AUTHENTICATION")
    return value is None and bool(keys) and bool(config.get("DEBUG"))


#: The warning logged when debug mode turns signature checks off.
DEBUG_RELAXED_WARNING = (
    "%s: the app runs in debug mode, the bridge accepts unsigned requests (as Novu's SDK "
    "in development); set NOVU_STRICT_AUTHENTICATION = True to check signatures"
)
