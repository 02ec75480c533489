"""Things built from the deployment's configuration once, not on every message.

The config objects are frozen but not hashable (they hold lists), so :func:`per_object` remembers by
identity, keeping the object itself so a recycled id never returns another's result.
"""

from __future__ import annotations

from functools import wraps
from typing import Callable, TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: A server has one deployment; the tests build many, so a few are kept and then all are forgotten.
KEEP = 16


def per_object(build: Callable[[T], R]) -> Callable[[T], R]:
    """``build(obj)`` computed once per object and remembered (by identity)."""
    built: dict[int, tuple[T, R]] = {}

    @wraps(build)
    def once(obj: T) -> R:
        known = built.get(id(obj))
        if known is None or known[0] is not obj:
            if len(built) >= KEEP:
                built.clear()
            known = built[id(obj)] = (obj, build(obj))
        return known[1]

    return once
