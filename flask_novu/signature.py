"""HMAC signatures of bridge requests (the ``novu-signature`` header).

Novu signs every request it sends to a bridge with
``t=<ms since epoch>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`` where
``<body>`` is the compact JSON of the request body, ``{}`` for requests
without one.

.. versionadded:: 0.1
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import time
import typing as t

from ._text import escape_surrogates
from .constants import SIGNATURE_TOLERANCE_MS
from .errors import (
    SignatureExpiredError,
    SignatureInvalidError,
    SignatureMismatchError,
    SignatureNotFoundError,
    SigningKeyNotFoundError,
)

EMPTY_BODY = b"{}"
#: The largest body whose re-serialisation is also tried when a signature
#: does not match its raw bytes (bytes). Novu signs exactly the bytes it
#: sends; the re-serialisation only serves hand-made clients that send a
#: pretty body signed over its compact form. Above this size a wrong
#: signature is rejected after one HMAC over the raw bytes, without parsing.
REPARSE_LIMIT = 256 * 1024


def compact_json(value: t.Any) -> bytes:
    """Serialise ``value`` as JavaScript's ``JSON.stringify`` does for plain
    data (lone surrogates as ``\\uXXXX`` escapes)."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return escape_surrogates(text).encode("utf-8")


def compute_signature(secret: str, timestamp: str, body: bytes) -> str:
    """Lower-case hex HMAC-SHA256 of ``"<timestamp>.<body>"`` keyed by ``secret``."""
    message = timestamp.encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def sign(secret: str, body: t.Any = None, timestamp_ms: int | None = None) -> str:
    """Build a ``novu-signature`` header value, as Novu does.

    :param secret: the Novu secret key.
    :param body: the raw body (``bytes``/``str``) or a JSON-serialisable value;
        ``None`` signs ``{}`` (GET requests).
    :param timestamp_ms: milliseconds since the epoch; defaults to now.
    """
    if timestamp_ms is None:
        timestamp_ms = int(time.time() * 1000)
    if body is None:
        raw = EMPTY_BODY
    elif isinstance(body, bytes):
        raw = body
    elif isinstance(body, str):
        raw = body.encode("utf-8")
    else:
        raw = compact_json(body)
    return f"t={timestamp_ms},v1={compute_signature(secret, str(timestamp_ms), raw)}"


def parse_signature_header(value: str) -> tuple[float, str]:
    """Return ``(timestamp_ms, v1)`` of a header value.

    Fields are split on ``,`` and trimmed, each at its first ``=``; order and
    unknown fields are tolerated and the first occurrence of a key wins.

    :raises SignatureInvalidError: no finite ``t`` or no ``v1``.
    """
    fields: dict[str, str] = {}
    for part in value.split(","):
        key, sep, val = part.strip().partition("=")
        if sep and key and val and key not in fields:
            fields[key] = val
    text = fields.get("t", "nan").strip()
    try:
        # JavaScript's Number() has no digit separators; float() accepts "1_0".
        timestamp = math.nan if "_" in text else float(text)
    except ValueError:
        timestamp = math.nan
    v1 = fields.get("v1", "")
    if not v1 or not math.isfinite(timestamp):
        raise SignatureInvalidError()
    return timestamp, v1


def _timestamp_text(timestamp: float) -> str:
    # String(Number(t)) in JavaScript: integral values print without ".0".
    return str(int(timestamp)) if timestamp.is_integer() else repr(timestamp)


def verify_signature(
    header: str | None,
    keys: t.Sequence[str],
    body: bytes | None | t.Callable[[], bytes | None],
    *,
    now_ms: float | None = None,
    tolerance_ms: int = SIGNATURE_TOLERANCE_MS,
    reparse_limit: int = REPARSE_LIMIT,
) -> None:
    """Check a signature header against the request body.

    :param header: the ``novu-signature`` header value (``None`` if absent).
    :param keys: the accepted secret keys (several during a key rotation).
    :param body: the raw request body; ``None`` for methods without a body
        (then ``{}`` is what was signed). A callable returning it is called
        only once the header has passed the cheap checks, so an unsigned or
        stale request is rejected without reading its body.
    :param reparse_limit: bodies up to this many bytes are also checked in
        their re-serialised form (as the SDK verifies); larger ones only as
        sent, so a wrong signature never costs a parse of a large body.
    :raises SignatureError: one of its subclasses, in the order the official
        SDK checks: not found, no key, invalid, expired, mismatch.
    """
    if not header:
        raise SignatureNotFoundError()
    if not keys:
        raise SigningKeyNotFoundError()
    timestamp, v1 = parse_signature_header(header)
    now = time.time() * 1000 if now_ms is None else now_ms
    if timestamp < now - tolerance_ms or timestamp > now + tolerance_ms:
        raise SignatureExpiredError()
    stamp = _timestamp_text(timestamp)
    if callable(body):
        body = body()
    # Compare bytes: compare_digest() raises TypeError on non-ASCII str.
    given = v1.encode("utf-8", "surrogatepass")
    for candidate in _signed_bodies(body, reparse_limit):
        for key in keys:
            expected = compute_signature(key, stamp, candidate).encode("ascii")
            if hmac.compare_digest(expected, given):
                return
    raise SignatureMismatchError()


def _signed_bodies(body: bytes | None, reparse_limit: int) -> t.Iterator[bytes]:
    """The byte strings a legitimate signer may have signed for ``body``,
    cheapest first."""
    if body is None or not body.strip():
        yield EMPTY_BODY
        return
    yield body
    if len(body) > reparse_limit:
        return
    # The official SDK verifies against the re-serialisation of the parsed
    # body; accept a signature over the compact form of a pretty body too.
    try:
        compact = compact_json(json.loads(body))
    except (ValueError, RecursionError):
        return
    if compact != body:
        yield compact
