"""Table I/O: sniffing, readers, writers, atomic output, batching (docs/ARCHITECTURE.md).

Text formats (CSV, XLSX, JSONL) are read with every column as text and missing = ``""``;
typed formats (Parquet, SAS, Stata, SPSS) keep their dtypes (``as_text`` renders them).
Every write is atomic and never overwrites its own input; a CSV read and written back
unchanged is byte-identical when it was canonical (one line terminator, minimal or full
quoting).

Large files::

    meta, batches = iter_batches(path, batch_rows=100_000)
    with TableWriter(out, like=meta) as w:
        for b in batches:
            w.write(transform(b))

Memory grows with batch_rows, not with the file: for the 181-column extract, measured
peaks (whole process) were 0.85-0.95 GB for a byte-identical read + write of the
1,000,000-row, 0.9 GB file in batches of 100,000 rows (benchmarks/bench_io.py) and
0.45 GB in batches of 20,000; the same peak holds for 300,000 rows.

Names are imported on first use (PEP 562): ``from anonymizer.io import WRITABLE`` reads the
format table without loading pandas, so ``--help`` stays fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from anonymizer.io.atomic import atomic_output, atomic_path, check_output_path, same_file
    from anonymizer.io.formats import list_sheets
    from anonymizer.io.meta import Table, TableMeta
    from anonymizer.io.readers import iter_batches, read_table
    from anonymizer.io.registry import FORMATS, REGISTRY, WRITABLE, Format, default_extension
    from anonymizer.io.sniff import detect_format
    from anonymizer.io.writers import TableWriter, output_format, write_table
    from anonymizer.values.text import as_text

_WHERE = {
    "atomic_output": "anonymizer.io.atomic", "atomic_path": "anonymizer.io.atomic",
    "check_output_path": "anonymizer.io.atomic", "same_file": "anonymizer.io.atomic",
    "list_sheets": "anonymizer.io.formats", "Table": "anonymizer.io.meta", "TableMeta": "anonymizer.io.meta",
    "iter_batches": "anonymizer.io.readers", "read_table": "anonymizer.io.readers",
    "FORMATS": "anonymizer.io.registry", "REGISTRY": "anonymizer.io.registry", "WRITABLE": "anonymizer.io.registry",
    "Format": "anonymizer.io.registry", "default_extension": "anonymizer.io.registry",
    "detect_format": "anonymizer.io.sniff", "TableWriter": "anonymizer.io.writers",
    "output_format": "anonymizer.io.writers", "write_table": "anonymizer.io.writers",
    "as_text": "anonymizer.values.text",
}

__all__ = [
    "FORMATS",
    "Format",
    "REGISTRY",
    "WRITABLE",
    "Table",
    "TableMeta",
    "TableWriter",
    "as_text",
    "atomic_output",
    "atomic_path",
    "check_output_path",
    "default_extension",
    "detect_format",
    "iter_batches",
    "list_sheets",
    "output_format",
    "read_table",
    "same_file",
    "write_table",
]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'anonymizer.io' has no attribute {name!r}")
    value = getattr(importlib.import_module(_WHERE[name]), name)
    globals()[name] = value
    return value
