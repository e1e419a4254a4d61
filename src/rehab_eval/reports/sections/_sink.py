"""The calls of the publish contract (:mod:`rehab_eval.reports.publish`) the sections make.

One place where the publication layer meets the sink: every heading, figure, table,
sentence, summary string and value of a report goes through these functions.
"""

from __future__ import annotations

from typing import Any


def _publish() -> Any:
    from rehab_eval.reports import publish

    return publish


def start(
    output_dir: Any,
    *,
    title: str,
    subtitle: str,
    lang: str,
    report: str,
    disclosure: Any,
    office: Any = None,
) -> None:
    _publish().start(
        output_dir,
        title=title,
        subtitle=subtitle,
        lang=lang,
        report=report,
        disclosure=disclosure,
        office=office,
    )


def section(title: str) -> None:
    _publish().section(title)


def no_data(sentence: str) -> None:
    _publish().no_data(sentence)


def key_points(sentences: list[str]) -> None:
    _publish().key_points(sentences)


def figure(fig: Any, key: str, *, title: str, takeaway: str, notes: str | None = None) -> None:
    _publish().figure(fig, key, title=title, takeaway=takeaway, notes=notes)


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
