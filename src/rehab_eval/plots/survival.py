"""Recidivism figures: Kaplan–Meier curves with an at-risk table, re-offending at windows.

Both draw what :mod:`rehab_eval.recidivism` returns and compute no statistics; the number at
risk under the axis is read from the ``at_risk`` column and written through
:func:`rehab_eval.privacy.format_count`.
"""

from __future__ import annotations

import math
from typing import Any

from rehab_eval._deprecation import renamed
from rehab_eval.errors import InputError
from rehab_eval.i18n import format_number, format_percent, t
from rehab_eval.plots._frame import (
    check_columns,
    decorate,
    fit_left_margin,
    group_label,
    make_axes,
    n_phrase,
    percent_axis,
    resolve_texts,
)
from rehab_eval.plots.style import GREY, group_colors, level_color, slide_style
from rehab_eval.privacy import format_count, is_suppressed

__all__ = ["RATE_ESTIMATES", "at_risk_at", "plot_km", "plot_rates_at"]

_ROW_PT = 26  # height of one at-risk row, points
_TABLE_TOP_PT = 62  # from the axis to the at-risk header, points

#: (estimate, interval low, interval high) columns tried in order by :func:`plot_rates_at`.
RATE_ESTIMATES = (
    ("km_cum_incidence", "km_ci_low", "km_ci_high"),
    ("km_risk", "km_ci_low", "km_ci_high"),
    ("cum_incidence", "ci_low", "ci_high"),
    ("share", "share_ci_low", "share_ci_high"),
    ("share", "ci_low", "ci_high"),
)


def at_risk_at(km_group: Any, times: Any) -> list[float]:
    """Number at risk at each of ``times``, looked up in one group's KM table.

    The table has a row per distinct time with ``at_risk`` = clients still followed just
    before that time. At a time ``x`` the number at risk is the ``at_risk`` of the first
    row with ``time >= x``; past the last row it is that row's ``at_risk − events −
    censored`` (0 when those columns are missing). A lookup, not an estimate.
    """
    time = [float(v) for v in km_group["time"]]
    risk = [float(v) for v in km_group["at_risk"]]
    order = sorted(range(len(time)), key=time.__getitem__)
    out = []
    for x in times:
        later = [i for i in order if time[i] >= x]
        if later:
            out.append(risk[later[0]])
        elif order:
            last = order[-1]
            gone = sum(
                float(km_group[c].iloc[last]) for c in ("events", "censored") if c in km_group
            )
            out.append(max(risk[last] - gone, 0.0) if gone else 0.0)
        else:
            out.append(0.0)
    return out


def _risk_text(n: Any, time: float, group: Any, cut: Any, min_cell: int, lang: str) -> str:
    """The number at risk under the axis; with a cut, ``"<10"`` from the group's cut time on."""
    import math

    if cut is not None:
        cut_at = cut.cut_time(group)
        before = math.isnan(cut_at) or time < cut_at
        if not (before and n == n and n >= cut.threshold):
            return f"<{cut.threshold}"
    return format_count(n, min_cell, lang)


def plot_km(
    km: Any,
    *,
    lang: str = "id",
    min_cell: int = 5,
    title: str | None = None,
    subtitle: str | None = None,
    source: str | None = None,
    period: Any = None,
    at_risk: Any = None,
    times: Any = None,
    unit: str | None = None,
    time_label: str | None = None,
    y_min: float | None = None,
    ax: Any = None,
    cut: Any = None,
) -> Any:
    """Kaplan–Meier curves with their interval bands and the number at risk under the axis.

    Parameters
    ----------
    km : KaplanMeier or DataFrame
        ``rehab_eval.recidivism.kaplan_meier(...)``, or a table like its ``.table``:
        ``group`` ("all" without ``by``), ``time``, ``at_risk``, ``events``, ``censored``,
        ``survival``, ``ci_low``, ``ci_high``; one row per group × distinct time. A
        :class:`~rehab_eval.recidivism.KaplanMeier` also gives the n of each group and the
        unit of time.
    lang, min_cell, title, subtitle, source, period, ax
        As in :func:`rehab_eval.plots.plot_flow`; the at-risk counts go through
        ``format_count`` (a group with 3 clients left shows ``<5``).
    cut : KMCut, optional
        :func:`rehab_eval.disclosure.truncate_km` of ``km``: each curve stops at its cut
        time (the risk set under the display threshold) and the numbers at risk read
        ``"<10"`` from it on. Omitted in ``internal`` reports (the full curves).
    at_risk : KaplanMeier or DataFrame, optional
        ``kaplan_meier(..., times=[0, 6, 12, …])`` of the same follow-up: its times are the
        columns of the at-risk table and its ``at_risk`` values are printed as they are
        (the exact way). Without it the numbers are looked up in ``km`` with
        :func:`at_risk_at`, which is exact only when ``km`` has a row at every distinct
        time (``kaplan_meier(..., all_times=True)``); with event times only, clients
        censored between a tick and the next event are missed.
    times : sequence of float, optional
        Ticks of the time axis and columns of the at-risk table (default: the times of
        ``at_risk``, else about six round values from 0 to the last time).
    unit : {"months", "weeks", "days"}, optional
        Unit of ``time``, for the default axis label (default: the ``unit`` of the
        :class:`~rehab_eval.recidivism.KaplanMeier` when it knows it, else months).
    time_label : str, optional
        Label of the time axis (default "Bulan sejak awal pengamatan" / "Months since
        start of follow-up", or weeks/days after ``unit``).
    y_min : float, optional
        Lower end of the survival axis (default 0, or a round value under the lowest
        interval limit when every curve stays above 60 %, so that differences show; the
        axis then does not start at 0 and its ticks say so).

    Returns
    -------
    matplotlib.axes.Axes
        Curves start at (0, 100%) and step down after each event time (``where="post"``);
        the subtitle gives the n of each group (``at_risk`` at time 0).
    """
    sizes = dict(getattr(km, "sizes", None) or {})
    unit = unit or getattr(km, "unit", None) or "months"
    km = getattr(km, "table", km)
    full = km
    if cut is not None:  # each curve stops where its risk set falls under the threshold
        km = cut.table
    if at_risk is not None:
        at_risk = getattr(at_risk, "table", at_risk)
    check_columns(km, ["group", "time", "at_risk", "survival", "ci_low", "ci_high"], "plot_km")
    from matplotlib.ticker import MaxNLocator

    groups = list(dict.fromkeys(km["group"]))
    t_max = float(full["time"].max()) if len(full) else 1.0
    if times is None and at_risk is not None:
        check_columns(at_risk, ["group", "time", "at_risk"], "plot_km(at_risk=)")
        times = sorted({float(v) for v in at_risk["time"]})
    if times is None:
        times = [
            v
            for v in MaxNLocator(nbins=6, steps=[1, 2, 3, 6, 10]).tick_values(0, t_max)
            if 0 <= v <= t_max * 1.001
        ]
    times = [float(v) for v in times]
    colors = group_colors(groups)  # risk levels light → dark, the same on every slide
    with slide_style():
        fig, ax, own = make_axes(ax)
        starts = []
        for k, g in enumerate(groups):
            part = km[km["group"] == g].sort_values("time")
            whole = full[full["group"] == g].sort_values("time")
            color = colors[k % len(colors)]
            x = [0.0] + [float(v) for v in part["time"]]
            y = [1.0] + [float(v) for v in part["survival"]]
            low = [1.0] + [float(v) for v in part["ci_low"]]
            high = [1.0] + [float(v) for v in part["ci_high"]]
            name = group_label(g, lang)
            ax.fill_between(x, low, high, step="post", color=color, alpha=0.15, linewidth=0)
            ax.step(x, y, where="post", color=color, linewidth=3, label=name)
            if at_risk is not None:
                table = at_risk[at_risk["group"] == g]
                lookup = dict(zip(table["time"].astype(float), table["at_risk"], strict=True))
                risk = [lookup.get(x_t, float("nan")) for x_t in times]
            else:
                lookup = {}
                risk = at_risk_at(whole, times)
            start = sizes.get(str(g), at_risk_at(whole, [0.0])[0])
            if at_risk is not None and 0.0 in lookup:
                start = lookup[0.0]
            starts.append(start)
            row = _TABLE_TOP_PT + _ROW_PT * (k + 1)
            for x_t, n in zip(times, risk, strict=True):
                ax.annotate(
                    _risk_text(n, x_t, g, cut, min_cell, lang),
                    (x_t, 0),
                    xycoords=("data", "axes fraction"),
                    xytext=(0, -row),
                    textcoords="offset points",
                    ha="center",
                    va="top",
                    fontsize=15,
                    color=color if len(groups) > 1 else "#222222",
                )
            ax.annotate(
                name,
                (0, 0),
                xycoords="axes fraction",
                xytext=(-40, -row),
                textcoords="offset points",
                ha="right",
                va="top",
                fontsize=15,
                color=color if len(groups) > 1 else "#222222",
            )
        ax.annotate(
            t("axis.at_risk", lang),
            (0, 0),
            xycoords="axes fraction",
            xytext=(-40, -_TABLE_TOP_PT),
            textcoords="offset points",
            ha="right",
            va="top",
            fontsize=15,
            fontweight="bold",
            color=GREY,
        )
        ax.set_xticks(
            times, [format_number(v, 0 if float(v).is_integer() else 1, lang) for v in times]
        )
        ax.set_xlim(0, max(times[-1] if times else t_max, t_max) * 1.02)
        if y_min is None:
            lowest = min([v for v in km["ci_low"].astype(float) if v == v] + [1.0])
            y_min = 0.0 if lowest < 0.6 else max(0.0, math.floor((lowest - 0.05) * 10) / 10)
        ax.set_ylim(y_min, 1.01)
        percent_axis(ax.yaxis, lang)
        ax.set_xlabel(time_label or t(f"axis.time_{unit}", lang), labelpad=2)
        ax.set_ylabel(t("axis.survival", lang))
        if len(groups) > 1:
            ax.legend(loc="lower left", fontsize=16)
        n_text = None
        extra: list[str] = []
        if len(groups) == 1:
            n_text = format_count(starts[0], min_cell, lang)
        else:
            extra = [
                "n: "
                + ", ".join(
                    f"{group_label(g, lang)} {format_count(n, min_cell, lang)}"
                    for g, n in zip(groups, starts, strict=True)
                )
            ]
        texts = resolve_texts(
            lang,
            title=title,
            subtitle=subtitle,
            source=source,
            title_key="fig.km.title",
            n=n_text,
            period=period,
            extra=extra,
        )
        depth_pt = _TABLE_TOP_PT + _ROW_PT * (len(groups) + 1) + 22
        bottom = (depth_pt / 72 + 0.35) / fig.get_size_inches()[1]
        decorate(fig, ax, texts, own=own, left=0.2, top=0.8, bottom=bottom, source_offset=depth_pt)
    return ax


def _rate_columns(rates: Any, estimate: str | None, low: str | None, high: str | None) -> tuple:
    if estimate is not None:
        return estimate, low, high
    for est, lo, hi in RATE_ESTIMATES:
        if est in rates.columns and lo in rates.columns and hi in rates.columns:
            return est, lo, hi
    raise InputError(
        "plot_rates_at: no estimate columns found (tried "
        + ", ".join(f"{e}/{lo}/{hi}" for e, lo, hi in RATE_ESTIMATES)
        + f"; the frame has {list(rates.columns)}); name them with estimate=, low=, high="
    )


def plot_rates_at(
    rates: Any,
    *,
    lang: str = "id",
    min_cell: int = 5,
    title: str | None = None,
    subtitle: str | None = None,
    source: str | None = None,
    period: Any = None,
    estimate: str | None = None,
    low: str | None = None,
    high: str | None = None,
    events: str | None = None,
    by: str | None = None,
    ax: Any = None,
    **deprecated: Any,
) -> Any:
    """Share re-offended by 6 / 12 / 24 months (bars per window, one colour per group).

    Parameters
    ----------
    rates : RatesAt or DataFrame
        ``rehab_eval.recidivism.rates_at(...)`` or a table like its ``.table``: ``window`` and ``unit`` (months, weeks or
        days), optionally a group column, ``n`` (clients per group, for the subtitle), and
        an estimate with its interval (shares 0–1). By default the first of
        :data:`RATE_ESTIMATES` found is drawn: ``km_cum_incidence`` (1 − S(window), which
        counts censored clients correctly) before the simple ``share``.
    lang, min_cell, title, subtitle, source, period, ax
        As in :func:`rehab_eval.plots.plot_flow`.
    estimate, low, high : str, optional
        Column names of the estimate and its interval, to override the default.
    events : str, optional
        Column with the number of events behind each bar (default the first of
        ``events``, ``n_events`` present). A bar whose count is under ``min_cell`` is
        not drawn (its height would reveal it), only labelled ``<5``.
    by : str, optional
        Group column (default ``group`` or ``level`` when present). ``group=`` is the old
        name (deprecated).

    Returns
    -------
    matplotlib.axes.Axes
        Bar labels are percents in the language's format.
    """
    (group,) = renamed("plot_rates_at", deprecated, by=by)
    rates = getattr(rates, "table", rates)
    check_columns(rates, ["window"], "plot_rates_at")
    est, lo, hi = _rate_columns(rates, estimate, low, high)
    check_columns(rates, [est, lo, hi], "plot_rates_at")
    if group is None:
        group = next((c for c in ("group", "level", "program") if c in rates.columns), None)
    if events is None:
        events = next((c for c in ("events", "n_events") if c in rates.columns), None)
    windows = sorted({float(w) for w in rates["window"]})
    groups = list(dict.fromkeys(rates[group])) if group else [None]
    colors = group_colors(["" if g is None else g for g in groups])
    # one window and several groups: the groups on the category axis, as horizontal bars
    # with their full names (no legend); else bars per window and a legend outside the axes
    horizontal = len(windows) == 1 and len(groups) > 1
    if horizontal and not any(level_color(g) for g in groups):
        colors = [colors[0]] * len(groups)  # named on the axis: a colour would mean nothing
    width = 0.8 / len(groups)
    unit = str(rates["unit"].iloc[0]) if "unit" in rates.columns and len(rates) else "months"
    window_names = [
        t(
            f"window.{unit}" if unit in ("months", "weeks", "days") else "window.months",
            lang,
            n=format_number(w, 0 if float(w).is_integer() else 1, lang),
        )
        for w in windows
    ]
    label_pt = 16 if len(groups) <= 3 or horizontal else 14
    numbers = [format_number(w, 0 if float(w).is_integer() else 1, lang) for w in windows]
    joined = (
        f"{', '.join(numbers[:-1])} {t('text.and', lang)} {numbers[-1]}"
        if len(numbers) > 1
        else "".join(numbers)
    )
    windows_text = t(
        f"window.{unit}" if unit in ("months", "weeks", "days") else "window.months",
        lang,
        n=joined,
    )
    # more than three bars side by side are too narrow for a label: labels read upwards
    upright = not horizontal and len(groups) > 3
    n_column = next((c for c in ("n", "n_clients", "n_at_risk") if c in rates.columns), None)
    group_n: dict[Any, Any] = {}
    if n_column and group:
        starts = rates.sort_values("window").drop_duplicates(group)
        group_n = dict(zip(starts[group], starts[n_column], strict=True))
    # with more than three groups their n goes beside their names (a subtitle would overflow)
    n_beside = len(groups) > 3 and bool(group_n)

    def _name(g: Any, wrap: int | None = None) -> str:
        import textwrap

        name = group_label(g, lang)
        if wrap:  # legend entries: the name on lines of at most `wrap` characters, n below
            name = textwrap.fill(name, wrap)
            return f"{name}\n({n_phrase(group_n[g], min_cell, lang)})" if n_beside else name
        # category axis: the n on a second line, so that long facility names still fit
        return f"{name}\n({n_phrase(group_n[g], min_cell, lang)})" if n_beside else name

    from matplotlib.patches import Patch

    handles: list[Any] = []
    with slide_style():
        fig, ax, own = make_axes(ax)
        ceiling = 0.05
        shown = [float(v) for v in rates[est] if v == v]
        decimals = 1 if shown and max(shown) < 0.1 else 0
        draw = ax.barh if horizontal else ax.bar
        for k, g in enumerate(groups):
            part = rates if g is None else rates[rates[group] == g]
            color = colors[k % len(colors)]
            if g is not None and not horizontal:
                handles.append(Patch(color=color, label=_name(g, wrap=26)))
            for i, w in enumerate(windows):
                row = part[part["window"].astype(float) == w]
                if row.empty:
                    continue
                row = row.iloc[0]
                x = k if horizontal else i + (k - (len(groups) - 1) / 2) * width
                hidden = events is not None and is_suppressed(row[events], min_cell)
                if hidden:  # no bar: its height would give the hidden count away
                    ax.annotate(
                        format_count(row[events], min_cell, lang),
                        (0, x) if horizontal else (x, 0),
                        xytext=(6, 0) if horizontal else (0, 4),
                        textcoords="offset points",
                        ha="left" if horizontal else "center",
                        va="center" if horizontal else "bottom",
                        fontsize=label_pt,
                        fontweight="bold",
                        color=GREY,
                    )
                    continue
                value, a, b = float(row[est]), float(row[lo]), float(row[hi])
                reach = b if b == b else value
                ceiling = max(ceiling, reach)
                draw(x, value, 0.62 if horizontal else width * 0.9, color=color)
                # a limit rounded past its estimate (very narrow national intervals) is a
                # zero-length whisker, not an error
                bar_error = [[max(value - a, 0.0)], [max(b - value, 0.0)]] if b == b else None
                ax.errorbar(
                    value if horizontal else x,
                    x if horizontal else value,
                    **{"xerr" if horizontal else "yerr": bar_error},
                    color="#222222",
                    linewidth=2,
                    capsize=6,
                    capthick=2,
                )
                # the value label sits beyond the upper end of the interval: never on it
                ax.annotate(
                    format_percent(value, decimals, lang),
                    (reach, x) if horizontal else (x, reach),
                    xytext=(10, 0) if horizontal else (0, 6),
                    textcoords="offset points",
                    ha="left" if horizontal else "center",
                    va="center" if horizontal else "bottom",
                    fontsize=label_pt,
                    fontweight="bold",
                    rotation=90 if upright else 0,
                )
        if horizontal:
            ax.set_yticks(
                range(len(groups)),
                [_name(g) for g in groups],
                fontsize=18 if len(groups) <= 6 else 15,
            )
            ax.invert_yaxis()
            ax.set_xlim(0, min(1.0, ceiling * 1.25))
            percent_axis(ax.xaxis, lang)
            ax.set_xlabel(f"{t('axis.share_reoffended', lang)} · {window_names[0]}")
            ax.grid(axis="x")
            ax.grid(axis="y", visible=False)
            ax.tick_params(axis="y", length=0)
        else:
            ax.set_xticks(range(len(windows)), window_names)
            ax.set_ylim(0, min(1.0, ceiling * (1.4 if upright else 1.22)))
            percent_axis(ax.yaxis, lang)
            ax.set_ylabel(t("axis.share_reoffended", lang))
        legend = None
        if handles:
            legend = ax.legend(
                handles=handles,
                loc="upper left",
                bbox_to_anchor=(1.01, 1.0),
                fontsize=16 if len(handles) <= 3 else 14,
                borderaxespad=0,
                labelspacing=0.9,
            )
        extra = []
        if group_n and not n_beside:
            extra = [
                "n: "
                + ", ".join(
                    f"{group_label(g, lang)} {format_count(n, min_cell, lang)}"
                    for g, n in group_n.items()
                )
            ]
        texts = resolve_texts(
            lang,
            title=title,
            subtitle=subtitle,
            source=source,
            title_key="fig.rates.title",
            title_values={"windows": windows_text},
            n=format_count(rates[n_column].iloc[0], min_cell, lang)
            if n_column and not group
            else None,
            period=period,
            extra=extra,
        )
        decorate(
            fig,
            ax,
            texts,
            own=own,
            left=0.1,
            right=0.97,
            bottom=0.15 if horizontal else 0.13,
            source_offset=50,
        )
        if own and horizontal:
            fit_left_margin(fig, ax, least=0.12)
        if own and legend is not None:  # make room on the right for the legend
            fig.canvas.draw()
            box = legend.get_window_extent().transformed(fig.transFigure.inverted())
            fig.subplots_adjust(right=max(0.5, fig.subplotpars.right - box.width - 0.02))
    return ax
