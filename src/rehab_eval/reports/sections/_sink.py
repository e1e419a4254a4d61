"""The calls of the publish contract, with the smallest fallback where a sink lacks one.

:mod:`rehab_eval.reports.publish` is the one sink of every report. The section builders
call it only through these functions, so that a sink that does not yet take a keyword of
the contract (``disclosure=``, ``notes=``, ``key_points``, ``section``, ``no_data``) still
receives everything it can show: a heading or sentence as Markdown, the notes dropped.
"""

from __future__ import annotations

import inspect
from typing import Any


def _publish() -> Any:
    from rehab_eval.reports import publish

    return publish


def _accepts(func: Any, name: str) -> bool:
    try:
        return name in inspect.signature(func).parameters
    except (TypeError, ValueError):  # pragma: no cover - builtins
        return False


def start(output_dir: Any, *, title: str, subtitle: str, lang: str, report: str, disclosure: Any, office: Any = None) -> None:
    publish = _publish()
    extra: dict[str, Any] = {}
    if _accepts(publish.start, "disclosure"):
        extra["disclosure"] = disclosure
    if office is not None and _accepts(publish.start, "office"):
        extra["office"] = office
    publish.start(output_dir, title=title, subtitle=subtitle, lang=lang, report=report, **extra)


def section(title: str) -> None:
    publish = _publish()
    if hasattr(publish, "section"):
        publish.section(title)
    else:
        publish.markdown(f"## {title}")


def no_data(sentence: str) -> None:
    publish = _publish()
    if hasattr(publish, "no_data"):
        publish.no_data(sentence)
    else:
        publish.markdown(sentence)


def key_points(sentences: list[str]) -> None:
    publish = _publish()
    if hasattr(publish, "key_points"):
        publish.key_points(sentences)
    else:
        publish.markdown("\n".join(f"- {s}" for s in sentences))


def figure(fig: Any, key: str, *, title: str, takeaway: str, notes: str | None = None) -> None:
    publish = _publish()
    if notes is not None and _accepts(publish.figure, "notes"):
        publish.figure(fig, key, title=title, takeaway=takeaway, notes=notes)
    else:
        publish.figure(fig, key, title=title, takeaway=takeaway)


def table(frame: Any, key: str, *, caption: str | None = None) -> None:
    _publish().table(frame, key, caption=caption)


def markdown(text: str) -> None:
    _publish().markdown(text)


def summary(**strings: Any) -> None:
    _publish().summary(**strings)


def values(**numbers: Any) -> None:
    _publish().values(**numbers)


def definitions(lines: list[str]) -> None:
    _publish().definitions(lines)
