"""Value objects made by the thousand: a frozen, slotted dataclass's fields set directly."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any


def slot_setters(cls: type) -> Iterator[Callable[[Any, Any], None]]:
    """The setter of each of ``cls``'s slots, in field order. Calling one sets that field of an
    instance directly, where a frozen dataclass's own ``__init__`` goes through
    ``object.__setattr__`` at twice the cost. Unpacked into one name a field, so that a field
    added to ``cls`` fails on import until it is set too."""
    return (getattr(cls, name).__set__ for name in vars(cls)["__slots__"])
