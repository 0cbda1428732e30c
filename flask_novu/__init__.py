"""Flask-Novu: serve Novu notification workflows from a Flask app.

.. versionadded:: 0.1
"""

from __future__ import annotations

__version__ = "0.1.0"

from .engine import Bridge, Event  # noqa: E402
from .errors import NovuError  # noqa: E402
from .execution import Execution, current_execution  # noqa: E402
from .extension import Novu  # noqa: E402
from .registration import register_bridges, serve  # noqa: E402
from .steps import AsyncStep, Step  # noqa: E402
from .views import NovuBridgeView  # noqa: E402
from .workflows import Workflow, workflow  # noqa: E402

__all__ = [
    "AsyncStep",
    "Bridge",
    "Event",
    "Execution",
    "Novu",
    "NovuBridgeView",
    "NovuError",
    "Step",
    "Workflow",
    "__version__",
    "current_execution",
    "register_bridges",
    "serve",
    "workflow",
]
