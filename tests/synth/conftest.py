"""One generated extract per session (2,000 rows), shared by the synth tests."""

from __future__ import annotations

import pytest

ROWS = 2000
SEED = 2021


@pytest.fixture(scope="session")
def extract():
    from anonymizer.synth import generate_extract

    df, truth = generate_extract(ROWS, SEED)
    return df, truth


@pytest.fixture(scope="session")
def df(extract):
    return extract[0]


@pytest.fixture(scope="session")
def truth(extract):
    return extract[1]
