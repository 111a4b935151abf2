"""The attack's facts coded for a whole frame at once (``code_frame``, ``Fact.of_coded``) against a
plain per-column computation.

The release gate codes every column of a frame in one pass (wide tables have thousands of short
columns). Here random frames mixing categorical, object, float, nullable-integer and string
columns, with missing cells, numbers among texts, case and space variants and ``*`` are coded
both ways: by that pass, and cell by cell in Python (each cell rendered as the attack reads it,
keys by ``str`` methods, codes in order of first appearance). The comparators built on the whole
frame's codes must be those of the reference, and those of facts built column by column from
text Series (the per-fact path); the attack's figures must not move by a float.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest

from anonymizer.attack import Fact, linkage_attack
from anonymizer.attack.facts import MISSING_KEY, UNKNOWN, Comparator, code_frame, comparators

SUPPRESSED = {"*", "**", "***"}
TEXTS = ["a", "A", " a", "a ", "b", "a b", "a  b", "A\tB", "*", " * ", "**", "", "  ", "é", "É", "12", "012",
         "3.5", "x-1", "Lyon 3e"]


def _render(v: object) -> str:
    """A cell as the attack reads it: missing -> '', integral numbers without '.0'."""
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, str):
        return v
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    f = float(v)
    return str(int(f)) if f.is_integer() else repr(f)


def _key(t: str) -> str:
    k = re.sub(r"\s+", " ", t.strip().upper())
    return k or MISSING_KEY


def _first(values: list) -> np.ndarray:
    seen: dict = {}
    return np.array([seen.setdefault(v, len(seen)) for v in values], dtype=np.int64)


def _frame(rng: np.random.Generator, rows: int) -> tuple[pd.DataFrame, dict[str, list]]:
    """A random frame and, per column, the raw cells it was built from."""
    def texts(missing: float) -> list:
        return [None if rng.random() < missing else TEXTS[rng.integers(len(TEXTS))] for _ in range(rows)]

    mixed = [rng.choice([None, TEXTS[rng.integers(len(TEXTS))], int(rng.integers(0, 20)),
                         float(rng.integers(0, 20)), rng.integers(0, 40) / 4, math.nan]) for _ in range(rows)]
    floats = [math.nan if rng.random() < 0.2 else rng.integers(0, 30) / 2 for _ in range(rows)]
    ints = [None if rng.random() < 0.2 else int(rng.integers(0, 9)) for _ in range(rows)]
    many = [str(rng.integers(0, 10_000)) for _ in range(rows)]
    raw = {"cat": texts(0.2), "cat_full": texts(0.0), "obj": mixed, "float": floats, "str": texts(0.2),
           "nullable": ints, "int_cat": ints, "many": many}
    frame = pd.DataFrame({
        "cat": pd.Categorical(raw["cat"]),
        "cat_full": pd.Categorical(raw["cat_full"]),
        "obj": pd.Series(mixed, dtype=object),
        "float": pd.Series(floats, dtype=np.float64),
        "str": pd.Series(raw["str"], dtype="str"),
        "nullable": pd.Series(ints, dtype="Int64"),
        "int_cat": pd.Categorical(ints),
        "many": pd.Categorical(many),
    })
    return frame, raw


def _reference_categorical(o: list[str], r: list[str]) -> tuple[np.ndarray, ...]:
    """The categorical comparator of two text columns, cell by cell: (original codes, released
    codes with '*' unknown, and the two in one code space)."""
    ok, rk = [_key(t) for t in o], [_key(t) for t in r]
    star = np.array([t.strip() in SUPPRESSED for t in r], dtype=bool)
    oc, rc = _first(ok), _first(rk)
    rc[star] = UNKNOWN
    both = _first(ok + rk)
    eo, er = both[: len(ok)], both[len(ok):].copy()
    er[star] = UNKNOWN
    return oc, rc, eo, er


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("rows", [1, 5, 70, 150])
def test_whole_frame_codes_are_those_of_each_column_cell_by_cell(seed, rows):
    rng = np.random.default_rng(seed)
    original, raw_o = _frame(rng, rows)
    released, raw_r = _frame(rng, rows)
    columns = list(original.columns)
    coded_o, coded_r = code_frame(original, columns), code_frame(released, columns)
    assert set(coded_o) == set(coded_r) == set(columns)
    for c in columns:
        for coded, raw in ((coded_o[c], raw_o[c]), (coded_r[c], raw_r[c])):
            texts = [_render(v) for v in raw]
            assert coded.codes.dtype == np.int32  # value codes are int32 (facts.code_dtype)
            assert coded.codes.tolist() == _first(texts).tolist(), c
            assert coded.texts().tolist() == texts, c
            assert coded.rows(coded.keys()).tolist() == [_key(t) for t in texts], c
            missing, suppressed = coded.state()
            assert coded.rows(missing).tolist() == [t.strip() == "" for t in texts], c
            assert coded.rows(suppressed).tolist() == [t.strip() in SUPPRESSED for t in texts], c
        fact = Fact.of_coded(c, "category", coded_o[c], coded_r[c], group=c)
        (comp,) = comparators(fact)
        oc, rc, eo, er = _reference_categorical([_render(v) for v in raw_o[c]], [_render(v) for v in raw_r[c]])
        assert comp.type == "categorical"
        assert comp.orig.tolist() == oc.tolist(), c
        assert comp.rel.tolist() == rc.tolist(), c
        assert comp.equal_sides()[0].tolist() == eo.tolist(), c
        assert comp.equal_sides()[1].tolist() == er.tolist(), c
        assert comp.value_codes[0].tolist() == _first([_render(v) for v in raw_o[c]]).tolist()


def _same(a: Comparator, b: Comparator) -> None:
    assert (a.fact, a.how, a.type, a.width, a.group, a.link) == (b.fact, b.how, b.type, b.width, b.group, b.link)
    for x, y in ((a.orig, b.orig), (a.rel, b.rel), (a.members, b.members), (a.set_of, b.set_of),
                 *zip(a.value_codes, b.value_codes, strict=True),
                 *zip(a.equal_sides() if "equal" in a.extra else (), b.equal_sides() if "equal" in b.extra else (),
                      strict=True)):
        if x is None or y is None:
            assert x is None and y is None
        else:
            np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize("seed", range(6))
def test_whole_frame_facts_give_the_comparators_and_figures_of_facts_column_by_column(seed):
    """Every kind of fact (dates, codes, numbers, categories, derived parts): the same comparators
    and the same attack as facts built from one text Series per column and side."""
    rng = np.random.default_rng(seed)
    n = 300
    years = rng.integers(1940, 2005, n)
    birth = [f"{rng.integers(1, 29):02d}/{rng.integers(1, 13):02d}/{y}" for y in years]
    original = pd.DataFrame({
        "birth": birth,
        "commune": [f"{rng.choice(['33', '24', '2A'])}{rng.integers(0, 9):03d}" for _ in range(n)],
        "children": rng.integers(0, 6, n).astype(str),
        "nat": rng.choice(["FR", "fr ", "UE", "HUE", ""], n),
        "nir → sex": rng.choice(["1", "2", ""], n),
    })
    coarse = rng.random(n) < 0.4
    released = pd.DataFrame({
        "birth": np.where(coarse, (years // 5 * 5).astype(str), [b[3:] for b in birth]),
        "commune": np.where(rng.random(n) < 0.3, original["commune"].str[:2], original["commune"]),
        "children": np.where(rng.random(n) < 0.2, "*", original["children"]),
        "nat": original["nat"].map({"FR": "France", "fr ": "France", "UE": "Etranger", "HUE": "Etranger", "": ""}),
        "nir → sex": np.where(rng.random(n) < 0.1, "", original["nir → sex"]),
    })
    if seed % 2:  # as the pipeline hands them over: categorical columns
        original, released = original.astype("category"), released.astype("category")
    kinds = {"birth": "date", "commune": "code", "children": "number", "nat": "category", "nir → sex": "category"}
    coded_o, coded_r = code_frame(original, list(kinds)), code_frame(released, list(kinds))
    whole, alone = [], []
    for c, kind in kinds.items():
        kw = {"derived": True, "link": "birth"} if "→" in c else {}
        whole.append(Fact.of_coded(c, kind, coded_o[c], coded_r[c], group=c, **kw))
        alone.append(Fact(c, kind, original[c].astype(str) if seed % 2 == 0 else original[c],
                          released[c], group=c, **kw))
    for a, b in zip(whole, alone, strict=True):
        ca, cb = comparators(a), comparators(b)
        assert len(ca) == len(cb) > 0
        for x, y in zip(ca, cb, strict=True):
            _same(x, y)
    assert linkage_attack(whole).to_dict() == linkage_attack(alone).to_dict()
