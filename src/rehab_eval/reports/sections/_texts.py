"""The narrative texts of the sections (``texts.toml``): :func:`say` fills one in."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from importlib import resources
from typing import Any

from rehab_eval.errors import ConfigError

__all__ = ["say"]


@lru_cache(maxsize=1)
def _texts() -> dict[str, dict[str, str]]:
    raw = resources.files(__package__).joinpath("texts.toml").read_text(encoding="utf-8")
    return tomllib.loads(raw)


def say(key: str, lang: str = "id", /, **values: Any) -> str:
    """The text ``key`` in ``lang`` with its fields filled in (display strings only)."""
    if lang not in ("id", "en"):
        raise ConfigError(f"lang={lang!r} is not supported: use one of id, en")
    entry = _texts().get(key)
    if entry is None:
        raise ConfigError(f"no section text {key!r}: add it to reports/sections/texts.toml")
    return entry[lang].format(**values) if values else entry[lang]
