"""End to end on the fictitious CAF extract: every identifier column faked in
``order_columns`` order with the row context the pipeline will give, dates shifted per foyer.
Checks the cross-column promises with independent validators."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest
from schwifty import IBAN
from stdnum.fr import nir

from anonymizer.transform import ACTIONS, PERSON_ID, TransformContext, order_columns

from .conftest import KEY

synth = pytest.importorskip("anonymizer.synth")


@pytest.fixture(scope="module")
def extract():
    df, truth = synth.generate_extract(rows=400, seed=11)
    cols = truth["columns"]
    ents = {c: v["entity"] for c, v in cols.items()}
    out = pd.DataFrame({PERSON_ID: df["NUMALLOC"]})
    for c in order_columns(list(df.columns), ents):
        role, ent = cols[c]["role"], ents[c]
        if role == "identifier" or ent in ("SIRET", "BIC"):
            act = "fake"
        elif ent in ("DATE", "BIRTH_DATE"):
            act = "shift_dates"
        else:
            act = "keep"
        ctx = TransformContext(column=c, entity=ent, row_context=out, entities=ents)
        out[c] = ACTIONS[act](df[c], key=KEY, params={}, context=ctx)
    return df, out.drop(columns=[PERSON_ID]), cols


def test_no_identifier_value_survives_in_its_column(extract):
    df, out, cols = extract
    for c, meta in cols.items():
        if meta["role"] == "identifier" and meta["entity"] != "NIR_KEY":  # NIR_KEY: see docs/transforms.md
            kept = (df[c] != "") & (df[c] == out[c])
            assert not kept.any(), f"{c}: {int(kept.sum())} value(s) kept"
            assert ((df[c] == "") == (out[c] == "")).all(), f"{c}: missingness changed"


def test_fake_nir_and_key_valid_and_consistent_with_row(extract):
    df, out, _ = extract
    rows = out[df["NIR"].str.fullmatch(r"[0-9]{5}(?:[0-9]{2}|2[AB])[0-9]{6}")]  # planted Excel floats aside
    assert len(rows) > 300
    for n13, key, sex, born in zip(rows["NIR"], rows["CLENIR"], rows["SEXE"], rows["DTNAIS"], strict=True):
        assert nir.is_valid(n13 + key)
        d = dt.datetime.strptime(born, "%d/%m/%Y")
        assert n13[1:5] == f"{d.year % 100:02d}{d.month:02d}"
        assert n13[0] in {"1": "17", "2": "28"}[sex]
    cj = out[out["NIRCJ"] != ""]
    for n15, sex, born in zip(cj["NIRCJ"], cj["SEXECJ"], cj["DTNAISCJ"], strict=True):
        assert nir.is_valid(n15)
        d = dt.datetime.strptime(born, "%d/%m/%Y")
        assert n15[1:5] == f"{d.year % 100:02d}{d.month:02d}" and n15[0] in {"1": "17", "2": "28"}[sex]


def test_iban_valid_and_bic_agrees(extract):
    _, out, _ = extract
    rows = out[out["IBAN"] != ""]
    for iban, bic in zip(rows["IBAN"], rows["BIC"], strict=True):
        parsed = IBAN(iban, validate_bban=True)
        if bic:
            assert str(parsed.bic)[:8] == bic[:8]


def test_children_age_gaps_kept_exactly(extract):
    df, out, _ = extract
    cols = [c for c in df.columns if re.fullmatch(r"ENF\d_DTNAIS", c)]
    assert len(cols) >= 2

    def days(s: str) -> int:
        return dt.datetime.strptime(s, "%d/%m/%Y").toordinal()

    both = df[(df[cols[0]] != "") & (df[cols[1]] != "")]
    assert len(both) > 20
    for i in both.index:
        assert days(out.at[i, cols[1]]) - days(out.at[i, cols[0]]) == days(df.at[i, cols[1]]) - days(df.at[i, cols[0]])
        assert days(out.at[i, cols[0]]) != days(df.at[i, cols[0]])
