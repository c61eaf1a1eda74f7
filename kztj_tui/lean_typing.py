"""What the warm commands need of :mod:`typing`, without importing it.

Importing typing costs ~2 ms, and it brings :mod:`re` and :mod:`enum` (~4 ms more): a third of a
warm ``kztj search``. The modules on that path take ``TYPE_CHECKING`` and ``NamedTuple`` from here.
mypy is shown typing's own (it treats any name ``TYPE_CHECKING`` as true); at run time a class
written ``class Row(NamedTuple)`` becomes the ``collections.namedtuple`` class typing would make.
"""

from __future__ import annotations

from collections import namedtuple

TYPE_CHECKING = False

# What typing.NamedTuple's class syntax neither copies from the body nor lets it set (Python 3.11's lists).
_NOT_COPIED = frozenset({"__module__", "__name__", "__annotations__"})
_PROHIBITED = frozenset(
    (
        "__new__",
        "__init__",
        "__slots__",
        "__getnewargs__",
        "_fields",
        "_field_defaults",
        "_make",
        "_replace",
        "_asdict",
        "_source",
    )
)

if TYPE_CHECKING:
    from typing import NamedTuple as NamedTuple
else:

    class _NamedTupleMaker(type):
        """Makes a ``collections.namedtuple`` class from a class body, as ``typing.NamedTuple`` does."""

        def __new__(cls, name, bases, namespace):
            if not bases:  # NamedTuple itself
                return super().__new__(cls, name, bases, namespace)
            if len(bases) != 1:
                raise TypeError(f"{name}: a NamedTuple class has no other base")
            annotations = namespace.get("__annotations__", {})
            defaults = [field for field in annotations if field in namespace]
            if defaults != list(annotations)[len(annotations) - len(defaults) :]:
                raise TypeError(f"{name}: a field without a default follows one with a default")
            made = namedtuple(
                name, annotations, defaults=[namespace[f] for f in defaults], module=namespace["__module__"]
            )
            made.__annotations__ = made.__new__.__annotations__ = dict(annotations)
            for key, value in namespace.items():
                if key in _PROHIBITED:
                    raise AttributeError(f"cannot overwrite NamedTuple attribute {key}")
                if key not in _NOT_COPIED and key not in annotations:
                    setattr(made, key, value)
            return made

    class NamedTuple(metaclass=_NamedTupleMaker):
        """Base of a named tuple written as a class: ``class Row(NamedTuple): id: str``."""
