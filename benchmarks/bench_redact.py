"""Free-text redaction against the generator's ground truth: which planted identifiers survive.

Sanitizes the 10,204-row example extract (``--profile training`` policy from ``anon scan``)
with the free-text ``ner`` parameter set to each mode, then looks, for every span the
generator planted in a comment (a person, a phone, an IBAN, a NIR, an e-mail, an address),
whether its original text is still in the same output cell, whole (case-insensitive, word
boundaries). Dates and amounts planted in comments are counted apart (``left_whole.levels``):
they are written at their columns' level (shifted, rounded), so an amount already a multiple
of 10 is its own rounding and may stay. Prints one figure per line: ``redact.<mode>.<what> <value>``.

    python benchmarks/bench_redact.py            # ner: auto and ner: true
    python benchmarks/bench_redact.py auto false  # any modes
"""

from __future__ import annotations

import json
import re
import secrets
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pandas as pd
from bench_sanitize import extract, scan_policy

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
ANON = [sys.executable, "-m", "anonymizer"]
ROWS = 10_204
ENTITIES = ("PERSON", "FIRST_NAME", "PHONE", "IBAN", "NIR", "EMAIL", "ADDRESS")
LEVELS = ("DATE", "AMOUNT")  # quasi-identifiers and amounts: written at their columns' level


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, sep=";", encoding="cp1252", dtype=str, keep_default_na=False)


def survivors(source: Path, output: Path, entities=ENTITIES) -> tuple[Counter, Counter]:
    """(planted spans, planted spans still whole in the output) per (column, entity)."""
    truth = json.loads(Path(str(source) + ".truth.json").read_text(encoding="utf-8"))["free_text"]
    before, after = _read(source), _read(output)
    planted, left = Counter(), Counter()
    for col, spans in truth.items():
        for row, start, end, entity in spans:
            if entity not in entities:
                continue
            value = before.at[row, col][start:end]
            planted[(col, entity)] += 1
            if re.search(r"(?<!\w)" + re.escape(value) + r"(?!\w)", after.at[row, col], re.IGNORECASE):
                left[(col, entity)] += 1
    return planted, left


def main(modes: list[str]) -> None:
    source = extract(ROWS)
    policy = scan_policy(source, ROWS)
    key = OUT / "bench.key"
    if not key.exists():
        key.write_text(secrets.token_hex(32))  # a guessable key is refused (anonymizer.keys)
    for mode in modes:
        text = policy.read_text(encoding="utf-8").replace("params: {mode: fake}", f"params: {{mode: fake, ner: {mode}}}")
        mode_policy = OUT / f"policy_{ROWS}_ner_{mode}.yaml"
        mode_policy.write_text(text, encoding="utf-8")
        out = OUT / f"redact_{mode}.csv"
        t0 = time.perf_counter()
        res = subprocess.run([*ANON, "sanitize", str(source), "--policy", str(mode_policy), "--key-file", str(key),
                              "-o", str(out), "--no-report", "--force", "--format", "json"],
                             capture_output=True, text=True)
        wall = time.perf_counter() - t0
        if res.returncode not in (0, 1):
            raise SystemExit(f"sanitize failed ({res.returncode}): {res.stderr.strip()[-300:]}")
        manifest = json.loads(res.stdout)
        written = out if manifest["released"] else out.with_name(out.stem + ".NOT-RELEASED" + out.suffix)
        planted, left = survivors(source, written)
        print(f"redact.{mode}.wall {wall:.1f} s")
        print(f"redact.{mode}.released {manifest['released']}")
        for (col, entity), n in sorted(planted.items()):
            print(f"redact.{mode}.left_whole.{col}.{entity} {left[(col, entity)]} of {n}")
        print(f"redact.{mode}.left_whole.total {sum(left.values())} of {sum(planted.values())}")
        planted, left = survivors(source, written, LEVELS)
        for (col, entity), n in sorted(planted.items()):
            print(f"redact.{mode}.left_whole.levels.{col}.{entity} {left[(col, entity)]} of {n}")
        print(f"redact.{mode}.left_whole.levels.total {sum(left.values())} of {sum(planted.values())}")


if __name__ == "__main__":
    main(sys.argv[1:] or ["auto", "true"])
