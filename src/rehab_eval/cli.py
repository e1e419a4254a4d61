"""The ``rehab-eval`` command line: thin wrappers over the library, one subcommand per arrow.

    rehab-eval synth  --out DIR [--seed N] [--scale K]      synthetic raw exports + truth.json
    rehab-eval etl    --raw DIR --out DIR [--config FILE]   raw exports → canonical tables
    rehab-eval score  --processed DIR                       assessments → scores.parquet
    rehab-eval report NAME [-p KEY VALUE ...]               render one report
    rehab-eval report --plan plan.yaml                      render a list of reports
    rehab-eval run    --plan monthly.yaml                   etl → score → reports, one lock
    rehab-eval key    init | show                           create / check the key
    rehab-eval demo                                         all of the above on synthetic data
    rehab-eval template --out FILE.xlsx [--lang en]         the recommended data-entry workbook
    rehab-eval quality --processed DIR --out DIR            rows to fix, one workbook per facility
    rehab-eval indicators --processed DIR --set NAME --year YYYY [--facility F | --province P]
                                                            performance indicators (LAKIP table)

Every subcommand imports its module only when it runs, so ``rehab-eval --help`` starts fast.
The package's own errors are printed as one line (no traceback) with exit status 2 for bad
input or parameters and 1 for a failed report run; a file-system error (disk full, no
permission) is one line with exit status 1.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from rehab_eval._version import __version__
from rehab_eval.errors import ConfigError, RehabEvalError, ReportError

__all__ = ["main"]


def _say(message: str) -> None:
    print(message, flush=True)


def _cmd_synth(args: argparse.Namespace) -> int:
    from rehab_eval.synth import generate_synthetic

    truth = generate_synthetic(args.out, seed=args.seed, scale=args.scale, truth_path=args.truth)
    files = truth.get("files", {})
    rows = sum(
        sheet.get("data_rows", 0) for spec in files.values() for sheet in spec["sheets"].values()
    )
    _say(f"synth: {len(files)} berkas mentah, {rows:,} baris data (seed {args.seed}) → {args.out}")
    return 0


def _offer_key() -> None:
    """At a terminal, offer to create the missing key (never in an unattended run)."""
    from rehab_eval.etl.keys import create_key_file, default_key_file, key_source

    path = default_key_file()
    if key_source() != "file" or path.exists():
        return
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        return
    answer = input(
        f"Kunci pseudonimisasi belum ada. Buat kunci baru di {path}? "
        "(simpan cadangannya sesudahnya) [y/T] "
    )
    if answer.strip().lower() in ("y", "ya", "yes"):
        create_key_file(path)
        _say(f"kunci dibuat: {path}; simpan salinannya di tempat aman (lihat README)")


def _as_of(text: str | None):
    if not text:
        return None
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"--as-of {text} bukan tanggal (YYYY-MM-DD)") from None


def _cmd_etl(args: argparse.Namespace) -> int:
    from rehab_eval.etl import run_etl

    _offer_key()
    result = run_etl(
        args.raw,
        args.out,
        config=args.config,
        as_of=_as_of(args.as_of),
        progress=_say,
        allow_shrink=args.allow_shrink,
        rekey=args.rekey,
        show_reject_values=args.show_reject_values,
    )
    _say(result.summary())
    return 0


def _cmd_score(args: argparse.Namespace) -> int:
    from rehab_eval.etl.versions import output_lock
    from rehab_eval.scoring import score_processed

    with output_lock(args.processed):  # scores go into the published version, not a new one
        path = score_processed(args.processed, prereversed=args.prereversed)
    _say(f"score: skor ditulis ke {path}")
    return 0


def _cmd_key(args: argparse.Namespace) -> int:
    from rehab_eval.etl.keys import create_key_file, key_fingerprint, key_source, load_key

    if args.action == "init":
        path = create_key_file(args.file)
        fp = key_fingerprint(path.read_text("utf-8").strip().encode("utf-8"))
        _say(
            f"key: kunci baru {path} (sidik {fp}); simpan salinannya di tempat aman: tanpa "
            "kunci yang sama, client_id bulan depan tidak tertaut dengan bulan ini"
        )
        return 0
    if args.file is not None:
        import os

        os.environ["REHAB_EVAL_KEY_FILE"] = str(args.file)
    key = load_key()
    where = key_source()
    if where == "file":
        from rehab_eval.etl.keys import default_key_file

        where = str(default_key_file())
    else:
        where = "REHAB_EVAL_SECRET"
    _say(f"key: {where}, sidik {key_fingerprint(key)}")
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    from rehab_eval.schedule import run_schedule

    return run_schedule(args.plan, say=_say)


def _positive_seconds(text: str) -> int:
    try:
        seconds = int(text)
    except ValueError:
        seconds = 0
    if seconds <= 0:
        raise argparse.ArgumentTypeError(
            f"batas waktu {text} bukan bilangan detik yang positif; tulis mis. --timeout 1800"
        )
    return seconds


def _parse_params(pairs: Sequence[Sequence[str]] | None) -> dict[str, str]:
    return {key: value for key, value in (pairs or [])}


def _report_help(args: argparse.Namespace) -> int:
    """``report NAME --help``: the report's parameters; ``report --list``: the reports."""
    from rehab_eval.reports import params

    given = _parse_params(args.param)
    lang = params.report_lang(given)
    if args.list:
        _say(params.list_reports(lang))
        return 0
    if not args.name:
        args.report_parser.print_help()
        return 0
    spec = params.load_spec(args.name, lang=lang)
    available = None
    processed = Path(given.get("processed_dir") or "data/processed")
    if (processed / "enrollments.parquet").is_file():
        from rehab_eval.reports.choices import available_values

        try:
            available = available_values(processed, lang=lang)
        except RehabEvalError:
            available = None
    _say(params.describe(spec, lang, available=available))
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from rehab_eval import reports

    if args.help or args.list:
        return _report_help(args)
    if args.plan:
        if args.name:
            raise ConfigError("sebut satu nama laporan atau --plan, bukan keduanya")
        result = reports.run_plan(args.plan, out=args.out, progress=_say, timeout=args.timeout)
        if result.failures:
            names = ", ".join(str(f) for f in result.failures)
            _say(f"report: {len(result.failures)} laporan gagal: {names}; lihat log run di folder laporan")
            return 1
        return 0
    if not args.name:
        raise ConfigError("sebut nama laporan (mis. cohort_report) atau --plan BERKAS; daftar laporan: rehab-eval report --list")
    result = reports.run_report(
        args.name,
        _parse_params(args.param),
        params_file=args.params,
        out=args.out,
        timeout=args.timeout,
    )
    _say(f"report: {args.name} → {result.html}")
    return 0


def _demo_key(folder: Path) -> str:
    """The demo's own key (``<folder>/demo.key``, created on first use; git-ignored)."""
    from rehab_eval.etl.keys import create_key_file

    path = folder / "demo.key"
    if not path.exists():
        create_key_file(path)
    return path.read_text("utf-8").strip()


def _cmd_demo(args: argparse.Namespace) -> int:
    from rehab_eval import reports
    from rehab_eval.etl import run_etl
    from rehab_eval.scoring import score_processed
    from rehab_eval.synth import generate_synthetic

    started = time.perf_counter()
    raw, processed, out = Path(args.raw), Path(args.processed), Path(args.reports)
    _say(f"[1/4] data program sintetis (seed {args.seed}) → {raw}")
    generate_synthetic(raw, seed=args.seed)
    _say(f"[2/4] ETL {raw} → {processed}")
    # synthetic records get a key of their own, kept beside them (never a real export's key);
    # the demo replaces its output folder whatever it held, as it always has
    etl = run_etl(
        raw,
        processed,
        secret=_demo_key(raw.parent),
        progress=lambda line: _say(f"      {line}"),
        rekey=True,
        allow_shrink=True,
    )
    _say(etl.summary())
    _say(f"[3/4] penskoran → {score_processed(processed)}")
    plan_file = args.plan
    if plan_file is None:
        from rehab_eval.reports.runner import packaged_notebooks

        plan_file = packaged_notebooks() / "demo.plan.yaml"
    _say(f"[4/4] laporan ({plan_file.name})")
    plan = reports.run_plan(
        plan_file,
        out=out,
        progress=lambda line: _say(f"      {line}"),
        defaults={"processed_dir": str(processed.absolute())},
    )

    _say("")
    _say(f"Selesai dalam {time.perf_counter() - started:.0f} detik.")
    _say(f"  ekspor mentah     {raw}/  (kebenaran sintetis: {raw.parent / 'truth.json'})")
    _say(f"  tabel kanonik     {processed}/  (rejects.csv, manifest.json)")
    _say(f"  skor              {processed / 'scores.parquet'}")
    for run in plan.runs:
        if run.status == "ok":
            latest = run.run_dir.parent / "latest"
            _say(f"  laporan           {latest / run.html.name}")
            _say(f"  salindia          {latest / run.deck.name}")
    if plan.failures:
        _say(f"  laporan GAGAL     {', '.join(str(f) for f in plan.failures)}")
        return 1
    return 0


# --- data-entry template and data-quality feedback to the offices ---------------------------


def _cmd_template(args: argparse.Namespace) -> int:
    from rehab_eval.template import write_template

    def split(text: str) -> list[str]:
        return [s.strip() for s in text.split(",") if s.strip()]

    path = write_template(
        args.out,
        lang=args.lang,
        facility=args.facility,
        instruments=split(args.instruments) if args.instruments else None,
        sheets=split(args.sheets) if args.sheets else None,
    )
    _say(f"template: {path}")
    if args.facility:
        from rehab_eval.etl.facilities import FacilityResolver

        found = FacilityResolver().resolve(args.facility)
        if found is not None and not found.known:
            _say(
                f"template: UPT {found.name!r} belum ada di daftar fasilitas ETL; tambahkan ke "
                "facility_aliases di berkas --config agar dikenali"
                if args.lang == "id"
                else f"template: facility {found.name!r} is not in the ETL's facility list; add "
                "it to facility_aliases in the --config file so that it is recognised"
            )
    return 0


def _cmd_quality(args: argparse.Namespace) -> int:
    from rehab_eval.quality import write_fix_workbooks

    paths = write_fix_workbooks(args.processed, args.out, raw=args.raw, lang=args.lang)
    if not paths:
        _say(
            "quality: tidak ada baris yang ditolak" if args.lang == "id" else "quality: no rejects"
        )
    for path in paths:
        _say(f"quality: {path}")
    return 0


def _add_office_commands(sub) -> None:
    p = sub.add_parser("template", help="write the recommended data-entry workbook (.xlsx)")
    p.add_argument("--out", required=True, type=Path, help="the workbook to write (.xlsx)")
    p.add_argument("--lang", choices=("id", "en"), default="id", help="language (default id)")
    p.add_argument("--facility", default=None, help="the office's facility name")
    p.add_argument("--instruments", default=None, help="comma-separated, e.g. whoqol_bref,urica")
    p.add_argument(
        "--sheets",
        default=None,
        help="comma-separated tables: clients,enrollments,assessments,contacts,urine_tests,events",
    )
    p.set_defaults(func=_cmd_template)

    p = sub.add_parser("quality", help="rows to fix: one workbook per facility, from the rejects")
    p.add_argument("--processed", required=True, type=Path, help="the ETL's output folder")
    p.add_argument("--out", required=True, type=Path, help="folder for the workbooks")
    p.add_argument(
        "--raw", type=Path, default=None, help="the raw folder, to tell each row's facility"
    )
    p.add_argument("--lang", choices=("id", "en"), default="id", help="language (default id)")
    p.set_defaults(func=_cmd_quality)


# --- indicators (issue 18) -----------------------------------------------------------------


def _cmd_indicators(args: argparse.Namespace) -> int:
    from rehab_eval import indicators
    from rehab_eval.etl import load_processed

    data = load_processed(args.processed)
    result = indicators.compute_indicators(
        data,
        args.set,
        year=args.year,
        facility=args.facility,
        province=args.province,
        end_date=args.end_date,
        targets=args.targets,
        lang=args.lang,
    )
    en = args.lang == "en"
    shown = indicators.display_table(result)
    cols = list(shown.columns)
    _say(f"{result.title}: {result.selection}, {result.year}")
    _say(
        ("Follow-up until " if en else "Tindak lanjut sampai ")
        + f"{result.end_date.isoformat()}; "
        + (
            "counts before disclosure control (internal use)."
            if en
            else "angka belum melalui kontrol pengungkapan (untuk internal)."
        )
    )
    for _, row in shown.iterrows():
        _say("")
        _say(f"{row[cols[0]]}. {row[cols[1]]}")
        _say(
            f"   {cols[2]} {row[cols[2]]} | {cols[3]} {row[cols[3]]} ({cols[6]} {row[cols[6]]})"
            f" | {cols[4]} {row[cols[4]]}"
        )
        _say(f"   {cols[5]}: {row[cols[5]]}")
        if row[cols[7]] != "–":
            _say(f"   {cols[7]}: {row[cols[7]]}")
    if len(result.years) > 1:
        comparison = indicators.display_year_on_year(result)
        _say("")
        _say("Year on year" if en else "Perbandingan tahun")
        _say(comparison.to_string(index=False))
    else:
        comparison = None
    _say("")
    _say("Definitions" if en else "Definisi")
    for text in result.definitions:
        _say(f"- {text}")
    if args.out is not None:
        path = indicators.write_excel(
            shown,
            args.out,
            title=result.title,
            subtitle=[f"{result.selection}, {result.year}"],
            definitions=result.definitions,
            comparison=comparison,
            lang=args.lang,
        )
        _say(f"indicators: tabel ditulis ke {path}")
    return 0


def _add_indicators_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("indicators", help="performance indicators (LAKIP table) for a year")
    p.add_argument("--processed", required=True, type=Path, help="the ETL's output folder")
    p.add_argument(
        "--set", required=True, help="indicator set: ditjenpas_rehabilitasi, "
        "bnn_pascarehabilitasi, or the path of a .toml declaration"
    )  # fmt: skip
    p.add_argument("--year", required=True, type=int, help="report year (YYYY)")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--facility", action="append", default=None, help="facility (repeatable)")
    where.add_argument("--province", action="append", default=None, help="province (Kanwil)")
    p.add_argument("--targets", type=Path, default=None, help="YAML of targets per year")
    p.add_argument("--end-date", default=None, help="end of follow-up (YYYY-MM-DD)")
    p.add_argument("--lang", choices=("id", "en"), default="id")
    p.add_argument("--out", type=Path, default=None, help="write the table to FILE.xlsx")
    p.set_defaults(func=_cmd_indicators)


# --- end indicators --------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rehab-eval",
        description="Outcome evaluation for drug-rehabilitation programs: "
        "ETL, scoring, change, recidivism and reports.",
    )
    parser.add_argument("--version", action="version", version=f"rehab-eval {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("synth", help="write synthetic raw program exports (and truth.json)")
    p.add_argument("--out", required=True, type=Path, help="folder for the raw exports")
    p.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    p.add_argument("--scale", type=int, default=1, help="multiply the provincial volume by K")
    p.add_argument("--truth", type=Path, default=None, help="where to write truth.json")
    p.set_defaults(func=_cmd_synth)

    p = sub.add_parser("etl", help="turn raw exports into canonical Parquet tables")
    p.add_argument("--raw", required=True, type=Path, help="folder of raw .xlsx/.csv exports")
    p.add_argument("--out", required=True, type=Path, help="folder for the canonical tables")
    p.add_argument("--config", type=Path, default=None, help="extra aliases (YAML or TOML)")
    p.add_argument("--as-of", default=None, help="reference date for 'future date' (YYYY-MM-DD)")
    p.add_argument(
        "--allow-shrink",
        action="store_true",
        help="replace the output even when a table empties or the clients fall by over half",
    )
    p.add_argument(
        "--rekey",
        action="store_true",
        help="write into an output made with another key (every client_id changes)",
    )
    p.add_argument(
        "--show-reject-values",
        action="store_true",
        help="write the rejected values as typed (data manager only; NIKs stay masked)",
    )
    p.set_defaults(func=_cmd_etl)

    p = sub.add_parser("score", help="score the instruments in the processed assessments")
    p.add_argument("--processed", required=True, type=Path, help="the ETL's output folder")
    p.add_argument(
        "--prereversed",
        action="store_true",
        help="WHOQOL-BREF Q3, Q4, Q26 were already reversed on the form (Indonesian printings)",
    )
    p.set_defaults(func=_cmd_score)

    p = sub.add_parser(
        "report",
        help="render a parameterized report (or a plan of reports)",
        add_help=False,
        description="Render a report. `rehab-eval report NAME --help` lists the report's "
        "parameters (type, default, choices); `rehab-eval report --list` lists the reports.",
    )
    p.add_argument("name", nargs="?", help="the report (see --list)")
    p.add_argument(
        "-h", "--help", action="store_true", help="show the report's parameters (or this help)"
    )
    p.add_argument("--list", action="store_true", help="list the reports")
    p.add_argument(
        "-p",
        "--param",
        nargs=2,
        action="append",
        metavar=("KEY", "VALUE"),
        help="set a report parameter (repeatable)",
    )
    p.add_argument("--params", type=Path, default=None, help="YAML file of parameters")
    p.add_argument("--plan", type=Path, default=None, help="YAML list of reports to render")
    p.add_argument("--out", type=Path, default=Path("reports"), help="reports folder")
    p.add_argument(
        "--timeout",
        type=_positive_seconds,
        default=None,
        metavar="SECONDS",
        help="per-cell time limit in seconds (default 600; raise it for national data)",
    )
    p.set_defaults(func=_cmd_report, report_parser=p)

    p = sub.add_parser("run", help="scheduled run: etl → score → reports under one lock")
    p.add_argument("--plan", required=True, type=Path, help="YAML plan (see monthly.yaml)")
    p.set_defaults(func=_cmd_run)

    p = sub.add_parser("key", help="create (init) or check (show) the pseudonymisation key")
    p.add_argument("action", choices=["init", "show"])
    p.add_argument("--file", type=Path, default=None, help="key file (default: the usual one)")
    p.set_defaults(func=_cmd_key)

    p = sub.add_parser("demo", help="synth → etl → score → every report, on synthetic data")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--raw", type=Path, default=Path("data/raw"))
    p.add_argument("--processed", type=Path, default=Path("data/processed"))
    p.add_argument("--reports", type=Path, default=Path("reports"))
    p.add_argument(
        "--plan",
        type=Path,
        default=None,
        help="the plan of demo reports (default: the demo.plan.yaml shipped with the package)",
    )
    p.set_defaults(func=_cmd_demo)
    _add_office_commands(sub)
    _add_indicators_parser(sub)
    return parser


def _one_line(exc: BaseException) -> str:
    """The error's message on one line (a multi-line message is joined with ' / ')."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    if lines:
        return " / ".join(lines)
    return "galat tanpa keterangan; jalankan ulang dengan parameter yang sama dan laporkan bila berulang"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 failed report, 2 bad input)."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except ReportError as exc:
        print(f"rehab-eval: {_one_line(exc)}", file=sys.stderr)
        return 1
    except RehabEvalError as exc:
        print(f"rehab-eval: galat: {_one_line(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("rehab-eval: dihentikan; jalankan ulang perintah yang sama bila perlu", file=sys.stderr)
        return 130
    except OSError as exc:
        print(f"rehab-eval: {os_error_line(exc)}", file=sys.stderr)
        return 1


def os_error_line(exc: OSError) -> str:
    """One line for a file-system error (disk full, no permission …), without a traceback."""
    what = exc.strerror or type(exc).__name__
    where = f" ({Path(exc.filename).name})" if getattr(exc, "filename", None) else ""
    return f"galat berkas: {what}{where}; periksa ruang disk dan izin folder, lalu jalankan ulang"


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
