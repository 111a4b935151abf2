"""Table I/O: sniffing, readers, writers, atomic output, batching (docs/ARCHITECTURE.md).

Text formats (CSV, XLSX, JSONL) are read with every column as text and missing = ``""``;
typed formats (Parquet, SAS, Stata, SPSS) keep their dtypes (``as_text`` renders them).
Every write is atomic and never overwrites its own input.
"""

from anonymizer.io.atomic import atomic_output, atomic_path, check_output_path, same_file
from anonymizer.io.formats import list_sheets
from anonymizer.io.meta import Table, TableMeta
from anonymizer.io.readers import iter_batches, read_table
from anonymizer.io.sniff import FORMATS, detect_format
from anonymizer.io.text import as_text
from anonymizer.io.writers import TableWriter, output_format, write_table

__all__ = [
    "FORMATS",
    "Table",
    "TableMeta",
    "TableWriter",
    "as_text",
    "atomic_output",
    "atomic_path",
    "check_output_path",
    "detect_format",
    "iter_batches",
    "list_sheets",
    "output_format",
    "read_table",
    "same_file",
    "write_table",
]
