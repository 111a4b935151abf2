"""Keyed bounded noise."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from anonymizer.errors import PolicyError
from anonymizer.transform import PERSON_ID, noise

from .conftest import KEY, OTHER_KEY, ctx, text


def run(values, key=KEY, pids=None, **params):
    rc = pd.DataFrame({PERSON_ID: text(pids)}) if pids else None
    return noise(text(values), key=key, params=params, context=ctx("MONTANT", "AMOUNT", rc))


def num(s: str) -> float:
    return float(s.replace(" ", "").replace(",", "."))


def test_relative_noise_is_bounded_and_keeps_decimal_comma():
    vals = [f"{100 + i},{i % 100:02d}" for i in range(500)]
    out = run(vals, relative=0.05)
    for v, o in zip(vals, out, strict=True):
        assert abs(num(o) - num(v)) <= 0.05 * num(v) + 0.005
        assert "," in o and len(o.split(",")[1]) == 2
    assert sum(o != v for o, v in zip(out, vals, strict=True)) > 450


def test_absolute_noise_bounded_sign_kept_zero_and_missing():
    vals = ["0", "3", "", "1000", "12"]
    out = run(vals, absolute=20)
    assert out.iloc[2] == ""
    for v, o in zip(vals, out, strict=True):
        if v:
            assert abs(num(o) - num(v)) <= 20.5 and num(o) >= 0
    assert run(["0,00"], relative=0.5).iloc[0] == "0,00"


def test_keyed_per_person_and_deterministic():
    vals = ["1000"] * 50
    pids = [f"p{i}" for i in range(50)]
    a, b = run(vals, pids=pids, relative=0.1), run(vals, pids=pids, relative=0.1)
    c = run(vals, key=OTHER_KEY, pids=pids, relative=0.1)
    assert a.tolist() == b.tolist() and a.tolist() != c.tolist()
    assert a.nunique() > 30
    # same person in another file gets the same perturbation
    assert run(["1000"], pids=["p7"], relative=0.1).iloc[0] == a.iloc[7]


def test_numeric_dtypes():
    s = pd.Series([100, 200, 300], dtype="int64")
    out = noise(s, key=KEY, params={"absolute": 10}, context=ctx("N"))
    assert out.dtype == s.dtype and (np.abs(out - s) <= 10).all()
    f = pd.Series([1.5, np.nan])
    outf = noise(f, key=KEY, params={"relative": 0.1, "round": 2}, context=ctx("N"))
    assert np.isnan(outf.iloc[1]) and abs(outf.iloc[0] - 1.5) <= 0.15 + 0.005


def test_params_checked():
    with pytest.raises(PolicyError):
        run(["1"])
    with pytest.raises(PolicyError):
        run(["1"], relative=1.5)


def test_vectorised_formatting_matches_python_formatting():
    from anonymizer.transform.noise import _format_fixed

    rng = np.random.default_rng(3)
    y = np.round(rng.normal(0, 50, 2000), 2)
    y[:5] = [0.0, -0.0, 0.004, -0.004, 1234.5]
    y = np.round(y, 2)
    got = _format_fixed(y, 2, ",")
    want = [f"{v:.2f}".replace(".", ",") for v in y]
    want = [w[1:] if w.startswith("-") and float(w.replace(",", ".")) == 0 else w for w in want]
    assert list(got) == want
    assert list(_format_fixed(np.array([3.0, -12.0, 0.0]), 0, ",")) == ["3", "-12", "0"]
