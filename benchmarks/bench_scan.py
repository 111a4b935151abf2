"""``anon scan`` figures: whole-process time on the example extract (10,204 × 181) and on a
1,000,000-row extract, role quality against the generator's ground truth (confusion table),
detection with the column names hidden, spaCy sm vs md on names, and presidio-structured
(``PandasAnalysisBuilder`` + a French-configured analyzer, run in .venv-bench) on the same
table — on a row sample, because its cell-by-cell analysis of the full table takes ~1 h.

    python benchmarks/bench_scan.py
    ANON_BENCH_QUICK=1 python benchmarks/bench_scan.py    # skip the 1,000,000-row file

Prints one figure per line: ``scan.<what> <value> [unit]``. Inputs are cached in benchmarks/out/.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OUT = HERE / "out"
ANON = REPO / ".venv" / "bin" / "anon"
BENCH_PY = REPO / ".venv-bench" / "bin" / "python"
QUICK = bool(os.environ.get("ANON_BENCH_QUICK"))
SEED = 2021
PS_ROWS = 100  # presidio-structured row sample (181 columns -> 18,100 cells)


def fig(name: str, value, unit: str = "") -> None:
    print(f"scan.{name} {value}{(' ' + unit) if unit else ''}", flush=True)


def extract_file(rows: int) -> tuple[Path, dict]:
    """The generator's extract written as CSV once (cached), and its ground truth."""
    from anonymizer.io import TableWriter
    from anonymizer.synth.generator import iter_extract

    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"scan_extract_{rows}.csv"
    truth_path = OUT / f"scan_extract_{rows}.truth.json"
    if not (path.exists() and truth_path.exists()):
        stream = iter_extract(rows, SEED, 100_000)
        with TableWriter(path, fmt="csv") as w:
            for batch in stream:
                w.write(batch)
        truth_path.write_text(json.dumps(stream.truth), encoding="utf-8")
    return path, json.loads(truth_path.read_text(encoding="utf-8"))


def _children_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def run_scan(path: Path, *extra: str, label: str) -> tuple[float, float, dict]:
    """Whole process ``anon scan`` (imports, read, model load, scan, JSON): wall and CPU seconds.

    CPU time is printed too because the 2-core machine is shared: under load wall time
    measures the neighbours, CPU time what the scan costs.
    """
    c0, t0 = _children_cpu(), time.perf_counter()
    res = subprocess.run([str(ANON), "scan", str(path), "--format", "json", *extra],
                         capture_output=True, text=True, cwd=REPO)
    wall, cpu = time.perf_counter() - t0, _children_cpu() - c0
    if res.returncode != 0:
        raise SystemExit(f"anon scan failed: {res.stderr[-500:]}")
    fig(f"{label}.wall_s", f"{wall:.1f}", "s")
    fig(f"{label}.cpu_s", f"{cpu:.1f}", "s")
    fig(f"{label}.load_avg_1min", f"{os.getloadavg()[0]:.1f}")
    return wall, cpu, json.loads(res.stdout)


ROLES = ["identifier", "quasi_identifier", "sensitive", "free_text", "insensitive"]


def quality(report: dict, truth: dict, label: str) -> None:
    cols = truth["columns"]
    pred = {f["column"]: f["role"] for f in report["findings"]}
    conf = pd.crosstab(pd.Series([cols[c]["role"] for c in pred], name="truth"),
                       pd.Series(list(pred.values()), name="scan")).reindex(index=ROLES, columns=ROLES, fill_value=0)
    print(f"# confusion table ({label}): rows = ground truth, columns = scan")
    for line in conf.to_string().splitlines():
        print("#   " + line)
    ids = [c for c in pred if cols[c]["role"] == "identifier"]
    qis = [c for c in pred if cols[c]["role"] == "quasi_identifier"]
    fig(f"{label}.identifier_recall", f"{sum(pred[c] == 'identifier' for c in ids) / len(ids):.3f}")
    fig(f"{label}.quasi_identifier_recall", f"{sum(pred[c] == 'quasi_identifier' for c in qis) / len(qis):.3f}")
    fig(f"{label}.role_accuracy", f"{sum(pred[c] == cols[c]['role'] for c in pred) / len(pred):.3f}")
    for role in ROLES:
        got = [c for c in pred if pred[c] == role]
        if got:
            fig(f"{label}.precision.{role}", f"{sum(cols[c]['role'] == role for c in got) / len(got):.3f}")


def hidden_names(path: Path, truth: dict) -> None:
    """The same table with columns renamed col_0..col_180: what the values alone give."""
    from anonymizer.detect import scan_table
    from anonymizer.io import read_table

    df = read_table(path).df
    codes = list(df.columns)
    df.columns = [f"col_{i}" for i in range(len(codes))]
    t0 = time.perf_counter()
    rep = scan_table(df, ner=True)
    fig("hidden_names.scan_s", f"{time.perf_counter() - t0:.1f}", "s")
    d = rep.to_dict()
    for f, code in zip(d["findings"], codes, strict=True):
        f["column"] = code
    quality(d, truth, "hidden_names")


def spacy_models() -> None:
    """PERSON recall of sm vs md on name shapes, and free-text throughput (find_spans, batched)."""
    from faker import Faker

    fake = Faker("fr_FR")
    Faker.seed(4)
    n = 300
    probes = {
        "prenom_nom": [f"{fake.first_name()} {fake.last_name()}" for _ in range(n)],
        "NOM_upper": [fake.last_name().upper() for _ in range(n)],
        "in_sentence": [f"Appel de {fake.first_name()} {fake.last_name()} au sujet du dossier." for _ in range(n)],
    }
    code = r"""
import json, sys, time
from anonymizer.detect.text import find_spans
from anonymizer.detect.analyzer import get_analyzer
probes = json.loads(sys.stdin.read())
t = time.perf_counter(); get_analyzer(True); load = time.perf_counter() - t
out = {"load_s": load}
for k, texts in probes.items():
    t = time.perf_counter(); res = find_spans(texts, ner=True); dt = time.perf_counter() - t
    out[k] = sum(any(r.entity_type == "PERSON" for r in rr) for rr in res) / len(texts)
    out[k + "_cells_per_s"] = len(texts) / dt
print(json.dumps(out))
"""
    for model in ("fr_core_news_sm", "fr_core_news_md"):
        env = dict(os.environ, ANON_SPACY_MODEL=model)
        res = subprocess.run([str(REPO / ".venv" / "bin" / "python"), "-c", code], input=json.dumps(probes),
                             capture_output=True, text=True, env=env, cwd=REPO)
        if res.returncode != 0:
            fig(f"spacy.{model}", "unavailable")
            continue
        out = json.loads(res.stdout.strip().splitlines()[-1])
        short = model.rsplit("_", 1)[-1]
        fig(f"spacy.{short}.load_s", f"{out['load_s']:.1f}", "s")
        for k in probes:
            fig(f"spacy.{short}.person_recall.{k}", f"{out[k]:.3f}")
        fig(f"spacy.{short}.in_sentence_cells_per_s", f"{out['in_sentence_cells_per_s']:.0f}", "cells/s")


PS_CODE = r"""
import json, logging, sys, time
import pandas as pd
logging.disable(logging.WARNING)
t0 = time.perf_counter()
from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
from presidio_analyzer.nlp_engine import NlpEngineProvider
from presidio_structured import PandasAnalysisBuilder
conf = {"nlp_engine_name": "spacy", "models": [{"lang_code": "fr", "model_name": "fr_core_news_sm"}],
        "ner_model_configuration": {"model_to_presidio_entity_mapping": {"PER": "PERSON", "LOC": "LOCATION"},
                                    "labels_to_ignore": ["MISC", "ORG", "ORGANIZATION"]}}
engine = NlpEngineProvider(nlp_configuration=conf).create_engine()
registry = RecognizerRegistry(supported_languages=["fr"])
registry.load_predefined_recognizers(languages=["fr"], nlp_engine=engine)
analyzer = AnalyzerEngine(registry=registry, nlp_engine=engine, supported_languages=["fr"])
df = pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False, sep=None, engine="python", nrows=int(sys.argv[2]) * 3)
df = df.sample(int(sys.argv[2]), random_state=0)
t1 = time.perf_counter()
analysis = PandasAnalysisBuilder(analyzer, batch_size=64).generate_analysis(df, language="fr")
t2 = time.perf_counter()
print(json.dumps({"setup_s": t1 - t0, "analysis_s": t2 - t1, "cells": int(df.size), "mapping": analysis.entity_mapping}))
"""


def presidio_structured(path: Path, truth: dict, anon_wall: float, anon_cpu: float) -> None:
    if not BENCH_PY.exists():
        fig("presidio_structured", "unavailable (.venv-bench missing)")
        return
    c0, t0 = _children_cpu(), time.perf_counter()
    res = subprocess.run([str(BENCH_PY), "-c", PS_CODE, str(path), str(PS_ROWS)], capture_output=True, text=True,
                         cwd=REPO)
    wall, cpu = time.perf_counter() - t0, _children_cpu() - c0
    if res.returncode != 0:
        fig("presidio_structured", "failed")
        print("# " + res.stderr[-400:].replace("\n", "\n# "))
        return
    out = json.loads(res.stdout.strip().splitlines()[-1])
    cells_per_s = out["cells"] / out["analysis_s"]
    full_cells = 10_204 * 181
    fig("presidio_structured.sample_rows", PS_ROWS)
    fig("presidio_structured.wall_s", f"{wall:.1f}", "s")
    fig("presidio_structured.cpu_s", f"{cpu:.1f}", "s")
    fig("presidio_structured.analysis_s", f"{out['analysis_s']:.1f}", "s")
    fig("presidio_structured.cells_per_s", f"{cells_per_s:.0f}", "cells/s")
    fig("presidio_structured.full_table_estimate_s", f"{full_cells / cells_per_s:.0f}", "s")
    fig("presidio_structured.ratio_full_estimate_vs_anon", f"{full_cells / cells_per_s / anon_wall:.0f}", "x")
    fig("presidio_structured.ratio_100_rows_vs_anon_full", f"{wall / anon_wall:.1f}", "x")
    ps_cpu_full = (cpu - out["setup_s"] * cpu / wall) * full_cells / out["cells"]
    fig("presidio_structured.cpu_full_table_estimate_s", f"{ps_cpu_full:.0f}", "s")
    fig("presidio_structured.ratio_cpu_full_estimate_vs_anon_cpu", f"{ps_cpu_full / anon_cpu:.0f}", "x")
    cols = truth["columns"]
    mapping = out["mapping"]
    ids = [c for c, t in cols.items() if t["role"] == "identifier"]
    fig("presidio_structured.columns_mapped", len(mapping))
    fig("presidio_structured.identifier_columns_mapped", f"{sum(c in mapping for c in ids)}/{len(ids)}")
    fig("presidio_structured.non_identifier_columns_mapped",
        sum(c in mapping and cols[c]["role"] != "identifier" for c in cols))


def main() -> None:
    path, truth = extract_file(10_204)
    wall, cpu, report = run_scan(path, label="extract_10204")
    run_scan(path, "--no-ner", label="extract_10204.no_ner")
    quality(report, truth, "extract_10204")
    hidden_names(path, truth)
    if not QUICK:
        big, _ = extract_file(1_000_000)
        fig("extract_1000000.file_mb", f"{big.stat().st_size / 2**20:.0f}", "MB")
        _, _, rep_big = run_scan(big, label="extract_1000000")
        fig("extract_1000000.sampled_rows", rep_big["sampled_rows"])
    spacy_models()
    presidio_structured(path, truth, wall, cpu)


if __name__ == "__main__":
    sys.exit(main())
