"""Which raw files there are and how each is opened: every file is listed, read or not.

A file's kind comes from its first bytes, not only from its name: a ``.xls`` that a web
application wrote as an HTML table is read as HTML, a ``.xls`` that is really a zip workbook as
``.xlsx``, and an Office file encrypted with a password (an OLE2 container holding
``EncryptionInfo``) is reported as such. A ``.zip`` (an export forwarded over WhatsApp) is
opened and its members are read as if they lay in the folder, each named
``archive.zip/member``.

Resources are bounded before anything is parsed: the size of a file (and the unpacked size of
a workbook or archive member) and the declared dimensions of a sheet are checked against
:class:`Limits`; a file over a limit, broken, encrypted or of an unknown type is returned as a
:class:`Unread` with a one-line reason in Bahasa Indonesia, and the run goes on.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from rehab_eval.errors import InputError

__all__ = [
    "SUPPORTED",
    "Limits",
    "RawFile",
    "TooLarge",
    "Unread",
    "list_raw_files",
    "open_raw_files",
]

SPREADSHEET = (".xlsx", ".xlsm", ".xls", ".ods")
TEXT = (".csv", ".tsv", ".txt")
HTML = (".html", ".htm")
SUPPORTED = (*SPREADSHEET, *TEXT, *HTML, ".zip")

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"
_ENCRYPTED_OOXML = "EncryptionInfo".encode("utf-16-le")
_MAX_ARCHIVE_DEPTH = 2


class TooLarge(InputError):
    """A file or sheet exceeds a configured resource limit (not read, the run goes on)."""


@dataclass(frozen=True)
class Limits:
    """Resource caps checked before a file or sheet is read.

    ``max_file_mb``: size of a file on disk, and unpacked size of a workbook's parts or an
    archive member. ``max_cells``: rows x columns of one sheet, as declared by the workbook
    and as found after trailing empty rows and columns are dropped.
    """

    max_file_mb: float = 512.0
    max_cells: int = 20_000_000

    @classmethod
    def from_config(cls, cfg: Mapping[str, object] | None) -> Limits:
        from rehab_eval.errors import ConfigError

        cfg = dict(cfg or {})
        extra = set(cfg) - {"max_file_mb", "max_cells"}
        if extra:
            raise ConfigError(
                f"config limits: unknown keys {sorted(extra)}; known: max_cells, max_file_mb"
            )
        try:
            out = cls(
                max_file_mb=float(cfg.get("max_file_mb", cls.max_file_mb)),
                max_cells=int(cfg.get("max_cells", cls.max_cells)),
            )
        except (TypeError, ValueError):
            raise ConfigError("config limits: max_file_mb and max_cells must be numbers") from None
        if out.max_file_mb <= 0 or out.max_cells <= 0:
            raise ConfigError("config limits: max_file_mb and max_cells must be positive")
        return out

    @property
    def max_bytes(self) -> int:
        return int(self.max_file_mb * 2**20)

    def check_bytes(self, n: int, what: str = "berkas") -> None:
        if n > self.max_bytes:
            raise TooLarge(
                f"{what} terlalu besar ({n / 2**20:,.0f} MB, batas {self.max_file_mb:,.0f} MB); "
                "naikkan limits.max_file_mb di berkas konfigurasi bila memang perlu dibaca"
            )

    def check_cells(self, rows: int, cols: int, what: str = "lembar") -> None:
        if rows * cols > self.max_cells:
            raise TooLarge(
                f"{what} terlalu besar ({rows:,} baris x {cols:,} kolom, batas "
                f"{self.max_cells:,} sel); hapus baris/kolom kosong di ujung lembar atau naikkan "
                "limits.max_cells di berkas konfigurasi"
            )


@dataclass(frozen=True)
class RawFile:
    """One file to read: its name in the manifest, its kind and its bytes (read lazily)."""

    rel: str
    kind: str  # xlsx, xls, ods, html, text
    suffix: str
    path: Path | None = None
    blob: bytes | None = None
    archive: str | None = None

    def data(self) -> bytes:
        return self.blob if self.blob is not None else self.path.read_bytes()

    def source(self) -> Path | io.BytesIO:
        return self.path if self.blob is None else io.BytesIO(self.blob)


@dataclass(frozen=True)
class Unread:
    """A file that is not read, with the reason a user reads (Bahasa Indonesia)."""

    rel: str
    reason: str
    archive: str | None = None
    status: str = "unreadable"  # or "ignored": a lock, hidden or system file, not data


def list_raw_files(raw: Path) -> list[Path]:
    """Every file under ``raw``, sorted (nothing is filtered: each one is accounted for)."""
    return sorted(p for p in raw.rglob("*") if p.is_file())


_SYSTEM_FILES = {"thumbs.db", "desktop.ini", ".ds_store"}


def _ignored(name: str) -> str | None:
    base = name.rsplit("/", 1)[-1]
    if base.lower() in _SYSTEM_FILES:
        return "berkas sistem, bukan data; abaikan"
    if base.startswith("~$"):
        return "berkas kunci sementara Excel (~$), bukan data; abaikan"
    if base.startswith(".") or "/." in "/" + name or name.startswith("__MACOSX/"):
        return "berkas tersembunyi atau berkas sistem, bukan data; abaikan"
    return None


def _kind(head: bytes, suffix: str, names: list[str] | None) -> str:
    """The container kind from the first bytes (and the zip directory when it is one)."""
    if head.startswith(_OLE2):
        return "ole2"
    if head.startswith(_ZIP):
        if names is None:
            return "zip"
        if "xl/workbook.xml" in names:
            return "xlsx"
        if "content.xml" in names and "mimetype" in names:
            return "ods"
        return "zip"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<!doctype html", b"<html", b"<table")) or (
        text.startswith((b"<meta", b"<?xml")) and b"<table" in head.lower()
    ):
        return "html"
    if text.startswith(b"<?xml") and b"urn:schemas-microsoft-com:office:spreadsheet" in head:
        return "spreadsheetml"
    if suffix in HTML:
        return "html"
    if suffix in TEXT:
        return "text"
    return "unknown"


def _classify(
    rel: str,
    suffix: str,
    data: bytes,
    archive: str | None,
    path: Path | None,
    limits: Limits,
):
    """RawFile (ready to read), Unread, or a zip archive to open (returned as ZipFile).

    ``data`` is the whole file for an archive member, the first MB of a file on disk.
    """
    head = data[:65536]
    names = None
    zf = None
    if head.startswith(_ZIP):
        try:
            zf = zipfile.ZipFile(path if path is not None else io.BytesIO(data))
            names = zf.namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            return Unread(rel, f"berkas rusak: arsip zip tidak dapat dibuka ({suffix})", archive)
    kind = _kind(head, suffix, names)
    if kind == "ole2":
        if _ENCRYPTED_OOXML in data[: 1 << 20] or suffix in (".xlsx", ".xlsm"):
            return Unread(
                rel, "dilindungi kata sandi: buka di Excel, hapus sandinya, simpan ulang", archive
            )
        if suffix != ".xls":
            return Unread(rel, f"tipe berkas tidak didukung: {suffix or 'tanpa akhiran'}", archive)
        kind = "xls"
    if kind in ("xlsx", "ods"):
        unpacked = sum(i.file_size for i in zf.infolist())
        try:
            limits.check_bytes(unpacked, "isi buku kerja (setelah dibuka)")
        except TooLarge as exc:
            return Unread(rel, str(exc), archive)
    if kind == "zip":
        if suffix == ".zip":
            return zf
        if suffix in SPREADSHEET:
            return Unread(
                rel, f"berkas rusak: bukan buku kerja {suffix} yang dapat dibaca", archive
            )
        return Unread(rel, f"tipe berkas tidak didukung: {suffix or 'tanpa akhiran'}", archive)
    if kind == "spreadsheetml":
        return Unread(
            rel,
            "tipe berkas tidak didukung: XML Spreadsheet 2003; buka di Excel dan simpan ulang "
            "sebagai .xlsx",
            archive,
        )
    if kind == "unknown":
        if suffix in SPREADSHEET:
            return Unread(
                rel, f"berkas rusak: bukan buku kerja {suffix} yang dapat dibaca", archive
            )
        return Unread(rel, f"tipe berkas tidak didukung: {suffix or 'tanpa akhiran'}", archive)
    blob = None if path is not None else data
    return RawFile(rel, kind, suffix, path, blob, archive)


def _walk_zip(zf: zipfile.ZipFile, prefix: str, limits: Limits, depth: int) -> Iterator:
    members = [i for i in zf.infolist() if not i.is_dir()]
    if not members:
        yield Unread(prefix, "arsip zip kosong: tidak ada berkas di dalamnya", prefix)
        return
    for info in sorted(members, key=lambda i: i.filename):
        rel = f"{prefix}/{info.filename}"
        suffix = PurePosixPath(info.filename).suffix.lower()
        why = _ignored(info.filename)
        if why:
            yield Unread(rel, why, prefix, "ignored")
            continue
        if info.flag_bits & 0x1:
            yield Unread(rel, "dilindungi kata sandi: kirim ulang arsip tanpa sandi", prefix)
            continue
        try:
            limits.check_bytes(info.file_size)
            data = zf.read(info)
        except TooLarge as exc:
            yield Unread(rel, str(exc), prefix)
            continue
        except (zipfile.BadZipFile, OSError, RuntimeError, ValueError, EOFError) as exc:
            yield Unread(rel, f"berkas rusak dalam arsip zip ({type(exc).__name__})", prefix)
            continue
        got = _classify(rel, suffix, data, prefix, None, limits)
        if isinstance(got, zipfile.ZipFile):
            if depth >= _MAX_ARCHIVE_DEPTH:
                yield Unread(rel, "arsip zip di dalam arsip zip terlalu dalam; buka dulu", prefix)
            else:
                yield from _walk_zip(got, rel, limits, depth + 1)
        else:
            yield got


def open_raw_files(raw: Path, limits: Limits | None = None) -> Iterator[RawFile | Unread]:
    """Every file under ``raw`` as a :class:`RawFile` to read or an :class:`Unread` with why.

    Archives are opened and yield their members (``archive.zip/member``); the archive itself
    yields nothing else unless it cannot be opened.
    """
    limits = limits or Limits()
    for path in list_raw_files(raw):
        rel = path.relative_to(raw).as_posix()
        suffix = path.suffix.lower()
        why = _ignored(rel)
        if why:
            yield Unread(rel, why, status="ignored")
            continue
        if suffix not in SUPPORTED:
            yield Unread(rel, f"tipe berkas tidak didukung: {suffix or 'tanpa akhiran'}")
            continue
        try:
            size = path.stat().st_size
            limits.check_bytes(size)
        except TooLarge as exc:
            yield Unread(rel, str(exc))
            continue
        if size == 0:
            yield Unread(rel, "berkas kosong (0 byte); ekspor ulang datanya")
            continue
        with path.open("rb") as fh:
            head = fh.read(1 << 20)
        got = _classify(rel, suffix, head, None, path, limits)
        if isinstance(got, zipfile.ZipFile):
            yield from _walk_zip(got, rel, limits, 1)
        else:
            yield got
