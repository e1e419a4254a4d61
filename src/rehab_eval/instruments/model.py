"""Frozen dataclasses that hold an instrument declaration.

An instrument is data: the TOML files in ``declarations/`` are read into these classes by
:mod:`rehab_eval.instruments.registry`, and one generic scorer (:mod:`rehab_eval.scoring`)
computes every instrument from them. Nothing here imports pandas or numpy.

Vocabulary
----------
item
    A local item name ``q1`` … ``qN``. Without blocks it is also the column name; with blocks
    (ASSIST substances) the column is ``<block>_<item>``, e.g. ``alcohol_q2``.
scale
    A domain or subscale: a set of items aggregated as the mean, sum or prorated sum of the
    answered items, with a minimum number answered (per profile).
output
    A column computed from a scale statistic by a chain of affine steps, e.g. the WHOQOL-BREF
    ``(mean × 4 − 4) × 6.25``; ``{scale}`` and ``{block}`` in the name are filled in.
derived
    A linear combination of scale means (URICA readiness).
band
    A labelled interval of a score (URICA stage, ASSIST risk).
gate
    Skip logic: an item at a given value sets other items to 0 (ASSIST Q1 = No, Q2 = Never).
profile
    A named set of missing-data rules (minimum answered per scale, case-level minimum).
published reliability
    r_xx per scale from a cited source (e.g. the WHOQOL-BREF field-trial alphas), used as
    the reliability of the reliable-change index. A reliability is a property of the
    scale, so every linear output of the scale (4–20, 0–100) shares it.
norms
    Clinical (dysfunctional) and functional population mean and SD of a scale output, with
    their source, for the Jacobson–Truax clinical cut-off. Declared only where a source
    gives them; an instrument without norms reports reliable change without a cut-off.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

__all__ = [
    "Band",
    "Derived",
    "Gate",
    "Instrument",
    "Norms",
    "Output",
    "Profile",
    "PublishedReliability",
    "RawItem",
    "Scale",
    "Summary",
]

_EMPTY: Mapping = MappingProxyType({})


@dataclass(frozen=True)
class Scale:
    """A domain or subscale: its items (local names) and labels."""

    name: str
    items: tuple[str, ...]
    label_id: str = ""
    label_en: str = ""
    exclude: Mapping[str, tuple[str, ...]] = field(
        default_factory=lambda: _EMPTY
    )  # block -> items left out for that block

    def items_for(self, block: str | None) -> tuple[str, ...]:
        """The scale's items for one block (all items when the block excludes none)."""
        left_out = self.exclude.get(block, ()) if block is not None else ()
        return tuple(item for item in self.items if item not in left_out)


@dataclass(frozen=True)
class Output:
    """A score column: ``of`` (mean / sum / prorated_sum) then ``steps`` (op, constant)."""

    column: str
    of: str
    steps: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class Derived:
    """A linear combination of scale means; missing when any term is missing."""

    column: str
    terms: tuple[tuple[str, float], ...]
    label_id: str = ""
    label_en: str = ""


@dataclass(frozen=True)
class Band:
    """Labels for intervals of ``source``; each cut is ``(value, "gt" | "ge")``."""

    column: str
    source: str
    labels: tuple[str, ...]
    cuts: tuple[tuple[float, str], ...]
    override_cuts: Mapping[str, tuple[tuple[float, str], ...]] = field(
        default_factory=lambda: _EMPTY
    )

    def cuts_for(self, block: str | None) -> tuple[tuple[float, str], ...]:
        """The cuts that apply to one block (a block may override them, e.g. alcohol)."""
        if block is not None and block in self.override_cuts:
            return self.override_cuts[block]
        return self.cuts


@dataclass(frozen=True)
class Gate:
    """Skip logic: where ``item == equals``, the ``zero`` items count as answered with 0."""

    item: str
    equals: float
    zero: tuple[str, ...]


@dataclass(frozen=True)
class RawItem:
    """An item reported as it was answered (after the range check), e.g. WHOQOL-BREF Q1."""

    item: str
    column: str
    label_id: str = ""
    label_en: str = ""


@dataclass(frozen=True)
class Summary:
    """Across blocks: the highest band (mapped to a level) and the block that carries it."""

    level_column: str
    highest_column: str
    band: str
    score: str
    exclude: tuple[str, ...]
    level_labels: Mapping[str, str]


@dataclass(frozen=True)
class Profile:
    """Missing-data rules: minimum answered per scale (``None`` = all) and per case."""

    name: str
    description: str
    min_answered: Mapping[str, int | None]
    case_min_answered: int | None = None


@dataclass(frozen=True)
class RawForms:
    """How the instrument shows in raw exports (the ETL reads this, scoring does not).

    ``names``: spellings of the instrument in an instrument column and words that name it
    in a sheet name, title row, file name or question title (``kualitas hidup``).
    ``answer_words``: normalised answer word → value (``sangat baik`` → 5), Indonesian and
    English anchors of the declared response scale.
    """

    names: tuple[str, ...] = ()
    answer_words: Mapping[str, float] = field(default_factory=lambda: _EMPTY)


@dataclass(frozen=True)
class PublishedReliability:
    """Published r_xx per scale name, the statistic it is and where it comes from."""

    values: Mapping[str, float]
    source: str
    statistic: str = ""


@dataclass(frozen=True)
class Norms:
    """Population norms of one score column for the Jacobson–Truax cut-offs.

    ``functional_*``: the functional (non-clinical) population; ``clinical_*``: the
    clinical (dysfunctional) population, or None to use the sample's pre scores.
    """

    functional_mean: float
    functional_sd: float
    source: str
    clinical_mean: float | None = None
    clinical_sd: float | None = None


@dataclass(frozen=True)
class Instrument:
    """A declared questionnaire; see the module docstring for the vocabulary."""

    name: str
    title: str
    version: str
    label_id: str
    label_en: str
    citation: str
    n_items: int
    allowed: Mapping[str, tuple[float, ...]]  # local item -> allowed answers
    scales: tuple[Scale, ...]
    outputs: tuple[Output, ...]
    profiles: Mapping[str, Profile]
    default_profile: str
    reversed: tuple[str, ...] = ()
    reverse_sum: float = 0.0
    prereversed_option: bool = False
    reliability: bool = True
    blocks: tuple[str, ...] = ()
    ignored: tuple[str, ...] = ()
    raw: tuple[RawItem, ...] = ()
    gates: tuple[Gate, ...] = ()
    derived: tuple[Derived, ...] = ()
    bands: tuple[Band, ...] = ()
    summary: Summary | None = None
    n_answered_column: str | None = None
    case_columns: bool = False
    option_profiles: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    raw_forms: RawForms = field(default_factory=RawForms)
    published_reliability: PublishedReliability | None = None
    norms: Mapping[str, Norms] = field(default_factory=lambda: _EMPTY)

    def scale_of(self, column: str) -> str | None:
        """The scale whose output (without blocks) is ``column``, e.g. ``physical_0_100``."""
        for out in self.outputs:
            for s in self.scales:
                if _fill(out.column, s.name, None) == column:
                    return s.name
        return None

    def reliability_of(self, column: str) -> float | None:
        """Published r_xx of the scale behind an output column, or None when not declared."""
        scale = self.scale_of(column) or column
        if self.published_reliability is None:
            return None
        return self.published_reliability.values.get(scale)

    def norms_of(self, column: str) -> Norms | None:
        """Declared norms of an output column, or None ("no norms declared")."""
        return self.norms.get(column)

    @property
    def items(self) -> tuple[str, ...]:
        """Local item names ``q1`` … ``qN``."""
        return tuple(f"q{i}" for i in range(1, self.n_items + 1))

    @property
    def block_names(self) -> tuple[str | None, ...]:
        """The blocks, or ``(None,)`` for an instrument without blocks."""
        return self.blocks or (None,)

    def column(self, item: str, block: str | None) -> str:
        """Column name of a local item in a block."""
        return item if block is None else f"{block}_{item}"

    @property
    def item_columns(self) -> tuple[str, ...]:
        """Every item column the instrument reads, in form order."""
        return tuple(self.column(i, b) for b in self.block_names for i in self.items)

    @property
    def scored_items(self) -> tuple[str, ...]:
        """Local items that enter at least one scale."""
        used = {item for scale in self.scales for item in scale.items}
        return tuple(item for item in self.items if item in used)

    def score_columns(self) -> tuple[str, ...]:
        """Every output column of :func:`rehab_eval.score`, in output order."""
        cols: list[str] = [raw.column for raw in self.raw]
        for out in self.outputs:
            cols += [_fill(out.column, s.name, b) for b in self.block_names for s in self.scales]
        if self.n_answered_column:
            cols += [
                _fill(self.n_answered_column, s.name, b)
                for b in self.block_names
                for s in self.scales
            ]
        if self.case_columns:
            cols += ["n_answered", "valid", "invalid_reason"]
        cols += [d.column for d in self.derived]
        for band in self.bands:
            cols += list(dict.fromkeys(_fill(band.column, "", b) for b in self.block_names))
        if self.summary is not None:
            cols += [self.summary.highest_column, self.summary.level_column]
        return tuple(cols)


def _fill(template: str, scale: str, block: str | None) -> str:
    return template.replace("{scale}", scale).replace("{block}", block or "")
