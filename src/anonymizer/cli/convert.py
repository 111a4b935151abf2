"""``anon convert``: read a table in any supported format, write it in another, atomically.

Reading and writing go batch by batch, so memory stays bounded on large CSV/Parquet/JSONL
files (XLSX output and the statistical formats are written whole by their libraries).
"""

from __future__ import annotations

import json

import click

from anonymizer.cli.translated import TranslatedCommand
from anonymizer.i18n import N_, _
from anonymizer.io.registry import FORMATS, extension_conflict

EPILOG = N_("""\b
Examples:
  anon convert extract.csv -o extract.parquet              # format from the extension
  anon convert extract.parquet -o extract.csv --delimiter ';' --encoding cp1252
  anon convert export.xlsx --sheet Feuil2 -o feuil2.csv
  anon convert 'parts/*.parquet' -o all.csv --force
  anon convert extract.csv -o copy.csv --format json       # machine-readable summary
  anon convert extract.csv -o typed.parquet --dtype NBENF=int64 --dtype AL_MT=float64
\b
Without --delimiter/--encoding a CSV output keeps the input's dialect (encoding, BOM,
delimiter, line terminator, quoting), so an unchanged CSV is copied byte for byte.
The output never replaces the input, and an existing output needs --force.
""")


@click.command(cls=TranslatedCommand, name="convert", epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("source", metavar="IN")
@click.option("-o", "--output", "output", required=True, metavar="OUT", help=N_("Output file."))
@click.option("--to", "to_fmt", type=click.Choice(FORMATS), help=N_("Output format (default: from OUT's extension, else IN's)."))
@click.option("--delimiter", help=N_("Output CSV delimiter (default: the input's, else ',')."))
@click.option("--encoding", help=N_("Output CSV encoding, e.g. utf-8, utf-8-sig, cp1252 (default: the input's)."))
@click.option("--in-delimiter", help=N_("Force the input CSV delimiter instead of detecting it."))
@click.option("--in-encoding", help=N_("Force the input encoding instead of detecting it."))
@click.option("--sheet", help=N_("XLSX input sheet (name or 0-based number; default: the first)."))
@click.option("--dtype", "dtypes", multiple=True, metavar="COL=TYPE",
              help=N_("Read column COL as TYPE (int64, float64, bool, datetime64[ns]...); repeatable. Empty cells -> missing."))
@click.option("--batch-rows", type=click.IntRange(min=1), default=100_000, show_default=True, help=N_("Rows per batch."))
@click.option("--force", is_flag=True, help=N_("Overwrite OUT if it exists (never IN)."))
@click.option("--format", "out_format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help=N_("Summary format on stdout."))
def command(source, output, to_fmt, delimiter, encoding, in_delimiter, in_encoding, sheet, dtypes, batch_rows, force,
            out_format):
    """Convert table IN (csv, parquet, xlsx, jsonl, sas7bdat, xpt, dta, sav) to OUT."""
    from anonymizer.io import TableWriter, check_output_path, iter_batches, output_format

    if (conflict := extension_conflict(output, to_fmt)) is not None:
        raise click.UsageError(conflict)
    check_output_path(output, force=force, inputs=[source])
    read_opts = {k: v for k, v in {"delimiter": in_delimiter, "encoding": in_encoding, "sheet": sheet}.items() if v}
    if dtypes:
        pairs = [d.partition("=") for d in dtypes]
        bad = [d for d, (_, eq, t) in zip(dtypes, pairs, strict=True) if not eq or not t]
        if bad:
            raise click.UsageError(_('--dtype expects COL=TYPE, got {value!r}').format(value=bad[0]))
        read_opts["dtypes"] = {col: t for col, _, t in pairs}
    meta, batches = iter_batches(source, batch_rows=batch_rows, **read_opts)
    fmt = output_format(output, meta, to_fmt)
    opts = {"delimiter": delimiter, "encoding": encoding} if fmt == "csv" else {}
    if fmt != "csv" and (delimiter or encoding):
        raise click.UsageError(_("--delimiter/--encoding apply to CSV output only"))
    columns = 0
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn

    console = Console(stderr=True)
    with (
        Progress(SpinnerColumn(), TextColumn("{task.description}"), console=console, transient=True,
                 disable=not console.is_terminal) as progress,
        TableWriter(output, like=meta, fmt=fmt, force=force, inputs=(source,), **opts) as writer,
    ):
        task = progress.add_task("converting: 0 rows", total=None)
        for batch in batches:
            columns = batch.shape[1]
            writer.write(batch)
            progress.update(task, description=f"converting: {writer.rows:,} rows")
    summary = {
        "input": meta.to_dict(),
        "output": {"path": str(output), "format": fmt},
        "rows": writer.rows,
        "columns": columns,
    }
    if out_format == "json":
        click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        click.echo(_('wrote {output} ({fmt}): {rows:,} rows, {columns} columns').format(output=output, fmt=fmt, rows=writer.rows, columns=columns))
