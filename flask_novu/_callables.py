"""How to call user callables (resolvers, skip predicates, providers).

The answers depend only on a function's code object, and the resolvers of a
workflow are re-created (same code, new closure) on every request, so they
are cached per code object.
"""

from __future__ import annotations

import inspect
import types
import typing as t

_CACHE_LIMIT = 50_000
_arity: dict[types.CodeType, int] = {}
_keywords: dict[tuple[types.CodeType, tuple[str, ...]], bool] = {}
_async: dict[types.CodeType, bool] = {}


def _plain_code(func: t.Any) -> types.CodeType | None:
    return func.__code__ if isinstance(func, types.FunctionType) else None


def positional_arity(func: t.Callable[..., t.Any]) -> int:
    """How many positional arguments ``func`` accepts (2 stands for "many")."""
    code = _plain_code(func)
    if code is not None:
        cached = _arity.get(code)
        if cached is not None:
            return cached
    try:
        params = inspect.signature(func).parameters.values()
    except (TypeError, ValueError):
        return 1
    count = 0
    for param in params:
        if param.kind is param.VAR_POSITIONAL:
            count = 2
            break
        if param.kind in (param.POSITIONAL_ONLY, param.POSITIONAL_OR_KEYWORD):
            count += 1
    if code is not None and len(_arity) < _CACHE_LIMIT:
        _arity[code] = count
    return count


def accepts_keywords(func: t.Callable[..., t.Any], names: tuple[str, ...]) -> bool:
    """Whether ``func`` can be called with all of ``names`` as keywords."""
    code = _plain_code(func)
    key = (code, names) if code is not None else None
    if key is not None:
        cached = _keywords.get(key)
        if cached is not None:
            return cached
    try:
        params = inspect.signature(func).parameters
    except (TypeError, ValueError):
        return False
    result = any(p.kind is p.VAR_KEYWORD for p in params.values()) or all(
        name in params for name in names
    )
    if key is not None and len(_keywords) < _CACHE_LIMIT:
        _keywords[key] = result
    return result


def is_async_callable(obj: t.Any) -> bool:
    """True for ``async def`` functions and objects whose ``__call__`` is one."""
    if isinstance(obj, types.FunctionType):
        cached = _async.get(obj.__code__)
        if cached is None:
            cached = inspect.iscoroutinefunction(obj)
            if len(_async) < _CACHE_LIMIT:
                _async[obj.__code__] = cached
        return cached
    while hasattr(obj, "func") and hasattr(obj, "args"):  # functools.partial
        obj = obj.func
    return inspect.iscoroutinefunction(obj) or inspect.iscoroutinefunction(
        getattr(obj, "__call__", None)  # noqa: B004 - the method, not callability
    )
