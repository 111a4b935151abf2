"""Free text obeys the columns' rules (issue #16 item 4), end to end with ``--profile training``.

The table resembles the one of the issue: 2,000 rows, cp1252, French headers, and a comment
that quotes every person's birthday without a year ("rappeler le 21/07"), some with a post
code, an age or an amount. The expectations are computed here from the generator's own
records, not from the code: the output comments are parsed with this file's regexes, dates
with ``datetime``, amounts with ``Decimal``.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
import pytest

KEY = "4be7d10c92f35a68e0c1b7f42d9a6e385f0b3c71a8e26d94c5f1a0b7e38d2c69"
N = 2000
LAST = ["MARTIN", "BERNARD", "DUBOIS", "THOMAS", "ROBERT", "RICHARD", "PETIT", "DURAND", "LEROY", "MOREAU",
        "SIMON", "LAURENT", "LEFEBVRE", "MICHEL", "GARCIA", "DAVID", "BERTRAND", "ROUX", "VINCENT", "FOURNIER"]
FIRST = {"F": ["Marie", "Sophie", "Julie", "Nathalie", "Isabelle", "Sandrine", "Camille", "Laura"],
         "M": ["Jean", "Pierre", "Luc", "Nicolas", "Thomas", "Julien", "David", "Éric"]}
PLACES = [("33000", "Bordeaux", "33063"), ("33110", "Le Bouscat", "33069"), ("69003", "Lyon", "69383"),
          ("75011", "Paris", "75111"), ("13008", "Marseille", "13208"), ("59000", "Lille", "59350"),
          ("31000", "Toulouse", "31555"), ("44000", "Nantes", "44109"), ("06000", "Nice", "06088")]
REF = dt.date(2021, 12, 31)


def _table(seed: int = 1605) -> tuple[pd.DataFrame, list[dict]]:
    rng = random.Random(seed)
    rows, facts = [], []
    for i in range(N):
        sex = rng.choice("MF")
        born = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 50))
        asked = dt.date(2019, 1, 1) + dt.timedelta(days=rng.randrange(0, 1000))
        cp, city, cog = rng.choice(PLACES)
        age = REF.year - born.year - ((REF.month, REF.day) < (born.month, born.day))
        amount = f"{rng.randrange(20, 3000)},{rng.randrange(1, 100):02d}"  # never a multiple of 10
        fact = {"dm": f"{born:%d/%m}", "cp": cp if i % 3 == 0 else None, "age": age if i % 4 == 0 else None,
                "amount": amount if i % 5 == 0 else None}
        parts = [f"rappeler le {fact['dm']}"]
        if fact["cp"]:
            parts.append(f"nouvelle adresse CP {cp}")
        if fact["age"] is not None:
            parts.append(f"âgé de {age} ans")
        if fact["amount"]:
            parts.append(f"indu de {amount} €")
        rows.append({
            "N° dossier": f"{1000000 + i * 7919 % 8999999:07d}", "Nom": rng.choice(LAST), "Prénom": rng.choice(FIRST[sex]),
            "Né(e) le": f"{born:%d/%m/%Y}", "Sexe": sex, "CP": cp, "Ville": city, "Code commune": cog,
            "Situation familiale": rng.choice(["Célibataire", "Marié(e)", "Divorcé(e)", "Pacsé(e)", "Veuf(ve)"]),
            "Nb enfants": str(rng.choice([0, 0, 1, 1, 2, 2, 3, 4])),
            "Nationalité": rng.choice(["Française"] * 8 + ["Algérienne", "Marocaine", "Portugaise"]),
            "Date de la demande": f"{asked:%d/%m/%Y}", "Commentaire": ", ".join(parts) + ".",
        })
        facts.append(fact)
    return pd.DataFrame(rows), facts


def _read(path) -> pd.DataFrame:
    return pd.read_csv(path, sep=";", dtype=str, keep_default_na=False, encoding="cp1252")


def _days(text: str) -> dt.date:
    return dt.datetime.strptime(text, "%d/%m/%Y").date()


def _day_month_offset(before: str, after: str) -> int:
    """The shortest move from day/month ``before`` to ``after``, the start taken in 2000 (a
    leap year: the reference the documentation gives for dates without a year)."""
    start = dt.date(2000, int(before[3:5]), int(before[:2]))
    d, m = int(after[:2]), int(after[3:5])
    moves = [(dt.date(y, m, d) - start).days for y in (1999, 2000, 2001) if not (d == 29 and m == 2 and y != 2000)]
    return min(moves, key=abs)


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    from click.testing import CliRunner

    from anonymizer.cli.main import cli

    df, facts = _table()
    path = tmp_path_factory.mktemp("freetext") / "beneficiaires.csv"
    path.write_bytes(df.to_csv(sep=";", index=False, lineterminator="\r\n").encode("cp1252"))
    out = path.with_name("training.csv")
    # the reviewed policy a trainer writes: the request date is an administrative date nobody
    # outside the fund knows (sensitive: shifted per person), not a quasi-identifier (generalised)
    policy = path.with_name("policy.yaml")
    result = CliRunner().invoke(cli, ["scan", str(path), "--write-policy", str(policy), "--no-ner"])
    assert result.exit_code == 0, result.output
    import yaml

    pol = yaml.safe_load(policy.read_text(encoding="utf-8"))
    pol["columns"]["Date de la demande"].update({"role": "sensitive", "action": "shift_dates",
                                                 "params": {"max_days": 180}, "reviewed": True})
    pol["privacy"]["attacker_knows"] = [c for c in pol["privacy"]["attacker_knows"] if c != "Date de la demande"]
    policy.write_text(yaml.safe_dump(pol, allow_unicode=True), encoding="utf-8")
    result = CliRunner().invoke(cli, ["sanitize", str(path), "--profile", "training", "--policy", str(policy),
                                      "-o", str(out), "--no-report"], env={"ANON_KEY": KEY})
    assert result.exit_code == 0, result.output
    return df, facts, _read(out)


@pytest.mark.slow
def test_no_comment_keeps_the_persons_day_month_post_code_age_or_amount(released):
    df, facts, got = released
    assert len(got) == len(df) == N
    left = {"day/month": 0, "post code": 0, "age": 0, "amount": 0}
    seen = {"post code": 0, "age": 0, "amount": 0}
    for fact, before, after in zip(facts, df["Commentaire"], got["Commentaire"], strict=True):
        assert before != after
        left["day/month"] += bool(re.search(rf"(?<!\d){re.escape(fact['dm'])}(?!\d)", after))
        if fact["cp"]:
            seen["post code"] += 1
            left["post code"] += fact["cp"] in after
            assert f"CP {fact['cp'][:2]}," in after or after.endswith(f"CP {fact['cp'][:2]}.")  # its département
        if fact["age"] is not None:
            seen["age"] += 1
            left["age"] += bool(re.search(rf"(?<![\d-]){fact['age']} ans", after))
            lo, hi = map(int, re.search(r"âgé de (\d+)-(\d+) ans", after).groups())
            assert hi - lo == 4 and lo % 5 == 0 and lo <= fact["age"] <= hi  # the 5-year band of the age
        if fact["amount"]:
            seen["amount"] += 1
            left["amount"] += fact["amount"] in after
            value = Decimal(fact["amount"].replace(",", "."))
            rounded = (value / 10).quantize(Decimal(1), rounding=ROUND_HALF_UP) * 10
            assert f"indu de {rounded:.2f} €".replace(".", ",") in after  # rounded like the amount columns
    assert left == {"day/month": 0, "post code": 0, "age": 0, "amount": 0}
    assert min(seen.values()) >= 400  # the test saw each kind of value hundreds of times


@pytest.mark.slow
def test_a_comment_date_moves_with_the_rows_shifted_date_column(released):
    df, facts, got = released
    checked = 0
    for i, (fact, after) in enumerate(zip(facts, got["Commentaire"], strict=True)):
        released_date = got.at[i, "Date de la demande"]
        if not re.fullmatch(r"\d\d/\d\d/\d{4}", released_date):
            continue
        column_shift = (_days(released_date) - _days(df.at[i, "Date de la demande"])).days
        assert column_shift != 0
        quoted = re.search(r"rappeler le (\d\d/\d\d)\b", after).group(1)
        assert _day_month_offset(fact["dm"], quoted) == column_shift, i
        checked += 1
    assert checked >= 0.9 * N
