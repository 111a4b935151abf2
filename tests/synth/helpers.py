"""Independent readers of the generated text: dates, amounts, phones (no generator code)."""

from __future__ import annotations

import datetime as dt
import re

DTREF = dt.date(2021, 12, 31)
DATE_RE = re.compile(r"^\d{2}/\d{2}/\d{4}$")
MONEY_RE = re.compile(r"^\d+,\d{2}$")


def date(s: str) -> dt.date | None:
    if not s:
        return None
    d, m, y = s.split("/")
    return dt.date(int(y), int(m), int(d))


def age(birth: dt.date, when: dt.date) -> int:
    return when.year - birth.year - ((when.month, when.day) < (birth.month, birth.day))


def months_between(a: dt.date, b: dt.date) -> int:
    """Whole calendar months from a to b."""
    return (b.year - a.year) * 12 + (b.month - a.month) - (b.day < a.day)


def cents(s: str) -> int:
    assert MONEY_RE.match(s), "amount not in 123,45 form"
    euros, c = s.split(",")
    return int(euros) * 100 + int(c)


def phone_digits(s: str) -> str:
    """National 10-digit form of a written French number (+33, dots, spaces, lost 0)."""
    d = re.sub(r"[ .]", "", s)
    if d.startswith("+33"):
        d = "0" + d[3:]
    if len(d) == 9 and d[0] != "0":
        d = "0" + d
    return d
