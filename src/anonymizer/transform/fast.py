"""Vectorised fakes for the high-cardinality identifiers (NIR, IBAN FR, phones, CAF numbers).

A 10^6-row extract holds about one distinct NIR, IBAN, phone and file number per row, so the
per-value Python of ``fake_ids`` (5–15 µs) dominates ``sanitize``. Here the only per-value
Python is the HMAC itself: each value's ``HMAC-SHA256(subkey(key, "fake/" + entity), value)``
is split into eight 32-bit words and every field is drawn with numpy from a **fixed word**
(``word k % n``: bias below n / 2^32, under 10^-3 even for the 9·10^6 CAF range). These batch
functions are the reference implementation: the one-value generators in ``fake_ids`` call
them with a list of one, so a NIR faked inside a comment by ``redact`` equals the NIR column's
fake.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
from stdnum.fr import nir as _nir

from anonymizer.transform import vocab
from anonymizer.transform.base import hmac_sha256

_DEPTS = np.array(vocab.DEPARTEMENTS)
_OVERSEAS = np.array(vocab.OVERSEAS)
_COUNTRIES = np.array(vocab.COUNTRIES)
_BANK_CODES = np.array([b[0] for b in vocab.BANKS])
_BANK_INDEX = {b[0]: i for i, b in enumerate(vocab.BANKS)}
_BANK_INDEX_BY_BIC = {b[1]: i for i, b in enumerate(vocab.BANKS)}


@lru_cache(maxsize=1)
def _registry_bic8() -> dict[str, str]:
    """French bank code -> BIC8 from schwifty's bundled registry, so a fake IBAN avoids the
    original's bank *group* (16006 and 30006 are both AGRIFRPP)."""
    try:
        from schwifty import registry

        out: dict[str, str] = {}
        for bank in registry.get_banks_by_country("FR"):
            if bank.bank_code and bank.bic:
                out.setdefault(bank.bank_code, bank.bic[:8])
        return out
    except Exception:  # an older schwifty without this API: fall back to our own list
        return {}
_LANDLINE = np.array(vocab.FICTION_LANDLINE)
_MOBILE = np.array(vocab.FICTION_MOBILE)


def words(sk: bytes, norms: list[str], attempt: int = 0) -> np.ndarray:
    """(n, 8) uint64 array of the 32-bit words of each value's HMAC digest."""
    if attempt:
        norms = [f"{v}\x00{attempt}" for v in norms]
    dig = hmac_sha256
    buf = b"".join([dig(sk, v.encode("utf-8")) for v in norms])
    return np.frombuffer(buf, dtype=">u4").reshape(-1, 8).astype(np.uint64)


def _pad(v: np.ndarray, width: int) -> np.ndarray:
    """``str(x).zfill(width)`` of each integer: written digit by digit into a code-point array
    when every value has ``width`` digits at most (NumPy's integer-to-text conversion cost 80 %
    of ``nir_bodies``), else by that conversion."""
    x = v.astype(np.int64)
    if len(x) and (int(x.min()) < 0 or int(x.max()) >= 10**width):
        return np.char.zfill(x.astype(str), width)
    cps = np.empty((len(x), width), dtype=np.uint32)
    for j in range(width - 1, -1, -1):
        cps[:, j] = x % 10 + 48
        x = x // 10
    return cps.view(f"<U{width}").reshape(len(cps))


def caf_numbers(w: np.ndarray) -> np.ndarray:
    """7-digit file numbers with no leading zero."""
    return _pad(w[:, 0] % np.uint64(9_000_000) + np.uint64(1_000_000), 7)  # 7 digits: no zero added


def nir_bodies(w: np.ndarray, sex: list[str], births: list[tuple[int, int, int | None] | None],
               places: list[str]) -> np.ndarray:
    """13-character fake NIR bodies from *released* values only (see ``fake_ids``).

    ``births``: (first year, last year, month or None) of the released birth date — one year
    when it is released to the year or month, a band for ``1980-1989``, None for ``*`` — the
    rest is keyed; ``places``: ``C:33236`` (a released commune), ``D:33`` (a département),
    ``X:99350`` (a country abroad), ``F`` (France), ``E`` (abroad), ``""`` (unknown: keyed)."""
    n = len(w)
    sx = np.array(sex, dtype=object)
    drawn_f = (w[:, 0] % np.uint64(2)) == 1
    is_f = np.where(sx == "F", True, np.where(sx == "M", False, drawn_f))
    sd = np.where(is_f, "2", "1")
    year = (w[:, 1] % np.uint64(71)).astype(np.int64) + 1935
    month = (w[:, 2] % np.uint64(12)).astype(np.int64) + 1
    known = [i for i, b in enumerate(births) if b is not None]
    if known:  # the released year (band) and month, all rows at once
        lo = np.array([births[i][0] for i in known], dtype=np.int64)
        span = np.array([births[i][1] - births[i][0] + 1 for i in known], dtype=np.uint64)
        year[known] = lo + (w[known, 1] % span).astype(np.int64)
        dated = [(i, births[i][2]) for i in known if births[i][2] is not None]
        if dated:
            month[[i for i, _m in dated]] = [m for _i, m in dated]
    r = (w[:, 3] % np.uint64(100)).astype(np.int64)
    k4, k5 = w[:, 4], w[:, 5]
    metro = np.char.add(_DEPTS[(k4 % np.uint64(len(_DEPTS))).astype(np.int64)],
                        _pad(k5 % np.uint64(600) + np.uint64(1), 3))
    over = np.char.add(_OVERSEAS[(k4 % np.uint64(len(_OVERSEAS))).astype(np.int64)],
                       _pad(k5 % np.uint64(34) + np.uint64(1), 2))
    abroad = np.char.add("99", _COUNTRIES[(k4 % np.uint64(len(_COUNTRIES))).astype(np.int64)])
    place = np.where(r < 85, metro, np.where(r < 88, over, abroad)).astype(object)
    french = np.where(r < 96, metro, over)
    commune3 = _pad(k5 % np.uint64(600) + np.uint64(1), 3)
    commune2 = _pad(k5 % np.uint64(34) + np.uint64(1), 2)
    for i, spec in enumerate(places):
        if not spec:
            continue
        if spec.startswith(("C:", "X:")):
            place[i] = spec[2:]
        elif spec.startswith("D:"):
            d = spec[2:]
            place[i] = d + (commune2[i] if len(d) == 3 else commune3[i])
        elif spec == "F":
            place[i] = french[i]
        elif spec == "E":
            place[i] = abroad[i]
    order = _pad(w[:, 6] % np.uint64(999) + np.uint64(1), 3)
    out = np.char.add(np.char.add(sd.astype(str), _pad(year % 100, 2)), _pad(month, 2))
    out = np.char.add(out, place.astype(str))
    return np.char.add(out, order) if n else np.array([], dtype=str)


def nir_keys(bodies) -> list[str]:
    return [_nir.calc_check_digits(b) for b in bodies]


def phone_numbers(w: np.ndarray, mobile: np.ndarray) -> np.ndarray:
    """9-digit national significant numbers in the ARCEP fiction ranges."""
    land = _LANDLINE[(w[:, 0] % np.uint64(len(_LANDLINE))).astype(np.int64)]
    mob = _MOBILE[(w[:, 0] % np.uint64(len(_MOBILE))).astype(np.int64)]
    return np.char.add(np.where(mobile, mob, land), _pad(w[:, 1] % np.uint64(10_000), 4))


_RIB_W = np.array([89, 15, 3], dtype=np.int64)


def fr_ibans(w: np.ndarray, orig_bank: list[str]) -> np.ndarray:
    """27-character FR IBANs: a listed bank other than the original, keyed branch and account,
    RIB key 97 - (89 b + 15 g + 3 c) mod 97, ISO 7064 mod 97-10 check digits."""
    nb = len(_BANK_CODES)
    ob = np.array(orig_bank, dtype=object)
    idx = (w[:, 0] % np.uint64(nb - 1)).astype(np.int64)
    bics = _registry_bic8()
    by_bic = _BANK_INDEX_BY_BIC
    orig_idx = np.array([by_bic.get(bics.get(b, ""), _BANK_INDEX.get(b, nb)) for b in ob], dtype=np.int64)
    idx = np.where(idx >= orig_idx, idx + 1, idx)  # skip the original bank
    bank = _BANK_CODES[idx].astype(np.int64)
    branch = (w[:, 1] % np.uint64(100_000)).astype(np.int64)
    acc_hi = (w[:, 2] % np.uint64(1_000_000)).astype(np.int64)
    acc_lo = (w[:, 3] % np.uint64(100_000)).astype(np.int64)
    # 3 * account mod 97 without 64-bit overflow: account = hi * 10^5 + lo
    acc_mod = (acc_hi * (100_000 % 97) + acc_lo) % 97
    rib = 97 - (89 * bank % 97 + 15 * branch % 97 + 3 * acc_mod) % 97
    bban = np.char.add(np.char.add(np.char.add(np.char.add(_pad(bank, 5), _pad(branch, 5)), _pad(acc_hi, 6)),
                                   _pad(acc_lo, 5)), _pad(rib, 2))
    # IBAN check: 98 - (bban + "FR00" as digits) mod 97; "FR00" -> "152700"; bban is 23 digits
    hi = bank * 10**7 + branch * 100 + acc_hi // 10**4  # the first 12 digits
    lo = (acc_hi % 10**4) * 10**7 + acc_lo * 100 + rib  # the last 11
    m = ((hi % 97) * (10**11 % 97) + lo) % 97
    m = (m * (10**6 % 97) + 152700) % 97
    check = 98 - m
    return np.char.add(np.char.add("FR", _pad(check, 2)), bban)


# ---------------------------------------------------------------- templates, vectorised


def alnum_upper(values: list[str]) -> list[str]:
    """Vectorised ``re.sub(r"[\\W_]+", "", v).upper()`` (pyarrow string kernels)."""
    if not values:
        return []
    s = pd.Series(values, dtype="str")
    return s.str.replace(r"[\W_]+", "", regex=True).str.upper().tolist()


def fill_templates(templates: list[str], chars: np.ndarray | list[str]) -> list[str]:
    """Vectorised ``base.fill_template``: group values by shape (alphanumerics -> slots), pour
    each group's fakes into its slots with one codepoint-array assignment."""
    from anonymizer.transform.base import fill_template

    chars = list(chars)
    out: list[str] = [""] * len(templates)
    groups: dict[str, list[int]] = {}
    trans = _SHAPE
    for i, t in enumerate(templates):
        groups.setdefault(t.translate(trans), []).append(i)
    for shape, idx in groups.items():
        slots = [j for j, c in enumerate(shape) if c == "X"]
        width = len(shape)
        if len(slots) == width:  # no separators, upper case: the fake is the output
            for i in idx:
                out[i] = chars[i] if len(chars[i]) == width else fill_template(templates[i], chars[i])
            continue
        if len(idx) < 32 or any(c.islower() or not c.isascii() for c in shape) or not slots:
            for i in idx:
                out[i] = fill_template(templates[i], chars[i])
            continue
        lens = {len(chars[i]) for i in idx}
        if lens != {len(slots)}:
            for i in idx:
                out[i] = fill_template(templates[i], chars[i])
            continue
        tmpl = np.array([templates[i] for i in idx], dtype=f"<U{width}").view(np.uint32).reshape(len(idx), width)
        fk = np.array([chars[i] for i in idx], dtype=f"<U{len(slots)}").view(np.uint32).reshape(len(idx), len(slots))
        res = tmpl.copy()
        res[:, slots] = fk
        strs = res.view(f"<U{width}").reshape(len(idx)).tolist()
        for i, s in zip(idx, strs, strict=True):
            out[i] = s
    return out


# alnum ASCII -> "X" (lower-case letters keep their case so such shapes take the slow path)
_SHAPE = {ord(c): "X" for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"}
