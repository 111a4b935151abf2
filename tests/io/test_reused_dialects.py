"""``reused_dialects``: a run's input is sniffed once, and what the later opens get is exactly
what a fresh sniff gives (the same dialect, the same batches)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from anonymizer.engine.local import _Batches
from anonymizer.engine.pipeline import SanitizeOptions
from anonymizer.io import sniff
from anonymizer.io.sniff import reused_dialects, sniff_csv

CASES = {
    "cp1252.csv": ("NOM;VILLE\nDurand;Orléans\n\"Lé\nfèvre\";Sète\n".encode("cp1252")),
    "utf8.csv": "A,B\n1,é\n2,\"x,y\"\n".encode(),
    "bom.csv": b"\xef\xbb\xbfA;B\r\n1;2\r\n",
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_dialect_as_a_fresh_sniff(tmp_path: Path, name: str) -> None:
    p = tmp_path / name
    p.write_bytes(CASES[name])
    fresh = sniff_csv(p)
    store: dict = {}
    with reused_dialects(store):
        first = sniff_csv(p)
    with reused_dialects(store):
        again = sniff_csv(p)
        again.header.append("changed by a caller")
        third = sniff_csv(p)
    assert first == fresh and third == fresh and len(store) == 1


def test_sniffed_once_then_again_when_the_file_changes(tmp_path: Path, monkeypatch) -> None:
    p = tmp_path / "t.csv"
    p.write_bytes(CASES["cp1252.csv"])
    calls = []
    real = sniff._sniff_csv
    monkeypatch.setattr(sniff, "_sniff_csv", lambda *a, **k: calls.append(1) or real(*a, **k))
    with reused_dialects():
        sniff_csv(p)
        sniff_csv(p)
        assert len(calls) == 1
        sniff_csv(p, delimiter=";")  # other options: sniffed
        assert len(calls) == 2
        p.write_bytes(b"X,Y\n1,2\n")  # another file: sniffed again
        os.utime(p, ns=(1, 1))
        assert sniff_csv(p).delimiter == ","
        assert len(calls) == 3
    sniff_csv(p)  # outside the block: every call sniffs
    assert len(calls) == 4


def test_run_input_sniffed_once_same_batches(tmp_path: Path, monkeypatch) -> None:
    p = tmp_path / "t.csv"
    p.write_bytes(b"A;B\n" + b"".join(f"{i};v{i % 7}\n".encode() for i in range(5000)))
    calls = []
    real = sniff._sniff_csv
    monkeypatch.setattr(sniff, "_sniff_csv", lambda *a, **k: calls.append(1) or real(*a, **k))
    batches = _Batches(p, SanitizeOptions(batch_rows=None))
    first = [b.copy() for b in batches]  # pass 1
    second = list(batches)  # pass 2: a new open
    assert len(calls) == 1
    assert len(first) == len(second)
    for a, b in zip(first, second, strict=True):
        assert a.equals(b)
