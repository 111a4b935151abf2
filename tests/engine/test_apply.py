"""Per-batch pieces of the engine: collision re-draws and row-aware name replacement."""

from __future__ import annotations

import pandas as pd

from anonymizer.engine.verify import LeakIndex
from anonymizer.policy.plan import ColumnStep, Plan
from anonymizer.transform.collisions import (
    RETRIES,
    SATURATED_RETRIES,
    avoid_collisions,
    saturated_phone_ranges,
)
from anonymizer.transform.row_names import replace_row_names

PHONES = ["0199001234", "0199005678", "0199009999"]


def _plan(*steps):
    return Plan(list(steps), [], {}, "test", True)


def test_a_fake_that_always_hits_an_original_is_suppressed_and_counted():
    step = ColumnStep("TEL", "identifier", "PHONE", "fake")
    plan = _plan(step)
    index = LeakIndex(plan)
    index.add(pd.DataFrame({"TEL": PHONES}))
    calls = []

    def stubborn(series, *, key, params, context):  # every draw lands on someone's real number
        calls.append(len(series))
        return series.where(series == "", PHONES[0])

    series = pd.Series(["0612345678", "0699999999", ""])
    first = stubborn(series, key=b"k", params={}, context=None)
    stats: dict = {}
    out = avoid_collisions(stubborn, series, first, key=b"k" * 16, step=step, ctx_frame=None,
                            entities={"TEL": "PHONE"}, avoid=index, stats=stats)
    assert list(out[:2]) == ["", ""]  # never an original value, never the input
    assert stats == {"TEL": 2}
    assert len(calls) > 2  # it did re-draw before giving up


def test_a_redraw_that_escapes_is_kept():
    step = ColumnStep("TEL", "identifier", "PHONE", "fake")
    index = LeakIndex(_plan(step))
    index.add(pd.DataFrame({"TEL": PHONES}))

    def keyed(series, *, key, params, context):
        # a different, non-original number once the key changes
        return pd.Series(["0536490000" if key != b"first" else PHONES[1]] * len(series), index=series.index)

    series = pd.Series(["0612345678"])
    out = avoid_collisions(keyed, series, keyed(series, key=b"first", params={}, context=None), key=b"k" * 16,
                            step=step, ctx_frame=None, entities={}, avoid=index, stats={})
    assert list(out) == ["0536490000"]


def test_row_names_are_replaced_by_the_row_fakes_and_never_by_another_row_name():
    plan = _plan(
        ColumnStep("NOM", "identifier", "LAST_NAME", "fake"),
        ColumnStep("NOMCJ", "identifier", "LAST_NAME", "fake"),
        ColumnStep("TXT", "free_text", "FREE_TEXT", "redact"),
    )
    original = pd.DataFrame({"NOM": ["DE LA FONTAINE", "JACQUET"], "NOMCJ": ["", "RODRIGUEZ"]})
    fakes = {"NOM": pd.Series(["MARTIN", "LEVY-RODRIGUEZ"]), "NOMCJ": pd.Series(["", "THIBAULT"])}
    text = pd.Series(["Appel de Mme De La Fontaine, dite Fontaine.", "M. Jacquet et M. Rodriguez"])
    out = replace_row_names(text, original, fakes, plan)
    assert out[0] == "Appel de Mme Martin, dite Martin."
    # JACQUET's fake contains the spouse's real name: a neutral tag instead
    assert out[1] == "M. [NOM] et M. Thibault"


def test_a_text_that_collides_only_after_row_names_is_tagged():
    from anonymizer.transform.collisions import tag_late_collisions as _tag_late_collisions

    plan = _plan(ColumnStep("NOM", "identifier", "LAST_NAME", "fake"),
                 ColumnStep("MAIL", "identifier", "EMAIL", "fake"),
                 ColumnStep("TXT", "free_text", "FREE_TEXT", "redact"))
    df = pd.DataFrame({"NOM": ["DUPONT", "MARTIN"], "MAIL": ["", "jean.martin@example.fr"],
                       "TXT": ["Message de jean.dupont@example.fr", ""]})
    index = LeakIndex(plan)
    index.add(df)
    results = {"NOM": pd.Series(["MARTIN", "LEROY"]), "MAIL": pd.Series(["", "x.y@example.fr"])}

    def redact_stub(series, *, key, params, context):  # misses the address in fake mode, tags it in tag mode
        if params.get("mode") == "tag":
            return series.str.replace(r"\S+@\S+", "<EMAIL>", regex=True)
        return series

    first = replace_row_names(redact_stub(df["TXT"], key=b"k", params={}, context=None), df, results, plan)
    assert first[0] == "Message de jean.martin@example.fr"  # the row's fake name re-created someone's address
    stats: dict = {}
    out = _tag_late_collisions(redact_stub, df, first, results, key=b"k" * 16, step=plan.steps[2], plan=plan,
                               ctx_frame=None, entities={}, avoid=index, stats=stats)
    assert list(out) == ["Message de <EMAIL>", ""]
    assert stats == {"TXT": 1}


def _index_of(numbers: list[str]) -> LeakIndex:
    step = ColumnStep("TEL", "identifier", "PHONE", "fake")
    index = LeakIndex(_plan(step))
    index.add(pd.DataFrame({"TEL": numbers}))
    index.merge()
    return index


def test_a_fiction_range_counts_as_saturated_from_nine_tenths_taken():
    # 06 39 98 xx xx is the 10,000-number fiction mobile range, written here with spaces
    mobiles = [f"06 39 98 {i // 100:02d} {i % 100:02d}" for i in range(10_000)]
    assert saturated_phone_ranges(_index_of(mobiles[:9_000])) == (True, False)
    assert saturated_phone_ranges(_index_of(mobiles[:8_999])) == (False, False)
    landlines = [f"0{p[0]}{p[1:]}{i:04d}" for p in ("19900", "26191", "35301", "46571", "53649")
                 for i in range(10_000)]
    assert saturated_phone_ranges(_index_of(landlines)) == (False, True)


def test_redraws_per_row_depend_on_the_whole_table_not_on_the_batch():
    step = ColumnStep("TEL", "identifier", "PHONE", "fake")
    full = _index_of([f"063998{i:04d}" for i in range(10_000)])  # the mobile range is all taken
    calls: list[int] = []

    def stubborn(series, *, key, params, context):
        calls.append(len(series))
        return pd.Series(["0639980000"] * len(series), index=series.index)

    def run(values: list[str]) -> list[str]:
        s = pd.Series(values)
        return list(avoid_collisions(stubborn, s, stubborn(s, key=b"k", params={}, context=None), key=b"k" * 16,
                                      step=step, ctx_frame=None, entities={}, avoid=full, stats={}))

    calls.clear()
    assert run(["0612345678"]) == [""]
    assert len(calls) == 1 + SATURATED_RETRIES  # the first draw, then the saturated limit
    calls.clear()
    assert run(["0145678901"]) == [""]  # a landline: its range is free, so the full count of tries
    assert len(calls) == 1 + RETRIES
    # one colliding row alone or among many others: the same number of tries, the same outcome
    calls.clear()
    run(["0612345678"] * 50 + ["0145678901"])
    assert calls == [51] + [51] * SATURATED_RETRIES + [1] * (RETRIES - SATURATED_RETRIES)
