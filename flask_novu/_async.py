"""Running user code that may be ``async`` from synchronous callers."""

from __future__ import annotations

import asyncio
import atexit
import contextvars
import inspect
import sys
import threading
import typing as t

T = t.TypeVar("T")
AsyncToSync = t.Callable[..., t.Callable[..., t.Any]]


def default_async_to_sync(func: t.Callable[..., t.Awaitable[T]]) -> t.Callable[..., T]:
    """Pick how to run ``func`` from synchronous code.

    * inside a Flask app context whose app overrides ``async_to_sync``: the
      app's method (so apps that override it keep working);
    * otherwise :func:`run_on_thread_loop`: the event loop of the calling
      thread, or a helper thread when that thread already runs a loop.
    """
    flask_app = _current_flask_app()
    if flask_app is not None:
        return t.cast(t.Callable[..., T], effective_async_to_sync(flask_app.async_to_sync)(func))
    return run_on_thread_loop(func)


def effective_async_to_sync(async_to_sync: AsyncToSync) -> AsyncToSync:
    """``async_to_sync`` itself, unless it is Flask's own default method.

    Flask's default (``asgiref.sync.async_to_sync``) starts a thread and an
    event loop for every call; an app that does not override the method gets
    :func:`run_on_thread_loop` instead, which keeps what the default
    guarantees (app context, contextvars in and out, real awaits) without the
    thread. An override, on the class or on the instance, is used as it is.
    """
    flask = sys.modules.get("flask")
    method = getattr(async_to_sync, "__func__", None)
    if method is not None and flask is not None and method is flask.Flask.async_to_sync:
        return run_on_thread_loop
    return async_to_sync


# -- one event loop per thread ------------------------------------------------------


class _TaskCounter:
    """A task factory that counts the tasks created on a loop."""

    __slots__ = ("count",)

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, loop: asyncio.AbstractEventLoop, coro: t.Any, **kwargs: t.Any) -> asyncio.Task[t.Any]:
        self.count += 1
        return asyncio.Task(coro, loop=loop, **kwargs)


class _ThreadLoop:
    """The event loop owned by one thread; closed when the thread ends.

    It counts the tasks created on it, so that a run which created no task
    besides its own skips the search for tasks left running. Nothing in it
    refers back to it, so it is released (and the loop closed) as soon as
    its thread ends, without waiting for the garbage collector.
    """

    __slots__ = ("loop", "tasks")

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.tasks = _TaskCounter()
        self.loop.set_task_factory(self.tasks)

    def close(self) -> None:
        loop = self.loop
        if not loop.is_closed() and not loop.is_running():
            loop.close()

    def __del__(self) -> None:  # the thread ended: its locals are released
        try:
            self.close()
        except Exception:  # pragma: no cover - interpreter shutdown
            pass


_local = threading.local()


def _thread_loop() -> _ThreadLoop:
    holder: _ThreadLoop | None = getattr(_local, "holder", None)
    if holder is None or holder.loop.is_closed():
        holder = _local.holder = _ThreadLoop()
        if threading.current_thread() is threading.main_thread():
            atexit.register(holder.close)
    return holder


def run_on_thread_loop(func: t.Callable[..., t.Awaitable[T]]) -> t.Callable[..., T]:
    """Run ``func`` to completion on the calling thread's own event loop.

    Each thread that runs async code gets one event loop, created on first
    use, reused by later calls and closed when the thread ends (so a pool of
    worker threads keeps one loop per thread, and no thread is started per
    call). Like Flask's default ``async_to_sync``:

    * the coroutine sees the caller's context variables (Flask's app and
      request contexts among them), and variables it sets are set in the
      caller afterwards;
    * tasks it leaves running are cancelled when it returns, as
      :func:`asyncio.run` does;
    * when the calling thread already runs an event loop (``func`` is called
      from async code through sync code), it runs on a fresh loop in a
      helper thread instead, since a loop cannot be re-entered.
    """

    def runner(*args: t.Any, **kwargs: t.Any) -> T:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            pass
        else:
            return _run_in_helper_thread(func, args, kwargs)
        holder = _thread_loop()
        loop, tasks = holder.loop, holder.tasks
        # An exception out of the loop keeps this frame alive (asyncio's
        # frames and the task's traceback form a cycle): holding the holder
        # here would keep the loop open after its thread ended, until the
        # garbage collector ran.
        del holder
        created = tasks.count
        box: list[contextvars.Context] = []
        try:
            return loop.run_until_complete(_main(func, args, kwargs, box))
        finally:
            # Only this run's own task was created (and the factory is still
            # ours): nothing can be left running.
            if tasks.count - created != 1 or loop.get_task_factory() is not tasks:
                _cancel_leftovers(loop)
            if box:
                _restore_context(box[0])

    return runner


async def _main(
    func: t.Callable[..., t.Awaitable[T]], args: t.Any, kwargs: t.Any, box: list[contextvars.Context]
) -> T:
    try:
        return await func(*args, **kwargs)
    finally:
        box.append(contextvars.copy_context())


def _restore_context(context: contextvars.Context) -> None:
    """Set in the caller the context variables the coroutine changed."""
    for variable, value in context.items():
        try:
            if variable.get() is value:
                continue
        except LookupError:
            pass
        variable.set(value)


def _cancel_leftovers(loop: asyncio.AbstractEventLoop) -> None:
    """Cancel the tasks a run left behind and let them finish (as asyncio.run)."""
    leftovers = asyncio.all_tasks(loop)
    if not leftovers:
        return
    for task in leftovers:
        task.cancel()
    loop.run_until_complete(asyncio.gather(*leftovers, return_exceptions=True))
    for task in leftovers:
        if not task.cancelled() and task.exception() is not None:
            loop.call_exception_handler(
                {"message": "unhandled exception in a task left running", "exception": task.exception(), "task": task}
            )


def _run_in_helper_thread(func: t.Callable[..., t.Awaitable[T]], args: t.Any, kwargs: t.Any) -> T:
    """Run ``func`` on a private event loop in a helper thread, in the caller's context."""
    result: dict[str, t.Any] = {}
    box: list[contextvars.Context] = []
    context = contextvars.copy_context()

    def target() -> None:
        try:
            result["value"] = context.run(asyncio.run, _main(func, args, kwargs, box))
        except BaseException as exc:  # re-raised in the caller's thread
            result["error"] = exc

    thread = threading.Thread(target=target, name="flask-novu-async")
    thread.start()
    thread.join()
    if box:
        _restore_context(box[0])
    if "error" in result:
        raise result["error"]
    return t.cast(T, result["value"])


def _current_flask_app() -> t.Any:
    """The current Flask app, if Flask is imported and an app context is pushed."""
    flask = sys.modules.get("flask")
    if flask is None or not flask.has_app_context():
        return None
    return flask.current_app._get_current_object()


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
