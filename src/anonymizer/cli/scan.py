"""``anon scan``: what in a table identifies people, and why; optionally the policy to review."""

from __future__ import annotations

import json
from pathlib import Path

import click

from anonymizer.cli.translated import TranslatedCommand
from anonymizer.i18n import N_, _

EPILOG = N_("""\b
Examples:
  anon scan extract.csv                               # rich table in the terminal
  anon scan extract.csv --write-policy policy.yaml    # proposed policy, commented with evidence
  anon scan extract.csv --format json -o scan.json    # stable JSON (rules/schemas/scan.schema.json)
  anon scan big.parquet --sample 20000 --no-ner       # faster: regex/check digits only
  anon scan data.csv --rules my_rules/ --delimiter ';' --encoding cp1252

\b
Roles: identifier, quasi_identifier, sensitive, free_text, insensitive. Evidence combines the
column name (rules/columns/*.yaml, your --rules DIR wins), check digits (NIR, IBAN, SIRET, SPI),
value shapes, uniqueness and, for free text, spaCy NER + French recognizers.
Example values are always masked; the scan never prints or writes a raw value.
""")

STREAM_ABOVE_BYTES = 200 * 1024 * 1024

ROLE_STYLE = {
    "identifier": "bold red",
    "quasi_identifier": "yellow",
    "sensitive": "magenta",
    "free_text": "cyan",
    "insensitive": "green",
}


# Past this many columns the findings are printed as plain aligned lines: rich lays out a table
# at ~1 ms a row (15 s of a 10,000-column scan), and nobody reads such a table as a box anyway.
PLAIN_TABLE_ABOVE = 1_000
_CONTROL = dict.fromkeys([*range(32), 127], " ")


def _plain_cell(value: object) -> str:
    """A cell of the plain table on one line: control characters (a newline in a name) as spaces."""
    return str(value).translate(_CONTROL)


def _plain_table(report, wide: bool) -> str:
    """The findings as lines of space-aligned fields, the same fields as the rich table's."""
    head = ["column", "role", "entity", "conf", "evidence"] + (["example (masked)"] if wide else [])
    rows = [head]
    for f in report.findings:
        row = [_plain_cell(f.column), f.role, _plain_cell(f.entity or "-"), f"{f.confidence:.0%}",
               _plain_cell(f.evidence[-1]) if f.evidence else ""]
        if wide:
            row.append(_plain_cell(f.examples[0]) if f.examples else "")
        rows.append(row)
    last = len(head) - 1
    widths = [max(len(r[j]) for r in rows) for j in range(last)]
    lines = ["  ".join([*(r[j].rjust(widths[j]) if j == 3 else r[j].ljust(widths[j]) for j in range(last)), r[last]])
             .rstrip() for r in rows]
    title = (f"anon scan: {_plain_cell(report.source)} ({report.rows:,} rows × {report.columns} columns, "
             f"{report.sampled_rows:,} sampled)")
    return "\n".join([title, *lines]) + "\n"


def render_terminal(report, console) -> None:
    """One row per column: role, entity, confidence, the most telling evidence, a masked example."""
    from rich.markup import escape
    from rich.table import Table

    wide = console.width >= 120
    if len(report.findings) > PLAIN_TABLE_ABOVE:
        console.file.write(_plain_table(report, wide))
        console.file.flush()
        _render_summary(report, console)
        return
    table = Table(title=f"anon scan: {escape(str(report.source))} ({report.rows:,} rows × {report.columns} columns, "
                        f"{report.sampled_rows:,} sampled)", expand=True)
    table.add_column("column", no_wrap=True)
    table.add_column("role", no_wrap=True)
    table.add_column("entity", no_wrap=True)
    table.add_column("conf", justify="right", no_wrap=True)
    table.add_column("evidence", ratio=3)
    if wide:
        table.add_column("example (masked)", ratio=1, overflow="fold")
    for f in report.findings:
        # names, evidence and masked examples come from the data: escaped, never read as markup
        row = [escape(str(f.column)), f"[{ROLE_STYLE.get(f.role, '')}]{f.role}[/]", escape(f.entity or "-"),
               f"{f.confidence:.0%}", escape(f.evidence[-1]) if f.evidence else ""]
        if wide:
            row.append(escape(f.examples[0]) if f.examples else "")
        table.add_row(*row)
    console.print(table)
    _render_summary(report, console)


def _render_summary(report, console) -> None:
    """The count of columns by role, and the warning about cells a spreadsheet would run."""
    from rich.markup import escape

    counts: dict[str, int] = {}
    for f in report.findings:
        counts[f.role] = counts.get(f.role, 0) + 1
    console.print("  ".join(f"[{ROLE_STYLE[r]}]{r}[/]: {counts.get(r, 0)}" for r in ROLE_STYLE))
    formula_cols = [f for f in report.findings if f.stats.get("formula_cells")]
    if formula_cols:
        names = ", ".join(escape(str(f.column)) for f in formula_cols[:5]) + (" ..." if len(formula_cols) > 5 else "")
        console.print(_('[yellow]warning[/]: {value:,} sampled cell(s) in {formula_cols} column(s) ({names}) start with =, +, -, @, tab or CR: a spreadsheet would run them as formulas (anon sanitize neutralises them in CSV output)').format(value=report.formula_cells(), formula_cols=len(formula_cols), names=names))


@click.command(cls=TranslatedCommand, epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("data", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help=N_("Output on stdout."))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help=N_("Also write the JSON report here."))
@click.option("--write-policy", "policy_path", type=click.Path(dir_okay=False, path_type=Path),
              help=N_("Write the proposed policy (YAML, one entry per column, commented with evidence)."))
@click.option("--profile", default="training", show_default=True, help=N_("Profile the proposed policy starts from."))
@click.option("--force", is_flag=True, help=N_("Overwrite existing output files."))
@click.option("--sample", "sample", type=click.IntRange(min=100), default=5000, show_default=True,
              help=N_("Rows sampled for value checks (uniqueness uses the whole column up to 300,000 rows)."))
@click.option("--no-ner", is_flag=True, help=N_("No spaCy model: recognizers and check digits only (faster)."))
@click.option("--rules", "rules_dirs", multiple=True, type=click.Path(file_okay=False, path_type=Path),
              help=N_("Directory of extra column rules (*.yaml, same format as rules/columns); wins over shipped rules."))
@click.option("--seed", type=int, default=0, show_default=True, help=N_("Seed of the row sample."))
@click.option("--delimiter", help=N_("CSV delimiter (default: sniffed)."))
@click.option("--encoding", help=N_("CSV/JSONL encoding (default: sniffed)."))
@click.option("--sheet", help=N_("XLSX sheet name (default: the first)."))
def command(data: Path, fmt: str, output: Path | None, policy_path: Path | None, profile: str, force: bool,
            sample: int, no_ner: bool, rules_dirs: tuple[Path, ...], seed: int, delimiter: str | None,
            encoding: str | None, sheet: str | None) -> None:
    """Find identifiers, quasi-identifiers, sensitive columns and PII in free text in DATA."""
    from rich.console import Console
    from rich.markup import escape
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from anonymizer.detect import scan_table
    from anonymizer.errors import UsageError
    from anonymizer.io import atomic_output, check_output_path, read_table

    inputs = [data]
    outputs = [p for p in (output, policy_path) if p is not None]
    for out in outputs:
        check_output_path(out, force=force, inputs=inputs)
    if output is not None and policy_path is not None and output.resolve() == policy_path.resolve():
        raise UsageError(_("-o and --write-policy name the same file"))
    if policy_path is not None:  # a bad profile fails now, not after the scan
        from anonymizer.policy import load_profile

        chosen_profile = load_profile(profile)

    err = Console(stderr=True)
    total_rows, row_numbers = None, frozenset()
    if data.exists() and data.stat().st_size > STREAM_ABOVE_BYTES:
        # large file: one streaming pass keeps a uniform row sample (memory stays bounded)
        from anonymizer.detect.scan import sample_batches
        from anonymizer.io import iter_batches

        with err.status(_("sampling rows from a large table…")):
            _meta, batches = iter_batches(data, batch_rows=200_000, delimiter=delimiter, encoding=encoding, sheet=sheet)
            df, total_rows, row_numbers = sample_batches(batches, sample, seed=seed)
    else:
        with err.status(_("reading the table…")):
            df = read_table(data, delimiter=delimiter, encoding=encoding, sheet=sheet).df
    with Progress(TextColumn("scanning"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.description}"),
                  TimeElapsedColumn(), console=err, transient=True,
                  disable=fmt == "json" or not err.is_terminal) as bar:
        task = bar.add_task("", total=len(df.columns))
        report = scan_table(
            df, rules_dirs=tuple(str(d) for d in rules_dirs), sample_rows=sample, ner=not no_ner, seed=seed,
            progress=lambda col: bar.update(task, advance=1, description=escape(str(col))), source=data.name,
            total_rows=total_rows, row_numbers=row_numbers,
        )
    text = json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n"
    if output is not None:
        with atomic_output(output, force=force, inputs=inputs) as fh:
            fh.write(text)
    if policy_path is not None:
        from anonymizer.policy import propose_policy, render_policy_yaml

        policy = propose_policy(report, profile=chosen_profile)
        with atomic_output(policy_path, force=force, inputs=inputs) as fh:
            fh.write(render_policy_yaml(policy, report))
    if fmt == "json":
        click.echo(text, nl=False)
    else:
        out = Console()
        render_terminal(report, out if out.is_terminal else Console(width=160))
        for out in outputs:
            click.echo(_('written: {out}').format(out=out))
