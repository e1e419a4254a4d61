"""Old keyword names kept for one release behind a ``DeprecationWarning``.

A public function that renamed a parameter takes ``**deprecated`` and starts with
``client, timepoint = renamed("paired", deprecated, client=client, timepoint=timepoint)``:
the old names below are accepted with a warning, anything else is a ``TypeError`` as
usual. Its signature shows only the new names.
"""

from __future__ import annotations

import warnings
from typing import Any

__all__ = ["OLD_NAMES", "renamed"]

#: old keyword -> new keyword, across the public API
OLD_NAMES = {
    "id": "client",
    "time": "timepoint",
    "confidence": "conf_level",
    "duration_unit": "unit",
    "group": "by",
}


def renamed(func: str, deprecated: dict[str, Any], **current: Any) -> tuple[Any, ...]:
    """The values of ``current`` (in order), replaced by any old-named keyword given.

    Each old name given raises a ``DeprecationWarning`` naming the new one; its value wins
    over the new name's. Raises ``TypeError`` for a keyword that is neither, as Python
    would.
    """
    values = dict(current)
    for old, value in deprecated.items():
        new = OLD_NAMES.get(old)
        if new is None or new not in values:
            raise TypeError(f"{func}() got an unexpected keyword argument {old!r}")
        warnings.warn(
            f"{func}(): {old}= is deprecated and will be removed in the next release; "
            f"use {new}= instead.",
            DeprecationWarning,
            stacklevel=3,
        )
        values[new] = value
    return tuple(values.values())
