"""Settings: the one place that resolves them.

A setting comes from the option passed in code (``secret_key=`` of a view,
the extension or :func:`~flask_novu.serve`), else ``app.config``, else the
environment, else its default (:data:`SETTINGS` lists every key).
:func:`apply_defaults` writes them all into ``app.config`` (``init_app``).

.. versionadded:: 0.1
"""

from __future__ import annotations

import dataclasses
import os
import typing as t
from dataclasses import dataclass

from .constants import (
    DEFAULT_API_REQUEST_DEADLINE,
    DEFAULT_API_URL,
    DEFAULT_MAX_CONTENT_LENGTH,
    DEFAULT_ROUTE,
)
from .errors import ConfigurationError
from .templating import LiquidLimits


def parse_bool(value: t.Any) -> bool:
    """A boolean setting: strings ``1``, ``true``, ``yes`` and ``on`` (any
    case) are true, other strings false; other values by their truth."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def _optional_bool(value: t.Any) -> bool | None:
    return None if value is None else parse_bool(value)


_LIMIT_NAMES = tuple(field.name for field in dataclasses.fields(LiquidLimits))


def parse_liquid_limits(value: t.Any) -> LiquidLimits:
    """``NOVU_LIQUID_LIMITS``: a :class:`~flask_novu.templating.LiquidLimits`,
    or a mapping of some of its field names to whole numbers (the others keep
    their defaults).

    :raises ConfigurationError: an unknown name or a value that is not a
        positive whole number.
    """
    if isinstance(value, LiquidLimits):
        return value
    if not isinstance(value, t.Mapping):
        raise ConfigurationError(
            f"NOVU_LIQUID_LIMITS must be a LiquidLimits or a dict of {', '.join(_LIMIT_NAMES)}"
        )
    unknown = sorted(str(name) for name in value if name not in _LIMIT_NAMES)
    if unknown:
        raise ConfigurationError(
            f"NOVU_LIQUID_LIMITS: unknown limit {', '.join(unknown)} (known: {', '.join(_LIMIT_NAMES)})"
        )
    for name, number in value.items():
        if isinstance(number, bool) or not isinstance(number, int) or number < 1:
            raise ConfigurationError(f"NOVU_LIQUID_LIMITS: {name} must be a positive whole number, not {number!r}")
    return LiquidLimits(**value)


@dataclass(frozen=True)
class Setting:
    """One ``NOVU_*`` configuration key.

    :param name: the key.
    :param default: its value when nothing sets it (``None``: unset).
    :param environ: environment variables read, in order, when neither an
        option nor the config sets it.
    :param parse: turns a configured value (a string from the environment
        or ``from_prefixed_env``, say) into its type.
    """

    name: str
    default: t.Any = None
    environ: tuple[str, ...] = ()
    parse: t.Callable[[t.Any], t.Any] | None = None

    def resolve(self, config: t.Mapping[str, t.Any], option: t.Any = None) -> t.Any:
        """The option, else the config, else the environment, else the
        default (``None`` and ``""`` count as unset), parsed."""
        value = option
        if _unset(value):
            value = config.get(self.name)
        if _unset(value):
            for variable in self.environ:
                value = os.environ.get(variable)
                if not _unset(value):
                    break
        if _unset(value):
            return self.default
        return self.parse(value) if self.parse is not None else value


def _unset(value: t.Any) -> bool:
    return value is None or (isinstance(value, (str, bytes)) and not value)


#: Every documented configuration key (docs/configuration.rst).
SETTINGS: t.Mapping[str, Setting] = {
    setting.name: setting
    for setting in (
        Setting("NOVU_SECRET_KEY", environ=("NOVU_SECRET_KEY", "NOVU_API_KEY")),
        Setting("NOVU_API_URL", DEFAULT_API_URL, environ=("NOVU_API_URL",)),
        Setting("NOVU_STRICT_AUTHENTICATION", parse=_optional_bool),
        Setting("NOVU_ROUTE", DEFAULT_ROUTE),
        Setting("NOVU_BRIDGE_URL", environ=("NOVU_BRIDGE_URL",)),
        Setting("NOVU_MAX_CONTENT_LENGTH", DEFAULT_MAX_CONTENT_LENGTH, parse=int),
        # Default: app.testing (see apply_defaults).
        Setting("NOVU_SUPPRESS_SEND", False, parse=parse_bool),
        Setting("NOVU_API_TIMEOUT", 5.0, parse=float),
        Setting("NOVU_API_RETRIES", 3, parse=int),
        Setting("NOVU_API_REQUEST_DEADLINE", DEFAULT_API_REQUEST_DEADLINE, parse=float),
        Setting("NOVU_LIQUID_LIMITS", parse=parse_liquid_limits),
    )
}


def setting(config: t.Mapping[str, t.Any], name: str, option: t.Any = None) -> t.Any:
    """The value of the configuration key ``name`` (see :class:`Setting`)."""
    return SETTINGS[name].resolve(config, option)


def apply_defaults(app: t.Any) -> None:
    """Put every key of :data:`SETTINGS` into ``app.config``: a key already
    set stays as it is, a missing one gets the environment's value or its
    default (``NOVU_SUPPRESS_SEND`` defaults to ``app.testing``)."""
    config = app.config
    for name, item in SETTINGS.items():
        if name in config:
            continue
        if name == "NOVU_SUPPRESS_SEND":
            config[name] = bool(app.testing)
            continue
        config[name] = item.resolve({})


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
    return _as_keys(SETTINGS["NOVU_SECRET_KEY"].resolve(config, option or None))


def resolve_strict(config: t.Mapping[str, t.Any], option: t.Any, keys: tuple[str, ...]) -> bool:
    """Strict HMAC authentication: the option, else ``NOVU_STRICT_AUTHENTICATION``,
    else on exactly when a secret key is configured and the app is not in
    debug mode (``DEBUG``, Flask's development mode: as Novu's SDK, which
    checks no signature in development, so that Novu's local Studio, which
    sends none, can call the bridge)."""
    value = setting(config, "NOVU_STRICT_AUTHENTICATION", option)
    if value is None:
        return bool(keys) and not config.get("DEBUG")
    return bool(value)


def debug_relaxes(config: t.Mapping[str, t.Any], option: t.Any, keys: tuple[str, ...]) -> bool:
    """Whether debug mode alone turns signature checks off: a key is
    configured, strict authentication is not set either way, ``DEBUG`` is on."""
    value = setting(config, "NOVU_STRICT_AUTHENTICATION", option)
    return value is None and bool(keys) and bool(config.get("DEBUG"))


#: The warning logged when debug mode turns signature checks off.
DEBUG_RELAXED_WARNING = (
    "%s: the app runs in debug mode, the bridge accepts unsigned requests (as Novu's SDK "
    "in development); set NOVU_STRICT_AUTHENTICATION = True to check signatures"
)
