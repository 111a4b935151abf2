"""Value validators for French identifiers: pure functions of one string.

They are shared by the Presidio recognizers (``validate_result``) and by the column
evidence in :mod:`anonymizer.detect.scan`, so a span in free text and a cell in a column
are judged by the same rule. Check digits are re-implemented here in a few lines (fast,
no exceptions on the hot path); the tests check every one against python-stdnum,
schwifty and phonenumbers, which are the independent references.

Sources: NIR key and Corsica substitution (décret 82-103; stdnum.fr.nir), plausible NIR
fields (INSEE; gip-inclusion/les-emplois ``france_standards.py``), RIB key (Comité
français d'organisation et de normalisation bancaires, formula in france.md §1.4), ISO
13616 IBAN mod 97-10, Luhn (SIREN/SIRET, La Poste exception from stdnum.fr.siret),
numéro fiscal mod 511 (stdnum.fr.nif).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from anonymizer.values.dates import MONTH_NUMBERS, detect_date
from anonymizer.values.dates import is_year_month as _is_year_month
from anonymizer.values.places import COG_PATTERN, POSTAL_PATTERN

_SEP = re.compile(r"[\s.\-]")

# ---------------------------------------------------------------- NIR / NIA
_NIR15 = re.compile(r"\d{5}(?:\d{2}|2[AB])\d{8}")
_NIR13 = re.compile(r"[1-478]\d{4}(?:\d{2}|2[AB])\d{6}")
_SCI = re.compile(r"[12478][.,]\d{1,14}E\+1[24]", re.IGNORECASE)


def nir_compact(value: str) -> str:
    """NIR without spaces, dots or dashes, upper-cased (``2A`` stays letters)."""
    return _SEP.sub("", value).upper()


def nir_key(body13: str) -> int:
    """Key of a 13-character NIR body: 97 - (N mod 97), 2A -> 19 and 2B -> 18 first."""
    d = body13.upper()
    if d[5:7] in ("2A", "2B"):
        d = d[:5] + ("19" if d[5:7] == "2A" else "18") + d[7:]
    return 97 - int(d) % 97


def nir_plausible(body13: str) -> bool:
    """Sex, month and place fields are possible (stdnum checks only the key).

    Sex 1/2 (RNIPP), 3/4 and 7/8 (temporary numbers, NIA); month 01-12, 20-42 and 50-99
    (incomplete civil status / pseudo-fictitious months); place: département 01-95, 2A/2B,
    97x/98x overseas or 99 + country; order number 001-999.
    """
    if len(body13) != 13 or not _NIR13.fullmatch(body13):
        return False
    month = int(body13[3:5])
    if not (1 <= month <= 12 or 20 <= month <= 42 or 50 <= month <= 99):
        return False
    if body13[5:7] == "00":
        return False
    return body13[10:13] != "000"


def is_nir(value: str, *, plausible: bool = True) -> bool:
    """A 15-character NIR/NIA (spaces/dots allowed) whose key is right (and plausible fields)."""
    v = nir_compact(value)
    if len(v) != 15 or not _NIR15.fullmatch(v):
        return False
    try:
        ok = nir_key(v[:13]) == int(v[13:])
    except ValueError:
        return False
    return ok and (not plausible or nir_plausible(v[:13]))


def is_nir_body(value: str) -> bool:
    """A plausible 13-character NIR without its key (the key may be stored in another column)."""
    return nir_plausible(nir_compact(value))


def is_nir_scientific(value: str) -> bool:
    """An Excel scientific-notation export of a NIR (``1,85058E+14``): digits are lost, shape is not."""
    return bool(_SCI.fullmatch(value.strip()))


# ---------------------------------------------------------------- IBAN / RIB / BIC
_IBAN = re.compile(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}")
_RIB_LETTERS = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "12345678912345678923456789")


def iban_compact(value: str) -> str:
    return _SEP.sub("", value).upper()


def rib_key_ok(bban: str) -> bool:
    """French RIB key: 97 - ((89 bank + 15 branch + 3 account) mod 97), letters -> digits."""
    if len(bban) != 23 or not bban[:10].isdigit() or not bban[21:].isdigit():
        return False
    account = bban[10:21].translate(_RIB_LETTERS)
    if not account.isdigit():
        return False
    key = 97 - (89 * int(bban[:5]) + 15 * int(bban[5:10]) + 3 * int(account)) % 97
    return key == int(bban[21:])


#: letters -> their base-36 value written in decimal (``A`` -> ``10``); digits stay as they are
_IBAN_LETTERS = {ord(c): str(int(c, 36)) for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}


def iban_mod97_ok(iban: str) -> bool:
    """ISO 13616 check: move the first four characters to the end, letters -> 10..35, mod 97 == 1.

    The letters are replaced in one ``str.translate`` (a character at a time through ``int(c, 36)``
    was most of the leak index's inside-cell search: every IBAN-shaped span of every comment)."""
    if not _IBAN.fullmatch(iban):
        return False
    moved = iban[4:] + iban[:4]
    return int(moved.translate(_IBAN_LETTERS)) % 97 == 1


def is_iban(value: str, *, rib: bool = True) -> bool:
    """An IBAN with a right mod-97; for FR/MC (and French overseas codes) the RIB key too.

    ``rib=False`` checks mod 97 only: Faker's IBANs, for one, carry a random RIB key
    (france.md §0.3) and are still IBAN-shaped identifiers.
    """
    v = iban_compact(value)
    if not iban_mod97_ok(v):
        return False
    if rib and v[:2] in ("FR", "MC", "GP", "MQ", "GF", "RE", "YT", "PM", "NC", "PF", "WF", "BL", "MF"):
        return len(v) == 27 and rib_key_ok(v[4:])
    return True


_BIC = re.compile(r"[A-Z]{4}([A-Z]{2})[A-Z0-9]{2}(?:[A-Z0-9]{3})?")
# countries whose BICs turn up in French extracts; a bare 8-letter word is too easily a BIC otherwise
_BIC_COUNTRIES = frozenset(
    ["FR", "MC", "DE", "BE", "LU", "NL", "ES", "IT", "PT", "CH", "GB", "IE", "AT", "PL", "DK", "SE", "FI", "NO", "GR", "CZ", "HU", "RO", "BG", "HR", "SI", "SK", "EE", "LV", "LT", "MA", "DZ", "TN", "US"]
)


def is_bic(value: str) -> bool:
    """BIC/SWIFT shape (ISO 9362) with a European or Maghreb country code, letters upper case."""
    m = _BIC.fullmatch(value.strip().replace(" ", ""))
    return bool(m) and m.group(1) in _BIC_COUNTRIES


# ---------------------------------------------------------------- SIREN / SIRET / SPI
def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def is_siren(value: str) -> bool:
    v = _SEP.sub("", value)
    return len(v) == 9 and v.isdigit() and v != "000000000" and luhn_ok(v)


def is_siret(value: str) -> bool:
    """14 digits, Luhn; La Poste establishments (356000000...) use digit sum % 5 instead."""
    v = _SEP.sub("", value)
    if len(v) != 14 or not v.isdigit() or v.startswith("000000000"):
        return False
    if v.startswith("356000000") and v != "35600000000048":
        ok = sum(int(c) for c in v) % 5 == 0
    else:
        ok = luhn_ok(v)
    return ok and luhn_ok(v[:9])  # the SIREN part must be valid too (stdnum.fr.siret)


def is_fr_tax_id(value: str) -> bool:
    """Numéro fiscal (SPI): 13 digits, first 0-3, last three = first ten mod 511."""
    v = _SEP.sub("", value)
    return len(v) == 13 and v.isdigit() and v[0] in "0123" and int(v[:10]) % 511 == int(v[10:])


# ---------------------------------------------------------------- phones
_PHONE = re.compile(r"(?:\+|00)33(?:\(0\))?([1-9]\d{8})|0([1-9]\d{8})|([67]\d{8})|33([67]\d{8})")
_PHONE_SEP = re.compile(r"[\s.\-/()]")
# overseas départements: national prefix -> phonenumbers region (france.md §1.8)
OVERSEAS_PREFIXES = {
    "262": "RE", "263": "RE", "269": "YT", "639": "YT", "590": "GP", "690": "GP", "691": "GP",
    "594": "GF", "694": "GF", "596": "MQ", "696": "MQ", "692": "RE", "693": "RE", "697": "MQ",
}


def phone_national(value: str) -> str | None:
    """The 9 significant digits of a French number (``0612345678``, ``+33 6..``, ``6 12..``), or None."""
    v = _PHONE_SEP.sub("", value.replace("+33(0)", "+33").replace("+33 (0)", "+33"))
    m = _PHONE.fullmatch(v)
    if not m:
        return None
    return next(g for g in m.groups() if g)


def is_fr_phone(value: str) -> bool:
    """Shape of a French number (metropolitan or overseas). Does not ask phonenumbers (see below)."""
    return phone_national(value) is not None


def phone_region(value: str) -> str | None:
    """Region under which phonenumbers should parse this number: FR, or the overseas region."""
    n = phone_national(value)
    if n is None:
        return None
    return OVERSEAS_PREFIXES.get(n[:3], "FR")


def is_valid_phone_number(value: str) -> bool:
    """phonenumbers' own verdict (allocated ranges), re-parsed with the overseas region if needed.

    Fiction ranges such as 06 39 98 are rejected by phonenumbers although they have a valid
    French shape: the column evidence reports both rates.
    """
    import phonenumbers

    n = phone_national(value)
    if n is None:
        return False
    region = OVERSEAS_PREFIXES.get(n[:3], "FR")
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse("0" + n, region))
    except phonenumbers.NumberParseException:
        return False


# ---------------------------------------------------------------- e-mail, postal and COG codes
EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
POSTAL = re.compile(POSTAL_PATTERN)
COG = re.compile(COG_PATTERN)
COUNTRY_CODE = re.compile(r"99[1-5]\d{2}")


def is_email(value: str) -> bool:
    return bool(EMAIL.fullmatch(value.strip()))


def is_postal_code(value: str) -> bool:
    return bool(POSTAL.fullmatch(value.strip()))


def is_commune_code(value: str) -> bool:
    return bool(COG.fullmatch(value.strip().upper()))


# ---------------------------------------------------------------- dates


def parse_date(value: str) -> date | None:
    """A calendar date in a form the detectors accept (JJ/MM/AAAA, JJ/MM/AA, AAAA-MM-JJ,
    AAAAMMJJ, 12 mars 1985...): :func:`anonymizer.values.dates.detect_date`."""
    return detect_date(value)


#: Year of reference for a date written without one (``21/07``, ``le 21 juillet``): a leap
#: year, so ``29/02`` is a date.
NO_YEAR = 2000


@dataclass(frozen=True)
class TextDate:
    """A date as people write it in free text, and how it was written (so a shifted date can
    be written back the same way: ``redact``). ``year`` is None for a date without a year."""

    day: int
    month: int
    year: int | None
    form: str                 # "dmy" (21/07/1985, 21/07/85, 21/07), "ymd" (1985-07-21), "written" (21 juillet)
    sep: str = "/"
    widths: tuple[int, int, int] = (2, 2, 4)  # digits written for day, month, year (0: no year)
    pad: bool = True          # days and months written with two digits (21/07, 03/11, 05 mars; not 1/9)
    first: bool = False       # "1er"
    case: str = "lower"       # the month name's case: lower, upper, title


_TXT_DMY = re.compile(r"(\d{1,2})([/\-.])(\d{1,2})(?:\2(\d{4}|\d{2}))?")
_TXT_YMD = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_TXT_WRITTEN = re.compile(r"(1er|\d{1,2})(\s+)([^\W\d_]+)\.?(?:\s+(\d{4}))?", re.IGNORECASE)


def parse_text_date(value: str) -> TextDate | None:
    """A date in any form the French date recognizer finds (``21/07/1985``, ``21/07/85``,
    ``1985-07-21``, ``21 juillet 1985``, ``1er mars``, and without a year ``21/07``, ``21-07``,
    ``le 21 juillet``), or None when it is not a calendar date. Two-digit years: 00-30 are
    20xx, 31-99 are 19xx; a date without a year must exist in a leap year (``NO_YEAR``)."""
    v = value.strip()
    try:
        if m := _TXT_DMY.fullmatch(v):
            d, mo, y = m.group(1), m.group(3), m.group(4)
            year = None if y is None else (int(y) if len(y) == 4 else (2000 + int(y) if int(y) <= 30 else 1900 + int(y)))
            pad = (len(d) == 2 and len(mo) == 2) or d.startswith("0") or mo.startswith("0")
            out = TextDate(int(d), int(mo), year, "dmy", m.group(2), (len(d), len(mo), len(y or "")), pad)
        elif m := _TXT_YMD.fullmatch(v):
            out = TextDate(int(m.group(3)), int(m.group(2)), int(m.group(1)), "ymd", "-")
        elif (m := _TXT_WRITTEN.fullmatch(v)) and (month := MONTH_NUMBERS.get(m.group(3).lower())):
            name, y = m.group(3), m.group(4)
            case = "upper" if name.isupper() else "title" if name[:1].isupper() else "lower"
            first = m.group(1).lower() == "1er"
            out = TextDate(1 if first else int(m.group(1)), month, None if y is None else int(y), "written", " ",
                           (len(m.group(1)), 0, len(y or "")), m.group(1).startswith("0"), first, case)
        else:
            return None
        date(out.year if out.year is not None else NO_YEAR, out.month, out.day)
    except ValueError:
        return None
    return out


def is_year_month(value: str) -> bool:
    """AAAAMM months (``202112``)."""
    return _is_year_month(value)
