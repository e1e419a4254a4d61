"""The narrative texts of the sections: :func:`say` fills one in from ``texts.toml``; a report
with a text file of its own (``community.toml``, ``quality_texts.toml`` …) takes its ``say``
from :func:`speaker`."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import Any

from rehab_eval.errors import ConfigError

__all__ = ["in_words", "say", "speaker"]


@cache
def _texts(name: str = "texts.toml") -> dict[str, dict[str, str]]:
    raw = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    return tomllib.loads(raw)


def _fill(name: str, key: str, lang: str, values: dict[str, Any]) -> str:
    if lang not in ("id", "en"):
        raise ConfigError(f"lang={lang!r} is not supported: use one of id, en")
    entry = _texts(name).get(key)
    if entry is None:
        raise ConfigError(f"no section text {key!r}: add it to reports/sections/{name}")
    return entry[lang].format(**values) if values else entry[lang]


def say(key: str, lang: str = "id", /, **values: Any) -> str:
    """The text ``key`` in ``lang`` with its fields filled in (display strings only)."""
    return _fill("texts.toml", key, lang, values)


def speaker(name: str) -> Callable[..., str]:
    """A ``say`` reading the text file ``name`` beside this module (same rules as :func:`say`)."""

    def say_from(key: str, lang: str = "id", /, **values: Any) -> str:
        return _fill(name, key, lang, values)

    say_from.__doc__ = f"The text ``key`` of ``{name}`` in ``lang``, fields filled in."
    return say_from


def in_words(count: str, lang: str = "id") -> str:
    """A published count as a presenter reads it aloud in a sentence: ``"<5"`` → "kurang dari
    5" / "fewer than 5", the mark ``"x"`` (hidden because its difference to another count is
    small, the count itself may be large) → "sejumlah yang disembunyikan" / "a hidden number";
    any other text as it is.

    Tables and figures keep the marks (their legends explain them); a sentence has none.
    """
    text = str(count).strip()
    if text == "x":
        return say("words.hidden", lang)
    if text.startswith("<") and text[1:].strip().isdigit():
        return say("words.fewer", lang, n=text[1:].strip())
    return text
