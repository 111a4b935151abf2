"""Shared machinery of the column actions: the context, keyed derivation, text round-trips.

Every action is ``fn(series, *, key, params, context) -> Series``. The pieces here make the
three promises every action keeps:

* **keyed and deterministic** — randomness comes from HMAC-SHA256 under a sub-key derived
  from the user's key and a purpose label (domain separation, in the spirit of HKDF-Expand,
  RFC 5869), never from a global RNG, so the same value + key gives the same output in every
  file and run;
* **computed per distinct value** — ``map_distinct`` factorizes the column, runs the Python
  function once per distinct value and maps the result back (fast on 10^6 rows with
  realistic cardinality);
* **missing stays missing, format stays format** — text in, text out (``""`` = missing);
  numeric input comes back numeric when the result is numeric.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from anonymizer.errors import PolicyError, UsageError
from anonymizer.i18n import _
from anonymizer.values.text import object_text

PERSON_ID = "__person_id__"


@dataclass
class TransformContext:
    """What an action may know beyond its own column.

    ``row_context`` holds the *already transformed* columns of the same rows (row-aligned with
    the series), plus ``__person_id__`` (a per-person key built by the pipeline from original
    identifiers; it never reaches the output). ``entities`` maps every column of the table to
    its entity, so an action can find e.g. the sex column a fake first name must agree with.
    """

    column: str = ""
    entity: str | None = None
    row_context: pd.DataFrame | None = None
    entities: dict[str, str | None] = field(default_factory=dict)

    def find_column(self, wanted: Iterable[str], *, override: str | None = None) -> str | None:
        """The row-context column of one of the ``wanted`` entities that best matches this column.

        Affinity = shared name prefix + suffix (case-insensitive), so ``NIRCJ`` pairs with
        ``SEXECJ`` / ``DTNAISCJ`` and ``NIR`` with ``SEXE`` / ``DTNAIS``; ties go to the column
        that comes first in the table (``entities`` order: the allocataire's ``NOMFAM`` before
        the spouse's ``NOMCJ``). ``override`` (a policy param) names the column explicitly.
        """
        rc = self.row_context
        if rc is None:
            return None
        if override:
            if override not in rc.columns:
                raise PolicyError(
                    _('column {column!r}: the context column {override!r} named in its params is not available (missing, or not transformed before this column)').format(column=self.column, override=override)
                )
            return override
        wanted = set(wanted)
        cands = [c for c in rc.columns if c != self.column and self.entities.get(c) in wanted]
        if not cands:
            return None
        me = self.column.upper()
        order = {c: i for i, c in enumerate(self.entities)}

        def score(c: str) -> tuple[int, int, str]:
            cu = str(c).upper()
            pre = len(_common_prefix(me, cu))
            suf = len(_common_prefix(me[::-1], cu[::-1]))
            return (-(pre + suf), order.get(c, len(order)), cu)

        return min(cands, key=score)


def _common_prefix(a: str, b: str) -> str:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return a[:n]


# ---------------------------------------------------------------- keys and keyed randomness


def require_key(key: bytes | None, action: str) -> bytes:
    """The key, or a clear ``UsageError`` (keyed actions refuse to run without one)."""
    if not key:
        raise UsageError(
            _("action '{action}' needs a secret key: give --key-file FILE or set ANON_KEY (at least 16 bytes, hex or raw)").format(action=action)
        )
    if isinstance(key, str):
        key = key.encode("utf-8")
    return bytes(key)


def subkey(key: bytes, purpose: str) -> bytes:
    """Purpose-bound sub-key ``HMAC-SHA256(key, "anon/v1/" + purpose)``.

    Not cached: one HMAC costs about a microsecond, and a cache would keep the raw key in a
    module-level table beyond the run. Callers that need it per value hold the sub-key
    (``Deriver``, ``tokens``)."""
    return hmac.digest(key, b"anon/v1/" + purpose.encode("utf-8"), "sha256")


try:  # the C function ``hmac.digest`` wraps (its Python wrapper is a third of an HMAC's cost)
    from _hashlib import hmac_digest as _hmac_digest
except ImportError:  # a Python built without OpenSSL: the same bytes through the wrapper
    _hmac_digest = hmac.digest


def hmac_sha256(key: bytes, msg: bytes) -> bytes:
    """``hmac.digest(key, msg, "sha256")`` without the wrapper (one call per fake value)."""
    return _hmac_digest(key, msg, "sha256")


def prf(sk: bytes, value: str) -> bytes:
    """HMAC-SHA256 of a text value under a sub-key (32 bytes)."""
    return _hmac_digest(sk, value.encode("utf-8"), "sha256")


class LastResult:
    """The last ``(fingerprint, value)`` of a row-aligned computation that the next column of the
    batch reuses (one person's offsets for a dozen date columns). Stored as one tuple, replaced
    whole: a thread never reads one call's fingerprint with another call's value."""

    __slots__ = ("_last",)

    def __init__(self) -> None:
        self._last: tuple | None = None

    def get(self, fp):
        last = self._last
        return last[1] if last is not None and last[0] == fp else None

    def put(self, fp, value) -> None:
        self._last = (fp, value)

    def clear(self) -> None:
        self._last = None

    @property
    def empty(self) -> bool:
        return self._last is None


class Stream:
    """A deterministic stream of draws expanded from one HMAC digest.

    Python's ``random`` only guarantees ``random()`` across versions; this stream is ours, so
    fakes stay byte-identical across Python releases. Draws use 48 bits (bias < 2^-28 for the
    pool sizes used here); the buffer is extended with SHA-256(seed || counter).
    """

    __slots__ = ("_seed", "_buf", "_pos", "_ctr")

    def __init__(self, seed: bytes):
        self._seed = seed
        self._buf = seed
        self._pos = 0
        self._ctr = 0

    def _take(self, n: int) -> bytes:
        if self._pos + n > len(self._buf):
            self._ctr += 1
            self._buf = hashlib.sha256(self._seed + self._ctr.to_bytes(4, "big")).digest()
            self._pos = 0
        out = self._buf[self._pos : self._pos + n]
        self._pos += n
        return out

    def below(self, n: int) -> int:
        """Uniform integer in ``[0, n)`` (48 random bits below 2^24, 64 above: bias < 2^-24)."""
        if n <= 1:
            return 0
        return int.from_bytes(self._take(6 if n < (1 << 24) else 8), "big") % n

    def between(self, lo: int, hi: int) -> int:
        """Uniform integer in ``[lo, hi]``."""
        return lo + self.below(hi - lo + 1)

    def choice(self, seq):
        return seq[self.below(len(seq))]

    def unit(self) -> float:
        """Uniform float in ``[0, 1)`` (48-bit resolution)."""
        return int.from_bytes(self._take(6), "big") / float(1 << 48)

    def digits(self, k: int, *, nonzero_first: bool = False) -> str:
        out = ""
        while k > 0:
            step = min(k, 15)
            if nonzero_first and not out:
                out += str(self.between(10 ** (step - 1), 10**step - 1))
            else:
                out += str(self.below(10**step)).zfill(step)
            k -= step
        return out


# ---------------------------------------------------------------- text round-trips


def is_numeric(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype)


def to_text(series: pd.Series) -> pd.Series:
    """Column as Python ``str`` values with ``""`` for missing (object dtype, same index and name).

    The text is :func:`anonymizer.values.as_text`'s (the one rendering of a cell: ``12.0`` ->
    ``12``, timestamps with their time), so an action reads a value exactly as the leak search,
    the writers and the privacy step do.
    """
    return object_text(series)


def from_text(original: pd.Series, out: pd.Series | list, *, numeric: bool | None = None) -> pd.Series:
    """Give ``out`` (text, ``""`` = missing) the dtype family of ``original``.

    Text input -> same text dtype. Numeric input -> numeric when every non-missing output
    parses as a number (``numeric=None``), else text (``str`` dtype).
    """
    out = pd.Series(out, index=original.index, name=original.name, dtype=object)
    if is_numeric(original) and numeric is not False:
        conv = pd.to_numeric(out.where(out != "", None), errors="coerce")
        if numeric or conv.notna().sum() == (out != "").sum():
            try:
                if pd.api.types.is_integer_dtype(original.dtype) and conv.notna().all():
                    return conv.astype(original.dtype)
                if pd.api.types.is_integer_dtype(original.dtype):
                    return conv.astype("Int64")
                return conv.astype(original.dtype)
            except (TypeError, ValueError):
                return conv
        return out.astype("str")
    if isinstance(original.dtype, pd.StringDtype) or str(original.dtype) == "str":
        return out.astype(original.dtype)
    if original.dtype == object:
        return out
    return out.astype("str")


def distinct_units(text: pd.Series, extra: list[pd.Series] | None = None) -> tuple[np.ndarray, list[tuple]]:
    """Row codes (-1 = missing value) and the distinct ``(value, *extra)`` tuples, found by
    combining per-column integer codes (no string concatenation over the rows)."""
    vcodes, vuniq = pd.factorize(text.where(text != "", None), use_na_sentinel=True)
    if not extra:
        return vcodes, [(u,) for u in vuniq.tolist()]  # (iterating the Index costs up to 20 times more)
    combined = vcodes.astype(np.int64)
    parts = [vuniq]
    cols = []
    for e in extra:
        c, u = pd.factorize(e, use_na_sentinel=False)
        combined = combined * max(len(u), 1) + c
        parts.append(u)
        cols.append(c)
    combined = np.where(vcodes < 0, -1, combined)
    codes, uniq_combined = pd.factorize(combined, use_na_sentinel=False)
    # the first row of each unit gives its tuple
    first_row = np.full(len(uniq_combined), -1, dtype=np.int64)
    order = np.arange(len(codes))[::-1]
    first_row[codes[order]] = order
    keep = np.flatnonzero(vcodes[first_row] >= 0)
    rows = first_row[keep]
    columns = [np.asarray(vuniq, dtype=object)[vcodes[rows]].tolist()]
    columns += [np.asarray(u, dtype=object)[c[rows]].tolist() for u, c in zip(parts[1:], cols, strict=True)]
    remap = np.full(len(uniq_combined) + 1, -1, dtype=np.int64)
    remap[keep] = np.arange(len(keep))
    return remap[codes], list(zip(*columns, strict=True))


def map_distinct(text: pd.Series, fn: Callable[..., str], *, extra: list[pd.Series] | None = None) -> list[str]:
    """Apply ``fn(value, *extra_values)`` once per distinct non-missing value (or distinct
    ``(value, *extra)`` tuple) and return the row-aligned list. Missing stays ``""``."""
    codes, units = distinct_units(text, extra)
    results = np.array([fn(*u) for u in units] + [""], dtype=object)
    return results[codes].tolist()


# ---------------------------------------------------------------- small text helpers

_ACCENTS = str.maketrans(
    "àâäáãåçéèêëíìîïñóòôöõúùûüýÿœæÀÂÄÁÃÅÇÉÈÊËÍÌÎÏÑÓÒÔÖÕÚÙÛÜÝŸŒÆ",
    "aaaaaaceeeeiiiinooooouuuuyyoaAAAAAACEEEEIIIINOOOOOUUUUYYOA",
)


def strip_accents(s: str) -> str:
    return s.translate(_ACCENTS)


def norm_word(s: str) -> str:
    """Case- and accent-insensitive form of a word (name pools, lookups)."""
    return strip_accents(s.strip()).casefold()


_SEP = re.compile(r"[\s.\-_/]+")


def norm_identifier(s: str) -> str:
    """Identifier form: strip, case-fold, drop spaces, dots, hyphens, slashes, underscores.

    Every fake is compared with its original so: a value of letters and digits alone (most names
    and numbers; no such character is white space, ``.``, ``-``, ``_`` or ``/``) is only case-folded."""
    if s.isalnum():
        return s.casefold()
    return _SEP.sub("", s.strip()).casefold()


def case_like(template: str, word: str) -> str:
    """Give ``word`` the case style of ``template`` (UPPER, lower, Title); drop accents when the
    template is unaccented upper case (administrative extracts write ``LEFEVRE``)."""
    letters = [c for c in template if c.isalpha()]
    if template.isascii() and len(letters) > 1 and all(c.isupper() for c in letters):
        word = strip_accents(word)
    if letters and all(c.isupper() for c in letters) and len(letters) > 1:
        return word.upper()
    if letters and all(c.islower() for c in letters):
        return word.lower()
    return "-".join(p[:1].upper() + p[1:].lower() for p in word.split("-"))


_SEP_RUN = re.compile(r"[\W_]+")


def fill_template(template: str, chars: str) -> str:
    """Pour ``chars`` into the alphanumeric slots of ``template`` (keeps spaces, dots, case).

    Used for identifiers whose separators must survive: ``FR76 3000 ...``, ``1 85 05 ...``.
    When the slot count differs, ``chars`` is returned as is.
    """
    runs = _SEP_RUN.split(template)
    if len(runs) == 1 and len(template) == len(chars) and not template.islower() and template.upper() == template:
        return chars
    if sum(map(len, runs)) != len(chars):
        return chars
    seps = _SEP_RUN.findall(template)
    out = []
    pos = 0
    for i, run in enumerate(runs):
        seg = chars[pos : pos + len(run)]
        pos += len(run)
        if run != run.upper():
            seg = "".join(n.lower() if c.islower() else n for c, n in zip(run, seg, strict=True))
        out.append(seg)
        if i < len(seps):
            out.append(seps[i])
    return "".join(out)


def shape_fake(value: str, stream: Stream) -> str:
    """Same shape: digits -> digits (a run that did not start with 0 still does not), ASCII
    letters -> letters of the same case, everything else kept."""
    out = []
    prev_digit = False
    for c in value:
        if "0" <= c <= "9":
            out.append(str(stream.below(10)) if (prev_digit or c == "0") else str(stream.between(1, 9)))
            prev_digit = True
            continue
        prev_digit = False
        if c.isalpha():
            ch = chr(ord("A") + stream.below(26))
            out.append(ch.lower() if c.islower() else ch)
        else:
            out.append(c)
    return "".join(out)


class Deriver:
    """Keyed streams for fakes: ``Stream(HMAC(subkey(key, "fake/" + entity), value [+ attempt]))``.

    The entity is part of the derivation (a NIR and a phone with the same digits get unrelated
    fakes) but tokens shared between entities use one family on purpose: the surname in a
    PERSON cell is derived as a LAST_NAME, the SIREN inside a SIRET as a SIREN, the file number
    inside a CAF matricule as a CAF_NUMBER, so the fakes agree across columns.
    """

    def __init__(self, key: bytes, *, compound: bool = False):
        self.key = key
        #: draw compound names (``Jean-Marc``, ``MARTIN-LEROY``): the late re-draws of a fake name
        #: that keeps spelling a real person's (transform/collisions.py), whose single-name space is full
        self.compound = compound
        self._sk: dict[str, bytes] = {}
        self._memo: dict[tuple[str, str], str | None] = {}

    def cached(self, kind: str, value: str, fn: Callable[[str], str | None]) -> str | None:
        """``fn(value)`` once per (kind, value) for this deriver's life (one column's fakes): the
        street, town and post code that recur inside the distinct addresses of a column."""
        k = (kind, value)
        memo = self._memo
        if k in memo:
            return memo[k]
        out = memo[k] = fn(value)
        return out

    def subkey(self, entity: str) -> bytes:
        sk = self._sk.get(entity)
        if sk is None:
            sk = self._sk[entity] = subkey(self.key, "fake/" + entity)
        return sk

    def stream(self, entity: str, norm: str, attempt: int = 0) -> Stream:
        return Stream(prf(self.subkey(entity), norm if attempt == 0 else f"{norm}\x00{attempt}"))
