"""``anon generate``: write a fictitious CAF-style beneficiary extract and its ground truth.

The extract streams block by block through ``anonymizer.io.TableWriter`` (atomic, bounded
memory); the ground truth JSON (column roles and entities, planted traps, free-text entity
offsets) is written atomically beside it once the table is complete.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from anonymizer.cli.translated import TranslatedCommand
from anonymizer.i18n import N_, _

EPILOG = N_("""\b
Examples:
  anon generate -o extract.csv                      # 10,204 rows, seed 2021, Gironde (33)
  anon generate --rows 300 --seed 7 -o small.csv    # + small.csv.truth.json
  anon generate --rows 1000000 -o big.parquet       # format from the extension
  anon generate --departement 2A -o corse.csv --truth corse.json --force
  anon generate --rows 500 -o x.csv --json          # machine-readable summary on stdout
\b
CSV output is the real extract's dialect: ';' separator, cp1252, CRLF line ends, decimal
comma, dates JJ/MM/AAAA, missing values empty. Same rows + seed + département give the same
bytes. Nothing in the file describes a real person: names come from Faker pools, streets are
invented, phones are in ARCEP fiction ranges, e-mails in reserved example domains.
""")

OUT_FORMATS = ("csv", "parquet", "xlsx", "jsonl")
CSV_DIALECT = {"encoding": "cp1252", "delimiter": ";", "line_terminator": "\r\n"}


@click.command(cls=TranslatedCommand, name="generate", epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--rows", type=click.IntRange(min=0), default=10204, show_default=True, help=N_("Number of foyers (rows)."))
@click.option("--seed", type=int, default=2021, show_default=True, help=N_("Random seed (same seed, same bytes)."))
@click.option("--departement", default="33", show_default=True,
              help=N_("Département of residence (one with bundled communes: 33, 2A, 2B, 971-976, ...)."))
@click.option("-o", "--output", "output", required=True, metavar="OUT", help=N_("Output table."))
@click.option("--format", "fmt", type=click.Choice(OUT_FORMATS), help=N_("Output format (default: from OUT's extension, else csv)."))
@click.option("--truth", "truth_path", metavar="PATH", help=N_("Ground-truth JSON (default: OUT.truth.json)."))
@click.option("--chunk-rows", type=click.IntRange(min=1000), default=50_000, show_default=True,
              help=N_("Rows per written batch (memory bound)."))
@click.option("--force", is_flag=True, help=N_("Overwrite OUT and the truth file if they exist."))
@click.option("--json", "as_json", is_flag=True, help=N_("Print a JSON summary on stdout instead of text."))
def command(rows, seed, departement, output, fmt, truth_path, chunk_rows, force, as_json):
    """Write a fictitious 181-column CAF beneficiary extract (and its ground truth)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from anonymizer.errors import UsageError
    from anonymizer.io import TableWriter, atomic_output, check_output_path, output_format
    from anonymizer.synth import iter_extract, truth_json

    out = Path(output)
    fmt = output_format(out, None, fmt)
    if fmt not in OUT_FORMATS:
        raise UsageError(_('{out}: anon generate writes {OUT_FORMATS}, not {fmt}').format(out=out, OUT_FORMATS=', '.join(OUT_FORMATS), fmt=fmt))
    truth = Path(truth_path) if truth_path else out.with_name(out.name + ".truth.json")
    if truth.resolve() == out.resolve():
        raise UsageError(_("--truth must differ from the output table"))
    check_output_path(out, force=force)
    check_output_path(truth, force=force)
    stream = iter_extract(rows, seed, chunk_rows, departement=departement)
    console = Console(stderr=True)
    opts = CSV_DIALECT if fmt == "csv" else {}
    with (
        Progress(TextColumn("generating"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                 console=console, transient=True, disable=not console.is_terminal or rows < 50_000) as progress,
        TableWriter(out, fmt=fmt, force=force, **opts) as writer,
    ):
        task = progress.add_task("rows", total=rows)
        for batch in stream:
            writer.write(batch)
            progress.advance(task, len(batch))
    with atomic_output(truth, "w", encoding="utf-8", force=force) as fh:
        fh.write(truth_json(stream.truth))
    summary = {"output": str(out), "format": fmt, "rows": rows, "columns": len(stream.truth["columns"]),
               "seed": seed, "departement": stream.ctx.departement, "truth": str(truth),
               "planted": len(stream.truth["planted"])}
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False))
    else:
        click.echo(_('wrote {rows:,} rows x {columns} columns to {out} ({fmt}); ground truth: {truth}').format(rows=rows, columns=summary['columns'], out=out, fmt=fmt, truth=truth))
