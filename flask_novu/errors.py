"""The domain exceptions of Flask-Novu.

Every error the bridge can answer with is a :class:`NovuError`. Each subclass
carries the HTTP status and an error ``code``, and renders as the JSON body
``{"message", "data"?, "code", "detail"}`` (``detail`` repeats ``message`` for
clients of the FastAPI-era Python API).

Novu's servers pass an error's message on (to the execution log, the
dashboard) only when the body's ``code`` is one of the SDK's codes
(:data:`SDK_ERROR_CODES`); any other body is replaced by a generic error
chosen by the status. So the body carries :attr:`NovuError.wire_code`:
Flask-Novu's own codes (``InvalidRequestError``, ``PayloadTooLargeError``,
``NotFoundError``... see :data:`OWN_CODES`) are sent as ``BridgeError`` (the
SDK's catch-all) with their status kept; the SDK's codes, and those of an
application's own subclasses, are sent as they are.

.. versionadded:: 0.1
"""

from __future__ import annotations

import json
import typing as t

_MISSING: t.Any = object()

#: The error codes of Novu's framework SDK (its ``ErrorCodeEnum``, 2.13.2).
#: Novu's servers recognise an error body by its ``code`` being one of them.
SDK_ERROR_CODES = frozenset(
    {
        "BridgeError",
        "ExecutionEventControlInvalidError",
        "ExecutionEventPayloadInvalidError",
        "ExecutionProviderOutputInvalidError",
        "ExecutionStateControlInvalidError",
        "ExecutionStateCorruptError",
        "ExecutionStateOutputInvalidError",
        "ExecutionStateResultInvalidError",
        "InvalidActionError",
        "MethodNotAllowedError",
        "MissingDependencyError",
        "MissingSecretKeyError",
        "ProviderExecutionFailedError",
        "ProviderNotFoundError",
        "SignatureExpiredError",
        "SignatureInvalidError",
        "SignatureMismatchError",
        "SignatureNotFoundError",
        "SignatureVersionInvalidError",
        "SigningKeyNotFoundError",
        "StepAlreadyExistsError",
        "StepControlCompilationFailedError",
        "StepExecutionFailedError",
        "StepNotFoundError",
        "WorkflowAlreadyExistsError",
        "WorkflowNotFoundError",
        "WorkflowPayloadInvalidError",
    }
)
#: The SDK code sent for Flask-Novu's own codes, which the SDK does not have.
FALLBACK_WIRE_CODE = "BridgeError"
#: Flask-Novu's codes that are not the SDK's (sent as ``BridgeError``).
OWN_CODES = frozenset(
    {
        "ConfigurationError",
        "WorkflowDiscoveryError",
        "InvalidRequestError",
        "PayloadTooLargeError",
        "NotFoundError",
        "WorkflowExecutionFailedError",
        "NovuAPIError",
    }
)


class NovuError(Exception):
    """Base class of every Flask-Novu error.

    :param message: human readable message; defaults to the class's message.
    :param data: optional JSON-serialisable details (``data`` in the body).
    """

    #: HTTP status of the response.
    status_code: int = 500
    #: The error code; the body carries :attr:`wire_code` (the SDK's
    #: ``BridgeError`` in place of Flask-Novu's own codes).
    code: str = "BridgeError"
    #: Default message.
    message: str = "Unknown BridgeError"

    def __init__(self, message: str | None = None, data: t.Any = _MISSING) -> None:
        if message is not None:
            self.message = message
        self.data = data
        super().__init__(self.message)

    @property
    def has_data(self) -> bool:
        return self.data is not _MISSING

    @property
    def wire_code(self) -> str:
        """The ``code`` of the JSON body: ``BridgeError`` for Flask-Novu's own
        codes (:data:`OWN_CODES`), which Novu does not know, so that Novu shows
        the message instead of a generic error; :attr:`code` otherwise (the
        SDK's codes, and the codes of an application's own subclasses, sent
        as they are: pick one of :data:`SDK_ERROR_CODES` for Novu to show it)."""
        code = self.code
        return FALLBACK_WIRE_CODE if code in OWN_CODES else code

    def to_dict(self) -> dict[str, t.Any]:
        """The JSON body, key order as the official SDK emits it."""
        body: dict[str, t.Any] = {"message": self.message}
        if self.data is not _MISSING:
            body["data"] = self.data
        body["code"] = self.wire_code
        body["detail"] = self.message
        return body


# -- configuration (raised at registration, never as a response) -------------


class ConfigurationError(NovuError, RuntimeError):
    """The bridge or a workflow is misconfigured; raised at start-up."""

    code = "ConfigurationError"


class WorkflowDiscoveryError(ConfigurationError):
    """Running a workflow function with the recording ``step`` object failed."""

    code = "WorkflowDiscoveryError"


# -- request level -------------------------------------------------------------


class InvalidActionError(NovuError):
    status_code = 400
    code = "InvalidActionError"

    def __init__(self, action: str, allowed: t.Sequence[str]) -> None:
        choices = ", ".join(f"`{a}`" for a in allowed)
        super().__init__(f"Invalid query string: `action`=`{action}`. Please use one of {choices}")


class MethodNotAllowedError(NovuError):
    status_code = 405
    code = "MethodNotAllowedError"
    message = "Method not allowed. Please use one of `POST`, `GET`, `OPTIONS`"


class InvalidRequestError(NovuError):
    """The request itself is malformed (invalid JSON, wrong body shape...).

    Flask-Novu specific: the official SDK ignores some of these; we answer 400
    (``BridgeError`` on the wire, see :attr:`NovuError.wire_code`).
    """

    status_code = 400
    code = "InvalidRequestError"
    message = "The request is invalid."


class PayloadTooLargeError(NovuError):
    status_code = 413
    code = "PayloadTooLargeError"
    message = "The request body is larger than the bridge accepts."


class RouteNotFoundError(NovuError):
    status_code = 404
    code = "NotFoundError"
    message = "The requested URL was not found on this bridge."


class MissingSecretKeyError(NovuError):
    status_code = 400
    code = "MissingSecretKeyError"
    message = (
        "Missing secret key. Set the `NOVU_SECRET_KEY` environment variable or "
        "pass `secretKey` to the client options."
    )
    #: What Python callers read (``str(error)``); ``message`` (the wire's)
    #: stays the SDK's.
    python_message = (
        "Missing secret key: set NOVU_SECRET_KEY (in app.config or the environment) "
        "or pass secret_key="
    )

    def __str__(self) -> str:
        return self.python_message


# -- authentication ------------------------------------------------------------


class SignatureError(NovuError):
    """Base of the HMAC authentication failures (all 401)."""

    status_code = 401
    #: Short reason for logs.
    reason = "signature rejected"


class SignatureNotFoundError(SignatureError):
    code = "SignatureNotFoundError"
    reason = "signature header missing"
    message = "Signature not found. Please provide a signature in the `novu-signature` header"


class SignatureInvalidError(SignatureError):
    code = "SignatureInvalidError"
    reason = "signature header malformed"
    message = (
        "Signature is invalid. Please provide a valid signature in the `novu-signature` header"
    )


class SignatureExpiredError(SignatureError):
    code = "SignatureExpiredError"
    reason = "signature timestamp outside the tolerance"
    message = (
        "Signature expired. Please provide a signature with a timestamp no older than "
        "5 minutes in the `novu-signature` header"
    )


class SignatureMismatchError(SignatureError):
    code = "SignatureMismatchError"
    reason = "signature does not match"
    message = (
        "Signature does not match the expected signature. Please ensure the signature "
        "provided in the `novu-signature` header is correct and try again."
    )


class SigningKeyNotFoundError(SignatureError):
    code = "SigningKeyNotFoundError"
    reason = "no signing key configured"
    message = (
        "Signature key not found. Please provide a valid key in the Client constructor "
        "`config.secretKey`"
    )


# -- workflows and steps -------------------------------------------------------


class WorkflowNotFoundError(NovuError):
    status_code = 404
    code = "WorkflowNotFoundError"

    def __init__(self, workflow_id: str) -> None:
        super().__init__(
            f"Workflow with id: `{workflow_id}` does not exist. Please provide a valid id."
        )


class WorkflowAlreadyExistsError(ConfigurationError):
    status_code = 409
    code = "WorkflowAlreadyExistsError"

    def __init__(self, workflow_id: str) -> None:
        super().__init__(
            f"Workflow with id: `{workflow_id}` already exists. Please use a different id."
        )


class StepNotFoundError(NovuError):
    status_code = 404
    code = "StepNotFoundError"

    def __init__(self, step_id: str) -> None:
        super().__init__(f"Step with id: `{step_id}` does not exist. Please provide a valid id.")


class StepAlreadyExistsError(ConfigurationError):
    status_code = 409
    code = "StepAlreadyExistsError"

    def __init__(self, step_id: str) -> None:
        super().__init__(f"Step with id: `{step_id}` already exists. Please use a different id.")


class ProviderNotFoundError(NovuError):
    status_code = 404
    code = "ProviderNotFoundError"

    def __init__(self, provider_id: str) -> None:
        super().__init__(
            f"Provider with id: `{provider_id}` does not exist. Please provide a valid id."
        )


class WorkflowPayloadInvalidError(NovuError):
    """A payload failed the workflow's payload schema in process
    (:meth:`~flask_novu.workflows.Workflow.trigger`, the FastAPI-era route,
    :meth:`~flask_novu.Novu.trigger`).

    For a pydantic or marshmallow schema the error raised is also the
    library's own ``ValidationError`` (see :func:`payload_invalid_error`).
    """

    status_code = 400
    code = "WorkflowPayloadInvalidError"

    def __init__(self, workflow_id: str, data: t.Any = _MISSING) -> None:
        self.workflow_id = workflow_id
        super().__init__(
            f"Workflow with id: `{workflow_id}` has invalid `payload`. "
            "Please provide the correct payload.",
            data,
        )


def payload_invalid_error(
    workflow_id: str, data: t.Any, original: BaseException | None = None
) -> WorkflowPayloadInvalidError:
    """The :class:`WorkflowPayloadInvalidError` of an in-process payload check.

    When the schema library raised its own ``ValidationError`` (``original``,
    from pydantic or marshmallow), the error returned is an instance of both
    that class and :class:`WorkflowPayloadInvalidError`, so code written for
    the earlier Python framework (``except pydantic.ValidationError``) keeps
    catching it. It carries the library's details (pydantic's ``errors()``,
    marshmallow's ``messages`` and ``valid_data``) and renders as the bridge's
    JSON error; its ``data`` is the JSON error's details (for marshmallow,
    which keeps the input there, too).

    :param data: the ``[{"path", "message"}]`` details of the JSON error.
    """
    if original is not None:
        try:
            error: WorkflowPayloadInvalidError | None = _dual_payload_error(workflow_id, original)
        except Exception:  # an unknown library version: the plain error
            error = None
        if error is not None:
            error.workflow_id = workflow_id
            error.message = WorkflowPayloadInvalidError(workflow_id).message
            error.data = data
            return error
    return WorkflowPayloadInvalidError(workflow_id, data)


_DUAL_CLASSES: dict[type, type] = {}


def _dual_class(library_error: type, name: str) -> t.Any:
    cls = _DUAL_CLASSES.get(library_error)
    if cls is None:
        cls = type(
            name,
            (library_error, WorkflowPayloadInvalidError),
            {"__module__": __name__, "__doc__": WorkflowPayloadInvalidError.__doc__},
        )
        _DUAL_CLASSES[library_error] = cls
    return cls


def _dual_payload_error(workflow_id: str, original: BaseException) -> t.Any:
    """``original`` rebuilt as an instance of the dual class (or ``None``)."""
    import sys

    pydantic = sys.modules.get("pydantic")
    if pydantic is not None and isinstance(original, pydantic.ValidationError):
        cls = _dual_class(pydantic.ValidationError, "PydanticPayloadInvalidError")
        title, errors = original.title, original.errors(include_url=False)
        try:
            return cls.from_exception_data(title, errors)
        except KeyError:  # a custom error type: rebuilt with its message
            from pydantic_core import PydanticCustomError

            rebuilt = [
                # Without a context the message is taken as it is.
                {**e, "type": PydanticCustomError(e["type"], e["msg"]), "ctx": None}
                for e in errors
            ]
            return cls.from_exception_data(title, rebuilt)
    marshmallow = sys.modules.get("marshmallow")
    if marshmallow is not None and isinstance(original, marshmallow.ValidationError):
        cls = _dual_class(marshmallow.ValidationError, "MarshmallowPayloadInvalidError")
        # marshmallow's __init__ would chain into NovuError's: set its public
        # attributes directly.
        error = cls.__new__(cls)
        Exception.__init__(error, original.messages)
        error.messages = original.messages
        error.field_name = original.field_name
        error.valid_data = original.valid_data
        error.kwargs = original.kwargs
        return error
    return None


class ExecutionEventPayloadInvalidError(NovuError):
    status_code = 400
    code = "ExecutionEventPayloadInvalidError"

    def __init__(self, workflow_id: str, data: t.Any = _MISSING) -> None:
        super().__init__(
            f"Workflow with id: `{workflow_id}` has invalid `payload`. "
            "Please provide the correct event payload.",
            data,
        )


class ExecutionEventControlInvalidError(NovuError):
    status_code = 400
    code = "ExecutionEventControlInvalidError"

    def __init__(self, workflow_id: str, data: t.Any = _MISSING) -> None:
        super().__init__(
            f"Workflow with id: `{workflow_id}` has invalid `controls`. "
            "Please provide the correct event controls.",
            data,
        )


class ExecutionStateCorruptError(NovuError):
    status_code = 400
    code = "ExecutionStateCorruptError"

    def __init__(self, workflow_id: str, step_id: str) -> None:
        super().__init__(
            f"Workflow with id: `{workflow_id}` has a corrupt state. Step with id: "
            f"`{step_id}` does not exist. Please provide the missing state.",
            {"workflowId": workflow_id, "stepId": step_id},
        )


class _InvalidStateError(NovuError):
    status_code = 400
    _what = ""

    def __init__(self, workflow_id: str, step_id: str, data: t.Any = _MISSING) -> None:
        super().__init__(
            f"Workflow with id: `{workflow_id}` has an invalid state. Step with id: "
            f"`{step_id}` has {self._what}.",
            data,
        )


class ExecutionStateControlInvalidError(_InvalidStateError):
    code = "ExecutionStateControlInvalidError"
    _what = "invalid `controls`. Please provide the correct step controls"


class ExecutionStateOutputInvalidError(_InvalidStateError):
    code = "ExecutionStateOutputInvalidError"
    _what = "invalid output. Please provide the correct step output"


class ExecutionStateResultInvalidError(_InvalidStateError):
    code = "ExecutionStateResultInvalidError"
    _what = "invalid result. Please provide the correct step result"


class ExecutionProviderOutputInvalidError(_InvalidStateError):
    code = "ExecutionProviderOutputInvalidError"
    _what = "invalid provider output. Please provide the correct provider output"


class StepControlCompilationFailedError(NovuError):
    status_code = 400
    code = "StepControlCompilationFailedError"

    def __init__(self, workflow_id: str, step_id: str, data: t.Any = _MISSING) -> None:
        super().__init__(
            f"Workflow with id: `{workflow_id}` has invalid controls syntax in step with id: "
            f"`{step_id}`. Please correct step control syntax.",
            data,
        )


# -- failures of the application's own code -------------------------------------


def js_error_json(error: NovuError) -> str:
    """What the SDK's ``JSON.stringify(error, null, 2)`` writes of one of its
    errors when it wraps it in another (the inner message is not shown):
    status code, code and data."""
    body: dict[str, t.Any] = {"statusCode": error.status_code, "code": error.code}
    if error.has_data:
        body["data"] = error.data
    return json.dumps(body, indent=2, ensure_ascii=False)


class ServerError(NovuError):
    """A failure inside user code or an unexpected fault.

    ``data`` carries ``{"stack": ...}`` only when the application runs in debug
    mode (the official SDK always sends it; we never leak paths in production).
    """

    status_code = 500
    code = "BridgeError"
    prefix = "Unknown BridgeError"

    def __init__(self, cause: BaseException | str, *, prefix: str | None = None) -> None:
        self.cause = cause
        detail = cause if isinstance(cause, str) else (str(cause) or type(cause).__name__)
        super().__init__(f"{prefix or self.prefix}: {detail}")


class BridgeError(ServerError):
    code = "BridgeError"


class StepExecutionFailedError(ServerError):
    status_code = 502
    code = "StepExecutionFailedError"

    def __init__(self, step_id: str, cause: BaseException | str, *, preview: bool = False) -> None:
        verb = "preview" if preview else "execute"
        super().__init__(cause, prefix=f"Failed to {verb} Step with id: `{step_id}`")


class ProviderExecutionFailedError(ServerError):
    status_code = 502
    code = "ProviderExecutionFailedError"

    def __init__(self, provider_id: str, cause: BaseException | str) -> None:
        super().__init__(cause, prefix=f"Failed to execute Provider with id: `{provider_id}`")


class WorkflowExecutionFailedError(ServerError):
    """The compat route's in-process run raised (FastAPI-era ``500``)."""

    code = "WorkflowExecutionFailedError"

    def __init__(self, workflow_id: str, cause: BaseException | str) -> None:
        super().__init__(cause, prefix=f"Failed to execute workflow with id: `{workflow_id}`")


class MissingDependencyError(ServerError):
    code = "MissingDependencyError"


# -- the Novu API --------------------------------------------------------------


class NovuAPIError(NovuError):
    """The Novu API answered with an error, or could not be reached.

    :param status_code: the API's HTTP status (``502`` when unreachable).
    :param code: the API's ``error`` string.
    :param reason: what went wrong, for the operator (the API URL, the
        network error); logged and shown by the CLI, never sent to a caller.
    """

    code = "NovuAPIError"

    def __init__(
        self,
        message: str,
        *,
        status_code: int = 502,
        code: str | None = None,
        data: t.Any = _MISSING,
        reason: str | None = None,
    ) -> None:
        self.status_code = status_code
        if code:
            self.code = code
        self.reason = reason
        super().__init__(message, data)

    @property
    def wire_code(self) -> str:
        """Always ``BridgeError``: :attr:`code` is the API's own error string."""
        return FALLBACK_WIRE_CODE


__all__ = [
    name
    for name, value in dict(globals()).items()
    if not name.startswith("_") and isinstance(value, type) and issubclass(value, Exception)
]
