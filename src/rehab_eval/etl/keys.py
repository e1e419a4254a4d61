"""The pseudonymisation key: where it lives, how it is created, checked and fingerprinted.

The key turns a NIK into a ``client_id`` (HMAC-SHA256, see :mod:`rehab_eval.etl.identity`);
the same key gives the same ``client_id`` month after month, so losing or silently replacing
it breaks every linkage across runs. Hence:

* a key is created only on request (``rehab-eval key init``, or a "yes" typed at a terminal),
  never silently inside an unattended run;
* a key must be strong: 32 random bytes (written as 64 hex digits by ``key init``) or a
  passphrase of similar strength (estimated at :data:`MIN_BITS` bits or more);
* a key file readable by the group or others is refused (the message gives the ``chmod``);
* only a fingerprint is ever written down: the HMAC of a fixed label under the key, so the
  fingerprint cannot confirm a guessed key without the HMAC (unlike a bare hash of the key)
  and says nothing about NIKs.

The key comes from the ``secret`` argument, else the environment variable
``REHAB_EVAL_SECRET``, else the key file (``REHAB_EVAL_KEY_FILE``, else
``$XDG_CONFIG_HOME/rehab_eval/secret.key``, by default ``~/.config/rehab_eval/secret.key``).
The key's text (as written in the file or variable) is the HMAC key, so a key created by an
earlier version keeps giving the same pseudonyms.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import os
import secrets
import stat
from pathlib import Path

from rehab_eval.errors import ConfigError

__all__ = [
    "FINGERPRINT_LABEL",
    "MIN_BITS",
    "check_key_strength",
    "create_key_file",
    "default_key_file",
    "fingerprint_matches",
    "key_fingerprint",
    "key_source",
    "load_key",
]

#: Estimated strength a key must reach (32 random bytes as hex score about 250).
MIN_BITS = 190
#: The fixed message whose HMAC under the key is the key's fingerprint.
FINGERPRINT_LABEL = b"rehab_eval key fingerprint v1"
_ENV = "REHAB_EVAL_SECRET"
_ENV_FILE = "REHAB_EVAL_KEY_FILE"


def default_key_file() -> Path:
    """The key file: ``REHAB_EVAL_KEY_FILE``, else ``<XDG_CONFIG_HOME>/rehab_eval/secret.key``."""
    env = os.environ.get(_ENV_FILE)
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "rehab_eval" / "secret.key"


def key_source(secret: bytes | str | None = None) -> str:
    """Where :func:`load_key` would take the key from: "argument", "environment" or "file"."""
    if secret is not None:
        return "argument"
    return "environment" if os.environ.get(_ENV) else "file"


def _estimate_bits(text: str) -> float:
    """A conservative strength estimate of a key written as text.

    Hex text counts 4 bits a digit; other text ``log2`` of the size of the character
    classes it uses (lower case, upper case, digits, other), discounted when few distinct
    characters repeat (``aaaa…``), so a sentence-like passphrase needs about 35 to 40 mixed
    characters.
    """
    s = text.strip()
    if not s:
        return 0.0
    if all(c in "0123456789abcdefABCDEF" for c in s):
        per = 4.0
    else:
        size = 0
        size += 26 if any(c.islower() for c in s) else 0
        size += 26 if any(c.isupper() for c in s) else 0
        size += 10 if any(c.isdigit() for c in s) else 0
        size += 33 if any(not c.isalnum() for c in s) else 0
        per = math.log2(max(size, 2))
    distinct = len(set(s))
    per = min(per, math.log2(max(distinct, 2)) * 1.5)
    return len(s) * per


def check_key_strength(key: bytes | str, *, where: str = "") -> None:
    """Refuse a key weaker than 32 random bytes (or a passphrase of similar strength).

    Raises
    ------
    ConfigError
        The key is too short or too repetitive (the message says how to make a good one).
    """
    text = key.decode("utf-8", "replace") if isinstance(key, bytes) else str(key)
    if _estimate_bits(text) < MIN_BITS:
        src = f" ({where})" if where else ""
        raise ConfigError(
            f"kunci pseudonimisasi{src} terlalu lemah (kurang dari 32 byte acak); buat kunci "
            "baru dengan `rehab-eval key init`, atau pakai frasa sandi acak minimal 40 karakter"
        )


def _check_mode(path: Path) -> None:
    if os.name != "posix":
        return
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(
            f"berkas kunci {path} dapat dibaca pengguna lain; jalankan `chmod 600 {path}` "
            "lalu ulangi"
        )


def load_key(secret: bytes | str | None = None) -> bytes:
    """The pseudonymisation key: ``secret``, else ``REHAB_EVAL_SECRET``, else the key file.

    Nothing is created here: a missing key is an error that says how to create one.

    Raises
    ------
    ConfigError
        No key anywhere, a key file readable by others, an unreadable file or a weak key.
    """
    where = "argumen secret"
    if secret is None and os.environ.get(_ENV):
        secret, where = os.environ[_ENV], _ENV
    if secret is None:
        path = default_key_file()
        if not path.is_file():
            raise ConfigError(
                f"kunci pseudonimisasi belum ada ({path}); buat sekali dengan "
                "`rehab-eval key init` dan simpan cadangannya, atau isi REHAB_EVAL_SECRET"
            )
        try:
            _check_mode(path)
            secret = path.read_text("utf-8").strip()
        except OSError as exc:
            raise ConfigError(
                f"berkas kunci {path} tidak dapat dibaca ({exc.strerror}); periksa izin berkas "
                "atau isi REHAB_EVAL_KEY_FILE"
            ) from None
        where = str(path)
    key = secret.encode("utf-8") if isinstance(secret, str) else bytes(secret)
    if not key.strip():
        raise ConfigError(f"kunci pseudonimisasi kosong ({where}); jalankan `rehab-eval key init`")
    check_key_strength(key, where=where)
    return key


def create_key_file(path: str | Path | None = None) -> Path:
    """Create a new key file (32 random bytes as 64 hex digits, mode 0600); returns its path.

    Raises
    ------
    ConfigError
        The file already exists (a key is never overwritten) or cannot be written.
    """
    p = Path(path) if path is not None else default_key_file()
    if p.exists():
        raise ConfigError(
            f"berkas kunci {p} sudah ada dan tidak akan ditimpa; pakai kunci itu, atau "
            "pindahkan dulu bila memang ingin kunci baru (semua client_id akan berubah)"
        )
    try:
        p.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        raise ConfigError(
            f"berkas kunci {p} tidak dapat dibuat ({exc.strerror}); pilih tempat lain dengan "
            "REHAB_EVAL_KEY_FILE"
        ) from None
    return p


def key_fingerprint(key: bytes) -> str:
    """HMAC-SHA256 of :data:`FINGERPRINT_LABEL` under the key, first 16 hex digits.

    Safe to record: it identifies the key without being a hash of it.
    """
    return hmac.new(key, FINGERPRINT_LABEL, hashlib.sha256).hexdigest()[:16]


def fingerprint_matches(key: bytes, recorded: str | None) -> bool:
    """Whether ``recorded`` (a manifest's fingerprint) belongs to ``key``.

    Fingerprints written by earlier versions (12 hex digits of SHA-256 of the key) are
    recognised so that an existing output folder keeps working with its key.
    """
    if not recorded:
        return True
    recorded = str(recorded)
    if len(recorded) == 12:
        return hmac.compare_digest(hashlib.sha256(key).hexdigest()[:12], recorded)
    return hmac.compare_digest(key_fingerprint(key), recorded)
