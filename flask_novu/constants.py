"""Protocol constants of the Novu Bridge (framework version ``2024-06-26``)."""

from __future__ import annotations

#: The protocol date the official SDK reports; unchanged since 2024.
FRAMEWORK_VERSION = "2024-06-26"

#: The value of ``novu-framework-server`` on every bridge response.
FRAMEWORK_SERVER = "flask"

DEFAULT_ACTION = "health-check"

#: GET actions, in the order the SDK lists them in ``InvalidActionError``.
GET_ACTIONS = ("discover", "health-check", "code")
#: POST actions, in the order the SDK lists them in ``InvalidActionError``.
POST_ACTIONS = ("trigger", "execute", "preview", "agent-event")

SIGNATURE_HEADER = "novu-signature"
LEGACY_SIGNATURE_HEADER = "x-novu-signature"
#: Accepted clock skew of a signature timestamp, in milliseconds.
SIGNATURE_TOLERANCE_MS = 5 * 60 * 1000

DEFAULT_API_URL = "https://api.novu.co"
#: Seconds a call to the Novu API made while a request is being handled may
#: take in all, retries and waits included (well under a worker timeout).
DEFAULT_API_REQUEST_DEADLINE = 10.0
EU_API_URL = "https://eu.api.novu.co"
DEFAULT_ROUTE = "/api/novu"
#: Default bridge body limit: Novu events can reach 20-30 MB.
DEFAULT_MAX_CONTENT_LENGTH = 32 * 1024 * 1024
