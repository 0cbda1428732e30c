"""A hang guard for tests that send hostile input: a hang fails the test."""

from __future__ import annotations

import threading
import typing as t


def call(function: t.Callable[[], t.Any], seconds: float = 60) -> t.Any:
    """Run ``function`` in a thread; a hang fails the test instead of blocking it."""
    result: dict[str, t.Any] = {}

    def target() -> None:
        try:
            result["value"] = function()
        except BaseException as exc:  # re-raised below
            result["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still running after {seconds} s"
    if "error" in result:
        raise result["error"]
    return result["value"]
