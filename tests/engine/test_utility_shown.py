"""Utility shown and kept (issue #19 item 5) on the 50-row case: ``anon generate --rows 50`` then
``sanitize --profile training``, where k = 5 pushes birth dates and places to ``*``.

The report's per-column figures are checked against the written file itself: the shares are
recounted here from the input and output CSVs, and the level shares from the output values.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from anonymizer.i18n import set_language

pytestmark = pytest.mark.slow  # one sanitize run of the 50-row case (about a minute)

KEY = "4be7d10c92f35a68e0c1b7f42d9a6e385f0b3c71a8e26d94c5f1a0b7e38d2c69"


def _read(path: Path) -> pd.DataFrame:
    from anonymizer.io import read_table

    return read_table(path).df


@pytest.fixture(scope="module")
def run50(tmp_path_factory):
    from click.testing import CliRunner

    from anonymizer.cli.main import cli

    folder = tmp_path_factory.mktemp("utility50")
    src, out = folder / "caf50.csv", folder / "caf50.training.csv"
    runner = CliRunner()
    res = runner.invoke(cli, ["generate", "--rows", "50", "--seed", "2021", "-o", str(src)])
    assert res.exit_code == 0, res.output
    res = runner.invoke(cli, ["--lang", "en", "sanitize", str(src), "--profile", "training", "-o", str(out)],
                        env={"ANON_KEY": KEY})
    set_language(None)
    assert res.exit_code == 0, res.output
    report = json.loads(Path(f"{out}.risk.json").read_text(encoding="utf-8"))
    return {"input": _read(src), "output": _read(out), "report": report, "stdout": res.stdout,
            "html": Path(f"{out}.risk.html").read_text(encoding="utf-8"),
            "manifest": json.loads(Path(f"{out}.manifest.json").read_text(encoding="utf-8"))}


# ----------------------------------------------------------------------------- a. per-column utility


def _entries(run50) -> dict[str, dict]:
    return {c["column"]: c for c in run50["report"]["verdict"]["columns"]}


def test_every_column_is_listed_with_shares_recounted_from_the_files(run50):
    entries = _entries(run50)
    inp, out = run50["input"], run50["output"]
    assert set(entries) == set(out.columns)
    for col, e in entries.items():
        a, b = inp[col].astype(str), out[col].astype(str)
        present = a != ""
        n = int(present.sum())
        if n == 0:
            assert e["exact"] is None and e["hidden"] is None
            continue
        exact = int((present & (a == b)).sum()) / n
        hidden = int((present & (a != b) & b.isin(["*", ""])).sum()) / n
        assert e["exact"] == pytest.approx(exact, abs=1e-4), col
        assert e["hidden"] == pytest.approx(hidden, abs=1e-4), col
        assert e["changed"] == pytest.approx(1 - exact - hidden, abs=1e-4), col
        assert e["mostly_hidden"] == (hidden > 0.5 and e["action"] not in ("suppress", "drop")), col


def test_birth_date_and_postal_code_words_match_the_levels_written(run50):
    entries, out = _entries(run50), run50["output"]
    birth = entries["DTNAIS"]
    star = float((out["DTNAIS"] == "*").mean())
    assert star > 0.5                                   # the 50-row case: k = 5 hides the birth dates
    assert birth["levels"]["*"] == pytest.approx(star, abs=1e-4)
    assert birth["mostly_hidden"] and "hidden (*)" in birth["done"]
    if star == 1.0:
        assert birth["done"] == "hidden (*)"
    place = entries["CODPOST"]
    values = out["CODPOST"]
    written = {"*": float((values == "*").mean()),
               "departement": float(values.str.fullmatch(r"\d{2}|2[AB]|97\d").mean()),
               "france": float(values.isin(["France", "Étranger", "étranger"]).mean())}
    for level, share in written.items():
        assert place["levels"].get(level, 0.0) == pytest.approx(share, abs=1e-4), level
    words = {"*": "hidden (*)", "departement": "département", "france": "France / abroad"}
    for level, share in place["levels"].items():
        if share:
            assert words[level] in place["done"]


def test_mostly_hidden_columns_are_warned_in_the_verdict_and_in_the_reports(run50):
    verdict = run50["report"]["verdict"]
    lost = [c["column"] for c in verdict["columns"] if c["mostly_hidden"]]
    assert "DTNAIS" in lost
    advice = [t for t in verdict["what_to_do"] if "hidden (*) or empty" in t]
    assert len(advice) == 1 and "DTNAIS" in advice[0] and "larger extract" in advice[0]
    assert "What each column keeps" in run50["html"] and "mostly hidden" in run50["html"]
    assert "What each column keeps" in run50["stdout"]
    import jsonschema

    from anonymizer.resources import rules_path

    schema = json.loads((rules_path() / "schemas" / "risk.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(run50["report"], schema)


def test_policy_actions_are_said_in_words(run50):
    entries = _entries(run50)
    assert entries["PRENOM"]["done"] == "replaced by a consistent fake first name"
    assert entries["LIBCOM"]["done"] == "removed (every value hidden)" and not entries["LIBCOM"]["mostly_hidden"]
    assert entries["NUMLIGNE"]["done"] == "kept as is" and entries["NUMLIGNE"]["exact"] == 1.0
    amounts = [e for e in entries.values() if e["done"] == "rounded to 10"]
    assert amounts, "the training profile rounds sensitive amounts to 10"
    assert not any(re.search(r"--\w", e["done"]) for e in entries.values())


# ----------------------------------------------------------------------------- c. fake first names

def test_fake_first_names_are_french_and_follow_the_released_sex(run50):
    from faker.providers.person.fr_FR import Provider

    not_french = {"Alexandria", "Lucy", "Maggie", "Margaret", "Nath", "Susan", "William"}
    female, male = set(Provider.first_names_female) - not_french, set(Provider.first_names_male) - not_french
    out = run50["output"]
    pairs = [("PRENOM", "SEXE"), ("PRENOMCJ", "SEXECJ")] + [(f"ENF{i}_PRENOM", f"ENF{i}_SEXE") for i in range(1, 6)]
    checked = 0
    for first, sex in pairs:
        for name, s in zip(out[first], out[sex], strict=True):
            words = set(name.replace("-", " ").split())
            assert words <= female | male, (first, name)
            if s in ("1", "2") and words:
                assert words <= (male if s == "1" else female), (first, s, name)
                checked += 1
    assert checked >= 30  # (on 50 rows k = 5 hides part of the sexes: those rows are drawn)


# ----------------------------------------------------------------------------- d. no tags in fake mode

def test_generated_comments_get_fakes_of_their_kind_and_no_tag(run50):
    inp, out = run50["input"], run50["output"]
    texts = [c for c, e in run50["manifest"]["columns"].items() if e["action"] == "redact"]
    assert texts
    for col in texts:
        for before, after, last, tel in zip(inp[col], out[col], inp["NOMFAM"], inp["TELPORT"], strict=True):
            assert not re.search(r"<[A-Z_]+>", after), col
            if len(last) >= 4 and last.casefold() in before.casefold():
                assert last.casefold() not in after.casefold(), col
            digits = re.sub(r"\D", "", tel)
            if len(digits) == 10 and digits in re.sub(r"\D", "", before):
                assert digits not in re.sub(r"\D", "", after), col
