"""Computing a declared indicator set for a selection and year: the LAKIP-style table."""

from __future__ import annotations

import datetime as dt
import warnings
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from rehab_eval.errors import ConfigError
from rehab_eval.etl.processed import table
from rehab_eval.indicators.declaration import Indicator, IndicatorSet, load_set
from rehab_eval.indicators.scope import end_of_data, select_scope, years_present
from rehab_eval.indicators.selections import REASONS, evaluate_event, population
from rehab_eval.indicators.targets import Targets, capaian, load_targets
from rehab_eval.results import Result

__all__ = ["Indicators", "compute_indicators", "percent_text", "year_on_year"]

COLUMNS = (
    "set", "indicator", "category", "year", "name", "label", "unit", "direction", "sensitive",
    "n_population", "denominator", "numerator", "n_excluded", "excluded",
    "realisasi", "ci_low", "ci_high", "target", "capaian", "formula", "definition",
)  # fmt: skip


def percent_text(value: float, lang: str = "id", digits: int = 1) -> str:
    """A value already in percent as text: ``75,0%`` (id) / ``75.0%`` (en); ``–`` when missing."""
    from rehab_eval.i18n import format_number

    text = format_number(value, digits, lang)
    return text if text == "–" else text + "%"


@dataclass(frozen=True, eq=False, repr=False)
class Indicators(Result):
    """An indicator set computed for one selection, the report year and the years before it.

    Attributes
    ----------
    table : DataFrame
        One row per indicator (× category) × year, in declaration order then by year:

        - ``set``, ``indicator``, ``category`` ('' unless the indicator has categories),
          ``year``, ``name`` (in ``lang``), ``label`` (sub-label, may be ''), ``unit``,
          ``direction``, ``sensitive`` (True: the counts are of people with a health or
          justice outcome, which the publication layer protects under its threshold;
          False: operational counts such as completion).
        - ``n_population`` -- persons in the indicator's population that year.
        - ``denominator`` -- those counted in the denominator; ``n_excluded`` -- the others,
          with ``excluded`` saying why (``"3 belum diikuti penuh; 2 tes urine kurang ..."``).
        - ``numerator`` -- persons of the denominator with the event.
        - ``realisasi`` -- numerator / denominator × 100 (NaN when the denominator is 0);
          ``ci_low``, ``ci_high`` -- its Wilson score interval (``conf_level``), in percent.
        - ``target`` -- from the targets (NaN without); ``capaian`` -- realisasi / target ×
          100 (NaN without a target or for ``direction = "none"``).
        - ``formula`` -- the formulasi perhitungan with the two counts written out.
        - ``definition`` -- the declared definition text.
    clients : DataFrame
        One row per person × indicator (× category) × year: ``indicator``, ``category``,
        ``year``, ``client_id`` (pseudonym), ``eligible``, ``reason`` (code), ``event``.
        Internal: for checking a number, never for publication.
    set_name, title : str
    selection : str
        The selection in words (facility / province / all).
    year : int
        The report year; ``years`` all years in ``table``.
    end_date : date
        Date follow-up ends (censoring).
    conf_level : float
    lang : str
    """

    table: pd.DataFrame
    clients: pd.DataFrame
    set_name: str
    title: str
    selection: str
    year: int
    years: tuple[int, ...]
    end_date: dt.date
    conf_level: float
    lang: str
    indicator_set: IndicatorSet | None = None

    _what: ClassVar[str] = "performance indicators"
    _key_fields: ClassVar[tuple[str, ...]] = ("set_name", "selection", "year", "years")

    @property
    def summary(self) -> pd.DataFrame:
        """The report year's rows: indicator, category, numerator, denominator, realisasi,
        its interval, target and capaian."""
        keep = ["indicator", "category", "numerator", "denominator", "realisasi", "ci_low",
                "ci_high", "target", "capaian"]  # fmt: skip
        return self.current[keep]

    @property
    def current(self) -> pd.DataFrame:
        """The rows of the report year."""
        return self.table[self.table["year"] == self.year].reset_index(drop=True)

    @property
    def definitions(self) -> list[str]:
        """The definition text of each indicator, once, in declaration order."""
        seen = dict.fromkeys(d for d in self.table["definition"] if d)
        return list(seen)


def _formula(ind: Indicator, num: int, den: int, value: float, lang: str) -> str:
    """``x : n × 100% = r%`` (``÷`` in English), counts with the locale's digit grouping."""
    from rehab_eval.i18n import format_number

    sign = "÷" if lang == "en" else ":"
    x, n = format_number(num, 0, lang), format_number(den, 0, lang)
    return f"{x} {sign} {n} × 100% = {percent_text(value, lang)}"


def _excluded(rows: pd.DataFrame, lang: str) -> str:
    counts = rows.loc[~rows["eligible"], "reason"].value_counts(sort=False)
    k = 1 if lang == "en" else 0
    total = len(rows)
    of = "of" if lang == "en" else "dari"
    return "; ".join(
        f"{n} {REASONS[r][k]} ({percent_text(n / total * 100, lang)} {of} {total})"
        for r, n in counts.items()
        if n
    )


def _one(ind: Indicator, data: Any, year: int, end: pd.Timestamp, lang: str):
    pop = population(data, ind.population, ind.period, year)
    ev = evaluate_event(pop, data, ind.event, end.date())
    if "category" not in ev:
        ev = ev.assign(category="")
    return ev.assign(indicator=ind.id, year=year)


def compute_indicators(
    data: Any,
    indicator_set: str | IndicatorSet,
    *,
    year: int,
    facility: str | list[str] | None = None,
    province: str | list[str] | None = None,
    end_date: Any = None,
    targets: str | Targets | dict | None = None,
    previous_years: bool = True,
    indicators: list[str] | None = None,
    conf_level: float = 0.95,
    lang: str = "id",
) -> Indicators:
    """Compute a declared indicator set for a selection: realisasi, target, capaian, formula.

    Parameters
    ----------
    data
        The processed data (:func:`rehab_eval.load_processed`, or a mapping of tables) with
        ``scores`` for the indicators that read scores.
    indicator_set
        A shipped set's name (``"ditjenpas_rehabilitasi"``, ``"bnn_pascarehabilitasi"``), a
        path to a TOML declaration, or an :class:`IndicatorSet`.
    year
        The report year.
    facility, province
        The selection (:func:`rehab_eval.cohort.select`: the enrollment's facility, the
        client's province); None for all. Facility names are read as the ETL reads them
        ("Bapas Semarang" is "Bapas Kelas I Semarang"); a Kanwil is its province
        ("Kanwil Sumatera Selatan"). A selection that matches nothing is refused, naming
        the facilities or provinces present.
    end_date
        End of follow-up (censoring) for the windowed indicators. Default: the latest date
        observed in the processed tables (events, urine tests, contacts, assessments,
        enrollments; not release dates).
    targets
        Targets per indicator and year (:func:`load_targets`: a YAML path, a mapping or
        :class:`Targets`); None: realisasi only.
    previous_years
        Also compute every earlier year present in the selection's data.
    indicators
        Ids of the indicators to compute (default: all of the set, in declaration order).
    conf_level
        Level of the Wilson intervals.
    lang
        ``"id"`` or ``"en"``: language of names, formulas, exclusion reasons, definitions.

    Returns
    -------
    Indicators
        See :class:`Indicators` for the columns of ``.table``.

    Notes
    -----
    realisasi = numerator / denominator × 100; capaian = realisasi / target × 100 (the LAKIP
    formula for an indicator where higher is better). The Wilson interval with p̂ = x/n is
    (p̂ + z²/2n ± z·√(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n) (:func:`rehab_eval.intervals.wilson_interval`).
    A person is counted once per indicator and year in a selection; a person with episodes
    at two facilities counts at each facility, once in their common province.

    Examples
    --------
    >>> import rehab_eval.indicators as ri
    >>> ri.load_set("bnn_pascarehabilitasi").indicators[0].id
    'tanpa_relaps'
    """
    from statistics import NormalDist

    from rehab_eval.intervals import wilson_interval

    if lang not in ("id", "en"):
        raise ConfigError(f"lang must be 'id' or 'en', got {lang!r}.")
    if not 0 < conf_level < 1:
        raise ConfigError(f"conf_level must lie between 0 and 1, got {conf_level!r}.")
    try:
        year = int(year)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"year {year!r} is not a year; give it as YYYY.") from exc
    ind_set = load_set(indicator_set)
    tg = load_targets(targets, ind_set)
    table(data, "enrollments")
    end = end_of_data(data) if end_date is None else pd.Timestamp(end_date)
    if pd.isna(end):
        raise ConfigError(f"end_date {end_date!r} is not a date; give it as YYYY-MM-DD.")
    chosen, selection = select_scope(data, facility, province, lang)
    years = years_present(chosen, ind_set, year) if previous_years else [year]
    z = NormalDist().inv_cdf(1 - (1 - conf_level) / 2)

    rows, detail = [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        chosen_ids = None if indicators is None else [ind_set[i].id for i in indicators]
        for ind in ind_set.indicators:
            if chosen_ids is not None and ind.id not in chosen_ids:
                continue
            for y in years:
                ev = _one(ind, chosen, y, end, lang)
                detail.append(ev[["indicator", "category", "year", "client_id", "eligible",
                                  "reason", "event"]])  # fmt: skip
                for cat, g in ev.groupby("category", sort=False):
                    n_pop = int(g["client_id"].nunique())
                    den = int(g["eligible"].sum())
                    num = int((g["eligible"] & g["event"]).sum())
                    if y != year and n_pop == 0:
                        continue
                    rows.append(
                        {"set": ind_set.name, "indicator": ind.id, "category": cat, "year": y,
                         "name": ind.name(lang),
                         "label": ind.label_en if lang == "en" else ind.label_id,
                         "unit": ind.unit, "direction": ind.direction,
                         "sensitive": ind.sensitive, "n_population": n_pop,
                         "denominator": den, "numerator": num, "n_excluded": n_pop - den,
                         "excluded": _excluded(g, lang), "definition": ind.definition(lang)}
                    )  # fmt: skip
    out = pd.DataFrame(rows, columns=[c for c in COLUMNS if c not in (
        "realisasi", "ci_low", "ci_high", "target", "capaian", "formula")])  # fmt: skip
    den = out["denominator"].to_numpy(float)
    num = out["numerator"].to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["realisasi"] = np.where(den > 0, num / den * 100, np.nan)
    low, high = wilson_interval(num, den, z=z)
    out["ci_low"], out["ci_high"] = low * 100, high * 100
    out["target"] = [
        tg.get(i, c, y) for i, c, y in zip(out["indicator"], out["category"], out["year"],
                                           strict=True)
    ]  # fmt: skip
    out["capaian"] = [
        capaian(r, t) if d == "higher" else np.nan
        for r, t, d in zip(out["realisasi"], out["target"], out["direction"], strict=True)
    ]
    out["formula"] = [
        _formula(ind_set[i], int(n), int(d), r, lang)
        for i, n, d, r in zip(out["indicator"], out["numerator"], out["denominator"],
                              out["realisasi"], strict=True)
    ]  # fmt: skip
    out = out[list(COLUMNS)].astype({"year": "int64", "n_population": "int64",
                                     "denominator": "int64", "numerator": "int64",
                                     "n_excluded": "int64"})  # fmt: skip
    clients = pd.concat(detail, ignore_index=True) if detail else pd.DataFrame()
    return Indicators(
        table=out.reset_index(drop=True),
        clients=clients,
        set_name=ind_set.name,
        title=ind_set.title(lang),
        selection=selection,
        year=year,
        years=tuple(sorted(set(out["year"]))),
        end_date=end.date(),
        conf_level=conf_level,
        lang=lang,
        indicator_set=ind_set,
    )


def year_on_year(result: Indicators | pd.DataFrame) -> pd.DataFrame:
    """Year-on-year comparison per indicator (the *analisis capaian* between years).

    Parameters
    ----------
    result
        :class:`Indicators` or its ``.table``.

    Returns
    -------
    DataFrame
        One row per indicator (× category) × year present, in declaration and year order:
        ``indicator``, ``category``, ``name``, ``year``, ``numerator``, ``denominator``,
        ``realisasi``, ``ci_low``, ``ci_high``, ``target``, ``capaian``, ``previous_year``
        (the previous year present, NA for the first), ``change_pp`` (realisasi minus the
        previous year's, in percentage points).
    """
    t = result.table if isinstance(result, Indicators) else result
    keep = ["indicator", "category", "name", "year", "numerator", "denominator", "realisasi",
            "ci_low", "ci_high", "target", "capaian"]  # fmt: skip
    out = t[keep].sort_values(["year"], kind="mergesort")
    order = {
        k: i for i, k in enumerate(dict.fromkeys(zip(t["indicator"], t["category"], strict=True)))
    }
    out = out.assign(_o=[order[k] for k in zip(out["indicator"], out["category"], strict=True)])
    out = out.sort_values(["_o", "year"], kind="mergesort").drop(columns="_o")
    g = out.groupby(["indicator", "category"], sort=False)
    out["previous_year"] = g["year"].shift(1).astype("Int64")
    out["change_pp"] = out["realisasi"] - g["realisasi"].shift(1)
    return out.reset_index(drop=True)
