"""Free-text redaction: anon's own path against Presidio's pipeline on the same comments (issue #21, target 3).

The texts are every cell of the free-text columns (those the scan's policy redacts) of the generated
extract (``anon generate --rows 10204 --seed 2021``, ``--rows`` for more). Both sides run in this one
process, models loaded before the clock starts, and are timed in CPU seconds (``time.process_time``,
what a loaded machine does not inflate) and wall seconds:

* **anon**: :func:`anonymizer.transform.text.redact` on each column, with the parameters sanitize
  gives it (the policy step's, the plan's levels, the batch's shared detector
  :class:`anonymizer.transform.apply._CachedDetector`, the per-person date offsets) and a fixed key,
  then :func:`anonymizer.transform.row_names.replace_row_names` (the row's own names, as ``apply_plan``
  does next; the name columns' fakes are made before the clock starts). No collision re-draws;
* **presidio**: ``BatchAnalyzerEngine`` over an ``AnalyzerEngine`` holding the same French
  registry anon builds (:func:`anonymizer.detect.analyzer.french_registry`) and the spaCy model as
  Presidio's ``NlpEngineProvider`` loads it (fr_core_news_sm, with the dependency parser off as anon
  always had it, which only helps Presidio), score threshold 0.35 as anon's, then
  ``AnonymizerEngine.anonymize`` per text with ``replace`` operators. Presidio has no per-text cache,
  so its rate is measured on a random sample of the same cells (``--sample``, 0 = all of them).

The same again on the distinct non-empty texts only (``freetext.distinct.*``: no help from repeated or
empty cells, which anon analyses once and Presidio every time). Then checks, against the generator's ground truth, that no planted span (person, phone, IBAN, NIR,
e-mail, address) is left whole in anon's output cell (bench_redact's rule). Prints
``freetext.<what> <value>`` lines.

    python benchmarks/bench_freetext.py                  # 10,204 rows, Presidio on 3,000 cells
    python benchmarks/bench_freetext.py --rows 50000 --sample 0
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from functools import lru_cache
from pathlib import Path

import pandas as pd
from bench_sanitize import extract, scan_policy

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
ANON = [sys.executable, "-m", "anonymizer"]
KEY = bytes.fromhex("3f9a1c7e5b2d4f608a1b3c5d7e9f0a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e1f")
THRESHOLD = 0.35  # anonymizer.detect.text.SCORE_THRESHOLD


def _clock() -> tuple[float, float]:
    return time.process_time(), time.perf_counter()


def run_anon(df: pd.DataFrame, policy: Path) -> tuple[dict[str, pd.Series], float, float]:
    """Each free-text column redacted as ``apply_plan`` redacts it: (outputs, CPU s, wall s)."""
    from anonymizer.detect.entities import NAME_ENTITIES
    from anonymizer.policy import build_plan, load_policy
    from anonymizer.policy.plan import Plan
    from anonymizer.transform.apply import _CachedDetector, apply_plan, person_ids
    from anonymizer.transform.base import TransformContext
    from anonymizer.transform.row_names import replace_row_names
    from anonymizer.transform.text import ner_mode, redact, with_date_shift
    from anonymizer.transform.text_levels import levels_of_plan

    plan = build_plan(list(df.columns), load_policy(policy))
    steps = [s for s in plan.steps if s.action == "redact" and s.role == "free_text"]
    levels = levels_of_plan(plan.steps)
    pid = person_ids(df, plan.person_id)
    names = Plan([s for s in plan.steps if s.role == "identifier" and s.entity in NAME_ENTITIES], plan.person_id,
                 plan.privacy, plan.profile, plan.strict)
    named = apply_plan(df, names, key=KEY)  # the name columns' fakes, which the comments' row names take
    transformed = {c: named[c] for c in named.columns}
    from anonymizer.detect import find_spans

    find_spans(["Appel de M. Jean Dupont le 12/03/2021 au 06 12 34 56 78."], ner=True)  # models loaded
    c0, w0 = _clock()
    detector = _CachedDetector()
    shifts: dict = {}
    row_names: dict = {}
    outputs = {}
    for step in steps:
        params = {**levels, **step.params}
        params.setdefault("detector", detector.for_ner(ner_mode(step.params)))
        frame = with_date_shift(pd.DataFrame(index=df.index), pid, KEY, params, shifts)
        ctx = TransformContext(column=step.column, entity=step.entity, row_context=frame)
        result = redact(df[step.column], key=KEY, params=params, context=ctx)
        outputs[step.column] = replace_row_names(result, df, transformed, plan, memo=row_names)
    c1, w1 = _clock()
    return outputs, c1 - c0, w1 - w0


def run_anon_distinct(texts: list[str], params: dict) -> tuple[pd.Series, float, float]:
    """``redact`` over ``texts`` given as one column (no row context: a keyed date shift per text)."""
    from anonymizer.transform.apply import _CachedDetector
    from anonymizer.transform.base import TransformContext
    from anonymizer.transform.text import ner_mode, redact

    c0, w0 = _clock()
    params = {**params, "detector": _CachedDetector().for_ner(ner_mode(params))}
    out = redact(pd.Series(texts, dtype=object), key=KEY, params=params, context=TransformContext())
    c1, w1 = _clock()
    return out, c1 - c0, w1 - w0


@lru_cache(maxsize=1)
def _presidio():
    """Presidio's batch analyzer (the French registry, the whole model as Presidio loads it) and anonymizer."""
    from presidio_analyzer import AnalyzerEngine, BatchAnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider
    from presidio_anonymizer import AnonymizerEngine

    from anonymizer.detect.analyzer import french_registry, nlp_config

    nlp_engine = NlpEngineProvider(nlp_configuration=nlp_config()).create_engine()
    analyzer = AnalyzerEngine(registry=french_registry(nlp_engine), nlp_engine=nlp_engine, supported_languages=["fr"])
    analyzer.analyze("Appel de M. Jean Dupont le 12/03/2021.", language="fr")  # warm
    return BatchAnalyzerEngine(analyzer_engine=analyzer), AnonymizerEngine()


def run_presidio(texts: list[str]) -> tuple[list[str], float, float]:
    """Presidio's batch analyzer + anonymizer over ``texts``: (outputs, CPU s, wall s)."""
    from presidio_anonymizer.entities import OperatorConfig

    batch, anonymizer = _presidio()
    operators = {"DEFAULT": OperatorConfig("replace", {})}  # <ENTITY_TYPE>
    c0, w0 = _clock()
    found = batch.analyze_iterator(texts, language="fr", batch_size=64, score_threshold=THRESHOLD)
    out = [anonymizer.anonymize(text=t, analyzer_results=r, operators=operators).text for t, r in zip(texts, found,
                                                                                                       strict=True)]
    c1, w1 = _clock()
    return out, c1 - c0, w1 - w0


def survivors(source: Path, before: pd.DataFrame, outputs: dict[str, pd.Series]) -> tuple[int, int, Counter]:
    """(planted spans, left whole, left whole per (column, entity)) by bench_redact's rule."""
    sys.path.insert(0, str(HERE))
    import json
    import re

    from bench_redact import ENTITIES

    truth = json.loads(Path(str(source) + ".truth.json").read_text(encoding="utf-8"))["free_text"]
    planted, left = 0, Counter()
    for col, spans in truth.items():
        if col not in outputs:
            continue
        after = outputs[col].astype(str).tolist()
        for row, start, end, entity in spans:
            if entity not in ENTITIES:
                continue
            value = before.at[row, col][start:end]
            planted += 1
            if re.search(r"(?<!\w)" + re.escape(value) + r"(?!\w)", after[row], re.IGNORECASE):
                left[(col, entity)] += 1
    return planted, sum(left.values()), left


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=10_204)
    ap.add_argument("--sample", type=int, default=3_000, help="cells Presidio is timed on (0: all)")
    ap.add_argument("--no-presidio", action="store_true")
    args = ap.parse_args(argv)
    source = extract(args.rows)
    policy = scan_policy(source, args.rows)
    df = pd.read_csv(source, sep=";", encoding="cp1252", dtype=str, keep_default_na=False)
    outputs, cpu, wall = run_anon(df, policy)
    cells = [t for col in outputs for t in df[col].tolist()]
    n = len(cells)
    print(f"freetext.columns {len(outputs)}")
    print(f"freetext.texts {n}")
    print(f"freetext.distinct_texts {len(set(cells))}")
    print(f"freetext.anon.cpu_s {cpu:.2f}")
    print(f"freetext.anon.wall_s {wall:.2f}")
    print(f"freetext.anon.texts_per_cpu_s {n / cpu:.0f}")
    planted, left, per = survivors(source, df, outputs)
    for (col, entity), k in sorted(per.items()):
        print(f"freetext.anon.left_whole.{col}.{entity} {k}")
    print(f"freetext.anon.left_whole {left} of {planted}")
    if args.no_presidio:
        return
    sample = cells if not args.sample or args.sample >= n else random.Random(2021).sample(cells, args.sample)
    _, pcpu, pwall = run_presidio(sample)
    print(f"freetext.presidio.texts {len(sample)}")
    print(f"freetext.presidio.cpu_s {pcpu:.2f}")
    print(f"freetext.presidio.wall_s {pwall:.2f}")
    print(f"freetext.presidio.texts_per_cpu_s {len(sample) / pcpu:.0f}")
    print(f"freetext.ratio_cpu {(n / cpu) / (len(sample) / pcpu):.1f}")
    print(f"freetext.ratio_wall {(n / wall) / (len(sample) / pwall):.1f}")
    # without the help of repeated and empty cells: each distinct non-empty text once, on both sides
    distinct = sorted({t for t in cells if t.strip()})
    random.Random(2021).shuffle(distinct)
    _, dcpu, dwall = run_anon_distinct(distinct, {"mode": "fake"})
    dsample = distinct if not args.sample or args.sample >= len(distinct) else distinct[:args.sample]
    _, pdcpu, pdwall = run_presidio(dsample)
    print(f"freetext.distinct.texts {len(distinct)}")
    print(f"freetext.distinct.anon.cpu_s {dcpu:.2f}")
    print(f"freetext.distinct.anon.texts_per_cpu_s {len(distinct) / dcpu:.0f}")
    print(f"freetext.distinct.presidio.texts {len(dsample)}")
    print(f"freetext.distinct.presidio.cpu_s {pdcpu:.2f}")
    print(f"freetext.distinct.presidio.texts_per_cpu_s {len(dsample) / pdcpu:.0f}")
    print(f"freetext.distinct.ratio_cpu {(len(distinct) / dcpu) / (len(dsample) / pdcpu):.1f}")
    print(f"freetext.distinct.ratio_wall {(len(distinct) / dwall) / (len(dsample) / pdwall):.1f}")


if __name__ == "__main__":
    main()
