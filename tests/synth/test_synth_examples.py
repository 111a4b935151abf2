"""examples/ holds the 300-row seed-2021 extract the generator makes today, and its ground truth."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from anonymizer.synth import generate_extract, truth_json

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_truth_json_round_trips(truth):
    assert json.loads(truth_json(truth)) == truth


def test_examples_are_in_sync_with_the_generator():
    data = EXAMPLES / "caf_extract_small.csv"
    if not data.exists():
        pytest.skip("examples not generated")
    with open(data, encoding="cp1252", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    df, truth = generate_extract(300, 2021)
    assert rows[0] == list(df.columns)
    assert rows[1:] == df.values.tolist(), "regenerate: anon generate --rows 300 --seed 2021 -o examples/caf_extract_small.csv"
    saved = json.loads((EXAMPLES / "caf_extract_small.truth.json").read_text(encoding="utf-8"))
    assert saved == truth
