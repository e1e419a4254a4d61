"""Targets per indicator and year (the office's *perjanjian kinerja*), and capaian."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rehab_eval.errors import ConfigError

__all__ = ["Targets", "capaian", "load_targets"]


def capaian(realisasi: float, target: float) -> float:
    """Capaian (achievement) in percent: realisasi / target × 100.

    NaN when either is missing or the target is 0.

    Examples
    --------
    >>> capaian(45.0, 50.0)
    90.0
    """
    if realisasi is None or target is None:
        return float("nan")
    r, t = float(realisasi), float(target)
    if math.isnan(r) or math.isnan(t) or t == 0:
        return float("nan")
    return r / t * 100.0


@dataclass(frozen=True)
class Targets:
    """Targets in percent by (indicator id, category, year)."""

    values: dict[tuple[str, str, int], float] = field(default_factory=dict)
    source: str = ""

    def get(self, indicator: str, category: str, year: int) -> float:
        """The target, NaN when none is set."""
        return self.values.get((indicator, category or "", int(year)), float("nan"))


def load_targets(source: Any, indicator_set: Any = None) -> Targets:
    """Read an office's targets from a YAML file or a mapping.

    Parameters
    ----------
    source
        None (no targets), a :class:`Targets`, a path to a YAML file, or a mapping of the
        same shape: one section per indicator set, indicator id -> {year: percent}::

            ditjenpas_rehabilitasi:
              kualitas_hidup_rci: {2021: 60, 2022: 65}
            bnn_pascarehabilitasi:
              tanpa_relaps: {2024: 50, 2025: 50}
              asesmen_assist.tinggi: {2025: 20}   # indicator.category for a category row

        Values are percentages (60 = 60 %). A file without a section for the set gives no
        targets (the table then shows realisasi only).
    indicator_set
        The :class:`~rehab_eval.indicators.IndicatorSet` to read the targets of; its
        section's indicator ids are checked against it. None: the mapping is one section.

    Returns
    -------
    Targets

    Raises
    ------
    ConfigError
        Unreadable file, an unknown indicator, a year or a value that is not a number or
        not a percentage.

    Examples
    --------
    >>> t = load_targets({"tanpa_relaps": {2025: 50}})
    >>> t.get("tanpa_relaps", "", 2025)
    50.0
    """
    if source is None:
        return Targets()
    if isinstance(source, Targets):
        return source
    where = "targets"
    if isinstance(source, str | Path):
        import yaml

        path = Path(source)
        where = str(path)
        if not path.is_file():
            raise ConfigError(f"targets file {path} not found; check the path.")
        try:
            source = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise ConfigError(f"{where}: not valid YAML ({exc}); fix the file.") from exc
    if not isinstance(source, dict):
        raise ConfigError(f"{where}: expected a mapping of indicator set -> targets.")
    if indicator_set is not None:
        section = source.get(indicator_set.name) or {}
        where = f"{where} [{indicator_set.name}]"
        known = {i.id for i in indicator_set.indicators}
    else:
        section, known = source, None
    if not isinstance(section, dict):
        raise ConfigError(f"{where}: expected indicator id -> {{year: percent}}.")
    values: dict[tuple[str, str, int], float] = {}
    for key, by_year in section.items():
        ident, _, category = str(key).partition(".")
        if known is not None and ident not in known:
            raise ConfigError(
                f"{where}: unknown indicator {ident!r}; the set declares "
                f"{', '.join(sorted(known))}."
            )
        if not isinstance(by_year, dict):
            raise ConfigError(f"{where}: {key}: give the targets as {{year: percent}}.")
        for year, value in by_year.items():
            try:
                y, v = int(year), float(value)
            except (TypeError, ValueError) as exc:
                raise ConfigError(
                    f"{where}: {key}: year {year!r} / target {value!r} must be numbers."
                ) from exc
            if math.isnan(v) or not 0 <= v <= 100:
                raise ConfigError(f"{where}: {key} {y}: target {v} must be a percent (0-100).")
            values[(ident, category, y)] = v
    return Targets(values=values, source=where)
