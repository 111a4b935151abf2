"""``release.embedded`` (the NIR text normalised and matched once per column, the replace only
on cells that are not plain ASCII letters and digits) equals the per-part reference
(tests/attack/reference/embedded_v1.py): the same frame, columns, values and dtypes."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anonymizer.attack import release

from .reference import embedded_v1

PLAN = SimpleNamespace(steps=[SimpleNamespace(entity="NIR", action="fake", column="NIR"),
                              SimpleNamespace(entity="NIR", action="drop", column="GONE"),
                              SimpleNamespace(entity="LAST_NAME", action="fake", column="NOM")])

#: digits, the letters of Corsica, the separators either regex engine removes (or not: Python's
#: \s also takes no-break, thin and ASCII separator spaces, RE2's does not), letters whose upper
#: case changes length, non-ASCII digits
ALPHABET = "0123456789012345678912AaBb .-\t\n\x0b\x1c\x1f\xa0\u2009\u202fßéİ²٣Zz_/"


def _same(frame: pd.DataFrame) -> None:
    got, want = release.embedded(frame, PLAN), embedded_v1.embedded(frame, PLAN)
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert [str(t) for t in got.dtypes] == [str(t) for t in want.dtypes]


def _nirs(rng: np.random.Generator, n: int) -> list[str]:
    sex = rng.choice(list("12347889"), n)
    body = rng.integers(0, 10**12, n)
    return [f"{s}{b:012d}" + ("" if i % 3 else f"{i % 97:02d}") for i, (s, b) in enumerate(zip(sex, body, strict=True))]


@pytest.mark.parametrize("kind", ["str", "object", "category", "float", "with_nan"])
def test_generated_nirs_every_dtype(kind):
    rng = np.random.default_rng(7)
    values = _nirs(rng, 3000)
    values[::7] = [v[:1] + " " + v[1:3] + "." + v[3:5] + "-" + v[5:] for v in values[::7]]
    values[1::11] = [v[:5] + "2a" + v[7:] for v in values[1::11]]
    values[2::13] = [""] * len(values[2::13])
    if kind == "float":
        s = pd.Series(rng.integers(10**12, 3 * 10**12, 3000).astype(float))
        s[::5] = np.nan
    elif kind == "with_nan":
        s = pd.Series(values, dtype="str")
        s[::9] = np.nan
    else:
        s = pd.Series(values, dtype=kind)
    _same(pd.DataFrame({"NIR": s, "GONE": s, "NOM": s}, index=np.arange(3000) + 50))


def test_the_extract():
    from anonymizer.synth import generate_extract

    table, _truth = generate_extract(rows=2000, seed=2021)
    for c in ("NIR", "NIRCJ"):
        _same(pd.DataFrame({"NIR": table[c]}))


def test_plain_column_and_no_nir_column():
    _same(pd.DataFrame({"NIR": pd.Series(["1850578006084", "", "2850578006084 12"], dtype="str")}))
    _same(pd.DataFrame({"NOM": ["a"]}))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(ALPHABET, max_size=18), min_size=1, max_size=40), st.sampled_from(["str", "object"]))
def test_any_text(values, dtype):
    _same(pd.DataFrame({"NIR": pd.Series(values, dtype=dtype)}))


@st.composite
def _spelt_nirs(draw) -> str:
    """A NIR (13 or 15 characters, Corsican or not) with any characters slipped in."""
    nir = draw(st.sampled_from(["1850578006084", "285052A00608412", "785052B006084", "4850599006084",
                                "5850578006084", "185057800608"]))
    chars = list(nir)
    for _ in range(draw(st.integers(0, 4))):
        chars.insert(draw(st.integers(0, len(chars))), draw(st.sampled_from(list(ALPHABET))))
    return "".join(chars)


@settings(max_examples=300, deadline=None)
@given(st.lists(_spelt_nirs(), min_size=1, max_size=40), st.sampled_from(["str", "object"]))
def test_spelt_nirs(values, dtype):
    got = release.embedded(pd.DataFrame({"NIR": pd.Series(values, dtype=dtype)}), PLAN)
    _same(pd.DataFrame({"NIR": pd.Series(values, dtype=dtype)}))
    assert len(got.columns) == 4
