"""Bounded memory on one machine: batches give the one-batch result, and risk reads only what it needs.

The reference is always the unbatched computation (one batch bigger than the table, or
``risk_report`` on the table read whole with ``read_table``).
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from anonymizer.engine.sanitize import SanitizeOptions, sanitize
from anonymizer.engine.stream_risk import iter_columns, read_columns, risk_report_streaming
from anonymizer.errors import UsageError
from anonymizer.io import read_table, write_table
from anonymizer.risk import risk_report

from .conftest import KEY

QI = ["DTNAIS", "SEXE", "CODPOST"]


def _run(src, out, policy, batch_rows):
    return sanitize(src, out, SanitizeOptions(policy_path=policy, key=KEY, batch_rows=batch_rows, rescan=False))


def test_local_engine_small_batches_same_bytes(inputs, tmp_path):
    whole = _run(inputs["csv"], tmp_path / "whole.csv", inputs["policy"], 10**6)
    small = _run(inputs["csv"], tmp_path / "small.csv", inputs["policy"], 37)
    assert whole.output.read_bytes() == small.output.read_bytes()
    a, b = dict(whole.manifest), dict(small.manifest)
    from anonymizer.keys import fingerprint_matches

    for m in (a, b):
        m.pop("timings_s")
        assert fingerprint_matches(KEY, m.pop("key_fingerprint"))  # salted per release
        m["output"] = {k: v for k, v in m["output"].items() if k != "name"}
    assert a == b
    assert json.loads(whole.risk_json.read_text()) == json.loads(small.risk_json.read_text())


def test_iter_columns_reads_only_the_asked_columns(inputs, frame):
    for src in (inputs["csv"], inputs["parquet"], inputs["folder"]):
        batches = list(iter_columns(src, ["SEXE", "DTNAIS"], batch_rows=128))
        assert all(list(b.columns) == ["SEXE", "DTNAIS"] and len(b) <= 128 for b in batches)
        got = pd.concat(batches, ignore_index=True)
        pd.testing.assert_frame_equal(got, frame[["SEXE", "DTNAIS"]], check_dtype=False)
    with pytest.raises(UsageError, match="NOPE"):
        read_columns(inputs["parquet"], ["NOPE"])


@pytest.mark.parametrize("name", ["csv", "parquet", "folder"])
def test_streaming_report_equals_the_whole_table_report(inputs, name):
    src = inputs[name]
    df = read_table(src).df
    want = risk_report(df, QI, ["AAH_MT"], sampling_fraction=0.1, k=3)
    got = risk_report_streaming(src, QI, ["AAH_MT"], batch_rows=97, sampling_fraction=0.1, k=3)
    assert json.dumps(got, sort_keys=True, default=str) == json.dumps(want, sort_keys=True, default=str)


def test_streaming_report_with_original(inputs, tmp_path, frame):
    coarse = frame.copy()
    coarse["DTNAIS"] = coarse["DTNAIS"].str[-4:]
    path = tmp_path / "coarse.csv"
    write_table(coarse, path)
    want = risk_report(read_table(path).df, QI, [], original=read_table(inputs["csv"]).df)
    every = risk_report_streaming(path, QI, batch_rows=101, original=inputs["csv"], extra_columns=list(frame.columns))
    assert json.dumps(every, sort_keys=True, default=str) == json.dumps(want, sort_keys=True, default=str)
    # narrow by default: utility of the quasi-identifiers only, every other figure the same
    got = risk_report_streaming(path, QI, batch_rows=101, original=inputs["csv"])
    assert set(got["utility"]["columns"]) == set(QI)
    for c in QI:
        assert got["utility"]["columns"][c] == want["utility"]["columns"][c]
    for k in want:
        if k != "utility":
            assert json.dumps(got[k], sort_keys=True, default=str) == json.dumps(want[k], sort_keys=True, default=str), k


def test_default_batches_hold_about_five_million_cells():
    from anonymizer.engine.local import auto_batch_rows

    assert auto_batch_rows(181) == 5_000_000 // 181 == 27_624  # the example extract
    assert auto_batch_rows(3) == 200_000  # narrow tables: capped
    assert auto_batch_rows(20_000) == 1_000  # very wide ones: floored
