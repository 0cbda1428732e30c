"""Running user code that may be ``async`` from synchronous callers."""

from __future__ import annotations

import asyncio
import contextvars
import inspect
import sys
import threading
import typing as t

from asgiref.sync import async_to_sync as _asgiref_async_to_sync

T = t.TypeVar("T")
AsyncToSync = t.Callable[..., t.Callable[..., t.Any]]


def default_async_to_sync(func: t.Callable[..., t.Awaitable[T]]) -> t.Callable[..., T]:
    """Pick how to run ``func`` from synchronous code.

    * inside a Flask app context: the app's ``async_to_sync`` (so apps that
      override it keep working);
    * inside a running event loop (where asgiref refuses): a private event
      loop in a helper thread;
    * otherwise asgiref's ``async_to_sync``.
    """
    flask_app = _current_flask_app()
    if flask_app is not None:
        return t.cast(t.Callable[..., T], flask_app.async_to_sync(func))
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _asgiref_async_to_sync(func)

    def run_in_thread(*args: t.Any, **kwargs: t.Any) -> T:
        box: dict[str, t.Any] = {}
        # The caller's context variables (the current execution...) go along.
        context = contextvars.copy_context()

        def target() -> None:
            try:
                box["value"] = context.run(asyncio.run, _as_coroutine(func(*args, **kwargs)))
            except BaseException as exc:  # re-raised in the caller's thread
                box["error"] = exc

        thread = threading.Thread(target=target, name="flask-novu-async")
        thread.start()
        thread.join()
        if "error" in box:
            raise box["error"]
        return t.cast(T, box["value"])

    return run_in_thread


def _current_flask_app() -> t.Any:
    """The current Flask app, if Flask is imported and an app context is pushed."""
    flask = sys.modules.get("flask")
    if flask is None or not flask.has_app_context():
        return None
    return flask.current_app._get_current_object()


async def _as_coroutine(awaitable: t.Awaitable[T]) -> T:
    return await awaitable


class SuspendedError(RuntimeError):
    """A coroutine driven inline tried to wait on an event loop."""


def run_inline(coro: t.Coroutine[t.Any, t.Any, T]) -> T:
    """Drive ``coro`` to completion without an event loop.

    Used for the engine's own coroutines when every user callable involved is
    synchronous: they never suspend, so no event loop (and no thread hop) is
    needed.

    :raises SuspendedError: the coroutine suspended after all.
    """
    try:
        coro.send(None)
    except StopIteration as stop:
        return t.cast(T, stop.value)
    coro.close()
    raise SuspendedError(
        "a synchronous step callable returned an awaitable that waits on an event loop; "
        "declare it with `async def`"
    )


#: Result types that are never awaitable (checked before the general test).
_PLAIN = frozenset({dict, list, str, int, float, bool, type(None), tuple})


async def maybe_await(value: t.Any) -> t.Any:
    """Await ``value`` if it is awaitable, else return it."""
    if type(value) not in _PLAIN and inspect.isawaitable(value):
        return await value
    return value
