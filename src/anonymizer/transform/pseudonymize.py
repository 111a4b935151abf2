"""Keyed pseudonyms: ``HMAC-SHA256(key, normalised value)`` -> stable token.

A keyed MAC, not a plain hash: an unkeyed hash of a NIR is reversible by enumerating the
~2,000 NIRs left once sex, birth month and commune are known (france.md §1.1, the FOIN
lesson). Same value + same key -> same token in every file and run, so joins survive; the
token does **not** depend on the entity label, only on the normalised value, so a column
tagged RECORD_ID in one file still joins a CAF_NUMBER column in another.
"""

from __future__ import annotations

import base64
import hmac
import os
import re
from pathlib import Path
from typing import Any, ClassVar, Literal

import numpy as np
import pandas as pd
from pydantic import Field, model_validator

from anonymizer.detect.entities import COMPACT_ENTITIES
from anonymizer.errors import UsageError
from anonymizer.i18n import _
from anonymizer.settings import ActionParams
from anonymizer.transform.base import (
    TransformContext,
    from_text,
    norm_identifier,
    prf,
    require_key,
    subkey,
    to_text,
)

MIN_KEY_BYTES = 16
MAX_KEY_FILE_BYTES = 4096  # a key file holds a key, not a table

#: Entities whose values are identifiers: spaces, dots, hyphens are formatting, not content.
IDENTIFIER_ENTITIES = COMPACT_ENTITIES

_WS = re.compile(r"\s+")


def normalise(value: str, entity: str | None) -> str:
    """The form that is hashed: strip + case-fold; identifiers also lose spaces/dots/hyphens.

    NIRs are cut to their 13 characters (the key is redundant) and phones to their 9-digit
    national significant number, so ``06 12 34 56 78`` and ``+33612345678`` join.
    """
    if entity in IDENTIFIER_ENTITIES:
        v = norm_identifier(value)
        if entity == "NIR" and len(v) == 15:
            v = v[:13]
        elif entity == "PHONE":
            digits = "".join(c for c in v if c.isdigit())
            if len(digits) >= 9:
                v = digits[-9:]
        return v
    return _WS.sub(" ", value.strip()).casefold()


def token(value: str, *, key: bytes, entity: str | None = None, prefix: str = "", length: int = 16,
          alphabet: str = "base32") -> str:
    """One pseudonym (see module doc)."""
    digest = prf(subkey(key, "pseudonymize"), normalise(value, entity))
    if alphabet == "hex":
        body = digest.hex()
    elif alphabet == "base32":
        # base32 encodes 5-byte groups independently: encode only the groups the token needs
        nbytes = min(len(digest), -(-length // 8) * 5) if length <= 52 else len(digest)
        body = base64.b32encode(digest[:nbytes]).decode("ascii").rstrip("=")
        if length > len(body):
            body = base64.b32encode(digest).decode("ascii").rstrip("=")
    else:
        raise UsageError(_("pseudonymize: alphabet must be 'base32' or 'hex', not {alphabet!r}").format(alphabet=alphabet))
    if not 4 <= length <= len(body):
        raise UsageError(_('pseudonymize: length must be between 4 and {body}').format(body=len(body)))
    return prefix + body[:length]


class PseudonymizeParams(ActionParams):
    """``pseudonymize`` parameters (see the function); checked when the policy loads."""

    action: ClassVar[str] = "pseudonymize"
    entity: str | None = None
    prefix: str = ""
    length: int = Field(16, ge=4, le=64)
    alphabet: Literal["base32", "hex"] = "base32"

    @model_validator(mode="after")
    def _fits_alphabet(self) -> Any:
        if self.alphabet == "base32" and self.length > 52:
            raise self.fail(_("'length' must be <= 52 in base32 (64 in hex)"))
        return self


def pseudonymize(series: pd.Series, *, key: bytes, params: dict, context: TransformContext) -> pd.Series:
    """Replace every value by its keyed token. Params: ``prefix`` (""), ``length`` (16),
    ``alphabet`` (``base32`` | ``hex``). Missing stays missing; output is text."""
    key = require_key(key, "pseudonymize")
    entity = params.get("entity", context.entity)
    prefix = str(params.get("prefix", PseudonymizeParams.field_default("prefix")))
    length = int(params.get("length", PseudonymizeParams.field_default("length")))
    alphabet = str(params.get("alphabet", PseudonymizeParams.field_default("alphabet")))
    token("x", key=key, prefix=prefix, length=length, alphabet=alphabet)  # validate params once
    text = to_text(series)
    codes, uniques = pd.factorize(text.where(text != "", None), use_na_sentinel=True)
    toks = tokens(list(uniques), key=key, entity=entity, prefix=prefix, length=length, alphabet=alphabet)
    out = np.array(toks + [""], dtype=object)[codes].tolist()
    return from_text(series, out, numeric=False)


_B32 = np.frombuffer(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", dtype=np.uint8)


def tokens(values: list[str], *, key: bytes, entity: str | None = None, prefix: str = "", length: int = 16,
           alphabet: str = "base32") -> list[str]:
    """``token`` for many values: HMACs in a list comprehension, base32 with numpy (same output)."""
    if alphabet != "base32" or length > 51 or not values:
        return [token(v, key=key, entity=entity, prefix=prefix, length=length, alphabet=alphabet) for v in values]
    sk = subkey(key, "pseudonymize")
    dig = hmac.digest
    buf = b"".join([dig(sk, normalise(v, entity).encode("utf-8"), "sha256") for v in values])
    raw = np.frombuffer(buf, dtype=np.uint8).reshape(-1, 32)
    bits = np.unpackbits(raw, axis=1)[:, : length * 5].reshape(len(values), length, 5)
    idx = bits @ np.array([16, 8, 4, 2, 1], dtype=np.uint8)
    chars = _B32[idx].astype(np.uint32)
    body = chars.view(f"<U{length}").reshape(len(values))
    return [prefix + b for b in body.tolist()]


def key_fingerprint(key: bytes) -> str:
    """Which key was used (the manifest's ``key_fingerprint``), without a fast test of guesses:
    scrypt with a fresh salt per release (``anonymizer.keys.fingerprint``)."""
    from anonymizer.keys import fingerprint

    return fingerprint(key)


def _parse_key(raw: bytes, origin: str, weak_ok: bool = False) -> bytes:
    given = raw.strip()
    if not given:
        raise UsageError(_('the key from {origin} is empty').format(origin=origin))
    text = given
    try:
        s = text.decode("ascii")
        if len(s) % 2 == 0 and re.fullmatch(r"[0-9a-fA-F]+", s):
            text = bytes.fromhex(s)
    except UnicodeDecodeError:
        pass
    return check_key(given, text, origin, weak_ok)


def check_key(given: bytes, key: bytes, origin: str, weak_ok: bool = False) -> bytes:
    """``key`` (written as ``given``: hex text, or the key's own bytes) if it is long and strong
    enough, else the UsageError every entry point (CLI, Python API) gives, naming ``origin`` only."""
    if len(key) < MIN_KEY_BYTES:
        raise UsageError(
            _('the key from {origin} is too short: at least {MIN_KEY_BYTES} bytes ({value} hex digits) are needed').format(origin=origin, MIN_KEY_BYTES=MIN_KEY_BYTES, value=2 * MIN_KEY_BYTES)
        )
    if not weak_ok:
        from anonymizer.keys import MIN_KEY_BITS, key_strength

        bits, why = key_strength(given, key)
        if bits < MIN_KEY_BITS:
            because = _(": {reasons}").format(reasons=", ".join(_(w) for w in why)) if why else ""
            raise UsageError(
                _('the key from {origin} is guessable (about {bits:.0f} bits estimated, at least {MIN_KEY_BITS} needed{because}); make one with `anon keygen -o FILE` (--weak-key-ok accepts it, for tests)').format(origin=origin, bits=bits, MIN_KEY_BITS=MIN_KEY_BITS, because=because)
            )
    return key


def load_key(key_file: str | os.PathLike | None = None, env: str = "ANON_KEY", *, weak_ok: bool = False) -> bytes:
    """The secret key from ``key_file`` or else the ``env`` variable.

    Hex text (even length, only hex digits) is decoded, anything else is used as raw bytes;
    surrounding whitespace is ignored. At least 16 bytes, and about 128 bits of estimated entropy
    unless ``weak_ok`` (``anonymizer.keys``). The key is never printed: errors name the file or the
    variable only.
    """
    if key_file is not None:
        from anonymizer.configfiles import read_config_bytes

        path = Path(key_file)
        raw = read_config_bytes(path, "key file", limit=MAX_KEY_FILE_BYTES)
        return _parse_key(raw, _("key file {path}").format(path=path), weak_ok)
    value = os.environ.get(env)
    if value:
        return _parse_key(value.encode("utf-8"), _("environment variable {env}").format(env=env), weak_ok)
    raise UsageError(_('no key: give --key-file FILE or set {env} (at least {MIN_KEY_BYTES} bytes, hex or raw)').format(env=env, MIN_KEY_BYTES=MIN_KEY_BYTES))
