"""``generate_synthetic``: write every program's raw exports and ``truth.json``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rehab_eval.errors import ConfigError, InputError
from rehab_eval.synth.banjarnegara import build_banjarnegara
from rehab_eval.synth.outcomes import EFFECTS
from rehab_eval.synth.rejosari import build_rejosari
from rehab_eval.synth.semarang import build_semarang
from rehab_eval.synth.sheets import defect_entries, write_raw_file
from rehab_eval.synth.sumsel import CUTOFF, build_sumsel

__all__ = ["generate_synthetic"]


def generate_synthetic(
    out: str | Path,
    *,
    seed: int = 7,
    scale: int = 1,
    truth_path: str | Path | None = None,
) -> dict[str, Any]:
    """Write synthetic raw program exports into ``out`` and their ground truth.

    The records reproduce four programs: Bapas Kelas I Semarang with BNNP Jawa Tengah
    (pascarehabilitasi: 16 clients May–October 2024, 5 November–December 2024, 35 in 2025),
    Intervensi Berbasis Masyarakat at Kelurahan Rejosari (from 24 January 2025), Rutan Kelas
    IIB Banjarnegara with BNNK Purbalingga (ASSIST screening into levels) and Kanwil Sumatera
    Selatan (rehabilitation of 870, 800 and 520 clients in 2021–2023, WHOQOL-BREF at months 1,
    3 and 6, re-offending after release). They are written the way offices keep them: xlsx
    workbooks with title rows, several sheets and totals rows; CSVs with ``,``, ``;`` and tab,
    in UTF-8, UTF-8 with BOM and Windows-1252; a Google Forms export; Indonesian headers,
    mixed date styles, facility names written several ways; and planted defects, each listed
    in ``truth.json`` with its location and the reject reason the ETL must give.

    Parameters
    ----------
    out : folder for the raw exports (created if needed), one subfolder per office.
    seed : random seed; the same seed gives byte-identical files (xlsx included).
    scale : multiplies the Sumatera Selatan volume (≈ 160 gives a million assessment rows);
        the other programs do not change with it.
    truth_path : where to write ``truth.json``; default ``Path(out).parent / "truth.json"``
        (beside, not among, the raw exports).

    Returns
    -------
    dict
        The truth, as written to ``truth.json``: ``seed``, ``scale``, ``cutoff_date``,
        ``generated_files``, ``files`` (per file: ``format``, ``encoding``, ``delimiter`` and
        per sheet ``table``, ``header_row``, ``data_rows``, ``totals_rows``, ``empty_rows``,
        ``numbering_column``, ``columns``), ``defects`` (``file``, ``sheet``, ``source_row``,
        ``column``, ``value``, ``kind``, ``reason``), ``programs``, ``facility_variants``,
        ``effects`` and ``identities`` (``niks``, ``names``, ``register_nos``).

    Notes
    -----
    Each program draws from its own stream ``numpy.random.default_rng([seed, program, ...])``
    so ``scale`` changes only the provincial records. The outcome models are described in
    :mod:`rehab_eval.synth.outcomes` and :mod:`rehab_eval.synth.sumsel`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> truth = generate_synthetic(pathlib.Path(tempfile.mkdtemp()) / "raw")
    >>> [p["clients"] for p in truth["programs"]][:3]
    [16, 5, 35]
    """
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ConfigError(f"seed must be a non-negative integer, got {seed!r}")
    if not isinstance(scale, int) or isinstance(scale, bool) or scale < 1:
        raise ConfigError(f"scale must be a positive integer, got {scale!r}")
    root = Path(out)
    truth_file = Path(truth_path) if truth_path is not None else root.parent / "truth.json"
    if (
        truth_file.resolve().parent == root.resolve()
        or root.resolve() in truth_file.resolve().parents
    ):
        raise ConfigError(
            f"truth.json must not be written among the raw exports ({truth_file}); "
            "give a path outside the raw folder"
        )
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the output folder {root}: {exc}") from exc

    files: dict[str, Any] = {}
    defects: list[dict[str, Any]] = []

    def emit(raw) -> None:  # write each file as soon as it is built
        files[raw.relpath] = write_raw_file(raw, root)
        defects.extend(defect_entries(raw))

    builds = []
    for builder in (build_semarang, build_rejosari, build_banjarnegara):
        build = builder(seed)
        for raw in build.files:
            emit(raw)
        builds.append(build)
    builds.append(build_sumsel(seed, scale, emit=emit))

    programs, variants = [], {}
    effects: dict[str, Any] = {"whoqol_model": EFFECTS["whoqol"], "urica_model": EFFECTS["urica"]}
    effects["whoqol_change_mean_0_100"] = {
        d: 25 * v for d, v in EFFECTS["whoqol"]["change_item_mean"].items()
    }
    effects["whoqol_change_sd_0_100"] = 25 * EFFECTS["whoqol"]["change_item_sd"]
    effects["urica_change_mean"] = EFFECTS["urica"]["change_mean"]
    identities: dict[str, list[str]] = {"niks": [], "names": [], "register_nos": []}
    for build in builds:
        programs.extend(build.programs)
        effects.update(build.effects)
        variants.update(build.facility_variants)
        identities["niks"].extend(build.niks)
        identities["names"].extend(build.names)
        identities["register_nos"].extend(build.register_nos)
    identities["names"] = sorted(set(identities["names"]))
    truth = {
        "seed": seed,
        "scale": scale,
        "cutoff_date": CUTOFF,
        "generated_files": len(files),
        "files": files,
        "defects": defects,
        "programs": programs,
        "facility_variants": variants,
        "facility_types": {
            "Bapas Kelas I Semarang": "bapas", "Kelurahan Rejosari": "other",
            "Rutan Kelas IIB Banjarnegara": "rutan", "Lapas Narkotika Kelas IIA Palembang": "lapas",
            "Lapas Kelas I Palembang": "lapas", "Rutan Kelas I Palembang": "rutan",
            "Lapas Perempuan Kelas IIA Palembang": "lapas",
            "Lapas Narkotika Kelas IIA Muara Beliti": "lapas",
        },
        "effects": effects,
        "identities": identities,
    }  # fmt: skip
    truth_file.parent.mkdir(parents=True, exist_ok=True)
    tmp = truth_file.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    tmp.replace(truth_file)
    return truth
