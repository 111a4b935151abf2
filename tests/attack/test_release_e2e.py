"""A "released" training file withstands linkage on everything it keeps (issue #16, Done when).

Three tables resembling the issue's cases are released by the real ``anon sanitize --profile
training`` (no policy: what a new user gets), then attacked here, independently of the code:

* the attacker holds every person's original values of the columns the generator's ground truth
  (or the test's own table) calls quasi-identifiers, and everything the manifest publishes;
* on the recoded columns they know the method exactly: which released value each original value
  can become, read off the run's own true pairs (``_compat``): the strongest such attacker;
* on the columns the manifest says were swapped within classes, they look for the rows whose
  values agree with the person's (a date in the released year, an amount within the rounding).

The release claims k = 5 and a linkage success of at most 1/k with at most 1 % of people found
alone: each is checked on the written file. The same attack on the input re-identifies almost
everybody: that is what makes the figures on the output mean something.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ._compat import compat_attack, true_pairs

KEY = "5a17e2c4b9d04f6e8a1b3c5d7e9f1a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e2f"
K = 5

pytestmark = pytest.mark.slow


# ---------------------------------------------------------------- helpers


def _read(path: Path, encoding: str) -> pd.DataFrame:
    return pd.read_csv(path, sep=";", dtype=str, keep_default_na=False, encoding=encoding)


def _sanitize(src: Path, out: Path) -> tuple[pd.DataFrame, dict]:
    from click.testing import CliRunner

    from anonymizer.cli.main import cli

    res = CliRunner().invoke(cli, ["sanitize", str(src), "--profile", "training", "-o", str(out), "--force"],
                             env={"ANON_KEY": KEY})
    assert res.exit_code == 0, res.output
    return res, json.loads(Path(f"{out}.manifest.json").read_text(encoding="utf-8"))


def _number(text: str) -> float | None:
    t = text.replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace(",", ".")
    try:
        return float(t)
    except ValueError:
        return None


def _day(text: str) -> dt.date | None:
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text[:10], fmt).date()
        except ValueError:
            pass
    return None


def _released_form(rel: str) -> tuple[str, float, float]:
    """How a released value of a swapped column reads: (kind, low, high) with kind ``any`` (``*``),
    ``year``, ``month`` (low = year * 12 + month), ``range`` or ``number``; ``text`` otherwise."""
    if rel == "*":
        return "any", 0.0, 0.0
    if re.fullmatch(r"\d{4}", rel):
        return "year", float(rel), float(rel)
    m = re.fullmatch(r"(\d{2})/(\d{4})", rel)
    if m:
        v = int(m.group(2)) * 12 + int(m.group(1))
        return "month", v, v
    m = re.fullmatch(r"(\d{4})-(\d{2})", rel)
    if m:
        v = int(m.group(1)) * 12 + int(m.group(2))
        return "month", v, v
    m = re.fullmatch(r"(-?[\d.,]+)-(-?[\d.,]+)", rel)
    if m and _number(m.group(1)) is not None and _number(m.group(2)) is not None:
        return "range", _number(m.group(1)), _number(m.group(2)) + 1
    y = _number(rel)
    if y is not None:
        return "number", y, y
    return "text", 0.0, 0.0


def _consistent_table(o_vals, r_vals) -> np.ndarray:
    """(original value x released value): could the released value be the original rounded or
    coarsened? (the attacker's reading of a swapped column: the test's own parsing, not the code's)"""
    o_vals, r_vals = [str(v) for v in o_vals], [str(v) for v in r_vals]
    days = [_day(v) for v in o_vals]
    year = np.array([d.year if d else np.nan for d in days])
    month = np.array([d.year * 12 + d.month if d else np.nan for d in days])
    num = np.array([np.nan if d else (_number(v) if _number(v) is not None else np.nan)
                    for v, d in zip(o_vals, days, strict=True)])
    table = np.equal.outer(np.array(o_vals, dtype=object), np.array(r_vals, dtype=object))
    for j, rel in enumerate(r_vals):
        kind, lo, hi = _released_form(rel)
        if kind == "any":
            table[:, j] = True
        elif kind == "year":
            table[:, j] |= year == lo
        elif kind == "month":
            table[:, j] |= month == lo
        elif kind == "range":
            table[:, j] |= (num >= lo) & (num <= hi)
        elif kind == "number":
            table[:, j] |= np.abs(num - lo) <= 0.05 * np.abs(num) + 0.5
    return table


def _naive_attack(original: pd.DataFrame, released: pd.DataFrame, recoded: list[str],
                  swapped: list[str]) -> tuple[float, float]:
    """(mean success, share found alone and correctly) of an attacker who keeps the released rows
    agreeing with the person on every column: recoded ones by the true pairs, swapped ones by
    ``_consistent_table``."""
    n = len(original)
    ok = np.ones((n, n), dtype=bool)
    for c in recoded:
        o_codes, r_codes, allowed = true_pairs(original[c], released[c])
        ok &= allowed[o_codes][:, r_codes]
    for c in swapped:
        o_codes, o_vals = pd.factorize(original[c])
        r_codes, r_vals = pd.factorize(released[c])
        ok &= _consistent_table(o_vals, r_vals)[o_codes][:, r_codes]
    size = ok.sum(axis=1)
    own = ok[np.arange(n), np.arange(n)]
    success = np.where(own, 1.0 / np.maximum(size, 1), 0.0)
    return float(success.mean()), float(((size == 1) & own).mean())


def _check_release(original: pd.DataFrame, released: pd.DataFrame, manifest: dict, qi: list[str]) -> dict:
    """The assertions every release must pass; returns figures for the caller's own checks."""
    privacy = manifest["privacy"]
    assert manifest["released"] is True
    known = set(privacy["attacker_knows"])
    missing = [c for c in qi if c in released.columns and c not in known]
    assert not missing, f"quasi-identifiers outside the attacker's knowledge: {missing}"
    reached = privacy["reached"]
    assert reached["k"] == K
    n = len(original)
    suppressed = reached["suppressed_records"]
    assert suppressed <= 0.10 * n  # at least 90 % of the rows released
    swapped = [c for c in (reached.get("swapped") or {}).get("columns", []) if c in released.columns]
    recoded = [c for c in qi if c in released.columns and c not in swapped]

    # 1. k over the recoded columns against the strongest attacker of the method
    attack = compat_attack(original, released, recoded)
    star = (released[recoded] == "*").all(axis=1).to_numpy() if recoded else np.zeros(n, bool)
    assert attack.found_own_row.all()
    assert attack.candidates[~star].min() >= K

    # 2. linkage on every column the attacker knows, swapped ones included
    mean, alone = _naive_attack(original, released, recoded, swapped)
    assert mean <= 1 / K and alone <= 0.01, (mean, alone)
    # ... while the same attack on the input finds almost everybody alone
    _raw_mean, raw_alone = _naive_attack(original, original, recoded + swapped, [])
    assert raw_alone >= 0.9, raw_alone

    # 3. what the manifest says agrees with what was measured
    gate = privacy["attack"]
    assert gate["passed"] is True
    a = gate["attacker_known"]
    assert a["mean_success"] <= 1 / K and a["unique_reidentified_share"] <= 0.01
    assert gate["same_attack_on_the_input"]["mean_success"] >= 0.9
    return {"naive_mean": mean, "naive_alone": alone, "raw_alone": raw_alone, "swapped": swapped}


def _check_passes(path: Path, run_cli) -> None:
    res = run_cli("check", str(path))
    assert res.exit_code == 0, res.output


# ---------------------------------------------------------------- 1. a generated extract (seed used nowhere else)


@pytest.fixture(scope="module")
def extract(tmp_path_factory):
    from click.testing import CliRunner

    from anonymizer.cli.main import cli

    d = tmp_path_factory.mktemp("extract")
    src = d / "extrait.csv"
    res = CliRunner().invoke(cli, ["generate", "--rows", "3000", "--seed", "7331", "-o", str(src)])
    assert res.exit_code == 0, res.output
    out = d / "formation.csv"
    _res, manifest = _sanitize(src, out)
    truth = json.loads(src.with_name(src.name + ".truth.json").read_text(encoding="utf-8"))
    return _read(src, "cp1252"), _read(out, "cp1252"), manifest, truth, out


def test_generated_extract_withstands_linkage_on_every_quasi_identifier(extract):
    original, released, manifest, truth, _out = extract
    qi = [c for c, v in truth["columns"].items() if v["role"] == "quasi_identifier"]
    figures = _check_release(original, released, manifest, qi)
    assert len(figures["swapped"]) >= 10  # jobs, housing, dates of events: taught, not linkable


def test_the_fake_nir_tells_nothing_the_released_columns_do_not(extract):
    """The issue's first finding: the fake NIR showed the true sex, year and month of birth."""
    original, released, _manifest, _truth, _out = extract
    for nir, born, sex in (("NIR", "DTNAIS", "SEXE"), ("NIRCJ", "DTNAISCJ", "SEXECJ")):
        has = (original[nir].str.len() >= 13) & (released[nir].str.len() >= 13)
        o, r = original[has], released[has]
        month_hidden = ~r[born].str.fullmatch(r"\d{2}/\d{2}/\d{4}|\d{2}/\d{4}|\d{4}-\d{2}(-\d{2})?")
        same_month = (o[nir].str[3:5] == r[nir].str[3:5])[month_hidden]
        assert len(same_month) > 100 and same_month.mean() < 0.2, (nir, same_month.mean())  # chance: 1/12
        # the year the NIR shows is the released birth date's, when that shows one
        year = r[born].str.extract(r"(\d{4})")[0]
        shown = year.notna() & r[born].str.fullmatch(r"\d{2}/\d{2}/\d{4}|\d{2}/\d{4}|\d{4}")
        assert (r[nir].str[1:3][shown] == year[shown].str[2:4]).all()
        # the sex digit is the released sex's when it is released
        kept = r[sex].isin(["1", "2"])
        assert (r[nir].str[0][kept] == r[sex][kept]).all()


def test_a_family_is_released_at_one_level(extract):
    """NATIO at "France / Etranger" beside the exact CODNATIO was the issue's second finding."""
    original, released, _manifest, _truth, _out = extract
    for coarse, exact in (("NATIO", "CODNATIO"), ("NATIOCJ", "CODNATIOCJ")):
        if coarse not in released or exact not in released:
            continue
        kept_exact = released[exact] == original[exact]
        generalised = (released[coarse] != original[coarse]) & (original[coarse] != "")
        assert not (kept_exact & generalised & (original[exact] != "")).any()


def test_generated_release_passes_anon_check(extract, run_cli):
    _o, _r, _m, _t, out = extract
    _check_passes(out, run_cli)


# ---------------------------------------------------------------- 2. an Excel-style cp1252 table, French headers


@pytest.fixture(scope="module")
def excel(tmp_path_factory):
    from detect.test_french_headers import _excel_table

    d = tmp_path_factory.mktemp("excel")
    df = _excel_table(2000, seed=2611)
    src = d / "beneficiaires.csv"
    src.write_bytes(df.to_csv(sep=";", index=False, lineterminator="\r\n").encode("cp1252"))
    out = d / "formation.csv"
    _res, manifest = _sanitize(src, out)
    return df, _read(out, "cp1252"), manifest, out


EXCEL_QI = ["Né(e) le", "Sexe", "CP", "Ville", "Code commune", "Situation familiale", "Nb enfants", "Nationalité"]


def test_excel_table_withstands_linkage_on_its_eight_quasi_identifiers(excel):
    original, released, manifest, _out = excel
    _check_release(original, released, manifest, EXCEL_QI)


def test_no_comment_keeps_the_birth_day_and_month(excel):
    """ "Rappeler le 21/07" quoted every birthday in the issue's table."""
    original, released, _manifest, _out = excel
    day_month = original["Né(e) le"].str[:5]
    kept = [dm in text for dm, text in zip(day_month, released["Commentaire"], strict=True)]
    assert sum(kept) <= 0.02 * len(kept)  # a shifted date lands on the same day by chance only


def test_excel_release_passes_anon_check(excel, run_cli):
    _check_passes(excel[3], run_cli)


# ---------------------------------------------------------------- 3. fifty rows with "N° allocataire"


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    rng = random.Random(5150)
    rows = []
    for _ in range(50):
        born = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 50))
        rows.append({
            "N° allocataire": f"{rng.randrange(1_000_000, 10_000_000)}",
            "Nom": rng.choice(["MARTIN", "BERNARD", "DUBOIS", "THOMAS", "ROBERT", "PETIT", "DURAND", "LEROY"]),
            "Prénom": rng.choice(["Marie", "Jean", "Sophie", "Pierre", "Julie", "Luc", "Camille", "Hugo"]),
            "Date de naissance": f"{born:%d/%m/%Y}",
            "Sexe": rng.choice("MF"),
            "CP": rng.choice(["33000", "33400", "33600", "33700", "33130"]),
            "Montant": f"{rng.randrange(50, 1500)},{rng.randrange(0, 100):02d}",
        })
    df = pd.DataFrame(rows)
    d = tmp_path_factory.mktemp("small")
    src = d / "allocataires.csv"
    src.write_bytes(df.to_csv(sep=";", index=False).encode("utf-8"))
    out = d / "formation.csv"
    _res, manifest = _sanitize(src, out)
    return df, _read(out, "utf-8"), manifest, out


def test_small_file_keeps_no_beneficiary_number_and_withstands_linkage(small):
    original, released, manifest, out = small
    text = out.read_text(encoding="utf-8")
    assert not [n for n in original["N° allocataire"] if n in text]  # none of the 50 real numbers
    _check_release(original, released, manifest, ["Date de naissance", "Sexe", "CP"])


def test_small_release_passes_anon_check(small, run_cli):
    _check_passes(small[3], run_cli)


def test_the_report_says_what_the_attack_measured(small):
    """Item 8: the risk report's linkability answer follows from the attack figures, and it names
    the columns the attacker was assumed to know."""
    _original, _released, manifest, out = small
    risk = json.loads(Path(f"{out}.risk.json").read_text(encoding="utf-8"))
    a = manifest["privacy"]["attack"]["attacker_known"]
    q = risk["questions"]["linkability"]
    assert q["answer"] == "low" and q["mean_success"] == a["mean_success"]
    assert f"{100 * a['mean_success']:.1f} %" in q["text"]
    assert f"{a['unique_reidentified']} of {a['persons_attacked']} people" in q["text"]
    assert risk["coverage"]["attacker_knows"] == manifest["privacy"]["attacker_knows"]
    assert risk["attack"] == manifest["privacy"]["attack"]
