"""Built-in JSON Schemas of every step type, as ``@novu/framework`` 2.13.2 emits them.

The schemas live in ``data/step_schemas.json``, which is generated from the running
SDK by ``scripts/extract_step_schemas.mjs`` (never edited by hand). Discovery must
emit them unchanged, so every accessor returns a fresh deep copy that callers may
mutate freely.

This module does not import Flask.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any, Mapping

#: Schema the SDK uses wherever nothing more specific is declared (payload,
#: controls, custom outputs, the results of most steps). Rejects every property.
EMPTY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {},
    "required": [],
    "additionalProperties": False,
}

_DATA_FILE = Path(__file__).parent / "data" / "step_schemas.json"


def _load(path: Path) -> dict[str, Any]:
    """Read the generated schema catalogue.

    :param path: Location of ``step_schemas.json``.
    :returns: The parsed catalogue with ``outputs``, ``results`` and ``providers``.
    """
    with path.open(encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


_CATALOGUE = _load(_DATA_FILE)
_OUTPUTS: Mapping[str, dict[str, Any]] = _CATALOGUE["outputs"]
_RESULTS: Mapping[str, dict[str, Any]] = _CATALOGUE["results"]
_PROVIDERS: Mapping[str, Mapping[str, dict[str, Any]]] = _CATALOGUE["providers"]

#: Version of the SDK the catalogue was extracted from.
SDK_VERSION: str = str(_CATALOGUE.get("sdkVersion") or "")

#: Every step type with built-in schemas, in the SDK's discovery order.
STEP_TYPES: tuple[str, ...] = tuple(_OUTPUTS)

#: Step types that accept provider overrides (the SDK's channel steps).
CHANNEL_STEP_TYPES: tuple[str, ...] = tuple(_PROVIDERS)


def _check_step_type(step_type: str) -> None:
    """Reject a step type without built-in schemas.

    :param step_type: Step type as emitted in discovery (``in_app``, not ``inApp``).
    :raises ValueError: If the type is unknown.
    """
    if step_type not in _OUTPUTS:
        raise ValueError(
            f"Unknown step type {step_type!r}; expected one of {', '.join(STEP_TYPES)}"
        )


def output_schema(step_type: str) -> dict[str, Any]:
    """Return the built-in output schema of a step type.

    For ``custom`` this is the empty schema; the engine substitutes the
    workflow author's ``outputSchema`` when one is given.

    :param step_type: Step type as emitted in discovery.
    :returns: A fresh deep copy of the schema.
    :raises ValueError: If the step type is unknown.
    """
    _check_step_type(step_type)
    return copy.deepcopy(_OUTPUTS[step_type])


def result_schema(step_type: str) -> dict[str, Any]:
    """Return the built-in result schema of a step type.

    :param step_type: Step type as emitted in discovery.
    :returns: A fresh deep copy of the schema.
    :raises ValueError: If the step type is unknown.
    """
    _check_step_type(step_type)
    return copy.deepcopy(_RESULTS[step_type])


def provider_ids(step_type: str) -> tuple[str, ...]:
    """Return the provider ids accepted in a step's ``providers`` option.

    :param step_type: Step type as emitted in discovery.
    :returns: The ids in the SDK's order; empty for action steps.
    :raises ValueError: If the step type is unknown.
    """
    _check_step_type(step_type)
    return tuple(_PROVIDERS.get(step_type, {}))


def provider_output_schema(step_type: str, provider_id: str) -> dict[str, Any]:
    """Return the output schema of one provider override.

    :param step_type: A channel step type (``email``, ``sms``, ...).
    :param provider_id: A provider id from :func:`provider_ids`.
    :returns: A fresh deep copy of the schema.
    :raises ValueError: If the step type is unknown or has no providers.
    :raises KeyError: If the provider id is not valid for the step type.
    """
    _check_step_type(step_type)
    providers = _PROVIDERS.get(step_type)
    if not providers:
        raise ValueError(f"Step type {step_type!r} does not accept provider overrides")
    if provider_id not in providers:
        raise KeyError(f"Unknown {step_type} provider {provider_id!r}")
    return copy.deepcopy(providers[provider_id])


def empty_schema() -> dict[str, Any]:
    """Return a fresh copy of :data:`EMPTY_SCHEMA`.

    :returns: ``{"type": "object", "properties": {}, "required": [], "additionalProperties": false}``.
    """
    return copy.deepcopy(EMPTY_SCHEMA)
