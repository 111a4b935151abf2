"""The two values every reader returns: the table and how its file was written.

``TableMeta`` records the physical layout of the source (encoding, delimiter, line
terminator, quoting...) so that a writer given ``like=meta`` reproduces it and kept
columns round-trip byte for byte.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from anonymizer.i18n import _


@dataclass
class TableMeta:
    """How a table was stored, so kept columns round-trip exactly (docs/ARCHITECTURE.md)."""

    path: Path | None
    format: str  # csv | parquet | xlsx | jsonl | sas7bdat | xpt | dta | sav
    encoding: str | None = None  # csv: utf-8, utf-8-sig, cp1252, latin-1
    delimiter: str | None = None  # csv: , ; \t |
    decimal: str | None = None  # "," when the file uses decimal commas (values stay text)
    line_terminator: str | None = None
    quotechar: str = '"'
    sheet: str | None = None
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able summary (for manifests and ``--format json``); objects in ``extra`` are skipped."""
        out: dict[str, Any] = {
            "path": str(self.path) if self.path is not None else None,
            "format": self.format,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "decimal": self.decimal,
            "line_terminator": self.line_terminator,
            "quotechar": self.quotechar,
            "sheet": self.sheet,
        }
        out["extra"] = {
            k: v for k, v in self.extra.items() if isinstance(v, str | int | float | bool | list | type(None))
        }
        return out


@dataclass
class Table:
    """A DataFrame and the metadata of the file it came from."""

    df: pd.DataFrame
    meta: TableMeta


_DATA_LIKE = re.compile(r"^\s*[-+]?[\d\s.,/:+-]*\d[\d\s.,/:+-]*\s*$|@")


def header_looks_like_data(names: list[str]) -> bool:
    """Whether a header row reads like a data row (numbers, dates, codes, e-mail addresses): a
    file without a header, whose first record was taken for the column names."""
    return any(_DATA_LIKE.search(str(n)) for n in names)


def check_unique_names(path: Path, names: list[str]) -> None:
    """Refuse a header naming a column twice, by position only: when the "header" is in fact the
    first data row, its names are cell values and must not appear in a message."""
    first: dict[str, int] = {}
    for i, name in enumerate(names, start=1):
        if name in first:
            from anonymizer.errors import InputError

            hint = ("; the first row looks like data, not a header: anon needs a header row (add one)"
                    if header_looks_like_data(names) else "; rename one of them")
            raise InputError(_('{path}: columns {value} and {i} of the header have the same name{hint}').format(path=path, value=first[name], i=i, hint=hint))
        first[name] = i
