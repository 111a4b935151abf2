"""The leak index: every original identifier value found, each hit attributed to its columns."""

from __future__ import annotations

import pandas as pd

from anonymizer.engine.verify import LeakIndex
from anonymizer.policy.plan import ColumnStep, Plan


def _index(batches: list[pd.DataFrame]) -> LeakIndex:
    plan = Plan([ColumnStep("TEL", "identifier", "PHONE", "fake"),
                 ColumnStep("TELPORT", "identifier", "PHONE", "fake"),
                 ColumnStep("NIR", "identifier", "NIR", "fake"),
                 ColumnStep("IBAN", "identifier", "IBAN", "fake")], [], {}, "test", True)
    index = LeakIndex(plan)
    for b in batches:
        index.add(b)
    return index


BATCHES = [
    pd.DataFrame({"TEL": ["05 56 00 00 01", ""], "TELPORT": ["0612345678", "06 00 00 00 02"],
                  "NIR": ["1850375056123", "2900133063001"], "IBAN": ["FR7630006000011234567890189", ""]}),
    pd.DataFrame({"TEL": ["0612345678"], "TELPORT": [""], "NIR": ["1850375056123"], "IBAN": [""]}),
]


def test_hits_are_counted_per_identifier_column_and_output_column():
    index = _index(BATCHES)
    # distinct (value, column) pairs: TEL 2, TELPORT 2, NIR 2, IBAN 1
    assert index.size == 7
    out = pd.DataFrame({
        "A": ["+33 6 12 34 56 78", "nothing here", "2900133063001"],  # a phone in two columns; a NIR
        "NOTE": ["rappeler le 05.56.00.00.01", "IBAN FR76 3000 6000 0112 3456 7890 189", ""],
    })
    hits = index.search(out, text_columns=["NOTE"])
    assert hits == {("TEL", "A"): 1, ("TELPORT", "A"): 1, ("NIR", "A"): 1, ("TEL", "NOTE"): 1, ("IBAN", "NOTE"): 1}


def test_row_hits_find_cells_and_text_tokens():
    index = _index(BATCHES)
    cells = pd.Series(["06-12-34-56-78", "0799999999", ""])
    assert index.row_hits(cells).tolist() == [True, False, False]
    text = pd.Series(["NIR 1850375056123 à vérifier", "NIR 1111111111111", "appel au 06 00 00 00 02"])
    assert index.row_hits(text, text=True).tolist() == [True, False, True]


def test_batches_merge_like_one_table():
    one = _index([pd.concat(BATCHES, ignore_index=True)])
    two = _index(BATCHES)
    assert one.size == two.size
    out = pd.DataFrame({"X": ["0612345678", "FR7630006000011234567890189", "1850375056123"]})
    assert one.search(out, []) == two.search(out, [])


def test_phones_match_phone_shaped_values_only():
    index = _index(BATCHES)
    # an IBAN and a NIR whose last nine digits are an original phone's are not that phone
    out = pd.DataFrame({"X": ["FR7630006000010612345678", "2990175612345678", "06.12.34.56.78"],
                        "NOTE": ["compte FR76 3000 6000 0106 1234 5678", "tél. 06 12 34 56 78 le soir",
                                 "+33 (0)5 56 00 00 01"]})
    hits = index.search(out, text_columns=["NOTE"])
    assert hits == {("TEL", "X"): 1, ("TELPORT", "X"): 1, ("TEL", "NOTE"): 2, ("TELPORT", "NOTE"): 1}


def test_row_counters_are_not_matched_as_identifier_cells():
    from anonymizer.engine.verify import chain_runs, counter_run

    assert counter_run(pd.Series(["7", "8", "9"])) == (7, 9)
    assert counter_run(pd.Series(["7", "9", "9"])) is None
    assert counter_run(pd.Series(["07", "08", "09"])) is None  # leading zeros: an identifier, not a counter
    assert counter_run(pd.Series(["1850375056123"])) == (1850375056123, 1850375056123)
    assert chain_runs([(1, 5), (6, 9)]) and not chain_runs([(1, 5), (7, 9)]) and not chain_runs([(1, 5), None])
    index = _index(BATCHES)
    out = pd.DataFrame({"NUMLIGNE": ["1850375056122", "1850375056123"]})
    assert index.search(out, []) == {("NIR", "NUMLIGNE"): 1}
    assert index.search(out, [], counters={"NUMLIGNE"}) == {}


def test_merging_sorted_hashes_keeps_every_column_bit():
    import numpy as np

    from anonymizer.engine.verify import _merge_sorted

    rng = np.random.default_rng(0)
    union, bits, expected = np.zeros(0, np.uint64), np.zeros(0, np.uint8), {}
    for i in range(6):  # overlapping columns, merged one after the other
        col = np.unique(rng.integers(0, 3000, 700).astype(np.uint64))
        union, bits = _merge_sorted(union, bits, col, np.uint8(1 << i))
        for v in col.tolist():
            expected[v] = expected.get(v, 0) | (1 << i)
    assert union.tolist() == sorted(expected)
    assert bits.tolist() == [expected[v] for v in sorted(expected)]


# ---------------------------------------------------------------- issue #16: what is searched, and where

NIR15 = "185017510012362"  # valid key


def _plan(*steps: ColumnStep) -> Plan:
    return Plan(list(steps), [], {}, "test", False)


def test_what_is_indexed_whole():
    from anonymizer.engine.verify import searched_entity

    def step(role, entity, flag=False):
        return ColumnStep("C", role, entity, "keep", identifier_like=flag)

    assert searched_entity(step("identifier", "NIR")) == "NIR"
    assert searched_entity(step("identifier", "RECORD_ID")) == "RECORD_ID"
    assert searched_entity(step("identifier", None)) == "RECORD_ID"          # no entity: still searched
    assert searched_entity(step("identifier", "DOSSIER_ID")) == "DOSSIER_ID"  # unknown entity: plain values
    assert searched_entity(step("identifier", "CATEGORY")) == "CATEGORY"      # a policy's identifier
    assert searched_entity(step("quasi_identifier", "CATEGORY")) is None
    assert searched_entity(step("quasi_identifier", "CATEGORY", True)) == "CATEGORY"  # the scan's flag
    assert searched_entity(step("quasi_identifier", "NIR", True)) == "NIR"
    # the entity table's reasons stand: names row by row, first names and street parts not at all
    for ent in ("LAST_NAME", "PERSON", "FIRST_NAME", "STREET_NAME", "NIR_KEY", "SIRET"):
        assert searched_entity(step("identifier", ent, True)) is None, ent


def test_identifier_like_column_is_searched_whatever_its_role():
    plan = _plan(ColumnStep("REF", "quasi_identifier", "CATEGORY", "keep", identifier_like=True),
                 ColumnStep("CAT", "quasi_identifier", "CATEGORY", "keep"))
    index = LeakIndex(plan)
    index.add(pd.DataFrame({"REF": ["1234567", "7654321"], "CAT": ["ABCDEFGH", "HGFEDCBA"]}))
    out = pd.DataFrame({"REF": ["1234567", "0000000"], "CAT": ["ABCDEFGH", "x"]})
    assert index.search(out, []) == {("REF", "REF"): 1}


def test_identifiers_inside_original_cells_are_searched_inside_output_cells():
    """A NIR left in a name cell (no NIR column in the table) is found in any output column that
    keeps it, inside its cells; the problem names the output column, never the value."""
    from anonymizer.engine.verify import describe_hits

    plan = _plan(ColumnStep("NOM", "identifier", "LAST_NAME", "fake"),
                 ColumnStep("NOTE", "free_text", "FREE_TEXT", "redact"))
    index = LeakIndex(plan)
    index.add(pd.DataFrame({"NOM": [f"Durand {NIR15}", "Martin"], "NOTE": ["RAS", "IBAN FR7630006000011234567890189"]}))
    out = pd.DataFrame({"NOM": [f"Petit {NIR15}", "Moreau"],
                        "AUTRE": ["RAS", "ancien compte : FR76 3000 6000 0112 3456 7890 189"],
                        "NOTE": ["RAS", "IBAN [IBAN]"]})
    hits = index.search(out, ["NOTE"])
    assert hits == {("[NIR inside cells]", "NOM"): 1, ("[IBAN inside cells]", "AUTRE"): 1}
    words = describe_hits(hits, {"NOM": "LAST_NAME"})
    assert words == ["1 IBAN value(s) found inside original cells found in output column AUTRE",
                     "1 NIR value(s) found inside original cells found in output column NOM"]


def test_digits_without_a_check_are_not_identifiers_inside_cells():
    from anonymizer.engine.verify import cell_identifiers

    found = cell_identifiers(pd.Series([f"Durand {NIR15}", "Durand 185017510012363", "tél 06 12 34 56 78",
                                        "le 12/03/2021 pour 1234,50", "jean.dupont@example.fr"]))
    assert {k: len(v) for k, v in found.items()} == {"NIR": 1, "PHONE": 1, "EMAIL": 1}
    assert "PHONE" not in cell_identifiers(pd.Series(["tél 06 12 34 56 78"]), phones=False)


def test_a_fake_iban_tail_is_not_a_file_number_outside_free_text():
    """Inside cells that are not free text, spans start at the start of a number: the last
    seven digits of a fake IBAN that happen to be someone's file number are no leak (they
    still are in free text, where any span counts)."""
    plan = _plan(ColumnStep("NUMALLOC", "identifier", "CAF_NUMBER", "fake"))
    index = LeakIndex(plan)
    index.add(pd.DataFrame({"NUMALLOC": ["7890189", "1234567"]}))
    out = pd.DataFrame({"IBAN": ["FR76 3000 6000 0112 3456 7890 189", "Durand 1234567"],
                        "NOTE": ["FR76 3000 6000 0112 3456 7890 189", ""]})
    assert index.search(out, ["NOTE"]) == {("NUMALLOC", "IBAN"): 1, ("NUMALLOC", "NOTE"): 1}
