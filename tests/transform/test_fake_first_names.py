"""Fake first names are French and follow the row's released sex (issue #19 item 5c).

The lists are taken here from Faker's ``fr_FR`` person provider, less the English forms and
nicknames it carries (Susan, Margaret, Alexandria...), written out in this file."""

from __future__ import annotations

import pandas as pd
from faker.providers.person.fr_FR import Provider

from anonymizer.transform import fake

from .conftest import KEY, ctx, text

NOT_FRENCH = {"Alexandria", "Lucy", "Maggie", "Margaret", "Nath", "Susan", "William"}
FEMALE = set(Provider.first_names_female) - NOT_FRENCH
MALE = set(Provider.first_names_male) - NOT_FRENCH
ORIGINALS = sorted(set(Provider.first_names_female) | set(Provider.first_names_male))


def _words(value: str) -> list[str]:
    return [w for w in value.replace("-", " ").split() if w]


def _fakes(sexes: list[str] | None, n: int = 600) -> tuple[list[str], pd.Series]:
    firsts = [ORIGINALS[i % len(ORIGINALS)] + ("" if i < len(ORIGINALS) else f"-{ORIGINALS[(7 * i) % len(ORIGINALS)]}")
              for i in range(n)]
    if sexes is None:
        return firsts, fake(text(firsts), key=KEY, params={}, context=ctx("PRENOM", "FIRST_NAME"))
    rc = pd.DataFrame({"SEXE": text([sexes[i % len(sexes)] for i in range(n)])})
    return firsts, fake(text(firsts), key=KEY, params={}, context=ctx("PRENOM", "FIRST_NAME", rc, {"SEXE": "SEX"}))


def test_every_fake_first_name_is_french_without_a_sex_column():
    _, out = _fakes(None)
    words = {w for v in out for w in _words(v)}
    assert words and words <= FEMALE | MALE, sorted(words - (FEMALE | MALE))


def test_fake_first_names_follow_the_released_sex():
    sexes = ["1", "2", "2", "1", "1"]
    _, out = _fakes(sexes)
    for i, v in enumerate(out):
        pool = MALE if sexes[i % len(sexes)] == "1" else FEMALE
        assert set(_words(v)) <= pool, (sexes[i % len(sexes)], v)


def test_a_hidden_released_sex_is_not_guessed_from_the_original_name():
    """A row whose sex was released as * gets first names drawn at random: guessing them from the
    original name would give the hidden sex away."""
    firsts = [n for n in sorted(FEMALE - MALE)] * 4
    rc = pd.DataFrame({"SEXE": text(["*"] * len(firsts))})
    out = fake(text(firsts), key=KEY, params={}, context=ctx("PRENOM", "FIRST_NAME", rc, {"SEXE": "SEX"}))
    male = sum(set(_words(v)) <= MALE - FEMALE for v in out)
    assert 0.3 < male / len(out) < 0.7, male
    assert all(set(_words(v)) <= FEMALE | MALE for v in out)
