"""Facility names → one canonical facility (name, type, class, place, province).

A raw name is read into type (Bapas, Lapas incl. ``LP``, LPKA, Rutan incl. Cabang Rutan and
Rumah Tahanan Negara, BNNP, BNNK, IPWL), specialisation (Narkotika; Perempuan incl. ``LPP``),
class (I, IIA, IIB, III written ``IIA``, ``II A``, ``II-A``, ``2A``; ``Kelas``/``Klas``/``Kls``)
and place (abbreviations such as ``Smg``, ``Plg`` expanded), then matched against the
reviewable list in ``facilities.toml``. A name the list does not know is kept as written
(whitespace normalised) and reported as unknown.

References
----------
Permenkumham 24/2014 (classes of UPT Pemasyarakatan); Ditjenpas naming of UPT.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources

__all__ = ["Facility", "FacilityResolver"]


@dataclass(frozen=True)
class Facility:
    """A canonical facility (``known`` False: kept as written, type guessed or ``other``)."""

    name: str
    type: str
    province: str | None
    known: bool = True


_TYPE_WORDS = [
    ("balai pemasyarakatan", "bapas", None),
    ("lembaga pembinaan khusus anak", "lpka", None),
    ("lembaga pemasyarakatan perempuan", "lapas", "perempuan"),
    ("lembaga pemasyarakatan", "lapas", None),
    ("rumah tahanan negara", "rutan", None),
    ("rumah tahanan", "rutan", None),
    ("cabang rutan", "rutan", None),
    ("bnn provinsi", "bnnp", None),
    ("bnn kabupaten", "bnnk", None),
    ("bnn kota", "bnnk", None),
    ("bapas", "bapas", None),
    ("lpka", "lpka", None),
    ("lpp", "lapas", "perempuan"),
    ("lapas", "lapas", None),
    ("lp", "lapas", None),
    ("rutan", "rutan", None),
    ("bnnp", "bnnp", None),
    ("bnnk", "bnnk", None),
    ("ipwl", "ipwl", None),
]
_CLASS = re.compile(r"\b(?:kelas|klas|kls|kl)\s*(iii|ii\s*[ab]?|i|[123]\s*[ab]?)(?![a-z])", re.I)
_ARABIC = {"1": "I", "2": "II", "3": "III"}


def _norm(text: str) -> str:
    s = str(text).lower()
    s = re.sub(r"[.,;:()\[\]\-_/]+", " ", s)
    return re.sub(r"\s+", " ", s).strip()


def _parse(text: str, places: Mapping[str, str]) -> tuple[str | None, str | None, str | None, str]:
    s = " " + _norm(text) + " "
    ftype = special = None
    for word, t, sp in _TYPE_WORDS:
        if f" {word} " in s:
            ftype, special = t, sp
            s = s.replace(f" {word} ", " ", 1)
            break
    for sp in ("narkotika", "perempuan", "wanita"):
        if f" {sp} " in s:
            special = "perempuan" if sp == "wanita" else sp
            s = s.replace(f" {sp} ", " ")
    cls = None
    m = _CLASS.search(s)
    if m:
        raw = m.group(1).replace(" ", "").upper()
        cls = _ARABIC.get(raw[0], raw[0]) + raw[1:] if raw[0].isdigit() else raw
        s = s[: m.start()] + " " + s[m.end() :]
    words = [places.get(w, w) for w in s.split()]
    place = " ".join(words)
    return ftype, special, cls, place


class FacilityResolver:
    """Resolve raw facility names; build once, then :meth:`resolve` on unique names.

    Parameters
    ----------
    extra_aliases
        More ``spelling → canonical name`` pairs (from the ``--config`` file).
    """

    def __init__(self, extra_aliases: Mapping[str, str] | None = None) -> None:
        data = tomllib.loads(
            resources.files(__package__).joinpath("facilities.toml").read_text("utf-8")
        )
        self.places = {k.lower(): v for k, v in data.get("places", {}).items()}
        self.facilities = data.get("facility", [])
        self.by_name = {f["name"]: f for f in self.facilities}
        self.aliases = {_norm(k): v for k, v in data.get("aliases", {}).items()}
        for k, v in (extra_aliases or {}).items():
            self.aliases[_norm(k)] = v
        self.by_norm_name = {_norm(f["name"]): f for f in self.facilities}
        self._cache: dict[str, Facility | None] = {}

    def _entry(self, f: Mapping[str, str]) -> Facility:
        return Facility(f["name"], f["type"], f.get("province"), True)

    def resolve(self, text: str) -> Facility | None:
        """Canonical facility for one raw name; None for an empty cell."""
        if text in self._cache:
            return self._cache[text]
        out = self._resolve(text)
        self._cache[text] = out
        return out

    def resolved(self) -> list[Facility | None]:
        """Every facility resolved so far (known and unknown), in first-seen order."""
        return list(self._cache.values())

    def _resolve(self, text: str) -> Facility | None:
        written = re.sub(r"\s+", " ", str(text)).strip()
        if not written:
            return None
        n = _norm(written)
        if n in self.aliases:
            target = self.aliases[n]
            f = self.by_name.get(target)
            return self._entry(f) if f else Facility(target, "other", None, True)
        if n in self.by_norm_name:
            return self._entry(self.by_norm_name[n])
        ftype, special, cls, place = _parse(written, self.places)
        if ftype is None:
            for f in self.facilities:  # e.g. "Kelurahan Rejosari" written without type word
                if f["type"] == "other" and f["place"] == place.replace("kelurahan ", "").strip():
                    return self._entry(f)
            return Facility(written, "other", None, False)
        cands = [
            f
            for f in self.facilities
            if f["type"] == ftype and f.get("special") == special and f["place"] == place
        ]
        if cls is not None:
            exact = [f for f in cands if f.get("class") == cls]
            cands = exact
        if len(cands) == 1:
            return self._entry(cands[0])
        return Facility(written, ftype, None, False)
