"""The release gate made cheaper (issue #21) against the code it replaced, kept verbatim in
``tests/attack/reference/`` (``*_v1.py``, commit 283e449).

The gate's figures are published (manifest ``privacy.attack``, the risk report's attack section)
and decide the release: sharing work between its three attacks, coding with smaller integers and
replacing per-group Python loops must not move a single one. Random tables built for ties (few
values, many rows alike), with missing values, empty strings, mixed case, accents, suppressed
cells, a single row, a NIR whose parts are facts, a column swapped within classes and dates
quoted in free text are attacked by both implementations; the reports must be equal, and so must
every comparator's m, u and weights as floats (the random pairs u is measured on are drawn from
one generator: a draw taken out of order would change them). Small ``MAX_CELLS`` / ``U_PAIRS``
make both cut their work into many batches.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import anonymizer.attack.facts as new_facts
import anonymizer.attack.linkage as new_linkage
import anonymizer.attack.release as new_release
from anonymizer.policy.plan import build_plan

from .reference import facts_v1 as old_facts
from .reference import linkage_v1 as old_linkage
from .reference import release_v1 as old_release

NEW = (new_facts, new_linkage, new_release)
OLD = (old_facts, old_linkage, old_release)
SETTINGS = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

COLUMNS = ["SEXE", "DTNAIS", "CODCOM", "NIR", "NBENF", "CSP", "NATIO", "DTEVT", "COMMENT"]
POLICY = {"version": 1, "profile": "training", "strict": False,
          "privacy": {"k": 3, "quasi_identifiers": ["SEXE", "DTNAIS", "CODCOM"],
                      "attacker_knows": ["SEXE", "DTNAIS", "CODCOM", "NBENF", "CSP", "NATIO", "DTEVT"]},
          "columns": {
              "SEXE": {"role": "quasi_identifier", "entity": "SEX", "action": "keep"},
              "DTNAIS": {"role": "quasi_identifier", "entity": "BIRTH_DATE", "action": "generalize",
                         "params": {"method": "year"}},
              "CODCOM": {"role": "quasi_identifier", "entity": "COMMUNE_CODE", "action": "generalize",
                         "params": {"method": "departement"}},
              "NIR": {"role": "identifier", "entity": "NIR", "action": "fake"},
              "NBENF": {"role": "quasi_identifier", "entity": "COUNT", "action": "keep"},
              "CSP": {"role": "quasi_identifier", "entity": "CATEGORY", "action": "keep"},
              "NATIO": {"role": "quasi_identifier", "entity": "CATEGORY", "action": "keep"},
              "DTEVT": {"role": "quasi_identifier", "entity": "DATE", "action": "shift_dates"},
              "COMMENT": {"role": "free_text", "entity": "FREE_TEXT", "action": "redact"}}}
NATIONS = ["FR", "fr", "Fr ", "Française", "FRANCAISE", "française", "UE", "", "Algérie", "ALGERIE"]
CSPS = ["ouvrier", "Ouvrier", "cadre", "CADRE ", "employé", "employe", "", "retraité"]


def _frames(seed: int, n: int, suppress: float, coarse: float, few: bool):
    """Row-aligned original and released frames of the plan's columns (text), the released
    frame's swapped column with each record's own value, and the dates the free text quotes."""
    rng = np.random.default_rng(seed)
    span = 365 * (3 if few else 40)  # few: birth dates in three years, many people alike
    days = rng.integers(0, span, size=n)
    birth = pd.Series(np.datetime64("1960-01-01") + days.astype("timedelta64[D]"))
    born = birth.dt.strftime("%d/%m/%Y").to_numpy(dtype=object)
    born[rng.random(n) < 0.05] = ""  # unknown birth dates
    sex = rng.choice(["1", "2"], size=n)
    communes = [f"{d}{c:03d}" for d in ("33", "24", "2A") for c in range(3 if few else 12)]
    commune = rng.choice(communes + [""], size=n).astype(object)
    years = birth.dt.year.to_numpy()
    month = birth.dt.month.to_numpy()
    nir = np.array([f"{s}{y % 100:02d}{m:02d}{c or '99999'}{i:03d}" for s, y, m, c, i
                    in zip(sex, years, month, commune, rng.integers(0, 999, size=n), strict=True)], dtype=object)
    nir[rng.random(n) < 0.1] = ""  # no NIR
    orig = pd.DataFrame({
        "SEXE": sex, "DTNAIS": born, "CODCOM": commune, "NIR": nir,
        "NBENF": rng.integers(0, 3 if few else 7, size=n).astype(str),
        "CSP": rng.choice(CSPS, size=n), "NATIO": rng.choice(NATIONS, size=n),
        "DTEVT": (pd.Series(np.datetime64("2015-01-01") + rng.integers(0, 900, size=n).astype("timedelta64[D]"))
                  .dt.strftime("%Y-%m-%d")),
    })
    is_coarse = rng.random(n) < coarse
    band = years // 5 * 5
    rel = pd.DataFrame({
        "SEXE": np.where(rng.random(n) < 0.5, sex, np.where(sex == "1", "M", "F")),
        "DTNAIS": np.where(born == "", "", np.where(is_coarse, [f"{b}-{b + 4}" for b in band], years.astype(str))),
        "CODCOM": np.where(rng.random(n) < coarse, [c[:2] for c in commune], commune),
        "NIR": np.array([f"{s}{(y + d) % 100:02d}{m:02d}99999{i:03d}" if v else "" for s, y, d, m, i, v
                         in zip(sex, years, rng.integers(-1, 2, size=n), month, rng.integers(0, 999, size=n), nir,
                                strict=True)], dtype=object),
        "NBENF": np.where(rng.random(n) < 0.3, "2+", orig["NBENF"]),
        "NATIO": orig["NATIO"].str.upper().str.strip(),
        "DTEVT": (pd.Series(np.datetime64("2015-01-01") + (rng.integers(0, 900, size=n)
                                                             + rng.integers(-30, 31, size=n)).astype("timedelta64[D]"))
                  .dt.strftime("%d/%m/%Y")),
    })
    for col in ("SEXE", "DTNAIS", "CODCOM", "NBENF", "NATIO"):
        rel.loc[rng.random(n) < suppress, col] = "*"
    classes, _ = pd.factorize(pd.MultiIndex.from_frame(rel[["SEXE", "DTNAIS", "CODCOM"]]))
    own = orig["CSP"].to_numpy(dtype=object).copy()
    shown = own.copy()
    for c in np.unique(classes):  # swapped within the classes of the released primary tuple
        rows = np.flatnonzero(classes == c)
        shown[rows] = shown[rng.permutation(rows)]
    rel["CSP"] = shown
    rel["COMMENT"] = ""
    quoted = np.flatnonzero(rng.random(n) < 0.3)
    marks_rows = np.repeat(quoted, 2)
    picked = np.where(rng.random(len(marks_rows)) < 0.7, rng.permutation(np.repeat(quoted, 2)), marks_rows)
    marks_codes = (birth.dt.month.to_numpy()[picked] * 100 + birth.dt.day.to_numpy()[picked]).astype(np.int64)
    order = np.argsort(marks_rows, kind="stable")
    return orig, rel, {"CSP": pd.Series(own)}, (marks_rows[order], marks_codes[order])


KEYS = (["SEXE", "DTNAIS", "CODCOM"], ["DTNAIS", "CSP"], ["NATIO"])  # the key variables: with the swapped column,
                                                                   # without the NIR parts' linked columns


def _gate(modules, frames, persons: int | None, key: int = 0):
    _facts, _linkage, release = modules
    orig, rel, swapped, marks = frames
    policy = {**POLICY, "privacy": {**POLICY["privacy"], "quasi_identifiers": KEYS[key]}}
    plan = build_plan(COLUMNS, policy)
    if persons is not None:  # fewer people attacked than rows: a sample (below the policy's minimum, for small tables)
        plan.privacy = plan.privacy.model_copy(update={"attack_persons": persons})
    known = pd.concat([orig[[s.column for s in plan.attacker_known()]], release.embedded(orig, plan)], axis=1)
    released = pd.concat([rel, release.embedded(rel, plan)], axis=1)
    return release.release_gate(plan, known, released, text_marks=marks, swapped=swapped)


@pytest.fixture
def small_batches(monkeypatch, request):
    """Both implementations cut their pairs into batches of ``request.param`` cells (and draw that
    many random pairs for u): many batch boundaries, many per-person slices."""
    cells = request.param
    if cells is not None:
        for linkage in (new_linkage, old_linkage):
            monkeypatch.setattr(linkage, "MAX_CELLS", cells)
            monkeypatch.setattr(linkage, "U_PAIRS", cells * 7)


@pytest.mark.parametrize("small_batches", [None, 53], indirect=True)
@SETTINGS
@given(seed=st.integers(0, 10_000), n=st.integers(1, 160), suppress=st.sampled_from([0.0, 0.1, 0.5]),
       coarse=st.sampled_from([0.0, 0.5, 1.0]), few=st.booleans(), persons=st.sampled_from([None, 1, 7, 40]),
       key=st.integers(0, len(KEYS) - 1))
def test_the_gate_equals_the_reference(small_batches, seed, n, suppress, coarse, few, persons, key):
    frames = _frames(seed, n, suppress, coarse, few)
    new = _gate(NEW, frames, persons, key)
    old = _gate(OLD, frames, persons, key)
    assert new.to_dict() == old.to_dict()
    for a, b in ((new.attacker, old.attacker), (new.key, old.key), (new.on_input, old.on_input)):
        assert (a.mean_success, a.unique_correct, a.mean_best_set) == (b.mean_success, b.unique_correct,
                                                                       b.mean_best_set)


@pytest.mark.slow
def test_the_gate_on_a_generated_extract_equals_the_reference(run_cli, tmp_path, monkeypatch):
    """The demo generator's extract sanitized for training: the gate the run computed (what its
    manifest publishes) and the reference's gate on the very same frames agree on every figure."""
    captured = {}
    real = new_release.release_gate

    def capture(*args, **kw):
        captured["args"], captured["kw"] = args, kw
        return real(*args, **kw)

    monkeypatch.setattr(new_release, "release_gate", capture)
    data, out, key = tmp_path / "caf.csv", tmp_path / "out.csv", tmp_path / "k.key"
    key.write_text("5a17e2c4b9d04f6e8a1b3c5d7e9f1a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e2f\n")
    assert run_cli("generate", "--rows", "1500", "--seed", "2021", "-o", data).exit_code == 0
    result = run_cli("sanitize", data, "--profile", "training", "--key-file", key, "-o", out, "--force")
    assert result.exit_code in (0, 1), result.output
    published = json.loads(out.with_name("out.csv.manifest.json").read_text())["privacy"]["attack"]
    reference = old_release.release_gate(*captured["args"], **captured["kw"]).to_dict()
    assert published == reference
    assert reference["same_attack_on_the_input"]["mean_success"] > 0.9  # the attack is not weak
