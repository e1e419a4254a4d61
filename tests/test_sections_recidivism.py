"""Section builders of the recidivism report on small hand-built selections.

Worked examples: a selection with no re-offending record shows one sentence and no rate; a
handful of events (1–4) never reaches a ``publik`` output, neither directly nor as the
difference of two windows or of a group against the whole; the ``internal`` twin is exact.
"""

from __future__ import annotations

import json
import re
import warnings
from types import SimpleNamespace

import pandas as pd
import pytest

from rehab_eval.disclosure import resolve
from rehab_eval.reports import sections
from rehab_eval.reports.sections import say
from rehab_eval.reports.sections._model import FigureOut, TableOut

LEVELS = ["rendah", "sedang", "tinggi"]


def _selection(events: dict[int, int]) -> SimpleNamespace:
    """60 clients released on 2023-01-01 (20 per risk level); ``events``: client → day."""
    n = 60
    ids = [f"c{i:03d}" for i in range(n)]
    release = pd.Timestamp("2023-01-01")
    clients = pd.DataFrame(
        {
            "client_id": ids,
            "sex": ["male"] * n,
            "birth_date": pd.to_datetime(["1990-01-01"] * n),
            "facility": ["Bapas X"] * n,
            "release_date": [release] * n,
            "prior_offences": [i % 3 for i in range(n)],
        }
    )
    enrollments = pd.DataFrame(
        {
            "client_id": ids,
            "program": ["pascarehabilitasi"] * n,
            "level": [LEVELS[i % 3] for i in range(n)],
            "start_date": [release + pd.Timedelta(days=10)] * n,
            "end_date": [release + pd.Timedelta(days=190)] * n,
            "status": ["completed" if i % 4 else "dropped_out" for i in range(n)],
            "facility": ["Bapas X"] * n,
        }
    )
    events_frame = pd.DataFrame(
        {
            "client_id": [ids[i] for i in events],
            "date": [release + pd.Timedelta(days=d) for d in events.values()],
            "kind": ["rearrest"] * len(events),
        }
    )
    return SimpleNamespace(
        clients=clients,
        enrollments=enrollments,
        events=events_frame,
        urine_tests=pd.DataFrame(columns=["client_id", "date", "result"]),
        scores=None,
    )


def _ctx(events: dict[int, int], audience: str = "publik"):
    return sections.recidivism_inputs(
        _selection(events),
        end_date="2025-06-30",
        disclosure=resolve(audience),
        period=("2023-01-01", "2023-12-31"),
    )


def _texts(*built) -> str:
    """Every display string of the sections: tables, sentences, takeaways, summary."""
    out = []
    for section in built:
        for item in section.items:
            if isinstance(item, TableOut):
                out.append(item.frame.to_csv(index=False))
            elif isinstance(item, FigureOut):
                out += [item.title, item.takeaway, item.notes or ""]
            else:
                out.append(str(item))
        out += [section.no_data or "", json.dumps(section.summary, ensure_ascii=False)]
        out += section.key_points
    return "\n".join(out)


def _build(ctx, windows=(6, 12, 24)):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        built = [
            sections.followup_section(ctx),
            sections.rates_section(ctx, windows),
            sections.cox_section(ctx),
        ]
    return [*built, sections.recidivism_summary(ctx, *built)]


def test_a_selection_without_a_reoffending_source_shows_one_sentence_and_no_rate():
    ctx = _ctx({})
    assert not ctx.data.has_source
    followup, rates, cox, closing = _build(ctx)
    sentence = followup.no_data
    assert sentence.startswith("Belum ada data penangkapan ulang") and followup.items == []
    assert sections.km_section(ctx).items == [] and rates.items == [] and cox.items == []
    # one sentence in the whole report: the closing section adds none (only its definitions)
    assert closing.items == [] and closing.key_points == [] and closing.title is None
    assert closing.definitions
    text = _texts(followup, rates, cox, closing)
    assert "%" not in text and not re.search(r"\b0\b", text)
    assert closing.summary["km_cumulative_incidence"] == {}


def test_three_events_are_never_shown_in_publik_and_exact_in_internal():
    # three re-offences (one per risk level) within 6 months
    events = {0: 40, 1: 50, 2: 60}
    built = _build(_ctx(events))
    followup, rates = built[0], built[1]
    counts = dict(zip(*followup.items[0].frame.T.values, strict=True))
    assert counts[say("recid.row.included", "id")] == "60"  # operational: exact
    assert counts[say("recid.row.events", "id")] == "<5"
    table = rates.items[1].frame
    assert set(table[say("recid.events", "id")]) <= {"<5", "x"}
    assert not table[say("recid.km", "id")].str.contains("%").any()
    assert all(v is None for v in rates.values["km_cumulative_incidence"].values())
    assert "%" not in rates.items[0].takeaway
    text = _texts(*built)
    assert not re.search(r"(?<![\d,.])[1-4] (kejadian|mengalami)", text), text
    # the internal twin: the exact count, and the share it rests on
    twin = _build(_ctx(events, audience="internal"))
    counts = dict(zip(*twin[0].items[0].frame.T.values, strict=True))
    assert counts[say("recid.row.events", "id")] == "3"
    table = twin[1].items[1].frame
    assert list(table[say("recid.events", "id")]) == ["1"] * 9
    assert twin[1].values["km_cumulative_incidence"]["6"]["km_cum_incidence"] == pytest.approx(
        3 / 60
    )


def test_a_small_difference_between_windows_or_against_the_whole_is_not_recoverable():
    # 12 events by 6 months, 2 more by 12 months: 14 − 12 = 2 must not be worked out
    events = {i: 30 + i for i in range(12)} | {12: 300, 13: 310}
    rates = _build(_ctx(events))[1]
    shown = rates.values["km_cumulative_incidence"]
    assert shown["6"] is None or shown["12"] is None
    table = rates.items[1].frame
    by_group = {}
    for w, g, e in zip(
        table[say("recid.window", "id")],
        table[say("recid.group", "id")],
        table[say("recid.events", "id")],
        strict=True,
    ):
        by_group.setdefault(g, {})[int(w)] = e
    for g, per_window in by_group.items():
        exact = [int(per_window[w]) for w in (6, 12, 24) if per_window[w].isdigit()]
        diffs = [b - a for a, b in zip(exact, exact[1:], strict=False)]
        assert all(d == 0 or d >= 5 for d in diffs), (g, per_window)
    twin = _build(_ctx(events, audience="internal"))[1].values["km_cumulative_incidence"]
    assert twin["6"]["km_cum_incidence"] == pytest.approx(12 / 60)
    assert twin["12"]["km_cum_incidence"] == pytest.approx(14 / 60)


def test_values_are_rounded_as_displayed_in_publik():
    events = {i: 20 + 7 * i for i in range(30)}
    rates = _build(_ctx(events))[1]
    for v in rates.values["km_cumulative_incidence"].values():
        if v is not None:
            for x in v.values():
                assert x == round(x, 2)  # whole percent
    assert rates.summary["km_cumulative_incidence"]["24"].endswith("%")


def _with_deaths(events: dict[int, int], deaths: dict[int, int], audience: str = "publik"):
    chosen = _selection(events)
    release = pd.Timestamp("2023-01-01")
    dead = pd.DataFrame(
        {
            "client_id": [f"c{i:03d}" for i in deaths],
            "date": [release + pd.Timedelta(days=d) for d in deaths.values()],
            "kind": ["death"] * len(deaths),
        }
    )
    chosen.events = pd.concat([chosen.events, dead], ignore_index=True)
    return sections.recidivism_inputs(
        chosen,
        end_date="2025-06-30",
        disclosure=resolve(audience),
        period=("2023-01-01", "2023-12-31"),
    )


def test_competing_ends_lower_the_incidence_below_one_minus_km_and_hide_few_events():
    events = {i: 30 * (i + 1) for i in range(12)}  # 12 rearrests spread over a year
    deaths = {i: 20 for i in range(30, 50)}  # 20 deaths in the first month
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        internal = sections.recidivism.competing_section(_with_deaths(events, deaths, "internal"))
        # by hand: 40 at risk after the deaths, 12 events among them → F = 12/60 exactly
        values = internal.values["aalen_johansen"]["12"]
        assert values["aalen_johansen"] == pytest.approx(12 / 60, abs=1e-9)
        assert values["one_minus_km"] == pytest.approx(12 / 40, abs=1e-9)
        few = sections.recidivism.competing_section(_with_deaths({0: 40, 1: 50}, deaths))
    assert few.values["aalen_johansen"]["12"] is None
    table = next(i for i in few.items if isinstance(i, TableOut)).frame
    assert not any(re.search(r"\d+,\d %", str(v)) for v in table.to_numpy().ravel())


def test_without_a_competing_end_the_section_is_one_sentence():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        section = sections.recidivism.competing_section(_ctx({i: 30 for i in range(10)}))
    assert section.no_data == say("recid.competing_none", "id") and not section.items


def test_competing_ends_get_a_figure_and_their_takeaway_joins_the_summary():
    events = {i: 30 * (i + 1) for i in range(12)}
    deaths = {i: 20 for i in range(30, 50)}
    ctx = _with_deaths(events, deaths, "internal")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        competing = sections.competing_section(ctx)
        curves = sections.km_section(ctx)
        closing = sections.recidivism_summary(
            ctx, sections.followup_section(ctx), curves, competing
        )
    figure = competing.figures()[0]
    # by hand (see above): 20% with the deaths competing, 30% by 1 − KM, from 12 months on
    assert figure.takeaway == say("recid.competing_takeaway", "id", window=24, aj="20%", km="30%")
    assert figure.takeaway in closing.key_points
    assert say("recid.def.aj", "id") in closing.definitions
    assert "20 berakhir karena meninggal" in " ".join(t.get_text() for t in figure.fig.texts)


def test_km_takeaways_read_the_curves_and_the_axis_says_since_release():
    ctx = _ctx({i: 30 * (i % 20 + 1) for i in range(0, 60, 2)}, "internal")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        curves = sections.km_section(ctx)
    level = curves.figures()[0]
    assert level.takeaway.startswith("Belum mengulangi setelah 24 bulan: Rendah ")
    assert "uji log-rank antar tingkat risiko: p" in level.takeaway
    assert curves.key_points == [level.takeaway]
    assert level.fig.axes[0].get_xlabel() == "Bulan sejak bebas"
