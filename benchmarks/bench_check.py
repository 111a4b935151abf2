"""``anon check`` speed: a course repository of 200 files (≈ 50 MB, every format) checked cold, then again
with the content-hash cache (target: cold run under 30 s; issue 7).

The repository is generated once under ``benchmarks/out/check_repo/`` (git-ignored) from the
fictitious extract generator: CSV / TSV / Parquet / JSONL / XLSX (two sheets) / Stata tables cut
from the 181-column CAF-style extract (some raw, leaky; some reduced to coarse, clean columns),
frequency tables, notebooks with DataFrame outputs and Quarto / Markdown files with CSV blocks and
pipe tables, plus one full 10,204-row × 181-column extract (the Gironde case).

Each run is the real CLI (``anon check ROOT --format json``) in a fresh process, so the cold
figure includes start-up and model loading; the cache lives in ``benchmarks/out/check_cache/``
(outside the checked repository, as ``anon check`` requires) and is emptied before the cold run.
Then a 300-sheet workbook (the size issue 17 reported taking 160 s; target under 10 s) is checked
alone, cold, in a fresh process. Prints one figure per line.

    python benchmarks/bench_check.py
"""

from __future__ import annotations

import json
import os
import random
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE / "out" / "check_repo"
CACHE = HERE / "out" / "check_cache"
WORKBOOK = HERE / "out" / "check_workbook" / "rapport_300_feuilles.xlsx"
STAMP = REPO / ".complete-v4"
N_FILES = 200


def _people_cols(df):
    keep = ["NUMALLOC", "NOMFAM", "PRENOM", "NIR", "SEXE", "DTNAIS", "CODPOST", "LIBCOM", "TELPORT", "MAIL",
            "SITFAM", "NBENF", "RSA_MT", "AAH_MT", "ALF_MT", "COMMENT_GEST"]
    return df[[c for c in keep if c in df.columns]]


def _coarse(df, rng):
    """Sex, 20-year age band, département, family status, amounts rounded to 100: the kind of table a
    course can publish; combinations shared by fewer than 5 rows are dropped (k = 5)."""
    import pandas as pd

    age = pd.to_numeric(df["DTNAIS"].str[-4:], errors="coerce").fillna(1980).astype(int)
    band = ((2024 - age) // 20 * 20).astype(str) + "+"
    out = pd.DataFrame({"SEXE": df["SEXE"], "TRANCHE_AGE": band, "DEPARTEMENT": df["CODPOST"].str[:2],
                        "SITFAM": df.get("SITFAM", "")})
    for c in ("RSA_MT", "AAH_MT", "ALF_MT"):
        if c in df.columns:
            out[c] = (pd.to_numeric(df[c].str.replace(",", "."), errors="coerce").fillna(0) // 100 * 100).astype(int).astype(str)
    size = out.groupby(["SEXE", "TRANCHE_AGE", "DEPARTEMENT", "SITFAM"])["SEXE"].transform("size")
    return out[size >= 5].reset_index(drop=True)


def _aggregate(df):
    g = df.groupby([df["CODPOST"].str[:2], df["SEXE"]]).size().reset_index()
    g.columns = ["departement", "sexe", "nb_allocataires"]
    g["nb_allocataires"] = (g["nb_allocataires"] * 50 + 11).astype(str)
    return g


def _notebook(frames) -> str:
    cells = [{"cell_type": "markdown", "metadata": {}, "source": ["# TP\n"]}]
    for i, df in enumerate(frames, 1):
        cells.append({"cell_type": "code", "execution_count": i, "metadata": {}, "source": ["df.head()"],
                      "outputs": [{"output_type": "execute_result", "execution_count": i, "metadata": {},
                                   "data": {"text/html": df.to_html(), "text/plain": repr(df)}}]})
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}, indent=1)


def build() -> None:
    """Write the 200-file repository (cached: rebuilt only when missing)."""
    if STAMP.exists():
        return
    import pandas as pd

    from anonymizer.synth import generate_extract

    shutil.rmtree(REPO, ignore_errors=True)
    (REPO / ".git").mkdir(parents=True)
    (REPO / ".gitignore").write_text("private/\n")
    rng = random.Random(2021)
    full, _ = generate_extract(10_204, seed=2021)
    full.to_csv(REPO / "extrait_gironde.csv", sep=";", index=False)          # the Gironde case, ~10 MB
    pool, _ = generate_extract(60_000, seed=7)                                # files are windows of this pool
    made = 1
    kinds = ["csv"] * 60 + ["tsv"] * 10 + ["parquet"] * 25 + ["jsonl"] * 10 + ["xlsx"] * 15 + ["dta"] * 5 \
        + ["agg"] * 20 + ["ipynb"] * 25 + ["qmd"] * 15 + ["md"] * 14
    assert len(kinds) == N_FILES - 1
    for i, kind in enumerate(kinds):
        leaky = i % 3 == 0
        if kind in ("csv", "tsv", "parquet", "jsonl", "dta"):
            rows = rng.choice([2000, 5000]) if leaky else rng.choice([10_000, 25_000])
        else:
            rows = 400
        start = rng.randrange(0, len(pool) - rows)
        df = pool.iloc[start:start + rows].reset_index(drop=True)
        table = _people_cols(df) if leaky else _coarse(df, rng)
        folder = REPO / ("td" if kind in ("ipynb", "qmd", "md") else "data") / f"s{i % 10}"
        folder.mkdir(parents=True, exist_ok=True)
        name = folder / f"{kind}_{i:03d}"
        if kind == "csv":
            table.to_csv(name.with_suffix(".csv"), sep=";", index=False)
        elif kind == "tsv":
            table.to_csv(name.with_suffix(".tsv"), sep="\t", index=False)
        elif kind == "parquet":
            table.to_parquet(name.with_suffix(".parquet"), index=False)
        elif kind == "jsonl":
            table.to_json(name.with_suffix(".jsonl"), orient="records", lines=True, force_ascii=False)
        elif kind == "dta":
            table.astype(str).to_stata(name.with_suffix(".dta"), write_index=False, version=118)
        elif kind == "xlsx":
            with pd.ExcelWriter(name.with_suffix(".xlsx"), engine="openpyxl") as xw:
                _aggregate(df).to_excel(xw, sheet_name="Synthese", index=False)
                table.to_excel(xw, sheet_name="Feuil2", index=False)
        elif kind == "agg":
            _aggregate(df).to_csv(name.with_suffix(".csv"), index=False)
        elif kind == "ipynb":
            name.with_suffix(".ipynb").write_text(_notebook([table.head(5), _aggregate(df)]), encoding="utf-8")
        else:
            block = table.head(8).to_csv(index=False)
            name.with_suffix(".qmd" if kind == "qmd" else ".md").write_text(
                f"# Séance {i}\n\nExtrait :\n\n```csv\n{block}```\n\n{_pipe(_aggregate(df))}\n", encoding="utf-8")
        made += 1
    (REPO / "private").mkdir()
    full.head(1000).to_csv(REPO / "private" / "ignored.csv", index=False)  # git-ignored: never read
    STAMP.write_text(str(made))


def _pipe(df) -> str:
    lines = ["| " + " | ".join(df.columns) + " |", "|" + "---|" * len(df.columns)]
    lines += ["| " + " | ".join(map(str, r)) + " |" for r in df.itertuples(index=False)]
    return "\n".join(lines)


def _built_leaky(path: str) -> bool:
    """What build() made: the Gironde extract and every third generated file (frequency tables excepted)."""
    name = path.rsplit("/", 1)[-1]
    if name.startswith("extrait_gironde"):
        return True
    kind, num = name.split(".")[0].split("_")
    return int(num) % 3 == 0 and kind != "agg"


def _cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def _run(extra: list[str], target: Path = REPO) -> tuple[float, float, dict]:
    c0 = _cpu()
    t0 = time.perf_counter()
    # the checkout is being edited by others while this runs: pin the code fingerprint of the cache key
    env = {**os.environ, "ANON_CHECK_CODE_FINGERPRINT": "bench-check"}
    proc = subprocess.run([sys.executable, "-m", "anonymizer", "check", str(target), "--format", "json", "--quiet",
                           "--cache-dir", str(CACHE), *extra], capture_output=True, text=True, env=env)
    dt = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        sys.stderr.write(proc.stderr[-2000:])
        raise SystemExit(f"anon check exited {proc.returncode}")
    return dt, _cpu() - c0, json.loads(proc.stdout)


def main() -> None:
    t0 = time.perf_counter()
    build()
    files = [p for p in REPO.rglob("*") if p.is_file() and ".git" not in p.parts and ".anon-cache" not in p.parts
             and not p.name.startswith(".complete") and p.name != ".gitignore" and "private" not in p.parts]
    size = sum(p.stat().st_size for p in files)
    print(f"check.repo_build_s {time.perf_counter() - t0:.1f}")
    print(f"check.repo_files {len(files)}")
    print(f"check.repo_mb {size / 1e6:.1f}")
    shutil.rmtree(CACHE, ignore_errors=True)
    cold, cold_cpu, doc = _run([])
    s = doc["summary"]
    print(f"check.cold_s {cold:.1f}")
    print(f"check.cold_cpu_s {cold_cpu:.1f}")
    print(f"check.cold_files_checked {s['files']}")
    print(f"check.cold_failed {s['failed']}")
    print(f"check.cold_passed {s['passed']}")
    print(f"check.cold_unchecked {s['unchecked']}")
    print(f"check.cold_skipped {s['skipped']}")
    print(f"check.cold_under_30s {cold < 30}")
    right = sum((f["status"] == "fail") == _built_leaky(f["path"]) for f in doc["files"])
    print(f"check.verdicts_as_built {right}/{len(doc['files'])}")
    per_file = sorted((f["seconds"], f["path"].split("/")[-1].split("_")[0]) for f in doc["files"])
    print(f"check.cold_file_median_s {per_file[len(per_file) // 2][0]:.3f}")
    print(f"check.cold_file_max_s {per_file[-1][0]:.2f} ({per_file[-1][1]})")
    warm, warm_cpu, doc = _run([])
    print(f"check.cached_s {warm:.1f}")
    print(f"check.cached_cpu_s {warm_cpu:.1f}")
    print(f"check.cached_files {doc['summary']['cached']}")
    wb_s, wb_doc = workbook()
    (wb_file,) = wb_doc["files"]
    print(f"check.workbook_300_sheets_kb {WORKBOOK.stat().st_size / 1024:.0f}")
    print(f"check.workbook_300_sheets_s {wb_s:.1f}")
    print(f"check.workbook_300_sheets_file_s {wb_file['seconds']:.2f} ({wb_file['status']})")
    print(f"check.workbook_under_10s {wb_s < 10}")
    print(f"check.cpu_count {os.cpu_count()}")


def workbook() -> tuple[float, dict]:
    """A 300-sheet workbook of small same-shaped sheets, checked alone, cold, in a fresh process."""
    import openpyxl

    if not WORKBOOK.exists():
        WORKBOOK.parent.mkdir(parents=True, exist_ok=True)
        (WORKBOOK.parent / ".git").mkdir(exist_ok=True)
        rng = random.Random(1)
        wb = openpyxl.Workbook()
        wb.remove(wb.active)
        for i in range(300):
            ws = wb.create_sheet(f"S{i:03d}")
            ws.append(["commune", "annee", "montant", "categorie"])
            for r in range(8):
                ws.append([rng.choice(["Bordeaux", "Pessac", "Agen"]), 2000 + r, rng.randint(100, 9999),
                           rng.choice("ABC")])
        wb.save(WORKBOOK)
    seconds, _, doc = _run(["--no-cache"], WORKBOOK)
    return seconds, doc


if __name__ == "__main__":
    main()
