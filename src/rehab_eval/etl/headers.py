"""Header recognition: raw column headers → canonical fields, and which table a sheet holds.

Aliases are data (``aliases.toml`` beside this module, extended by the ``--config`` file).
Matching ignores case, spaces, dots, underscores, hyphens, slashes, commas and brackets.
Item columns are recognised by pattern: ``P3``, ``Q3``, ``Item 3``, ``3``, a Google Forms
question text prefixed by its number (``3. Seberapa jauh rasa sakit fisik ...``), a Google
Forms grid header (``Kualitas Hidup [3. ...]``), a KoboToolbox/ODK path (``group_whoqol/q3``),
and ASSIST items ``<substance>_q2`` / ``Alkohol P2``. In a KoboToolbox export (``_uuid``,
``_index`` or ``_submission_time`` present) the tool columns (``start``, ``end``, ``_uuid``,
...) are recognised as such and not read as fields.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources

__all__ = [
    "HeaderMap",
    "Recognition",
    "load_aliases",
    "map_headers",
    "normalize_header",
    "recognise_table",
]

_STRIP = re.compile(r"[\s._\-/\\,()\[\]:;'\"]+")

# Table markers: field -> weight, per table. Identity fields count for no table.
_MARKERS: dict[str, dict[str, int]] = {
    "clients": {
        "sex": 2,
        "birth_date": 2,
        "ttl": 2,
        "release_date": 2,
        "prior_offences": 2,
        "province": 1,
    },
    "enrollments": {
        "program": 2,
        "level": 1,
        "cohort": 2,
        "start_date": 2,
        "end_date": 2,
        "status": 1,
    },
    "assessments": {"instrument": 2, "timepoint": 2},
    "contacts": {"contact_kind": 3, "attended": 3},
    "urine_tests": {"urine_result": 3, "panel": 3},
    "events": {"event_kind": 3},
}


def normalize_header(text: object) -> str:
    """Lower-case ``text`` and remove spaces and punctuation (``"No. Reg"`` → ``"noreg"``)."""
    return _STRIP.sub("", str(text).strip().lower())


def load_aliases(extra: Mapping[str, Iterable[str]] | None = None) -> dict[str, str]:
    """Normalised alias → canonical field, from ``aliases.toml`` plus ``extra``.

    ``extra`` maps a canonical field to more spellings (from the ``--config`` file); they
    take precedence over the packaged ones.
    """
    data = tomllib.loads(resources.files(__package__).joinpath("aliases.toml").read_text("utf-8"))
    out: dict[str, str] = {}
    for canonical, spellings in data["fields"].items():
        for s in spellings:
            out.setdefault(normalize_header(s), canonical)
    for canonical, spellings in (extra or {}).items():
        for s in [spellings] if isinstance(spellings, str) else spellings:
            out[normalize_header(s)] = canonical
    return out


def _substances() -> dict[str, str]:
    data = tomllib.loads(resources.files(__package__).joinpath("aliases.toml").read_text("utf-8"))
    out = {}
    for code, names in data["substances"].items():
        for n in names:
            out[normalize_header(n)] = code
    return out


_SUBST = _substances()
_QTEXT = re.compile(r"^\s*(?:no\.?\s*)?(\d{1,2})\s*[.)]\s*\S")
_ITEM = re.compile(r"^(?:p|q|item|butir|soal|pertanyaan|no)?(\d{1,2})$")
_ASSIST = re.compile(r"^([a-z]+?)(?:p|q|item)?(\d)$")


_GRID_ITEM = re.compile(
    r"\[\s*(?:no\.?\s*|p|q|item\s*|butir\s*)?(\d{1,2})\s*(?:[.)]\s*[^\]]*)?\]\s*$", re.I
)

# KoboToolbox / ODK tool columns: metadata of the submission, not answers.
KOBO_MARKERS = frozenset({"_uuid", "_index", "_submission_time", "_id", "meta/instanceid"})
TOOL_COLUMNS = frozenset(
    {
        "_uuid", "_index", "_id", "_submission_time", "_submitted_by", "_validation_status",
        "_status", "_notes", "_tags", "__version__", "_version_", "_xform_id_string",
        "meta/instanceid", "meta/deprecatedid", "meta/instancename", "instanceid", "deviceid",
        "subscriberid", "simserial", "phonenumber", "username", "today", "start", "end",
        "_parent_index", "_parent_table_name", "_submission__uuid", "_submission__id",
    }
)  # fmt: skip


def path_tail(header: str) -> str:
    """Last segment of a KoboToolbox/ODK path header (``group_whoqol/q1`` → ``q1``)."""
    return header.rsplit("/", 1)[-1] if "/" in header else header


def item_column(header: str) -> str | None:
    """Canonical item column for a raw header (``"P3"`` → ``"q3"``), or None.

    Also Google Forms grid headers (``Kualitas Hidup [1. Bagaimana …]`` → ``"q1"``) and
    KoboToolbox path headers (``group_whoqol/q1`` → ``"q1"``).
    """
    raw = str(header)
    m = _GRID_ITEM.search(raw)
    if m and 1 <= int(m.group(1)) <= 32:
        return f"q{int(m.group(1))}"
    if "/" in raw and not raw.strip().startswith("/"):
        tail = path_tail(raw.strip())
        if tail and re.fullmatch(r"[A-Za-z_]*\d{1,2}", tail):
            return _item_column(tail)
    return _item_column(raw)


def _item_column(raw: str) -> str | None:
    m = _QTEXT.match(raw)
    if m and not raw.strip().replace(".", "").isdigit():
        return f"q{int(m.group(1))}"
    norm = normalize_header(raw)
    m = _ITEM.match(norm)
    if m and 1 <= int(m.group(1)) <= 32:
        return f"q{int(m.group(1))}"
    m = _ASSIST.match(norm)
    if m and m.group(1) in _SUBST and 1 <= int(m.group(2)) <= 8:
        return f"{_SUBST[m.group(1)]}_q{int(m.group(2))}"
    return None


@dataclass(frozen=True)
class HeaderMap:
    """How the columns of one sheet were understood.

    ``fields`` maps a column position to its canonical field (``"nik"``, ``"date"``,
    ``"q3"``, ``"panel_met"``, ...); ``unused`` lists raw headers that matched nothing;
    ``duplicates`` lists raw headers whose field was already taken by an earlier column.
    """

    headers: tuple[str, ...]
    fields: dict[int, str]
    unused: tuple[str, ...] = ()
    duplicates: tuple[str, ...] = ()

    def column_of(self, canonical: str) -> int | None:
        for pos, f in self.fields.items():
            if f == canonical:
                return pos
        return None

    def items(self) -> dict[str, int]:
        return {
            f: pos
            for pos, f in self.fields.items()
            if f.startswith("q") or "_q" in f and not f.startswith("panel")
        }

    def as_manifest(self) -> dict[str, object]:
        return {
            "mapping": {self.headers[p]: f for p, f in sorted(self.fields.items()) if f != "tool"},
            "tool_columns": [
                self.headers[p] for p, f in sorted(self.fields.items()) if f == "tool"
            ],
            "unused_columns": list(self.unused),
        }


def map_headers(headers: Iterable[object], aliases: Mapping[str, str]) -> HeaderMap:
    """Map raw headers to canonical fields; the first column wins when two map to one field."""
    headers = tuple("" if h is None else str(h).strip() for h in headers)
    fields: dict[int, str] = {}
    taken: set[str] = set()
    unused: list[str] = []
    dups: list[str] = []
    kobo = any(h.lower() in KOBO_MARKERS for h in headers)
    for pos, h in enumerate(headers):
        if not h:
            continue
        if kobo and h.lower() in TOOL_COLUMNS:
            fields[pos] = "tool"
            continue
        f = field_of(h, aliases)
        if f is None:
            unused.append(h)
        elif f in taken:
            dups.append(h)
        else:
            fields[pos] = f
            taken.add(f)
    return HeaderMap(headers, fields, tuple(unused), tuple(dups))


def field_of(header: str, aliases: Mapping[str, str]) -> str | None:
    """Canonical field of one raw header: an alias, an item column, or (for a path header
    ``group/question``) the alias of its last segment."""
    f = aliases.get(normalize_header(header)) or item_column(header)
    if f is None and "/" in header:
        f = aliases.get(normalize_header(path_tail(header)))
    return f


def header_score(cells: Iterable[object], aliases: Mapping[str, str]) -> int:
    """How many cells of a row read as known headers (used to find the header row)."""
    n = 0
    for c in cells:
        if c is None or str(c).strip() == "":
            continue
        s = str(c)
        if field_of(s, aliases) or s.lower() in KOBO_MARKERS:
            n += 1
    return n


@dataclass(frozen=True)
class Recognition:
    """Which canonical table a sheet holds (``table`` None when none or ambiguous)."""

    table: str | None
    scores: dict[str, int] = field(default_factory=dict)
    problem: str = ""


def recognise_table(hmap: HeaderMap) -> Recognition:
    """Decide the canonical table from the mapped fields.

    Three or more item columns make an assessment sheet. Otherwise each table scores the
    weights of its marker fields present; the best wins, a tie or no marker at all is
    reported (``table`` None) and never guessed.
    """
    present = set(hmap.fields.values())
    present |= {"panel" for f in present if f.startswith("panel_")}
    n_items = len(hmap.items())
    has_id = bool(present & {"nik", "register_no", "name"})
    if n_items >= 3:
        return Recognition("assessments", {"assessments": n_items})
    scores = {t: sum(w for f, w in m.items() if f in present) for t, m in _MARKERS.items()}
    best = max(scores.values())
    winners = sorted(t for t, s in scores.items() if s == best)
    if best == 0:
        if has_id:
            return Recognition("clients", scores)
        return Recognition(None, scores, "fits no table")
    if len(winners) > 1:
        return Recognition(None, scores, "fits " + " and ".join(winners) + " equally")
    return Recognition(winners[0], scores)
