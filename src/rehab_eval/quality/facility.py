"""Which facility (office) a raw file, and a rejected row, belongs to.

The rejects name the file, sheet and row but not the facility. Three sources, best first:

1. a ``facility`` column in the rejects, when the ETL writes one;
2. the raw file itself (``raw`` given): the facility cell of the rejected row, resolved to
   its canonical name as the ETL does; a row with an empty cell takes the facility most
   rows of its file name;
3. the file's path: the first folder or file name that names a facility the ETL knows
   (``bapas_semarang/…`` → Bapas Kelas I Semarang), else the file's top folder.

Only the facility column of the raw file is read; no identifier leaves this module.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import cache
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["facility_of_path", "reject_facilities"]

_WORDS = re.compile(r"[_\-.]+|\d+")


def facility_of_path(path: str, unknown: str) -> str:
    """The facility a raw file's relative path names, else its top folder, else ``unknown``.

    Examples
    --------
    >>> facility_of_path("bapas_semarang/pascarehab_2024.xlsx", "?")
    'Bapas Kelas I Semarang'
    >>> facility_of_path("kanwil_sumsel/klien_2021.csv", "?")
    'kanwil_sumsel'
    """
    resolver = _resolver()
    parts = PurePosixPath(path).parts
    for part in (*parts[:-1], PurePosixPath(path).stem):
        text = _WORDS.sub(" ", part).strip()
        found = resolver.resolve(text) if text else None
        if found is not None and found.known:
            return found.name
    return parts[0] if len(parts) > 1 else unknown


@cache
def _resolver():
    """The ETL's facility resolver (packaged facility list), built once."""
    from rehab_eval.etl.facilities import FacilityResolver

    return FacilityResolver()


def _from_raw(raw: Path, files: Iterable[str]) -> dict[tuple[str, str, int], str]:
    """(file, sheet, row) → canonical facility of that row, for every row of ``files``
    whose facility cell is filled, plus (file, "", 0) → the facility most rows name."""
    from rehab_eval.errors import InputError
    from rehab_eval.etl.headers import load_aliases, map_headers
    from rehab_eval.etl.read import read_container

    aliases = load_aliases()
    resolver = _resolver()
    out: dict[tuple[str, str, int], str] = {}
    for rel in sorted(set(files)):
        path = raw / rel
        if not path.is_file():
            continue
        try:
            tables = read_container(path, aliases)
        except InputError:
            continue
        seen: Counter = Counter()
        for rt in tables:
            pos = map_headers(rt.headers, aliases).column_of("facility")
            if pos is None or not len(rt.body):
                continue
            names = {}
            for row, cell in zip(rt.source_rows, rt.body[pos].to_numpy(dtype=object), strict=True):
                text = str(cell).strip()
                if not text:
                    continue
                if text not in names:
                    found = resolver.resolve(text)
                    names[text] = found.name if found else ""
                if names[text]:
                    out[(rel, rt.sheet, int(row))] = names[text]
                    seen[names[text]] += 1
        if seen:
            out[(rel, "", 0)] = seen.most_common(1)[0][0]
    return out


def reject_facilities(
    rejects: pd.DataFrame, *, raw: str | Path | None = None, unknown: str = "?"
) -> pd.Series:
    """The facility of each reject row (aligned with ``rejects``).

    Parameters
    ----------
    rejects : pandas.DataFrame
        The ETL's rejects (``source_file``, ``sheet``, ``source_row``; ``facility`` if any).
    raw : path, optional
        The raw folder the ETL read: the rows' own facility cells are used.
    unknown : str
        Label for a file whose facility cannot be told.

    Returns
    -------
    pandas.Series
        Facility names (object dtype), index of ``rejects``.
    """
    import pandas as pd

    files = rejects["source_file"].astype(str)
    by_path = {f: facility_of_path(f, unknown) for f in files.unique()}
    out = files.map(by_path)
    if raw is not None and len(rejects):
        cells = _from_raw(Path(raw), files.unique())
        keys = zip(files, rejects["sheet"].astype(str), rejects["source_row"], strict=True)
        own = [
            cells.get((f, s, int(r)) if pd.notna(r) else (f, s, 0)) or cells.get((f, "", 0))
            for f, s, r in keys
        ]
        out = pd.Series(own, index=rejects.index, dtype=object).fillna(out)
    if "facility" in rejects.columns:
        given = rejects["facility"].astype(object).where(rejects["facility"].notna())
        given = given.where(given.astype(str).str.strip() != "")
        out = given.fillna(out)
    return out.astype(object)
