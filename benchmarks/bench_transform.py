"""Throughput of the column actions (anonymizer.transform) on 1,000,000 values with realistic
cardinality: names from a few thousand distinct values, one NIR / IBAN / phone / file number
per row, ~30,000 distinct birth dates, amounts with decimal commas, comments repeating a few
thousand templates. Prints one figure per line: ``<action> <entity>: <rows/s> rows/s CPU (<s> s CPU, <s> s wall)``
— CPU time, because the 2-core machine is shared and wall time mostly measures the neighbours.

Run: ``.venv/bin/python benchmarks/bench_transform.py [--rows N]``.
"""

from __future__ import annotations

import argparse
import re
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
from stdnum.fr import nir as _nir

from anonymizer.transform import ACTIONS, PERSON_ID, TransformContext

KEY = bytes(range(32))


def make_table(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    from faker.providers.person.fr_FR import Provider as P

    lasts = np.array([x.upper() for x in P.last_names])
    # ~20k distinct surnames: Faker's 400 x two-word compounds
    compound = np.char.add(np.char.add(lasts[rng.integers(0, 400, 20000)], " "), lasts[rng.integers(0, 400, 20000)])
    surnames = np.where(rng.random(20000) < 0.8, lasts[rng.integers(0, 400, 20000)], compound)
    firsts = np.array(list(P.first_names_male) + list(P.first_names_female))
    sex = rng.integers(1, 3, n)
    days = rng.integers(0, 30000, n)
    birth = pd.to_datetime("1930-01-01") + pd.to_timedelta(days, unit="D")
    nir13 = [f"{s}{b.year % 100:02d}{b.month:02d}33{o:03d}{q:03d}" for s, b, o, q in
             zip(sex, birth, rng.integers(1, 600, n), rng.integers(1, 999, n), strict=True)]
    nir15 = [x + _nir.calc_check_digits(x) for x in nir13[: min(n, 10)]]  # key formula sanity only
    assert all(_nir.is_valid(x) for x in nir15)
    acc = rng.integers(10**10, 10**11 - 1, n)
    ibans = [f"FR76 3000 6000 01{a % 10**10:010d}"[:27] + f" {a % 1000:03d}" for a in acc]
    phones = [f"06 {a % 100:02d} {a // 100 % 100:02d} {a // 10**4 % 100:02d} {a // 10**6 % 100:02d}" for a in acc]
    caf = rng.integers(1_000_000, 9_999_999, n).astype(str)
    amounts = [f"{v:.2f}".replace(".", ",") for v in rng.lognormal(6, 1, n)]
    templates = [f"Appel de Jean {s} au 06 12 34 {i % 100:02d} 00, RAS." for i, s in enumerate(surnames[:5000])]
    comments = np.array(templates)[rng.integers(0, len(templates), n)]
    return pd.DataFrame({
        "NOM": pd.Series(surnames[rng.integers(0, len(surnames), n)], dtype="str"),
        "PRENOM": pd.Series(firsts[rng.integers(0, len(firsts), n)], dtype="str"),
        "SEXE": pd.Series(sex.astype(str), dtype="str"),
        "DTNAIS": pd.Series(birth.strftime("%d/%m/%Y"), dtype="str"),
        "NIR": pd.Series(nir13, dtype="str"),
        "IBAN": pd.Series(ibans, dtype="str"),
        "TEL": pd.Series(phones, dtype="str"),
        "NUMALLOC": pd.Series(caf, dtype="str"),
        "CODPOST": pd.Series((rng.integers(1, 96, n) * 1000 + rng.integers(0, 999, n)).astype(str), dtype="str"),
        "MONTANT": pd.Series(amounts, dtype="str"),
        "COMMENT": pd.Series(comments, dtype="str"),
        PERSON_ID: pd.Series(caf, dtype="str"),
    })


@dataclass
class Span:
    entity_type: str
    start: int
    end: int
    score: float = 0.9


_RX = {"PERSON": re.compile(r"Jean [A-Z]+(?: [A-Z]+)?"), "PHONE_NUMBER": re.compile(r"0\d(?: \d\d){4}")}


def regex_detector(texts: list[str]) -> list[list[Span]]:
    return [[Span(e, m.start(), m.end()) for e, rx in _RX.items() for m in rx.finditer(t)] for t in texts]


ENTITIES = {"NOM": "LAST_NAME", "PRENOM": "FIRST_NAME", "SEXE": "SEX", "DTNAIS": "BIRTH_DATE", "NIR": "NIR",
            "IBAN": "IBAN", "TEL": "PHONE", "NUMALLOC": "CAF_NUMBER", "CODPOST": "POSTAL_CODE",
            "MONTANT": "AMOUNT", "COMMENT": "FREE_TEXT"}

CASES = [
    ("pseudonymize", "NIR", {}),
    ("fake", "NOM", {}),
    ("fake", "PRENOM", {}),
    ("fake", "NIR", {}),
    ("fake", "IBAN", {}),
    ("fake", "TEL", {}),
    ("fake", "NUMALLOC", {}),
    ("generalize", "DTNAIS", {"method": "year"}),
    ("generalize", "CODPOST", {"method": "departement"}),
    ("generalize", "MONTANT", {"method": "round", "step": 10}),
    ("shift_dates", "DTNAIS", {}),
    ("shift_dates", "DTNAIS", {"_label": "next date column, person offsets cached"}),
    ("noise", "MONTANT", {"relative": 0.05}),
    ("noise", "MONTANT", {"relative": 0.05, "_label": "next amount column, person draws cached"}),
    ("redact", "COMMENT", {"detector": regex_detector}),
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    args = ap.parse_args()
    t0 = time.perf_counter()
    df = make_table(args.rows)
    print(f"rows: {args.rows}")
    print(f"table generation: {time.perf_counter() - t0:.1f} s")
    rc = df[["SEXE", "DTNAIS", PERSON_ID]]
    for action, col, params in CASES:
        ctx = TransformContext(column=col, entity=ENTITIES[col], row_context=rc, entities=ENTITIES)
        label = params.get("_label", "")
        params = {k: v for k, v in params.items() if k != "_label"}
        if label:
            ctx.column = col + "_2"
        t, c = time.perf_counter(), time.process_time()
        out = ACTIONS[action](df[col], key=KEY, params=params, context=ctx)
        wall, cpu = time.perf_counter() - t, time.process_time() - c
        assert len(out) == len(df)
        what = f"{action} {ENTITIES[col]}" + (f" [{label}]" if label else "")
        print(f"{what} ({df[col].nunique()} distinct): {len(df) / cpu:,.0f} rows/s CPU "
              f"({cpu:.2f} s CPU, {wall:.2f} s wall)")


if __name__ == "__main__":
    main()
