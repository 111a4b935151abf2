"""Fake French identifiers that pass the real checks (france.md §1).

* NIR: sex, birth year+month and birthplace from the row's *released* values (a year gives
  a keyed month, a band a keyed year within it, ``*`` keyed values: a fake NIR says nothing the
  release does not), a keyed order number, key ``97 - N mod 97`` via
  ``stdnum.fr.nir.calc_check_digits`` (2A/2B handled there). Realistic-and-valid, as DESIGN.md asks: a fake may coincide with a
  real person's NIR (the space is dense), so fakes must still be treated as non-public.
* IBAN FR: a real bank code (``vocab.BANKS``, never the original bank), RIB key
  ``97 - (89 b + 15 g + 3 c) mod 97``, ISO 7064 mod 97-10 IBAN check digits.
* SIREN / SIRET: Luhn (the SIRET's SIREN is the fake of the original SIREN, so a SIREN column
  and a SIRET column keep agreeing). FR_TAX_ID: ``stdnum.fr.nif`` key (first 10 mod 511).
* Phones: ARCEP fiction ranges only (landlines 01 99 00, 02 61 91, 03 53 01, 04 65 71,
  05 36 49; mobiles 06 39 98, which phonenumbers reports invalid because 0639 is Mayotte's).
  Each range has 10,000 numbers, so distinct originals collide once a column holds
  thousands of numbers — the price of never dialling a real person.
"""

from __future__ import annotations

import re

import numpy as np
from stdnum.fr import nif as _nif
from stdnum.fr import nir as _nir

from anonymizer.transform import fast, vocab
from anonymizer.transform.base import Deriver, fill_template, norm_identifier, shape_fake

_NIR_RX = re.compile(r"[0-9]{5}(?:[0-9]{2}|2[AB])[0-9]{6}(?:[0-9]{2})?")


_NON_ALNUM = re.compile(r"[\W_]+")


def _alnum(value: str) -> str:
    return _NON_ALNUM.sub("", value).upper()


def nir_bodies(d: Deriver, norms: list[str], sexes: list[str], births: list, places: list[str],
               attempt: int = 0) -> list[str]:
    """13-character fake NIR bodies for a batch (``fast.nir_bodies`` on keyed words)."""
    w = fast.words(d.subkey("NIR"), norms, attempt)
    return fast.nir_bodies(w, sexes, births, places).tolist()


def fake_nir(value: str, d: Deriver, sex: str = "", birth: tuple[int, int, int | None] | None = None,
             place: str = "") -> str | None:
    """13 -> 13 characters, 15 -> 15 (with a valid key); separators and case kept."""
    raw = _alnum(value)
    if not _NIR_RX.fullmatch(raw):
        return None
    norm = raw[:13]
    for attempt in range(64):
        body = nir_bodies(d, [norm], [sex], [birth], [place], attempt)[0]
        if body != norm:
            break
    out = body + (_nir.calc_check_digits(body) if len(raw) == 15 else "")
    return fill_template(value, out)


def fake_nir_key(value: str, d: Deriver, faked_nir: str = "") -> str | None:
    """The key of the row's fake NIR (same row, already transformed); else a keyed key."""
    raw = _alnum(faked_nir)
    if len(raw) >= 13 and _NIR_RX.fullmatch(raw[:13]):
        key = _nir.calc_check_digits(raw[:13])
        if len(value.strip()) == 2 or not value.strip().isdigit():
            return key
        return str(int(key))
    v = value.strip()
    if not v.isdigit():
        return None
    for attempt in range(64):
        k = d.stream("NIR_KEY", v, attempt).between(1, 97)
        if k != int(v):
            return f"{k:02d}" if len(v) == 2 else str(k)
    return None


# ---------------------------------------------------------------- banks

_LETTER_NUM = {ord(c): str(i) for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 10)}


def iban_check_digits(country: str, bban: str) -> str:
    """ISO 7064 mod 97-10 check digits of an IBAN (ISO 13616)."""
    num = (bban + country + "00").upper().translate(_LETTER_NUM)
    return f"{98 - int(num) % 97:02d}"


def fake_iban(value: str, d: Deriver, *_ctx) -> str | None:
    raw = _alnum(value)
    if not re.fullmatch(r"[A-Z]{2}[0-9]{2}[0-9A-Z]{10,30}", raw):
        return None
    country = raw[:2]
    for attempt in range(64):
        if country in ("FR", "MC") and len(raw) == 27:
            bban = fast.fr_ibans(fast.words(d.subkey("IBAN"), [raw], attempt), [raw[4:9]])[0][4:]
        else:
            bban = shape_fake(raw[4:], d.stream("IBAN", raw, attempt)).upper()
        out = country + iban_check_digits(country, bban) + bban
        if out != raw:
            return fill_template(value, out)
    return None


def bic_of_iban(iban: str) -> str | None:
    raw = _alnum(iban)
    if raw[:2] in ("FR", "MC") and len(raw) == 27:
        return dict(vocab.BANKS).get(raw[4:9])
    return None


def fake_bic(value: str, d: Deriver, faked_iban: str = "") -> str | None:
    """The BIC of the row's fake IBAN bank when there is one, else a keyed bank; 8 -> 8, 11 -> 11."""
    raw = _alnum(value)
    if not re.fullmatch(r"[A-Z]{6}[0-9A-Z]{2}(?:[0-9A-Z]{3})?", raw):
        return None
    cand = bic_of_iban(faked_iban) if faked_iban else None
    for attempt in range(64):
        b = cand if (cand and attempt == 0) else d.stream("BIC", raw, attempt).choice(vocab.BANKS)[1]
        out = b + ("XXX" if len(raw) == 11 else "")
        if out != raw:
            return fill_template(value, out)
    return None


# ---------------------------------------------------------------- companies, tax, CAF


def luhn_complete(body: str) -> str:
    """``body`` + its Luhn check digit (ISO/IEC 7812-1)."""
    total = 0
    for i, c in enumerate(reversed(body)):
        n = int(c)
        if i % 2 == 0:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return body + str((10 - total % 10) % 10)


def _siren_from(digits9: str, d: Deriver) -> str:
    for attempt in range(64):
        s = d.stream("SIREN", digits9, attempt)
        out = luhn_complete(s.digits(8, nonzero_first=True))
        if out != digits9 and not out.startswith("356000000"):
            return out
    return luhn_complete("9" * 8)


def fake_siren(value: str, d: Deriver, *_ctx) -> str | None:
    raw = norm_identifier(value)
    if not re.fullmatch(r"\d{9}", raw):
        return None
    return fill_template(value, _siren_from(raw, d))


def fake_siret(value: str, d: Deriver, *_ctx) -> str | None:
    raw = norm_identifier(value)
    if not re.fullmatch(r"\d{14}", raw):
        return None
    siren = _siren_from(raw[:9], d)
    nic = d.stream("SIRET", raw).digits(4)
    return fill_template(value, luhn_complete(siren + nic))


def fake_tax_id(value: str, d: Deriver, *_ctx) -> str | None:
    raw = norm_identifier(value)
    if not re.fullmatch(r"[0-3]\d{12}", raw):
        return None
    for attempt in range(64):
        s = d.stream("FR_TAX_ID", raw, attempt)
        body = str(s.between(1, 3)) + s.digits(9)
        out = body + _nif.calc_check_digits(body)
        if out != raw:
            return fill_template(value, out)
    return None


def fake_caf_number(value: str, d: Deriver, *_ctx) -> str | None:
    raw = norm_identifier(value)
    if not re.fullmatch(r"\d{7}", raw):
        return None
    for attempt in range(64):
        out = fast.caf_numbers(fast.words(d.subkey("CAF_NUMBER"), [raw], attempt))[0]
        if out != raw:
            return fill_template(value, out)
    return None


def fake_caf_matricule(value: str, d: Deriver, *_ctx) -> str | None:
    """CAF code (3, kept: it names an office, not a person) + the fake of the 7-digit file
    number, so it agrees with a faked CAF_NUMBER column."""
    raw = _alnum(value)
    if not re.fullmatch(r"[0-9A-Z]{3}\d{7}", raw):
        return None
    return fill_template(value, raw[:3] + fake_caf_number(raw[3:], d))


# ---------------------------------------------------------------- phones


def fake_phone(value: str, d: Deriver, *_ctx) -> str | None:
    """Replace the last 9 digits (the national significant number) by a fiction-range number;
    every other character — ``+33``, ``0033``, ``(0)``, spaces, dots, a missing leading 0 — stays."""
    digits = [i for i, c in enumerate(value) if c.isdigit()]
    if len(digits) < 9:
        return None
    sig = "".join(value[i] for i in digits[-9:])
    mobile = sig[0] in "67"
    for attempt in range(64):
        new = fast.phone_numbers(fast.words(d.subkey("PHONE"), [sig], attempt), np.array([mobile]))[0]
        if new != sig:
            break
    chars = list(value)
    for i, c in zip(digits[-9:], new, strict=True):
        chars[i] = c
    return "".join(chars)


# ---------------------------------------------------------------- dates and codes


def fake_date(value: str, d: Deriver, *_ctx) -> str | None:
    """A date moved by a keyed offset of 1–365 days (per value, not per person: use
    ``shift_dates`` to keep intervals), written in the original's format."""
    import datetime as dt

    from anonymizer.values.dates import parse_date

    p = parse_date(value)
    if p is None or p.precision != "day":
        return None
    s = d.stream("DATE", value.strip())
    days = s.between(1, 365) * (1 if s.below(2) else -1)
    try:
        new = p.as_date() + dt.timedelta(days=days)
    except OverflowError:
        return None
    return p.written_as(new.year, new.month, new.day)


def fake_place_code(value: str, d: Deriver, *_ctx) -> str | None:
    """Post / COG code: the département (2 characters, 3 overseas, 2A/2B) kept, the rest drawn.

    The département is :func:`anonymizer.values.places.departement_of`'s: a Corsican post code
    stays on its side of 20200, a 4-digit code (a lost leading zero) keeps its 4 digits."""
    from anonymizer.values.places import departement_of

    v = value.strip().upper()
    lost_zero = len(v) == 4 and v.isdigit()
    code = "0" + v if lost_zero else v
    if not re.fullmatch(r"[0-9][0-9AB][0-9]{3}", code):
        return None
    dep = departement_of(code)
    keep = 3 if code.startswith(("97", "98")) else 2
    for attempt in range(64):
        out = code[:keep] + d.stream("PLACE_CODE", v, attempt).digits(5 - keep)
        if out != code and departement_of(out) == dep:
            return out[1:] if lost_zero else out
    return None
