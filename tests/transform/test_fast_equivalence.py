"""The vectorised fields of transform/fast.py (issue #21: ``_pad`` by digit arithmetic, the
released birth years and months of ``nir_bodies`` set at once) give exactly the text of the code
they replaced.

The reference below is that code as it was (main at d48292e), copied verbatim: ``_pad``,
``caf_numbers``, ``nir_bodies``, ``phone_numbers`` and ``fr_ibans`` (the two last unchanged but
for the ``_pad`` they call). Inputs: seeded random HMAC words, sexes, released birth specs
(none, a year, a year and month, a band) and birthplace specs of every kind; integers of every
width and wider than the pad (an empty array: see the last test).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anonymizer.transform import fast
from anonymizer.transform.fast import (
    _BANK_CODES,
    _BANK_INDEX,
    _BANK_INDEX_BY_BIC,
    _COUNTRIES,
    _DEPTS,
    _LANDLINE,
    _MOBILE,
    _OVERSEAS,
    _RIB_W,  # noqa: F401  (imported as the reference module had it)
    _registry_bic8,
)

# ----------------------------------------------------------------------------- the reference (old code)


def _pad(v: np.ndarray, width: int) -> np.ndarray:
    return np.char.zfill(v.astype(np.int64).astype(str), width)


def caf_numbers(w: np.ndarray) -> np.ndarray:
    """7-digit file numbers with no leading zero."""
    return (w[:, 0] % np.uint64(9_000_000) + np.uint64(1_000_000)).astype(np.int64).astype(str)


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
    for i, b in enumerate(births):
        if b is not None:
            lo, hi, mo = b
            year[i] = lo + int(w[i, 1] % np.uint64(hi - lo + 1))
            if mo is not None:
                month[i] = mo
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


def phone_numbers(w: np.ndarray, mobile: np.ndarray) -> np.ndarray:
    """9-digit national significant numbers in the ARCEP fiction ranges."""
    land = _LANDLINE[(w[:, 0] % np.uint64(len(_LANDLINE))).astype(np.int64)]
    mob = _MOBILE[(w[:, 0] % np.uint64(len(_MOBILE))).astype(np.int64)]
    return np.char.add(np.where(mobile, mob, land), _pad(w[:, 1] % np.uint64(10_000), 4))


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


# ----------------------------------------------------------------------------- inputs


def _words(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.integers(0, 2**32, size=(n, 8), dtype=np.uint64)


def _births(rng: np.random.Generator, n: int) -> list:
    out = []
    for _ in range(n):
        k = rng.integers(0, 4)
        y = int(rng.integers(1900, 2030))
        out.append(None if k == 0 else (y, y, None) if k == 1 else (y, y, int(rng.integers(1, 13))) if k == 2
                   else (y, y + int(rng.integers(0, 20)), None))
    return out


def _places(rng: np.random.Generator, n: int) -> list[str]:
    specs = ["", "", "C:33236", "C:2A004", "X:99350", "D:33", "D:971", "D:2B", "F", "E", "?"]
    return [specs[int(i)] for i in rng.integers(0, len(specs), size=n)]


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("n", [1, 7, 3000])
def test_nir_bodies_equal_the_reference(seed, n):
    rng = np.random.default_rng(seed)
    w = _words(rng, n)
    sex = [["F", "M", "", "X"][int(i)] for i in rng.integers(0, 4, size=n)]
    births, places = _births(rng, n), _places(rng, n)
    assert fast.nir_bodies(w, sex, births, places).tolist() == nir_bodies(w, sex, births, places).tolist()


@pytest.mark.parametrize("seed", range(3))
def test_phones_ibans_and_caf_numbers_equal_the_reference(seed):
    rng = np.random.default_rng(100 + seed)
    w = _words(rng, 2000)
    mobile = rng.integers(0, 2, size=2000).astype(bool)
    banks = [["30004", "16006", "30006", "99999", ""][int(i)] for i in rng.integers(0, 5, size=2000)]
    assert fast.phone_numbers(w, mobile).tolist() == phone_numbers(w, mobile).tolist()
    assert fast.fr_ibans(w, banks).tolist() == fr_ibans(w, banks).tolist()
    assert fast.caf_numbers(w).tolist() == caf_numbers(w).tolist()


@given(st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=50), st.integers(min_value=1, max_value=8))
@settings(max_examples=200, deadline=None)
def test_pad_equals_the_reference(values, width):
    v = np.array(values, dtype=np.uint64)
    assert fast._pad(v, width).tolist() == _pad(v, width).tolist()


def test_an_empty_array_pads_to_an_empty_array():
    """The one difference: NumPy 2's ``zfill`` fails on an empty array (the reference raised;
    every caller skips empty batches), the digit arithmetic returns an empty array."""
    with pytest.raises(ValueError):
        _pad(np.zeros(0, dtype=np.uint64), 3)
    assert fast._pad(np.zeros(0, dtype=np.uint64), 3).tolist() == []
