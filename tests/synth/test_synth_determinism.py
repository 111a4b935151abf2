"""Same seed -> identical table and truth, whatever the chunking; any size; bad arguments."""

from __future__ import annotations

import pandas as pd
import pytest

from anonymizer.errors import UsageError
from anonymizer.synth import generate_extract, iter_extract


def test_same_seed_same_table(df, truth):
    again, truth2 = generate_extract(len(df), 2021)
    pd.testing.assert_frame_equal(df, again)
    assert truth == truth2


def test_other_seed_differs(df):
    other, _ = generate_extract(len(df), 2022)
    assert not other["NIR"].equals(df["NIR"])
    assert list(other.columns) == list(df.columns)


def test_chunking_does_not_change_the_data(df):
    stream = iter_extract(len(df), 2021, 333)
    parts = list(stream)
    assert [len(p) for p in parts[:-1]] == [333] * (len(parts) - 1)
    pd.testing.assert_frame_equal(pd.concat(parts), df)


def test_multi_block_is_consistent(monkeypatch):
    from anonymizer.synth import generator

    monkeypatch.setattr(generator, "BLOCK", 700)
    big, truth = generate_extract(2100, 9)
    assert big["NUMALLOC"].is_unique and big.index.tolist() == list(range(2100))
    kinds = {p["kind"] for p in truth["planted"]}
    assert {"centenarian", "nine_children", "nir_scientific_notation"} <= kinds
    rows = [r for r, *_ in truth["free_text"]["COMMENT_GEST"]]
    assert rows == sorted(rows) and max(rows) >= 1400


@pytest.mark.parametrize("n", [0, 1, 19, 20])
def test_tiny_sizes(n):
    t, truth = generate_extract(n, 1)
    assert t.shape == (n, 181)
    assert len(truth["columns"]) == 181


def test_other_departements():
    t, _ = generate_extract(300, 3, departement="2A")
    assert set(t["CODCAF"]) == {"2A1"}
    t, _ = generate_extract(300, 3, departement="974")
    assert t["CODCOM"].str.startswith("974").all() or (t["CODCOM"].str.startswith("974").sum() >= 299)


def test_bad_arguments():
    with pytest.raises(UsageError):
        generate_extract(10, 1, departement="99")
    with pytest.raises(UsageError):
        generate_extract(-1, 1)


def test_offsets_and_row_lists_dropped_above_the_limits(monkeypatch):
    from anonymizer.synth import generator

    monkeypatch.setattr(generator, "FREE_TEXT_OFFSETS_MAX_ROWS", 100)
    monkeypatch.setattr(generator, "PLANTED_ROWS_MAX", 100)
    t, truth = generate_extract(400, 4)
    assert truth["free_text"] == {} and "free_text_note" in truth
    spaced = [p for p in truth["planted"] if p["kind"] == "iban_with_spaces"][0]
    assert spaced["rows"] == [] and spaced["count"] == t["IBAN"].str.contains(" ").sum()
    assert (t["COMMENT_GEST"] != "").sum() > 100  # the texts themselves are still there
