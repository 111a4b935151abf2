"""Tables hidden in documents: pandas' own HTML / text renderings, JSON data, Markdown blocks.

The inputs are produced by pandas itself (``to_html``, ``repr``, ``to_json``), so the parsers are
tested against the real layouts a notebook stores, and the expected cells are the frame's own values.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from anonymizer.check.extract import (
    delimited_table,
    html_tables,
    json_tables,
    markdown_tables,
    notebook_tables,
    text_tables,
)
from anonymizer.errors import InputError

PEOPLE = pd.DataFrame({
    "NOM": ["Jean Dupont", "Marie Curie-Lenoir", "Luc B", "Ana Silva"],
    "date naissance": ["12/03/1985", "01/01/1990", "7/7/2001", "30/11/1979"],
    "NIR": ["185057512345678", "290013306312345", "101017512345612", "279113306311111"],
    "n": [1, 22, 3, 4],
})


def _as_text(df: pd.DataFrame) -> list[dict[str, str]]:
    return [{str(k): str(v) for k, v in r.items()} for r in df.to_dict("records")]


def test_html_table_from_pandas_drops_range_index():
    (got,) = html_tables(PEOPLE.to_html())
    assert list(got.columns) == list(PEOPLE.columns)
    assert _as_text(got) == _as_text(PEOPLE)


def test_html_table_keeps_a_meaningful_index_such_as_a_nir():
    (got,) = html_tables(PEOPLE.set_index("NIR").to_html())
    assert "NIR" in got.columns
    assert got["NIR"].tolist() == PEOPLE["NIR"].tolist()


def test_html_truncated_display_drops_ellipsis_row():
    big = pd.DataFrame({"a": range(100), "b": [f"v{i}" for i in range(100)]})
    (got,) = html_tables(big.to_html(max_rows=6))
    assert len(got) == 6 and "..." not in got["b"].tolist()
    assert list(got.columns) == ["a", "b"]


def test_html_multiindex_header_and_styler_like_markup():
    df = pd.DataFrame([[1, 2], [3, 4]], columns=pd.MultiIndex.from_tuples([("id", "nir"), ("id", "tel")]))
    (got,) = html_tables(df.to_html())
    assert len(got.columns) == 2 and len(got) == 2


def test_text_repr_with_spaces_inside_values_and_names():
    (got,) = text_tables(repr(PEOPLE))
    assert _as_text(got) == _as_text(PEOPLE)


def test_text_repr_with_index_name_line():
    (got,) = text_tables(repr(PEOPLE.set_index("NIR")))
    assert got["NIR"].tolist() == PEOPLE["NIR"].tolist()
    assert got["NOM"].tolist() == PEOPLE["NOM"].tolist()


def test_text_repr_of_a_wide_wrapped_frame_is_joined():
    wide = pd.DataFrame({f"colonne_{i}": [f"valeur {i}", "b", "c"] for i in range(6)})
    with pd.option_context("display.width", 40, "display.max_columns", None):
        text = repr(wide)
    assert "\\" in text  # pandas did wrap it
    (got,) = text_tables(text)
    assert list(got.columns) == list(wide.columns)
    assert got.iloc[0].tolist() == wide.iloc[0].tolist()


def test_text_repr_of_one_record_series():
    (got,) = text_tables(str(PEOPLE.iloc[1]))
    assert got.iloc[0]["NIR"] == PEOPLE.iloc[1]["NIR"]


def test_text_that_is_not_a_frame_gives_nothing():
    assert text_tables("42") == []
    assert text_tables("Hello world, this is a sentence.\nAnother line here.") == []


@pytest.mark.parametrize("orient", ["records", "split", "columns", "table"])
def test_json_orients(orient):
    data = json.loads(PEOPLE.to_json(orient=orient))
    (got,) = json_tables(data)
    assert got["NIR"].tolist() == PEOPLE["NIR"].tolist()


def test_markdown_blocks_and_pipe_tables_with_lines():
    md = "\n".join([
        "# Séance 1",                          # 1
        "",                                    # 2
        "```csv",                              # 3
        "nom,tel",                             # 4
        "Jean Martin,06 11 22 33 44",          # 5
        "```",                                 # 6
        "",                                    # 7
        "| col | type |",                      # 8
        "|:---|---:|",                         # 9
        "| NIR | texte |",                     # 10
        "| SEXE | code |",                     # 11
        "",                                    # 12
        "```{r}",                              # 13
        "x <- mean(y)",                        # 14
        "```",                                 # 15
        "~~~",                                 # 16
        "a;b;c",                               # 17
        "1;2;3",                               # 18
        "4;5;6",                               # 19
        "~~~",                                 # 20
        "```python",                           # 21
        "print(1)",                            # 22
        "```",                                 # 23
    ])
    found = list(markdown_tables(md))
    assert [e.line for e in found] == [4, 8, 17]
    assert found[0].df.to_dict("records") == [{"nom": "Jean Martin", "tel": "06 11 22 33 44"}]
    assert found[1].df["col"].tolist() == ["NIR", "SEXE"]
    assert list(found[2].df.columns) == ["a", "b", "c"] and len(found[2].df) == 2


def test_delimited_table_needs_consistent_fields():
    assert delimited_table(["a,b", "1,2", "3"]) is None
    assert delimited_table(["just one column", "x", "y"]) is None
    assert delimited_table(["a\tb", "1\t2", "3\t4"]) is not None


def _nb(cells):
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}, indent=1)


def test_notebook_outputs_of_every_kind_with_cell_numbers():
    html = {"output_type": "execute_result", "execution_count": 1, "metadata": {},
            "data": {"text/html": PEOPLE.to_html().splitlines(True), "text/plain": repr(PEOPLE).splitlines(True)}}
    plain = {"output_type": "execute_result", "execution_count": 2, "metadata": {},
             "data": {"text/plain": repr(PEOPLE)}}
    stream = {"output_type": "stream", "name": "stdout", "text": [str(PEOPLE)]}
    js = {"output_type": "display_data", "metadata": {},
          "data": {"application/json": json.loads(PEOPLE.to_json(orient="records"))}}
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": ["# TP\n", "texte"]},
        {"cell_type": "code", "metadata": {}, "source": ["df"], "outputs": [html], "execution_count": 1},
        {"cell_type": "code", "metadata": {}, "source": ["df"], "outputs": [plain, stream, js], "execution_count": 2},
    ]
    got = list(notebook_tables(_nb(cells)))
    assert [e.location for e in got] == [
        "cell 2, output 1 (text/html table)",  # the text/plain twin is not read twice
        "cell 3, output 1 (text/plain)",
        "cell 3, output 2 (printed text)",
        "cell 3, output 3 (application/json)",
    ]
    for e in got:
        assert e.df["NIR"].tolist() == PEOPLE["NIR"].tolist()
    assert all(e.line and e.line > 1 for e in got)


def test_broken_notebook_is_an_input_error_without_content():
    with pytest.raises(InputError) as exc:
        list(notebook_tables(b'{"cells": [ 185057512345678'))
    assert "185057512345678" not in str(exc.value)


def test_french_csv_block_with_semicolons_and_printed_r_frames():
    md = "\n".join([
        "```csv", "nom;prenom;tel", "Dupont;Jean;06 11 22 33 44", "Martin;Anne;06 55 22 33 44", "```", "",
        "```", "##        nom prenom            tel", "## 1   Dupont   Jean 06 11 22 33 44",
        "## 2   Martin   Anne 06 55 22 33 44", "```", "",
        "```python", "import pandas as pd", "x = 1", "print(x)", "```",
    ])
    found = list(markdown_tables(md))
    assert len(found) == 2
    for e in found:
        assert e.df.to_dict("records") == [{"nom": "Dupont", "prenom": "Jean", "tel": "06 11 22 33 44"},
                                           {"nom": "Martin", "prenom": "Anne", "tel": "06 55 22 33 44"}]


def test_styler_html_is_read_like_to_html():
    (got,) = html_tables(PEOPLE.style.to_html())
    assert _as_text(got) == _as_text(PEOPLE)


def test_csv_pasted_in_code_strings_in_notebooks_and_chunks():
    code = ('import io\nimport pandas as pd\nraw = """nom,prenom,tel\nDupont,Jean,06 12 34 56 78\n'
            'Martin,Anne,06 98 76 54 32\n"""\ndf = pd.read_csv(io.StringIO(raw))\nmsg = "a, b"\n')
    nb = _nb([{"cell_type": "code", "metadata": {}, "execution_count": 1, "source": code.splitlines(True),
               "outputs": []}])
    (got,) = list(notebook_tables(nb))
    assert got.location == "cell 1 (code, text in a string)"
    assert got.df["tel"].tolist() == ["06 12 34 56 78", "06 98 76 54 32"]
    md = ('# TD\n\n```{r}\ndf <- read.csv(text = "nom;tel\nDupont;06 12 34 56 78\nMartin;06 98 76 54 32")\n'
          'summary(df)\n```\n')
    (emb,) = list(markdown_tables(md))
    assert emb.df["nom"].tolist() == ["Dupont", "Martin"] and emb.line == 4
    # ordinary code with strings is not data
    assert list(notebook_tables(_nb([{"cell_type": "code", "metadata": {}, "execution_count": 1, "outputs": [],
                                      "source": ['print("hello, world")\n', "x = 'a, b'\n"]}]))) == []


def test_pipe_tables_are_read_without_ner_csv_blocks_with_it():
    md = "| a | b |\n|---|---|\n| x | y |\n| z | w |\n\n```csv\nnom,tel\nDupont,06 12 34 56 78\n```\n"
    pipe, block = list(markdown_tables(md))
    assert pipe.ner is False and block.ner is True
