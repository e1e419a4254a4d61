"""What a section builder returns (:class:`Section`) and the report's :class:`Context`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rehab_eval.reports.sections import _sink

__all__ = [
    "select_or_refuse",
    "Context",
    "FigureOut",
    "Section",
    "TableOut",
    "latest_event",
    "timepoints",
]


@dataclass
class Context:
    """One report's selection and policy, shared by its sections.

    Attributes
    ----------
    data : object
        The selected tables (``rehab_eval.cohort.select``), or other inputs of a report.
    disclosure : Disclosure
    lang : {"id", "en"}
    period : (start, end) or None
    pre, post : str
        Timepoints of the change estimates.
    flow : dict
        Raw flow counts (step → n), for the sections that nest in it.
    shown : dict
        Display results of earlier sections (step → Shown …) that later ones reuse.
    """

    data: Any
    disclosure: Any
    lang: str = "id"
    period: Any = None
    pre: str = "pre"
    post: str = "post"
    flow: dict[str, int] = field(default_factory=dict)
    shown: dict[str, Any] = field(default_factory=dict)

    @property
    def min_cell(self) -> int:
        """The threshold the plot functions take (1: no suppression)."""
        return self.disclosure.min_cell or 1


@dataclass
class FigureOut:
    """A figure with its title, takeaway and speaker notes."""

    fig: Any
    key: str
    title: str
    takeaway: str
    notes: str | None = None

    def __post_init__(self) -> None:
        import matplotlib.pyplot as plt

        self.fig = (
            getattr(self.fig, "figure", self.fig) if not hasattr(self.fig, "savefig") else self.fig
        )
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        # built now, shown when published: out of pyplot (the inline backend would show it at
        # the end of the building cell) with a canvas of its own for the publisher to render
        plt.close(self.fig)
        if not hasattr(self.fig.canvas, "get_renderer"):
            FigureCanvasAgg(self.fig)


@dataclass
class TableOut:
    """A display-ready table (every cell a string as printed)."""

    frame: Any
    key: str
    caption: str | None = None


@dataclass
class Section:
    """The display-ready output of one report area, in publishing order.

    Attributes
    ----------
    title : str or None
        The section heading.
    items : list
        :class:`FigureOut`, :class:`TableOut` or Markdown strings, in order.
    no_data : str or None
        The one sentence of a section without data (then ``items`` is empty).
    summary : dict
        Display strings for ``summary.json``.
    values : dict
        Display-rounded numbers for ``summary.json`` ``values`` (None where hidden).
    key_points : list of str
        Takeaway sentences a report may lift into its key points.
    narrative : dict
        Sentences a later section (the summary) reuses, by name.
    definitions : list of str
        Lines for the deck's definitions slide.
    """

    title: str | None = None
    items: list[Any] = field(default_factory=list)
    no_data: str | None = None
    summary: dict[str, Any] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)
    key_points: list[str] = field(default_factory=list)
    narrative: dict[str, str] = field(default_factory=dict)
    definitions: list[str] = field(default_factory=list)

    def figures(self) -> list[FigureOut]:
        return [i for i in self.items if isinstance(i, FigureOut)]

    def tables(self) -> dict[str, Any]:
        return {i.key: i.frame for i in self.items if isinstance(i, TableOut)}

    def publish(self) -> None:
        """Send the section through the publish sink (heading, items, summary, values).

        Returns nothing, so that a notebook cell ending with it shows only what the sink
        displayed (no stray representation of the section).
        """
        if self.title:
            _sink.section(self.title)
        if self.no_data:
            _sink.no_data(self.no_data)
        for item in self.items:
            if isinstance(item, FigureOut):
                _sink.figure(
                    item.fig, item.key, title=item.title, takeaway=item.takeaway, notes=item.notes
                )
            elif isinstance(item, TableOut):
                _sink.table(item.frame, item.key, caption=item.caption)
            else:
                _sink.markdown(str(item))
        if self.summary:
            _sink.summary(**self.summary)
        if self.values:
            _sink.values(**self.values)
        if self.definitions:
            _sink.definitions(self.definitions)


def select_or_refuse(processed_dir: Any, *, empty: str, lang: str, **where: Any) -> Any:
    """The processed data selected by :func:`rehab_eval.cohort.select` with ``where``.

    An empty selection is refused with the text ``empty`` (``texts.toml``), given the
    selection and its period in words, so that every report says it the same way.

    Raises
    ------
    InputError
        No client in the selection.
    """
    import rehab_eval
    from rehab_eval import cohort as cohorts
    from rehab_eval.i18n import format_period
    from rehab_eval.reports.sections._texts import say

    chosen = cohorts.select(rehab_eval.load_processed(processed_dir), **where)
    if chosen.enrollments["client_id"].nunique() == 0:
        period = format_period(where.get("period_start"), where.get("period_end"), lang)
        raise rehab_eval.InputError(say(empty, lang, **where, period=period))
    return chosen


def latest_event(chosen: Any) -> Any:
    """The date of the latest event of the selection (NaT without any); reads only ``date``."""
    import pandas as pd

    from rehab_eval.etl.processed import table

    dates = table(chosen, "events", required=False, columns=["date"], keep=())["date"]
    return pd.to_datetime(dates).max()


def timepoints(chosen: Any) -> tuple[str, str] | None:
    """The first and last timepoint scored in the selection (any instrument), in the order of
    :data:`rehab_eval.vocab.TIMEPOINTS`; ``("pre", "post")`` when none is known; None without
    a scores table. Reads only the ``timepoint`` column."""
    from rehab_eval.etl.processed import distinct, table_columns
    from rehab_eval.vocab import TIMEPOINTS

    if table_columns(chosen, "scores") is None:
        return None
    present = {str(t) for t in distinct(chosen, "scores", "timepoint")}
    scored = [tp for tp in TIMEPOINTS if tp in present] or ["pre", "post"]
    return scored[0], scored[-1]
