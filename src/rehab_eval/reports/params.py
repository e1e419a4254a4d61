"""Report parameters declared as data: one packaged YAML spec per report, validated up front.

papermill only logs ``Passed unknown parameter`` and injects whatever it is given (papermill
issue #818), and values from ``-p KEY VALUE`` arrive as strings. So every report declares its
parameters in ``rehab_eval/reports/specs/<report>.yaml``::

    name: cohort_report
    notebook: cohort_report.ipynb
    title: {id: Laporan kohort, en: Cohort report}
    parameters:
      min_cell: {type: int, default: 5, min: 1, help: disclosure threshold}
      period_end: {type: date, default: 2024-12-31, not_before: period_start}

and :func:`validate` coerces each value by its declared type and refuses unknown names and bad
values with one line naming all of them, before papermill starts. A spec file
``<notebooks_dir>/<report>.params.yaml`` beside a notebook takes precedence over the packaged one
(for a user's own report notebooks).

Types: ``str``, ``int``, ``float``, ``bool``, ``date`` (ISO ``YYYY-MM-DD``; passed to the notebook
as that string), ``path`` (made absolute against the caller's working directory; ``must_exist``
checks it), ``choice`` (one of ``choices``), ``int_list`` (``"6,12,24"`` or a YAML list; each
item within ``min``/``max``). ``nullable: true`` accepts an empty value (and the strings
``none``/``null``/``kosong``).

More keys of a parameter:

- ``help``: a text, or ``{id: ..., en: ...}`` (``rehab-eval report NAME --help`` shows it);
- ``aliases``: a vocabulary of the ETL's ``values.toml`` (``program``, ``timepoint``) whose
  spellings a ``choice`` accepts (``"Pasca Rehabilitasi"`` → ``pascarehabilitasi``);
- ``match``: ``facility``, ``province``, ``program`` or ``cohort``: the value is matched
  against the processed data (:mod:`.choices`; facilities through the ETL's aliases);
- ``follows``: an empty date takes 31 December of the year of the named date parameter
  (``period_end`` follows ``period_start``);
- ``data_default``: ``first`` or ``last``: an empty value takes the start of the first / the
  end of the last year with enrollment starts (dates) or the first / last timepoint
  (``pre``/``post``) of the selection (:mod:`.choices`).

Messages are one line in the report's language (its ``lang`` parameter, else Indonesian).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from rehab_eval.errors import ConfigError
from rehab_eval.reports.param_text import (
    _LANGS,
    MESSAGES,
    _Bad,
    describe,
    list_reports,
    report_lang,
    show_value,
)

__all__ = [
    "MESSAGES",
    "RUNNER_PARAMETERS",
    "ParamSpec",
    "ReportSpec",
    "available_reports",
    "describe",
    "list_reports",
    "load_spec",
    "report_lang",
    "show_value",
    "validate",
]

TYPES = ("str", "int", "float", "bool", "date", "path", "choice", "int_list")
#: Parameters the runner sets itself; a user may not pass them.
RUNNER_PARAMETERS = ("output_dir",)
_TRUE = {"true", "yes", "y", "1", "ya", "benar", "on"}
_FALSE = {"false", "no", "n", "0", "tidak", "salah", "off"}
_NULL = {"none", "null", "~", "", "kosong", "empty"}


@dataclass(frozen=True)
class ParamSpec:
    """One declared parameter."""

    name: str
    type: str
    default: Any = None
    nullable: bool = False
    choices: tuple[Any, ...] = ()
    min: float | None = None
    max: float | None = None
    must_exist: bool = False
    not_before: str | None = None
    help: str | Mapping[str, str] = ""
    aliases: str | None = None
    match: str | None = None
    follows: str | None = None
    data_default: str | None = None

    def help_for(self, lang: str) -> str:
        """The parameter's help text in ``lang`` (falls back to the other language)."""
        if isinstance(self.help, Mapping):
            return str(self.help.get(lang) or self.help.get("id") or self.help.get("en") or "")
        return str(self.help)


@dataclass(frozen=True)
class ReportSpec:
    """A report: its notebook file, display titles and declared parameters."""

    name: str
    notebook: str
    title: Mapping[str, str]
    parameters: Mapping[str, ParamSpec] = field(default_factory=dict)
    source: str = ""

    def title_for(self, lang: str) -> str:
        """The report's display title in ``lang`` (falls back to Indonesian, then the name)."""
        return self.title.get(lang) or self.title.get("id") or self.name


def _read_yaml(text: str, where: str) -> Any:
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        reason = str(exc).splitlines()[0]
        raise ConfigError(f"{where}: not valid YAML ({reason})") from exc


def _spec_from_dict(raw: Any, where: str) -> ReportSpec:
    if not isinstance(raw, Mapping) or "name" not in raw or "parameters" not in raw:
        raise ConfigError(f"{where}: a report spec needs 'name' and 'parameters' keys")
    params: dict[str, ParamSpec] = {}
    for pname, body in (raw.get("parameters") or {}).items():
        body = dict(body or {})
        ptype = body.pop("type", "str")
        if ptype not in TYPES:
            raise ConfigError(
                f"{where}: parameter {pname!r} has type {ptype!r}; use one of {TYPES}"
            )
        if "choices" in body:
            body["choices"] = tuple(body["choices"])
        if body.get("data_default") not in (None, "first", "last"):
            raise ConfigError(f"{where}: parameter {pname!r}: data_default is first or last")
        unknown = set(body) - {
            f for f in ParamSpec.__dataclass_fields__ if f not in ("name", "type")
        }
        if unknown:
            raise ConfigError(f"{where}: parameter {pname!r} has unknown key(s) {sorted(unknown)}")
        params[str(pname)] = ParamSpec(name=str(pname), type=ptype, **body)
    title = raw.get("title") or {}
    if isinstance(title, str):
        title = {"id": title}
    return ReportSpec(
        name=str(raw["name"]),
        notebook=str(raw.get("notebook") or f"{raw['name']}.ipynb"),
        title=dict(title),
        parameters=params,
        source=where,
    )


def available_reports() -> list[str]:
    """Names of the packaged report specs."""
    folder = resources.files("rehab_eval.reports") / "specs"
    return sorted(p.name[: -len(".yaml")] for p in folder.iterdir() if p.name.endswith(".yaml"))


def load_spec(
    name: str, notebooks_dir: str | Path | None = None, *, lang: str = "id"
) -> ReportSpec:
    """The spec of report ``name``: ``<notebooks_dir>/<name>.params.yaml`` or the packaged one.

    Raises
    ------
    ConfigError
        When no spec of that name exists (the message lists the known reports).
    """
    if notebooks_dir is not None:
        local = Path(notebooks_dir) / f"{name}.params.yaml"
        if local.is_file():
            return _spec_from_dict(
                _read_yaml(local.read_text(encoding="utf-8"), local.name), local.name
            )
    packaged = resources.files("rehab_eval.reports") / "specs" / f"{name}.yaml"
    if not packaged.is_file():
        import difflib

        names = available_reports()
        guess = difflib.get_close_matches(name, names, n=1)
        say = MESSAGES[lang if lang in _LANGS else "id"]
        raise ConfigError(
            say["unknown_report"].format(
                name=name,
                guess=say["guess"].format(guess=guess[0]) if guess else "",
                known=", ".join(names),
            )
        )
    return _spec_from_dict(
        _read_yaml(packaged.read_text(encoding="utf-8"), f"{name}.yaml"), f"{name}.yaml"
    )


def _coerce(spec: ParamSpec, value: Any, base: Path) -> Any:
    """Coerce ``value`` to the declared type; raise :class:`_Bad` with the reason."""
    if value is None or (
        isinstance(value, str)
        and value.strip().lower() in _NULL
        and (spec.type != "str" or spec.nullable)
    ):
        if spec.nullable:
            return None
        raise _Bad("required")
    if spec.type == "str":
        if isinstance(value, (Mapping, list, tuple)):
            raise _Bad("text")
        return " ".join(str(value).split())
    if spec.type == "int":
        if isinstance(value, bool):
            raise _Bad("whole")
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, int):
            out = value
        else:
            try:
                out = int(str(value).strip())
            except ValueError:
                raise _Bad("whole") from None
        return _bounded(spec, out)
    if spec.type == "float":
        if isinstance(value, bool):
            raise _Bad("number")
        try:
            out = (
                float(str(value).strip().replace(",", "."))
                if isinstance(value, str)
                else float(value)
            )
        except (TypeError, ValueError):
            raise _Bad("number") from None
        if not math.isfinite(out):
            raise _Bad("number")
        return _bounded(spec, out)
    if spec.type == "bool":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise _Bad("bool")
    if spec.type == "date":
        if isinstance(value, datetime):
            return value.date().isoformat()
        if isinstance(value, date):
            return value.isoformat()
        try:
            return date.fromisoformat(str(value).strip()).isoformat()
        except ValueError:
            raise _Bad("date") from None
    if spec.type == "path":
        path = Path(str(value)).expanduser()
        path = path if path.is_absolute() else base / path
        if spec.must_exist and not path.exists():
            raise _Bad("path")
        return str(path.resolve())
    if spec.type == "int_list":
        items = (
            value if isinstance(value, (list, tuple)) else str(value).replace(";", ",").split(",")
        )
        out_list = []
        for item in items:
            if isinstance(item, bool):
                raise _Bad("int_list")
            try:
                number = int(str(item).strip())
            except ValueError:
                raise _Bad("int_list") from None
            out_list.append(_bounded(spec, number))
        if not out_list:
            raise _Bad("one")
        return out_list
    if spec.type == "choice":
        for choice in spec.choices:
            if value == choice or str(value).strip() == str(choice):
                return choice
        if spec.aliases:
            from rehab_eval.etl.parse import norm_value, value_table

            code = value_table(spec.aliases).get(norm_value(value))
            if code in spec.choices:
                return code
        raise _Bad("choice", choices=", ".join(map(str, spec.choices)))
    raise ValueError(f"unsupported type {spec.type}")  # pragma: no cover - specs are checked


def _bounded(spec: ParamSpec, value: float) -> Any:
    if spec.min is not None and value < spec.min:
        raise _Bad("min", bound=f"{spec.min:g}")
    if spec.max is not None and value > spec.max:
        raise _Bad("max", bound=f"{spec.max:g}")
    return value


def _end_of_year(day: str) -> str:
    return date(date.fromisoformat(day).year, 12, 31).isoformat()


def validate(
    spec: ReportSpec,
    params: Mapping[str, Any] | None = None,
    *,
    params_file: str | Path | None = None,
    base_dir: str | Path | None = None,
) -> dict[str, Any]:
    """Resolve a report's parameters: defaults ← ``params_file`` ← ``params``, coerced and checked.

    Parameters
    ----------
    spec
        The report's spec (:func:`load_spec`).
    params
        Values by name; strings (from the command line) are coerced by the declared type.
    params_file
        A YAML mapping of parameter values (later overridden by ``params``).
    base_dir
        Folder that relative paths are resolved against (default: the current directory).

    Returns
    -------
    dict
        Every declared parameter with its value, ready to inject: dates as ISO strings, paths
        absolute, numbers and booleans typed.

    Raises
    ------
    ConfigError
        One line naming every unknown parameter and every bad value (with the reason).
    """
    merged: dict[str, Any] = {}
    lang = report_lang(params, spec)
    say = MESSAGES[lang]
    if params_file is not None:
        path = Path(params_file)
        if not path.is_file():
            raise ConfigError(f"{spec.name}: " + say["file_missing"].format(file=path.name))
        loaded = _read_yaml(path.read_text(encoding="utf-8"), path.name)
        if loaded is None:
            loaded = {}
        if not isinstance(loaded, Mapping):
            raise ConfigError(f"{spec.name}: " + say["file_mapping"].format(file=path.name))
        merged.update({str(k): v for k, v in loaded.items()})
    merged.update({str(k): v for k, v in (params or {}).items()})
    lang = report_lang(merged, spec)
    say = MESSAGES[lang]
    base = Path(base_dir) if base_dir is not None else Path.cwd()

    problems: list[str] = []
    reserved = sorted(k for k in merged if k in RUNNER_PARAMETERS)
    if reserved:
        problems.append(say["reserved"].format(names=", ".join(reserved)))
    unknown = sorted(k for k in merged if k not in spec.parameters and k not in RUNNER_PARAMETERS)
    if unknown:
        import difflib

        names = [k for k in spec.parameters if k not in RUNNER_PARAMETERS]
        guesses = [g for u in unknown for g in difflib.get_close_matches(u, names, n=1)]
        problems.append(
            say["unknown"].format(
                names=", ".join(unknown),
                guess=say["guess"].format(guess=", ".join(guesses)) if guesses else "",
                known=", ".join(names),
            )
        )
    resolved: dict[str, Any] = {}
    for name, pspec in spec.parameters.items():
        if name in RUNNER_PARAMETERS:
            continue
        given = name in merged
        value = merged[name] if given else pspec.default
        try:
            resolved[name] = _coerce(pspec, value, base)
        except _Bad as exc:
            problems.append(
                say["bad" if given else "bad_default"].format(
                    name=name, value=show_value(value, lang), reason=exc.text(lang)
                )
            )
    for name, pspec in spec.parameters.items():
        other = pspec.follows
        if other and name in resolved and resolved[name] is None and resolved.get(other):
            resolved[name] = _end_of_year(str(resolved[other]))
    for name, pspec in spec.parameters.items():
        other = pspec.not_before
        if other and resolved.get(name) is not None and resolved.get(other) is not None:
            if str(resolved[name]) < str(resolved[other]):
                problems.append(
                    say["order"].format(
                        name=name,
                        value=resolved[name],
                        other=other,
                        other_value=resolved[other],
                    )
                )
    if problems:
        raise ConfigError(
            f"{spec.name}: " + "; ".join(problems) + "; " + say["help"].format(report=spec.name)
        )
    return resolved
