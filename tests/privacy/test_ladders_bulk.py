"""The date levels of the privacy ladders render a whole array of distinct values at once
(``values.dates.day_dates`` + ``ladders._render_dates``) and give exactly what the value-by-value
renderer gave (issue #21: 1.1 million ``_render_date`` calls per 100,000 rows).

The reference is ``Ladder.apply`` and ``_render_date`` as they were (main at 283e449), copied
verbatim over the ``parse_date`` of the values package (the one French date reader, which the
bulk reader must agree with): compared on seeded random dates of every form the reader knows and
on the edge cases (impossible days, 29 February of leap and common years, years out of range,
mixed separators, spaces around, two-digit years, times of day, empty cells, text).
"""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from anonymizer.privacy.ladders import FAMILY_LEVELS, STAR, ladder_for
from anonymizer.values.dates import day_dates, parse_date

# ----------------------------------------------------------------------------- the reference (283e449)


def _ref_render_date(level: str, v: str) -> str:
    p = parse_date(v)
    if p is None:
        return STAR  # not a date in the method's terms: suppressed, never kept
    y, mo = p.year, (p.month if p.precision in ("day", "month") else None)
    if level == "day":
        return v
    if level == "month":
        if mo is None:
            return f"{y:04d}"
        return f"{y:04d}-{mo:02d}" if p.kind in ("ymd", "ym") else f"{mo:02d}/{y:04d}"
    if level == "year":
        return f"{y:04d}"
    width = 5 if level == "5 years" else 10
    lo = y // width * width
    return f"{lo}-{lo + width - 1}"


def _ref_apply(ladder, uniques: np.ndarray, family_level: str) -> np.ndarray:
    name = ladder.level_for(family_level)
    if name == STAR:
        return np.full(len(uniques), STAR, dtype=object)
    return np.array([v if v == "" else _ref_render_date(name, v) if name in FAMILY_LEVELS["birth"][:5]
                     else ladder.render[name](v) for v in uniques], dtype=object)


# ----------------------------------------------------------------------------- inputs

EDGE = ["", "01/01/1985", "31/12/2999", "01/01/3000", "31/12/0999", "01/01/1000", "29/02/2000", "29/02/1900",
        "29/02/2024", "29/02/2023", "31/04/2020", "00/01/2020", "01/00/2020", "01/13/2020", "32/01/2020",
        "12/03/1985", "12-03-1985", "12.03.1985", "12/03-1985", "12-03/1985", "1985-03-12", "1985/03/12",
        "1985.03.12", "1985-03/12", "1985-02-29", "2000-02-29", "1985-13-01", "1985-00-10", " 12/03/1985",
        "12/03/1985 ", "12/03/1985 10:30", "1985-03-12T10:30:00Z", "5/3/1985", "12/03/85", "12/03/29",
        "19850312", "198503", "1985-03", "03/1985", "1985", "12 mars 1985", "1er MARS 1985", "12 janv. 1985",
        "abc", "12/03/198a", "\u0661\u0662/03/1985", "12/03/19855", "0000-00-00", "31/12/9999", "*"]


def _random_dates(rng: np.random.Generator, n: int) -> list[str]:
    out = []
    for _ in range(n):
        y = int(rng.integers(900, 3100)) if rng.random() < 0.1 else int(rng.integers(1920, 2030))
        m = int(rng.integers(0, 14)) if rng.random() < 0.05 else int(rng.integers(1, 13))
        d = int(rng.integers(0, 33)) if rng.random() < 0.1 else int(rng.integers(1, 29))
        sep = str(rng.choice(["/", "/", "/", "-", "."]))
        form = rng.integers(0, 10)
        if form < 6:
            out.append(f"{d:02d}{sep}{m:02d}{sep}{y:04d}")
        elif form < 8:
            out.append(f"{y:04d}{sep}{m:02d}{sep}{d:02d}")
        elif form == 8:
            out.append(f"{y:04d}{m:02d}{d:02d}")
        else:
            out.append(str(rng.choice(EDGE)))
    return out


# ----------------------------------------------------------------------------- the tests


def test_day_dates_agree_with_parse_date():
    rng = np.random.default_rng(1)
    values = EDGE + _random_dates(rng, 20000)
    got = day_dates(values)
    assert got.bulk.sum() > 15000  # the two ten-character forms are read in bulk
    for i, v in enumerate(values):
        p = parse_date(v)
        if not got.bulk[i]:
            assert not (len(v) == 10 and v[:2].isdigit() and v[2] in "/.-" and v[2] == v[5] and p is not None
                        and v.isascii() and v.replace(v[2], "").isdigit()), v  # a bulk form left out
            continue
        assert got.valid[i] == (p is not None), v
        if p is not None:
            assert (got.year[i], got.month[i], got.day[i]) == (p.year, p.month, p.day), v
            assert got.ymd[i] == (p.kind == "ymd") and p.precision == "day", v


@pytest.mark.parametrize("family", ["birth", "date"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_date_ladders_render_like_the_reference(family, seed):
    rng = np.random.default_rng(seed)
    uniques = np.array(list(dict.fromkeys(EDGE + _random_dates(rng, 5000))), dtype=object)
    rng.shuffle(uniques)
    ladder = ladder_for("BIRTH_DATE" if family == "birth" else "DATE", family)
    for level in FAMILY_LEVELS[family]:
        for values in (uniques, uniques[:1], uniques[:0], np.array([""], dtype=object)):
            got = ladder.apply(values, level)
            ref = _ref_apply(ladder, values, level)
            assert got.dtype == object and got.tolist() == ref.tolist(), level


def test_a_date_ladder_still_renders_one_value_and_travels_to_workers():
    ladder = pickle.loads(pickle.dumps(ladder_for("DATE", "date")))
    assert ladder.render["month"]("1985-03-12") == "1985-03" == _ref_render_date("month", "1985-03-12")
    with pytest.raises(AttributeError):  # a value that is not text: read one by one, as before
        ladder.apply(np.array(["12/03/1985", 7], dtype=object), "year")
