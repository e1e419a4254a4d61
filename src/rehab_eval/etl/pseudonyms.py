"""Pseudonyms of a run's rows, as ``uint64`` codes (see :mod:`rehab_eval.etl._codes`).

A row's client is its NIK, found directly or through its register number (any accepted row
that carries both gives a (facility, register) pair its NIK, and a register seen with one NIK
only gives it that NIK), else ``reg:<facility>|<register>``. The lookups are joins on arrays,
not dictionaries of a million tuples, and each distinct NIK is hashed once in a run.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from rehab_eval.etl._codes import NO_NIK, nik_codes, nik_text, text_values
from rehab_eval.etl.identity import client_codes, hmac_codes

__all__ = ["Pseudonyms", "RegisterMaps", "register_maps"]


def _match(keys_fac, keys_reg, q_fac, q_reg) -> np.ndarray:
    """Position of each query (facility, register) among the unique keys, -1 when absent."""
    if not len(keys_reg) or not len(q_reg):
        return np.full(len(q_reg), -1, dtype=np.intp)
    n = len(keys_reg)
    rc = pd.factorize(np.concatenate([keys_reg, q_reg]))[0].astype(np.int64)
    if keys_fac is None:
        k = rc
    else:
        fc = pd.factorize(np.concatenate([keys_fac, q_fac]))[0].astype(np.int64)
        k = rc * (int(fc.max()) + 1) + fc
    return pd.Index(k[:n]).get_indexer(k[n:])


@dataclass(frozen=True)
class RegisterMaps:
    """(facility, register) → the first NIK seen with it; register → its only NIK."""

    pair_fac: np.ndarray
    pair_reg: np.ndarray
    pair_nik: np.ndarray
    only_reg: np.ndarray
    only_nik: np.ndarray

    def lookup(self, fac: np.ndarray, reg: np.ndarray) -> np.ndarray:
        """The NIK code of each (facility, register), :data:`NO_NIK` when neither map has it."""
        out = np.full(len(reg), NO_NIK, dtype=np.int64)
        at = _match(self.pair_fac, self.pair_reg, fac, reg)
        out[at >= 0] = self.pair_nik[at[at >= 0]]
        rest = np.flatnonzero(at < 0)
        if len(rest):
            at = _match(None, self.only_reg, None, reg[rest])
            out[rest[at >= 0]] = self.only_nik[at[at >= 0]]
        return out


def register_maps(parts) -> RegisterMaps:
    """The register maps, built from every accepted row that carries both a NIK and a register,
    in file and row order."""
    fac, reg, nik = [], [], []
    for ps in parts.values():
        for f in ps:
            nk = nik_codes(f["_nik"])
            rg = text_values(f["_reg"])
            ok = (nk != NO_NIK) & (rg != "") & (text_values(f["_reason"]) == "")
            fac.append(text_values(f["_fac"])[ok])
            reg.append(rg[ok])
            nik.append(nk[ok])
    if not reg or not sum(len(r) for r in reg):
        e = np.zeros(0, dtype=object)
        return RegisterMaps(e, e, np.zeros(0, np.int64), e, np.zeros(0, np.int64))
    fac_a, reg_a, nik_a = np.concatenate(fac), np.concatenate(reg), np.concatenate(nik)
    del fac, reg, nik
    reg_code, reg_u = pd.factorize(reg_a, sort=False)
    fac_code = pd.factorize(fac_a, sort=False)[0].astype(np.int64)
    nik_code = pd.factorize(nik_a, sort=False)[0].astype(np.int64)
    # the first row of each (facility, register) pair gives the pair its NIK
    first = np.flatnonzero(~pd.Series(fac_code * len(reg_u) + reg_code).duplicated().to_numpy())
    # registers seen with exactly one NIK
    pair = np.flatnonzero(~pd.Series(nik_code * len(reg_u) + reg_code).duplicated().to_numpy())
    n_nik = np.bincount(reg_code[pair], minlength=len(reg_u))
    one = pair[n_nik[reg_code[pair]] == 1]
    return RegisterMaps(fac_a[first], reg_a[first], nik_a[first], reg_a[one], nik_a[one])


class Pseudonyms:
    """The run's pseudonym codes: each distinct NIK (or register token) is hashed once."""

    def __init__(self, key: bytes) -> None:
        self.key = key
        self._niks = pd.Index(np.zeros(0, dtype=np.int64))
        self._codes = np.zeros(0, dtype=np.uint64)
        self._memo: dict = {}

    def of_niks(self, niks: np.ndarray) -> np.ndarray:
        """Codes of NIK codes (none may be :data:`NO_NIK`)."""
        pos, uniq = pd.factorize(niks, sort=False)
        at = self._niks.get_indexer(uniq)
        new = np.flatnonzero(at < 0)
        codes = np.zeros(len(uniq), dtype=np.uint64)
        codes[at >= 0] = self._codes[at[at >= 0]]
        if len(new):
            digits = nik_text(uniq[new]).astype("S16").tolist()
            codes[new] = hmac_codes([b"nik:" + d for d in digits], self.key)
            self._niks = self._niks.append(pd.Index(uniq[new]))
            self._codes = np.concatenate([self._codes, codes[new]])
        return codes[pos]

    def of_tokens(self, tokens: list[str]) -> np.ndarray:
        """Codes of other tokens (``reg:<facility>|<register>``)."""
        return client_codes(np.array(tokens, dtype=object), self.key, self._memo)

    def of_rows(self, frame: pd.DataFrame, maps: RegisterMaps) -> tuple[np.ndarray, np.ndarray]:
        """Each row's code and whether it has one: its NIK, else its register's NIK (see
        :class:`RegisterMaps`), else ``reg:<facility>|<register>`` when both are known."""
        nik = nik_codes(frame["_nik"])
        n = len(nik)
        codes = np.zeros(n, dtype=np.uint64)
        has = nik != NO_NIK
        if has.any():
            codes[has] = self.of_niks(nik[has])
        need = np.flatnonzero(~has)
        if not len(need):
            return codes, has
        reg = text_values(frame["_reg"].iloc[need])
        fac = text_values(frame["_fac"].iloc[need])
        some = reg != ""
        need, reg, fac = need[some], reg[some], fac[some]
        found = maps.lookup(fac, reg)
        hit = found != NO_NIK
        if hit.any():
            codes[need[hit]] = self.of_niks(found[hit])
            has[need[hit]] = True
        own = np.flatnonzero(~hit & (fac != ""))
        if len(own):
            toks = [f"reg:{f}|{r}" for f, r in zip(fac[own], reg[own], strict=True)]
            codes[need[own]] = self.of_tokens(toks)
            has[need[own]] = True
        return codes, has
