"""The two values every reader returns: the table and how its file was written.

``TableMeta`` records the physical layout of the source (encoding, delimiter, line
terminator, quoting...) so that a writer given ``like=meta`` reproduces it and kept
columns round-trip byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd


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
