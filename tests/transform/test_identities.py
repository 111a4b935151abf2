"""The index of original identities: one number per person's name, whatever its spelling."""

from __future__ import annotations

import numpy as np
import pandas as pd

from anonymizer.transform.identities import NameIndex, name_hashes


def _h(values: list[str]) -> list[int]:
    return [int(x) for x in name_hashes(pd.Series(values, dtype=object))[0]]


def test_one_identity_whatever_the_order_case_accents_civility_and_hyphens():
    same = _h(["Jean DUPONT", "DUPONT Jean", "M. Jean Dupont", "dupont, jean", "Jean-Dupont", "JÉAN  dupont"])
    assert len(set(same)) == 1
    # the pair (first name, surname) is the sum of its two sides: the same number as the full name
    first, last = _h(["Jean"]), _h(["DUPONT"])
    assert (np.uint64(first[0]) + np.uint64(last[0])) == np.uint64(same[0])
    others = _h(["Jeanne DUPONT", "Jean DUPOND", "Jean", "DUPONT", "Jean DUPONT MARTIN"])
    assert len(set(others)) == 5 and same[0] not in others


def test_no_name_word_is_zero_and_counts_words():
    h, n = name_hashes(pd.Series(["", "M.", "12 34", "Jean-Pierre DE LA FONTAINE"], dtype=object))
    assert list(h[:3]) == [0, 0, 0]
    assert list(n) == [0, 0, 0, 5]


def _index(df: pd.DataFrame, entities: dict) -> NameIndex:
    index = NameIndex()
    index.add(df, entities)
    return index


ENTITIES = {"NOM": "LAST_NAME", "NOMCJ": "LAST_NAME", "PRENOM": "FIRST_NAME", "PRENOMCJ": "FIRST_NAME",
            "REFERENT": "PERSON", "CP": "POSTAL_CODE"}


def test_every_first_name_surname_pair_of_a_row_and_every_full_name_is_an_identity():
    df = pd.DataFrame({"NOM": ["DUPONT", "MARTIN"], "NOMCJ": ["LEROY", ""], "PRENOM": ["Jean", "Anne"],
                       "PRENOMCJ": ["Marie", ""], "REFERENT": ["Mme Claire PETIT", "Durand"], "CP": ["33000", "75001"]})
    index = _index(df, ENTITIES)
    # row 0: Jean and Marie with DUPONT and LEROY (a spouse may carry either name); row 1: Anne MARTIN;
    # the full name Claire PETIT; "Durand" alone is a surname, not an identity
    expected = {"Jean DUPONT", "Jean LEROY", "Marie DUPONT", "Marie LEROY", "Anne MARTIN", "Claire PETIT"}
    assert index.size == len(expected)
    full = pd.Series(sorted(expected) + ["Anne LEROY", "Durand", "Jean MARTIN", "Claire"], dtype=object)
    hits = index.row_hits(full, "PERSON", None, ENTITIES)
    assert list(hits) == [True] * len(expected) + [False] * 4


def test_a_fake_first_name_is_checked_with_the_rows_transformed_surnames():
    index = _index(pd.DataFrame({"NOM": ["DUPONT"], "PRENOM": ["Jean"]}), ENTITIES)
    fakes = pd.Series(["Jean", "Jean", "Paul", "Jean"], dtype=object)
    partners = pd.DataFrame({"NOM": ["DUPONT", "MARTIN", "DUPONT", ""], "CP": ["DUPONT"] * 4})
    assert list(index.row_hits(fakes, "FIRST_NAME", partners, ENTITIES)) == [True, False, False, False]
    # a surname is checked with the first names, not with itself; a postal code is no partner
    assert list(index.row_hits(pd.Series(["DUPONT"]), "LAST_NAME", pd.DataFrame({"PRENOM": ["Jean"]}),
                               ENTITIES)) == [True]
    assert not index.row_hits(pd.Series(["DUPONT"]), "LAST_NAME", None, ENTITIES).any()


def test_partition_hashes_merge_to_the_same_index():
    df = pd.DataFrame({"NOM": ["DUPONT", "MARTIN", "PETIT"], "PRENOM": ["Jean", "Anne", "Luc"]})
    whole = _index(df, ENTITIES)
    merged = NameIndex()
    for part in (df.iloc[:1], df.iloc[1:]):
        merged.add_hashes(_index(part, ENTITIES).hashes())
    assert np.array_equal(whole.hashes(), merged.hashes())
