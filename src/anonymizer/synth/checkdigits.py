"""Vectorised check-digit algorithms for the identifiers the extract carries.

Each is the published algorithm (sources in /work/shared/reference/france.md), written over
numpy integer arrays; the tests verify the outputs with python-stdnum and schwifty, not with
this module.
"""

from __future__ import annotations

import numpy as np


def nir_key(sex, yy, mm, place_num, order) -> np.ndarray:
    """NIR key = 97 - (N mod 97), N the 13-digit number (INSEE; décret 82-103).

    ``place_num`` is the 5-character place as a number, Corsica already substituted
    (2A -> 19, 2B -> 18), which is the rule for the key computation.
    """
    n = (np.asarray(sex, np.int64) * 10**12 + np.asarray(yy, np.int64) * 10**10
         + np.asarray(mm, np.int64) * 10**8 + np.asarray(place_num, np.int64) * 10**3
         + np.asarray(order, np.int64))
    return 97 - n % 97


def rib_key(bank, branch, account) -> np.ndarray:
    """RIB key = 97 - ((89 bank + 15 branch + 3 account) mod 97), all-digit account (france.md §1.4)."""
    b = np.asarray(bank, np.int64)
    g = np.asarray(branch, np.int64)
    c = np.asarray(account, np.int64)
    return 97 - ((89 * b + 15 * g + 3 * (c % 97)) % 97)


def iban_check_fr(bank, branch, account, key) -> np.ndarray:
    """ISO 13616 / ISO 7064 mod 97-10 check digits of ``FR`` + BBAN (digits only).

    The number BBAN + "FR00" (F=15, R=27) is reduced mod 97 piece by piece to stay in int64.
    """
    r = np.asarray(bank, np.int64) % 97
    r = (r * 10**5 + np.asarray(branch, np.int64)) % 97
    r = (r * 10**11 + np.asarray(account, np.int64)) % 97
    r = (r * 100 + np.asarray(key, np.int64)) % 97
    r = (r * 10**6 + 152700) % 97
    return 98 - r


def luhn_complete(body: np.ndarray) -> np.ndarray:
    """Check digit that makes ``body`` (rows of digits, shape (n, k)) pass Luhn (ISO/IEC 7812)."""
    body = np.asarray(body, np.int64)
    k = body.shape[1]
    # positions counted from the right of the final number: the check digit is position 1,
    # so the body's last digit is position 2 (doubled)
    weights = np.array([2 if (k - i) % 2 == 1 else 1 for i in range(k)], np.int64)
    prod = body * weights
    prod = np.where(prod > 9, prod - 9, prod)
    return (10 - prod.sum(axis=1) % 10) % 10


def digits_to_int(d: np.ndarray) -> np.ndarray:
    """Rows of digits (n, k) -> the integer they spell (k <= 18)."""
    d = np.asarray(d, np.int64)
    k = d.shape[1]
    return (d * (10 ** np.arange(k - 1, -1, -1, dtype=np.int64))).sum(axis=1)


def nif_key(first10: np.ndarray) -> np.ndarray:
    """French numéro fiscal (SPI) key: the first 10 digits mod 511 (stdnum.fr.nif docs)."""
    return np.asarray(first10, np.int64) % 511


# RIB letter -> digit (france.md §1.4): A,J->1; B,K,S->2; ... I,R,Z->9
RIB_LETTERS = {1: "AJ", 2: "BKS", 3: "CLT", 4: "DMU", 5: "ENV", 6: "FOW", 7: "GPX", 8: "HQY", 9: "IRZ"}


def iban_check_fr_letter(bank, branch, prefix, letter_iso, suffix, key) -> np.ndarray:
    """Mod 97-10 check digits of an FR IBAN whose account is ``prefix`` (7 digits) + one letter
    (ISO 13616 value 10-35) + ``suffix`` (3 digits)."""
    r = np.asarray(bank, np.int64) % 97
    r = (r * 10**5 + np.asarray(branch, np.int64)) % 97
    r = (r * 10**7 + np.asarray(prefix, np.int64)) % 97
    r = (r * 100 + np.asarray(letter_iso, np.int64)) % 97
    r = (r * 10**3 + np.asarray(suffix, np.int64)) % 97
    r = (r * 100 + np.asarray(key, np.int64)) % 97
    r = (r * 10**6 + 152700) % 97
    return 98 - r
