"""Secret keys: made strong (``anon keygen``), refused when guessable, never shown.

A key's strength is *estimated* the way password meters do (zxcvbn's idea, much reduced): the
key is cut into pieces an attacker would guess as a whole — a repeated pattern, a run such as
``abcdef`` or ``0000``, a known word (``rules/data/weak_key_words.txt``), a year — and each piece
counts the bits of that guess; other characters count the bits of their character set. Below
``MIN_KEY_BITS`` the key is refused (``--weak-key-ok`` lets tests pass fixed keys). A truly
random 32-digit hex key counts 128 bits, a 64-digit one 256.

The manifest's key fingerprint is a slow salted derivation (scrypt, a fresh salt per release):
it still tells which key made a release (recompute it with the salt), but testing one guess
costs ``2**SCRYPT_LOG_N`` memory-hard steps instead of one SHA-256.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import os
import re
import secrets
import stat
from functools import lru_cache
from pathlib import Path

from anonymizer.i18n import N_, _

MIN_KEY_BITS = 128
KEYGEN_BYTES = 32  # 256 bits

SCRYPT_LOG_N, SCRYPT_R, SCRYPT_P = 15, 8, 1  # ~0.1 s and 32 MiB per guess
FINGERPRINT_PREFIX = "scrypt"

_POOLS = ((re.compile(r"[a-z]"), 26), (re.compile(r"[A-Z]"), 26), (re.compile(r"[0-9]"), 10),
          (re.compile(r"[ -/:-@\[-`{-~]"), 33), (re.compile(r"[^\x00-\x7f]"), 100))
_YEAR = re.compile(r"(19|20)\d\d")


@lru_cache(maxsize=1)
def weak_words() -> tuple[str, ...]:
    """The word list, longest first (a longer word wins where two match)."""
    from anonymizer.resources import rules_path

    lines = rules_path("data", "weak_key_words.txt").read_text(encoding="utf-8").splitlines()
    return tuple(sorted({w.strip().lower() for w in lines if w.strip() and not w.startswith("#")},
                        key=lambda w: (-len(w), w)))


def _pool(text: str, is_hex: bool) -> int:
    if is_hex:
        return 16
    return sum(size for pattern, size in _POOLS if pattern.search(text)) or 1


def _period(text: str) -> int:
    """The smallest p such that ``text`` is its first p characters repeated (``len`` if none)."""
    n = len(text)
    for p in range(1, n // 2 + 1):
        if all(text[i] == text[i - p] for i in range(p, n)):
            return p
    return n


def _run(text: str, i: int) -> int:
    """Length of the run starting at ``i`` whose characters step by one constant -1, 0 or +1."""
    if i + 1 >= len(text):
        return 1
    step = ord(text[i + 1]) - ord(text[i])
    if step not in (-1, 0, 1):
        return 1
    j = i + 1
    while j + 1 < len(text) and ord(text[j + 1]) - ord(text[j]) == step:
        j += 1
    return j - i + 1


def estimate_bits(text: str, *, is_hex: bool = False) -> tuple[float, list[str]]:
    """Estimated entropy of a key written as ``text`` (hex digits when ``is_hex``), and what
    made it weaker (reasons, never a piece of the key)."""
    if not text:
        return 0.0, [N_("empty")]
    reasons: list[str] = []
    p = _period(text)
    if p <= len(text) // 2:
        inner, why = estimate_bits(text[:p], is_hex=is_hex)
        return inner + math.log2(len(text) / p), [N_("a repeated pattern"), *why]
    if len(text) >= 8 and len(text) % 2 == 0 and text[::2] == text[1::2]:  # "00112233...": each doubled
        inner, why = estimate_bits(text[::2], is_hex=is_hex)
        return inner + 1, [N_("doubled characters"), *why]
    base = math.log2(_pool(text, is_hex))
    lower = text.lower()
    # hex keys: only long structure counts (a random key often holds "aaa" or a year by chance)
    min_run, min_word = (5, 5) if is_hex else (3, 4)
    words = [w for w in weak_words() if len(w) >= min_word]
    bits, i = 0.0, 0
    while i < len(text):
        word = next((w for w in words if lower.startswith(w, i)), None)
        run = _run(text, i)
        if word:
            bits += math.log2(len(words)) + 1  # which word, and its case
            i += len(word)
            reasons.append(N_("a common word"))
        elif run >= min_run:
            bits += base + math.log2(run) + 1  # its first character, its length, its direction
            i += run
            reasons.append(N_("a run of characters"))
        elif not is_hex and _YEAR.match(text, i):
            bits += math.log2(200)
            i += 4
            reasons.append(N_("a year"))
        else:
            bits += base
            i += 1
    return bits, list(dict.fromkeys(reasons))


def key_strength(raw: bytes, decoded: bytes) -> tuple[float, list[str]]:
    """Estimated bits of a key given as ``raw`` (stripped) that decodes to ``decoded``."""
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError:  # binary key: 8 bits a byte, less its repetition
        p = _period(decoded.hex()) // 2 or 1
        if p <= len(decoded) // 2:
            return 8.0 * p + math.log2(len(decoded) / p), [N_("a repeated pattern")]
        return 8.0 * len(decoded), []
    is_hex = decoded != raw
    return estimate_bits(text, is_hex=is_hex)


def generate_key() -> str:
    """A new random key, as 64 hex digits."""
    return secrets.token_hex(KEYGEN_BYTES)


def file_too_open(path: str | os.PathLike) -> str | None:
    """A warning when a key file can be read by its group or by others (mode & 0o077)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        return _("key file {path} can be read by group or others (mode {mode:04o}); "
                 "restrict it: chmod 600 {path}").format(path=path, mode=stat.S_IMODE(mode))
    return None


# ----------------------------------------------------------------------------- fingerprint


def fingerprint(key: bytes, salt: bytes | None = None) -> str:
    """``scrypt$<log2 N>$<r>$<p>$<salt hex>$<first 16 bytes of the derivation, hex>``.

    A fresh random salt per call (per release) unless ``salt`` is given (to verify one)."""
    salt = secrets.token_bytes(16) if salt is None else salt
    digest = hashlib.scrypt(b"anon/key-fingerprint/v2\x00" + bytes(key), salt=salt, n=2 ** SCRYPT_LOG_N,
                            r=SCRYPT_R, p=SCRYPT_P, maxmem=64 * 1024 * 1024, dklen=16)
    return f"{FINGERPRINT_PREFIX}${SCRYPT_LOG_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def fingerprint_matches(key: bytes, recorded: str) -> bool:
    """Whether ``recorded`` (a manifest's ``key_fingerprint``) was made from ``key``."""
    parts = recorded.split("$")
    if len(parts) != 6 or parts[0] != FINGERPRINT_PREFIX:
        return False
    try:
        log_n, r, p, salt = int(parts[1]), int(parts[2]), int(parts[3]), bytes.fromhex(parts[4])
    except ValueError:
        return False
    if (log_n, r, p) != (SCRYPT_LOG_N, SCRYPT_R, SCRYPT_P):
        return False
    return hmac.compare_digest(fingerprint(key, salt), recorded)


def write_key_file(path: Path) -> None:
    """Write a new key to ``path`` (0600), refusing to replace any file: created under a
    temporary name with the right mode, then linked to ``path`` (fails if it exists)."""
    import tempfile

    from anonymizer.errors import UsageError

    if os.path.lexists(path):
        raise UsageError(_('{path}: already exists; anon keygen never overwrites a key (a lost key cannot be recovered): choose another name, or delete that file yourself').format(path=path))
    fd, tmp = tempfile.mkstemp(prefix=".anon-key-", dir=path.parent)  # 0600
    try:
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(generate_key() + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            raise UsageError(_('{path}: already exists; anon keygen never overwrites a key').format(path=path)) from None
    finally:
        Path(tmp).unlink(missing_ok=True)
