"""The format registry (io/registry.py): every format read, written and named through one table."""

from __future__ import annotations

import pandas as pd
import pytest

from anonymizer.errors import UsageError
from anonymizer.io import (
    FORMATS,
    REGISTRY,
    WRITABLE,
    default_extension,
    detect_format,
    iter_batches,
    output_format,
    read_table,
    write_table,
)

# The hand-written extension map of io/sniff.py before the registry (commit 33e49ec): the
# regression reference.
OLD_EXTENSIONS = {
    ".csv": "csv", ".tsv": "csv", ".tab": "csv", ".txt": "csv", ".parquet": "parquet", ".pq": "parquet",
    ".xlsx": "xlsx", ".xlsm": "xlsx", ".jsonl": "jsonl", ".ndjson": "jsonl", ".sas7bdat": "sas7bdat",
    ".xpt": "xpt", ".dta": "dta", ".sav": "sav", ".zsav": "sav",
}


def test_extensions_and_formats_unchanged():
    from anonymizer.io.sniff import EXTENSIONS

    assert EXTENSIONS == OLD_EXTENSIONS
    assert FORMATS == ("csv", "parquet", "xlsx", "jsonl", "sas7bdat", "xpt", "dta", "sav")
    assert set(WRITABLE) == set(FORMATS) - {"sas7bdat"}
    for ext, fmt in OLD_EXTENSIONS.items():
        assert detect_format(f"table{ext.upper()}") == fmt  # by name alone, any case
        assert output_format(f"out{ext}") == fmt


@pytest.mark.parametrize("fmt", WRITABLE)
def test_every_writable_format_round_trips_through_the_registry(tmp_path, fmt):
    df = pd.DataFrame({"NIR": ["185057512345678", "2A0041234567890", "x"], "AGE": ["34", "5", "71"]})
    path = tmp_path / f"t{default_extension(fmt)}"
    write_table(df, path)
    assert detect_format(path) == fmt
    back = read_table(path)
    assert back.meta.format == fmt
    assert back.df["NIR"].tolist() == df["NIR"].tolist()
    ages = back.df["AGE"].tolist()
    assert [str(a) for a in ages] == ["34", "5", "71"]
    if REGISTRY[fmt].text:  # text formats: every column text, missing = ""
        assert all(isinstance(a, str) for a in ages)
    meta, batches = iter_batches(path, batch_rows=2)
    assert [len(b) for b in batches] == [2, 1] and meta.format == fmt


def test_registry_entries_are_complete():
    seen: set[str] = set()
    for name, f in REGISTRY.items():
        assert f.name == name and f.extensions and all(e.startswith(".") and e == e.lower() for e in f.extensions)
        assert not seen & set(f.extensions), f"{name}: an extension of another format"
        seen |= set(f.extensions)
        assert callable(f.read) and callable(f.batches)
        assert (f.sink is None) == bool(f.why_not_written), name


def test_sas7bdat_is_read_only_with_the_same_message(tmp_path):
    with pytest.raises(UsageError, match="writing sas7bdat is not supported; write xpt"):
        write_table(pd.DataFrame({"A": [1]}), tmp_path / "t.sas7bdat")
    with pytest.raises(UsageError, match="do not apply to parquet output"):
        write_table(pd.DataFrame({"A": [1]}), tmp_path / "t.parquet", delimiter=";")


def test_sanitize_names_the_output_after_the_format_asked(tmp_path, run_cli):
    """``--to dta`` without ``-o`` wrote Stata bytes into ``t.training.csv`` (the CLI knew four
    extensions); the registry gives every writable format its extension."""
    src = tmp_path / "t.csv"
    # a column the rules know (an unclassified one is a 30 % guess strict mode will not keep)
    src.write_text("ligne;etat_dossier\n1;a\n2;b\n3;a\n", encoding="utf-8")
    # the training profile has keyed actions: its key is asked for before the data is read
    r = run_cli("sanitize", src, "--to", "dta", "--no-report", "--force", env={"ANON_KEY": "4f9c2e7a1b6d3085c2e9f4a7b1d6038e5c2a9f7b4e1d6083a5c9e2f7b4a1d608"})
    assert r.exit_code == 0, r.output
    out = tmp_path / "t.training.dta"
    assert out.exists() and not (tmp_path / "t.training.csv").exists()
    assert out.read_bytes().startswith(b"<stata_dta>")
    assert read_table(out).df["etat_dossier"].tolist() == ["a", "b", "a"]
